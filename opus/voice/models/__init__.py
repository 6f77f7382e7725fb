"""Voice's records, one module per part (imported here for Django)."""

from opus.voice.models.complaints import *  # noqa: F403
from opus.voice.models.consultations import *  # noqa: F403
from opus.voice.models.feedback import *  # noqa: F403
