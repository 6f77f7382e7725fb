"""Photos of a funded PB project's delivery: an officer uploads a JPEG, PNG or WebP (the type
read from the file's first bytes, never from its name or the browser's word), at most 10 MB,
with alt text; it is kept through Django's storage API under a random name and served only as
the image type it was found to be (`views_photos.photo_file`)."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from opus.core.audit import audit_record
from opus.core.models import User
from opus.neighbourhoods.models import DeliveryPhoto, Phase, Project
from opus.neighbourhoods.services import PBError, is_officer

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_PROJECT = 50
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def image_type(head: bytes) -> str | None:
    """The image type its magic bytes say, or None: JPEG, PNG or WebP only."""
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_add(*, project: Project, data: bytes, alt_text: str, by: User) -> DeliveryPhoto:
    """Keep a delivery photo of a funded project; nothing is kept if anything is refused."""
    if not is_officer(by, project.process.council_id):
        raise PermissionDenied(_("Only this neighbourhood council's officers can do this"))
    if not project.funded or project.process.phase not in (Phase.RESULTS, Phase.DELIVERY):
        raise PBError(_("Only a funded project's delivery has photos"), "image")
    if not alt_text.strip():
        raise PBError(_("Describe the photo for people who cannot see it"), "alt_text")
    if not data:
        raise PBError(_("Select a photo"), "image")
    if len(data) > MAX_PHOTO_BYTES:
        raise PBError(_("The photo must be smaller than 10 MB"), "image")
    kind = image_type(data[:16])
    if kind is None:
        raise PBError(_("The photo must be a JPEG, PNG or WebP image"), "image")
    if project.photos.count() >= MAX_PHOTOS_PER_PROJECT:
        raise PBError(_("A project can have 50 photos at most"), "image")
    name = default_storage.save(
        f"pb/photos/{secrets.token_hex(16)}.{EXTENSIONS[kind]}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            photo = DeliveryPhoto.objects.create(
                project=project, image=name, content_type=kind, size=len(data),
                alt_text=alt_text.strip()[:300], uploaded_by=by,
            )  # fmt: skip
            audit_record(
                actor=by,
                action="pb.photo_add",
                target=project,
                summary={"photo": photo.pk, "type": kind, "bytes": len(data)},
            )
    except BaseException:
        default_storage.delete(name)
        raise
    return photo
