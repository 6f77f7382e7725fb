"""Delivery photos of a funded PB project: officers upload them (with alt text); anyone sees
them on the process's page once results are published, served only as the checked image type."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from opus.core.fields import GovukForm
from opus.neighbourhoods import photos
from opus.neighbourhoods.models import DeliveryPhoto, Project
from opus.neighbourhoods.views import _attempt, _officer_process


class PhotoForm(GovukForm):
    image = forms.FileField(
        label=gettext_lazy("Photo"),
        help_text=gettext_lazy("A JPEG, PNG or WebP image, smaller than 10 MB"),
    )
    alt_text = forms.CharField(
        label=gettext_lazy("Describe the photo for people who cannot see it"),
        help_text=gettext_lazy("For example: New benches by the pond in Vale Park"),
        max_length=300,
    )


def _read(upload: Any) -> bytes:
    """At most one byte over the limit is read, so a huge upload is refused without holding it."""
    return bytes(upload.read(photos.MAX_PHOTO_BYTES + 1))


@login_required
@require_http_methods(["GET", "POST"])
def photo_add(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    process = _officer_process(request, pk)
    funded = get_object_or_404(Project, pk=project, process=process)
    posted = request.method == "POST"
    form = PhotoForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            request,
            form,
            lambda: photos.photo_add(
                project=funded, data=_read(d["image"]), alt_text=d["alt_text"], by=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("The photo is added to the project's delivery"))
            return redirect("neighbourhoods:pb_detail", pk=process.pk)
    return render(
        request,
        "neighbourhoods/pb/photo_form.html",
        {
            "process": process,
            "project": funded,
            "form": form,
            "page_title": _("Add a delivery photo: %(title)s") % {"title": funded.title},
        },
    )


@require_GET
def photo_file(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    """The photo's bytes, public once the process's results are; only ever as its image type."""
    found = get_object_or_404(
        DeliveryPhoto.objects.select_related("project__process"),
        pk=photo,
        project__process_id=pk,
        project__funded=True,
    )
    if not found.project.process.published or found.content_type not in photos.EXTENSIONS:
        raise Http404("Page not found")
    try:
        handle = default_storage.open(found.image.name, "rb")
    except OSError:
        raise Http404("Page not found") from None
    response = FileResponse(handle, content_type=found.content_type)
    extension = photos.EXTENSIONS[found.content_type]
    response["Content-Disposition"] = f'inline; filename="pb-photo-{found.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
