"""The neighbourhood level's records, one module per part (imported here for Django)."""

from opus.neighbourhoods.models.assets import *  # noqa: F403
from opus.neighbourhoods.models.casework import *  # noqa: F403
from opus.neighbourhoods.models.councils import *  # noqa: F403
from opus.neighbourhoods.models.grants import *  # noqa: F403
from opus.neighbourhoods.models.pb import *  # noqa: F403
