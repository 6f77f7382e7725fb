"""The ORUK importer's former home, kept so that older imports keep working: the importer is
now split by step under ``opus/directory/importers/`` (see its ``__init__``). New code imports
from there."""

from opus.directory.importers.check import check_feed, parse_feed
from opus.directory.importers.parse import (
    COMMAND,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    FeedError,
    feed_source,
    read_feed,
)
from opus.directory.importers.records import ServiceData, parse_service
from opus.directory.importers.run import ACTION, Outcome, import_feed
from opus.directory.importers.values import (
    RecordError,
    accessibility_codes,
    cost_unit,
    organisation_identifiers,
    organisation_kind,
    pence,
)
from opus.directory.importers.write import FeedWriter

__all__ = [
    "ACTION",
    "COMMAND",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "FeedError",
    "FeedWriter",
    "Outcome",
    "RecordError",
    "ServiceData",
    "accessibility_codes",
    "check_feed",
    "cost_unit",
    "feed_source",
    "import_feed",
    "organisation_identifiers",
    "organisation_kind",
    "parse_feed",
    "parse_service",
    "pence",
    "read_feed",
]
