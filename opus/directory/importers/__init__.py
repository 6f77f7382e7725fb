"""Importing an Open Referral UK feed into the directory (``manage.py import_oruk``), one module
a step:

- ``parse.py``: the feed's files, read one at a time (``FeedError`` for a file that is not a feed);
- ``normalise.py``, ``richtext.py``, ``oruk1.py``: pure fixes of values, HTML, the 1.0 shape;
- ``values.py``, ``records.py``: one record as plain data, or its first problem (RecordError);
- ``check.py``: repeats and conflicting copies within the feed, then what the records point at
  and who created what they would change, in the database (reads only);
- ``write.py``: the writes, in bulk, with provenance and the derived tables' refresh;
- ``run.py``: ``import_feed``, the one transaction and audit event, and the ``Outcome``.

``import_feed`` and ``Outcome`` are loaded on first use, so that modules using only the pure
steps (the directory's services use ``richtext``) do not load the database writers.
"""

from typing import Any

__all__ = ["FeedError", "Outcome", "RecordError", "import_feed"]


def __getattr__(name: str) -> Any:
    if name in ("import_feed", "Outcome"):
        from opus.directory.importers import run

        return getattr(run, name)
    if name == "FeedError":
        from opus.directory.importers.parse import FeedError

        return FeedError
    if name == "RecordError":
        from opus.directory.importers.values import RecordError

        return RecordError
    raise AttributeError(name)
