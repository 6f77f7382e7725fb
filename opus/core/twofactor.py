"""Two-factor sign-in: an authenticator app (TOTP) and single-use backup codes, by django-otp.

- A person adds an app from their account: `twofactor_setup_start` makes an unconfirmed
  device, `twofactor_confirm` confirms it only with a right 6-digit code and hands back 10
  backup codes, shown once. `twofactor_backup_codes_renew` replaces them (the old ones stop
  working); `twofactor_disable` needs a current code and is refused where it is required.
- Signing in: after the password, a person with a confirmed app gives a code or a backup code
  (`twofactor_verify`); wrong codes are throttled by django-otp (waits of 1, 2, 4, 8… seconds
  after each failure in a row), and a backup code used is audited.
- Required: with OPUS_REQUIRE_2FA on, commissioners, auditors and administrators who have not
  given a code in this session are sent to set up an app or to give a code before any other
  page (`TwoFactorMiddleware`). API tokens are separate credentials and are not affected.
- An administrator resets the devices of a person who lost their phone (`twofactor_reset`);
  the person is told by e-mail.

Every device change is audited in its own transaction through audit_record.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from opus.core.audit import audit_record
from opus.core.models import Role, User
from opus.core.roles import has_role

REQUIRED_ROLES = (Role.COMMISSIONER, Role.AUDITOR, Role.ADMIN)
BACKUP_CODE_COUNT = 10
APP_CODE_DIGITS = 6


def is_required() -> bool:
    """Whether this site requires two-factor sign-in for staff roles (OPUS_REQUIRE_2FA)."""
    return bool(getattr(settings, "OPUS_REQUIRE_2FA", False))


def required_for(user: Any) -> bool:
    """Whether `user` must sign in with a code: a staff role on a site that requires it."""
    return is_required() and has_role(user, *REQUIRED_ROLES)


def app_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def is_on(user: User) -> bool:
    """Whether `user` has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_code(code: str) -> str:
    """A code as typed ("123 456", "ABCD-EFGH") as stored: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def is_app_code(code: str) -> bool:
    return len(code) == APP_CODE_DIGITS and code.isdigit()


def _own(user: User, by: User) -> None:
    if by.pk != user.pk:
        raise PermissionDenied(_("People set up two-factor sign-in for themselves"))


def _delete_devices(user: User) -> int:
    deleted = 0
    for model in (TOTPDevice, StaticDevice):
        deleted += model.objects.filter(user=user).count()
        model.objects.filter(user=user).delete()
    return deleted


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes and not is_app_code(code):
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# Refusals -----------------------------------------------------------------------------


def _wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _refusal(throttle: dict[str, Any] | None) -> ValidationError:
    if throttle and throttle.get("locked_until"):
        wait = math.ceil((throttle["locked_until"] - timezone.now()).total_seconds())
        return ValidationError(
            _("You have entered a wrong code too many times. Wait %(wait)s, then try again")
            % {"wait": _wait_in_words(max(1, wait))},
            code="throttled",
        )
    return ValidationError(
        _("The code is not right. Enter the code your authenticator app shows now"),
        code="wrong",
    )


def _check(device: Device | None, code: str) -> tuple[bool, dict[str, Any] | None]:
    """Try `code` on a device locked for update: (right, the throttle when it refused to try).
    A wrong code counts towards django-otp's throttle (saved by verify_token)."""
    if device is None:
        return False, None
    allowed, throttle = device.verify_is_allowed()
    if not allowed:
        return False, throttle
    return bool(device.verify_token(code)), None


# Setting up ---------------------------------------------------------------------------


def twofactor_setup_start(*, user: User, by: User) -> TOTPDevice:
    """A new unconfirmed authenticator app for `user` (replacing one not yet confirmed)."""
    _own(user, by)
    with transaction.atomic():
        if is_on(user):
            raise ValidationError(_("Two-factor sign-in is already on"), code="on")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        audit_record(actor=by, action="two_factor.setup_start", target=user)
    return device


def twofactor_confirm(*, device: TOTPDevice, code: str, by: User) -> list[str]:
    """Confirm an app with a right code from it; the new backup codes, to show once."""
    _own(device.user, by)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
        if locked is None or locked.confirmed:
            raise ValidationError(_("Start setting up two-factor sign-in again"), code="gone")
        right, throttle = _check(locked, normalise_code(code))
        if right:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            codes = _new_backup_codes(locked.user)
            audit_record(
                actor=by,
                action="two_factor.enable",
                target=locked.user,
                summary={"backup_codes": len(codes)},
            )
    if not right:
        raise _refusal(throttle)
    return codes


