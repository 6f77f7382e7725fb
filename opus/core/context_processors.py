"""Values every page needs: the service name, the synthetic-data notice and the menu."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opus.core.models import Role
from opus.core.roles import has_role, primary_role


def _navigation(request: HttpRequest) -> list[dict[str, Any]]:
    items = [
        (_("Choose services"), reverse("choice:start"), None),
        (_("Find a service"), reverse("directory:service_list"), None),
        (_("Organisations"), reverse("core:organisation_list"), None),
        (_("Areas"), reverse("core:area_list"), None),
        (_("Needs"), reverse("needs:assessment_list"), None),
        (_("Good practice"), reverse("knowledge:entry_list"), None),
        (_("Your dashboard"), reverse("core:dashboard"), "signed_in"),
        (_("Audit log"), reverse("core:audit_list"), (Role.AUDITOR, Role.ADMIN)),
    ]
    user = request.user
    visible = []
    for label, url, gate in items:
        if gate == "signed_in" and not user.is_authenticated:
            continue
        if isinstance(gate, tuple) and not has_role(user, *gate):
            continue
        visible.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return visible


def site(request: HttpRequest) -> dict[str, Any]:
    role = primary_role(request.user)
    return {
        "service_name": settings.SITE_NAME,
        "synthetic_data": settings.SYNTHETIC_DATA_BANNER,
        "navigation": _navigation(request),
        "primary_role_label": Role(role).label if role else "",
        "council_name": settings.OPUS_COUNCIL_NAME,
        "council_email": settings.OPUS_COUNCIL_EMAIL,
        "feedback_url": settings.OPUS_FEEDBACK_URL,
        "dpo_email": settings.OPUS_DPO_EMAIL,
        "language": (get_language() or settings.LANGUAGE_CODE).split("-")[0],
        "languages": [(code, name) for code, name in settings.LANGUAGES],
    }
