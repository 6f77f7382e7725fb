"""Where uploaded files live: the disk by default, S3-compatible storage by configuration.

Settings call `default_storage(environ)`; it reads only the environment, so it is tested on its
own. `OPUS_MEDIA_STORAGE=s3` stores through django-storages' S3 backend (AWS, or any
S3-compatible service with `OPUS_S3_ENDPOINT_URL`), private (no public ACL, signed URLs that
expire): PB photos and other uploads are served by Opus's own views after their checks, never
straight from the bucket. Credentials come from the usual AWS variables or the machine's role.
Sealed bid documents are not files: they stay encrypted in the database (commissioning/sealing.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class StorageConfigError(ValueError):
    pass


def default_storage(environ: Mapping[str, str], media_root: str) -> dict[str, Any]:
    kind = environ.get("OPUS_MEDIA_STORAGE", "local") or "local"
    if kind == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root},
        }
    if kind != "s3":
        raise StorageConfigError(f"OPUS_MEDIA_STORAGE must be local or s3, not {kind!r}")
    bucket = environ.get("OPUS_S3_BUCKET", "")
    if not bucket:
        raise StorageConfigError("OPUS_S3_BUCKET must be set when OPUS_MEDIA_STORAGE=s3")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "location": environ.get("OPUS_S3_PREFIX", "opus"),
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }
    if environ.get("OPUS_S3_ENDPOINT_URL"):
        options["endpoint_url"] = environ["OPUS_S3_ENDPOINT_URL"]
    if environ.get("OPUS_S3_REGION"):
        options["region_name"] = environ["OPUS_S3_REGION"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