def twofactor_backup_codes_renew(*, user: User, by: User) -> list[str]:
    """New backup codes for `user`; the old ones stop working."""
    _own(user, by)
    with transaction.atomic():
        if not is_on(user):
            raise ValidationError(_("Set up two-factor sign-in first"), code="off")
        codes = _new_backup_codes(user)
        audit_record(
            actor=by,
            action="two_factor.backup_codes_renew",
            target=user,
            summary={"backup_codes": len(codes)},
        )
    return codes


def twofactor_disable(*, user: User, code: str, by: User) -> None:
    """Turn two-factor sign-in off, given a current code; not where the role requires it."""
    _own(user, by)
    if required_for(user):
        raise PermissionDenied(_("Two-factor sign-in is required for your role on this site"))
    twofactor_verify(user=user, code=code)
    with transaction.atomic():
        removed = _delete_devices(user)
        audit_record(
            actor=by, action="two_factor.disable", target=user, summary={"devices": removed}
        )


# Signing in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    device: Device
    # How many backup codes are left when one was used; None when the app's code was.
    backup_codes_left: int | None = None


def twofactor_verify(*, user: User, code: str) -> Verified:
    """Check a code from `user`'s app, or one of their backup codes (used up, and audited).

    Raises ValidationError (code "wrong" or "throttled") when it is not accepted.
    """
    code = normalise_code(code)
    model: type[Device] = TOTPDevice if is_app_code(code) else StaticDevice
    left = None
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        right, throttle = _check(device, code)
        if right and model is StaticDevice:
            left = backup_codes_left(user)
            audit_record(
                actor=user,
                action="two_factor.backup_code_used",
                target=user,
                summary={"backup_codes_left": left},
            )
    if not right or device is None:  # device is there when right; said for the type checker
        raise _refusal(throttle)
    return Verified(device=device, backup_codes_left=left)


# Resetting by an administrator --------------------------------------------------------


def twofactor_reset(*, user: User, by: User) -> int:
    """Remove every device of `user` (who lost their phone); they are told by e-mail."""
    from opus.notifications.services import notify, site_link

    if not has_role(by, Role.ADMIN):
        raise PermissionDenied(_("Only administrators reset two-factor sign-in"))
    with transaction.atomic():
        removed = _delete_devices(user)
        if not removed:
            raise ValidationError(
                _("%(name)s has not set up two-factor sign-in") % {"name": user.full_name},
                code="off",
            )
        audit_record(actor=by, action="two_factor.reset", target=user, summary={"devices": removed})
        notify(
            recipient=user,
            template="two_factor_reset",
            context={
                "person": user.full_name,
                "by": by.full_name,
                "required": required_for(user),
                "link": site_link(reverse("core:two_factor")),
            },
            event="two_factor.reset",
            target=user,
        )
    return removed


# Required for staff roles -------------------------------------------------------------

# Pages a person who has not given their code may still open: signing in and out, the
# two-factor pages themselves, the health check and the public pages about the service.
OPEN_PAGES = frozenset(
    {
        "core:home",
        "core:healthz",
        "core:readyz",
        "core:language",
        "core:sign_in",
        "core:sign_out",
        "core:password_reset",
        "core:password_reset_done",
        "core:password_reset_confirm",
        "core:password_reset_complete",
        "core:privacy",
        "core:cookies",
        "core:accessibility",
        "core:two_factor",
        "core:two_factor_start",
        "core:two_factor_setup",
        "core:two_factor_verify",
    }
)


def _view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def _is_open(request: HttpRequest) -> bool:
    static = str(getattr(settings, "STATIC_URL", "/static/") or "/static/")
    if request.path_info.startswith(static):
        return True
    name = _view_name(request)
    return name is None or name in OPEN_PAGES  # an unknown address gets its 404


def _needs_code(request: HttpRequest) -> bool:
    if not is_required() or request.META.get("HTTP_AUTHORIZATION"):
        return False  # off, or an API token: a credential of its own
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return False
    return required_for(user) and not _is_open(request)


def _send_to_second_step(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "type": "about:blank",
                "title": _("Two-factor sign-in needed"),
                "status": 403,
                "detail": _("Sign in with your authenticator app's code, or send an API token"),
            },
            status=403,
            content_type="application/problem+json",
        )
    target = "core:two_factor_verify" if is_on(request.user) else "core:two_factor"
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(target)}?{query}")


class TwoFactorMiddleware:
    """Send staff who must use two-factor sign-in and have not to set it up or give a code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _needs_code(request):
            return _send_to_second_step(request)
        return self.get_response(request)
