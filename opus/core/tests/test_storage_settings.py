"""Uploads on this machine's disk by default; on private, encrypted S3 storage when configured."""

import pytest
from django.core.files.base import ContentFile

from opus.core.storage_settings import StorageConfigError, default_storage


def test_local_disk_is_the_default():
    config = default_storage({}, "/srv/media")
    assert config["BACKEND"].endswith("FileSystemStorage")
    assert config["OPTIONS"]["location"] == "/srv/media"


def test_s3_is_private_encrypted_and_may_point_at_any_compatible_service():
    config = default_storage(
        {"OPUS_MEDIA_STORAGE": "s3", "OPUS_S3_BUCKET": "council-opus",
         "OPUS_S3_ENDPOINT_URL": "https://s3.example.net"},
        "/unused",
    )  # fmt: skip
    options = config["OPTIONS"]
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "council-opus" and options["default_acl"] == "private"
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
    assert options["endpoint_url"] == "https://s3.example.net"


def test_s3_without_a_bucket_or_an_unknown_kind_is_refused():
    with pytest.raises(StorageConfigError, match="OPUS_S3_BUCKET"):
        default_storage({"OPUS_MEDIA_STORAGE": "s3"}, "/m")
    with pytest.raises(StorageConfigError, match="local or s3"):
        default_storage({"OPUS_MEDIA_STORAGE": "ftp"}, "/m")


def test_the_s3_backend_is_installed_so_configuration_alone_switches_it_on():
    from storages.backends.s3 import S3Storage

    assert S3Storage(bucket_name="x").bucket_name == "x"


def test_uploads_go_through_the_storage_api(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": default_storage({}, str(tmp_path)),
    }
    from django.core.files.storage import storages

    name = storages["default"].save("pb/photos/x.txt", ContentFile(b"hello"))
    assert (tmp_path / name).read_bytes() == b"hello"
