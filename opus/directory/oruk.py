"""The Open Referral UK 3.0 API at /api/oruk/ (being written: see the tests beside it)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Opus — Open Referral UK",
    version="HSDS-UK-3.0",
    urls_namespace="oruk",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
