"""Delivery photos of a funded project: officers upload a JPEG, PNG or WebP (checked by its
bytes, at most 10 MB) with alt text; the public page shows it with its alt text, and the file is
served only as that image type, never as something a browser would run."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opus.core.models import AuditEvent
from opus.neighbourhoods import photos
from opus.neighbourhoods import services as pb
from opus.neighbourhoods.models import DeliveryPhoto

from .conftest import open_process

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


@pytest.fixture
def funded(cast, hood_budget):
    process, (a, b, _c) = open_process(cast, hood_budget, costs=(3_000_00, 1_000_00, 4_500_00))
    pb.ballot_cast(process=process, chosen={a.pk: 1}, postcode="NV1 1AA", age=30, by=cast.resident)
    process = pb.process_close(process=process, by=cast.councillor)
    pb.process_count(process=process, by=cast.councillor)
    pb.process_publish(process=process, by=cast.councillor)
    a.refresh_from_db()
    b.refresh_from_db()
    return process, a, b


def _add_url(process, project):
    return reverse("neighbourhoods:pb_photo_add", args=[process.pk, project.pk])


def test_the_three_image_types_are_told_by_their_bytes():
    assert photos.image_type(PNG[:16]) == "image/png"
    assert photos.image_type(JPEG[:16]) == "image/jpeg"
    assert photos.image_type(WEBP[:16]) == "image/webp"
    assert photos.image_type(b"<svg xmlns=") is None
    assert photos.image_type(b"GIF89a") is None


def test_an_officer_adds_a_photo_and_everyone_sees_it_with_its_alt_text(
    client, cast, funded, media
):
    process, project, _unfunded = funded
    client.force_login(cast.councillor)
    assert client.get(_add_url(process, project)).status_code == 200
    upload = SimpleUploadedFile("benches.html", PNG, content_type="text/html")
    response = client.post(
        _add_url(process, project), {"image": upload, "alt_text": "New benches by the pond"}
    )
    assert response.status_code == 302
    photo = DeliveryPhoto.objects.get()
    assert photo.content_type == "image/png" and photo.image.name.endswith(".png")
    assert "benches" not in photo.image.name
    assert (media / photo.image.name).read_bytes() == PNG
    assert AuditEvent.objects.filter(action="pb.photo_add").exists()
    client.logout()
    page = client.get(reverse("neighbourhoods:pb_detail", args=[process.pk])).content.decode()
    src = reverse("neighbourhoods:pb_photo", args=[process.pk, photo.pk])
    assert f'src="{src}"' in page and 'alt="New benches by the pond"' in page
    served = client.get(src)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == f'inline; filename="pb-photo-{photo.pk}.png"'
    assert "default-src 'none'" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == PNG


@pytest.mark.parametrize(
    ("data", "alt", "message"),
    [
        (b"<script>alert(1)</script>", "A photo", "must be a JPEG, PNG or WebP"),
        (b"GIF89a" + b"\x00" * 20, "A photo", "must be a JPEG, PNG or WebP"),
        (JPEG, "", "Describe the photo"),
        (JPEG + b"\x00" * photos.MAX_PHOTO_BYTES, "A photo", "smaller than 10 MB"),
    ],
)
def test_bad_photos_are_refused_with_a_clear_error_and_nothing_is_kept(
    client, cast, funded, media, data, alt, message
):
    process, project, _unfunded = funded
    client.force_login(cast.councillor)
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
    response = client.post(_add_url(process, project), {"image": upload, "alt_text": alt})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and message in body
    assert not DeliveryPhoto.objects.exists()
    assert not (media / "pb").exists() or not any((media / "pb").rglob("*.*"))


def test_only_officers_add_photos_and_only_to_a_funded_project(client, cast, funded):
    process, project, unfunded = funded
    for outsider in (cast.resident, cast.commissioner):
        client.force_login(outsider)
        upload = SimpleUploadedFile("p.png", PNG, content_type="image/png")
        posted = client.post(_add_url(process, project), {"image": upload, "alt_text": "x"})
        assert posted.status_code == 404
    with pytest.raises(PermissionDenied):
        photos.photo_add(project=project, data=PNG, alt_text="x", by=cast.resident)
    with pytest.raises(pb.PBError, match="funded"):
        photos.photo_add(project=unfunded, data=PNG, alt_text="x", by=cast.councillor)
    assert not DeliveryPhoto.objects.exists()


def test_a_photo_is_not_served_before_the_results_are_published(client, cast, hood_budget):
    process, (a, _b, _c) = open_process(cast, hood_budget)
    photo = DeliveryPhoto.objects.create(
        project=a, image="pb/photos/x.png", content_type="image/png", size=1, alt_text="x",
        uploaded_by=cast.councillor,
    )  # fmt: skip
    url = reverse("neighbourhoods:pb_photo", args=[process.pk, photo.pk])
    assert client.get(url).status_code == 404
