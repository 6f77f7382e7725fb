"""Open Referral UK: the read API at /api/oruk/ (`routes`), the shapes of its records
(`schemas`), and the term-and-words listing (`listing`) it reads from the derived tables."""

from opus.directory.oruk.routes import api

__all__ = ["api"]
