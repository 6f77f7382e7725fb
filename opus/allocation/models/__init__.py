"""Allocation's records, one module per part (imported here for Django)."""

from opus.allocation.models.monitor import *  # noqa: F403
from opus.allocation.models.runs import *  # noqa: F403
from opus.allocation.models.social_value import *  # noqa: F403
