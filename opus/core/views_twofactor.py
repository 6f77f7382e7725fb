"""Two-factor pages: setting up an authenticator app, backup codes, the code after the
password, turning it off, and an administrator's reset (services in opus/core/twofactor.py)."""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from qrcode.image.svg import SvgPathFillImage

from opus.core import twofactor
from opus.core.forms_twofactor import AppCodeForm, CodeForm
from opus.core.models import Role, User
from opus.core.roles import role_required

# The person whose password was right and who still owes a code: kept in the session, for
# at most PENDING_SECONDS, and only while their password stays the same.
PENDING_KEY = "opus_2fa_pending"
PENDING_SECONDS = 600
# New backup codes, between the action that makes them and the page that shows them once.
CODES_KEY = "opus_2fa_codes"

TEMPLATES = "core/twofactor"


def _next(request: HttpRequest, value: str | None = None) -> str:
    """Where to go afterwards: the `next` asked for, if it is on this site; else the dashboard."""
    if value is None:
        value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


# After the password ------------------------------------------------------------------


def begin_second_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse | None:
    """The sign-in page's second step: a person with an authenticator app gives its code
    before they are signed in. None when they have no app (sign them in as usual)."""
    if not twofactor.is_on(user):
        return None
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "hash": user.get_session_auth_hash(),
        "at": int(time.time()),
        "next": next_url,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
    }
    return redirect("core:two_factor_verify")


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    fresh = time.time() - int(data.get("at", 0)) <= PENDING_SECONDS
    if (
        user is None
        or not fresh
        or not constant_time_compare(user.get_session_auth_hash(), str(data.get("hash", "")))
    ):
        del request.session[PENDING_KEY]
        return None
    return user, data


def _backup_code_used(request: HttpRequest, left: int) -> None:
    messages.info(
        request,
        ngettext(
            "You signed in with a backup code. You have %(n)d backup code left.",
            "You signed in with a backup code. You have %(n)d backup codes left.",
            left,
        )
        % {"n": left},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code after the password (or for a signed-in person who has not given one yet)."""
    signed_in = request.user.is_authenticated
    data: dict[str, Any] = {}
    if signed_in:
        user, next_url = request.user, _next(request)
        if request.user.is_verified() or not twofactor.is_on(user):
            return redirect(next_url)
    else:
        pending = _pending(request)
        if pending is None:
            messages.error(request, _("Sign in again: your sign-in was not finished in time"))
            return redirect("core:sign_in")
        user, data = pending
        next_url = _next(request, data.get("next"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = twofactor.twofactor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            if not signed_in:
                del request.session[PENDING_KEY]
                auth_login(request, user, backend=data["backend"])
            django_otp.login(request, verified.device)
            if verified.backup_codes_left is not None:
                _backup_code_used(request, verified.backup_codes_left)
            return redirect(next_url)
    context = {"page_title": _("Enter your code"), "form": form, "next": next_url}
    return render(request, f"{TEMPLATES}/verify.html", context, status=400 if form.errors else 200)


# Setting up --------------------------------------------------------------------------


@login_required
@require_GET
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "page_title": _("Two-factor sign-in"),
        "on": twofactor.is_on(user),
        "backup_codes_left": twofactor.backup_codes_left(user),
        "required": twofactor.required_for(user),
        "next": _next(request),
    }
    return render(request, f"{TEMPLATES}/overview.html", context)


@login_required
@require_POST
def two_factor_start(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    try:
        twofactor.twofactor_setup_start(user=request.user, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_with_next("core:two_factor", next_url))
    return redirect(_with_next("core:two_factor_setup", next_url))


def qr_svg(text: str) -> SafeString:
    """A QR code of `text` as inline SVG (no JavaScript, no image request)."""
    image = qrcode.make(text, image_factory=SvgPathFillImage, border=2)
    svg = image.to_string(encoding="unicode")
    label = _("QR code for your authenticator app")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="opus-qr" ', 1)
    return mark_safe(svg)  # noqa: S308 (made here from our own URL; no one else's text)


def secret_in_groups(device: Any) -> str:
    """The app's secret as people type it: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    device = twofactor.app_device(request.user, confirmed=False)
    if device is None:
        return redirect(_with_next("core:two_factor", next_url))
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.twofactor_confirm(
                device=device, code=form.cleaned_data["code"], by=request.user
            )
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            device.refresh_from_db()
            django_otp.login(request, device)
            request.session[CODES_KEY] = codes
            return redirect(_with_next("core:two_factor_codes", next_url))
    context = {
        "page_title": _("Set up an authenticator app"),
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": secret_in_groups(device),
        "next": next_url,
    }
    return render(request, f"{TEMPLATES}/setup.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_GET
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown once."""
    codes = request.session.pop(CODES_KEY, None)
    if not codes:
        return redirect("core:two_factor")
    context = {"page_title": _("Your backup codes"), "codes": codes, "next": _next(request)}
    return render(request, f"{TEMPLATES}/codes.html", context)


@login_required
@require_POST
def two_factor_codes_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if twofactor.is_on(user) and not user.is_verified():
        return redirect(_with_next("core:two_factor_verify", reverse("core:two_factor")))
    try:
        request.session[CODES_KEY] = twofactor.twofactor_backup_codes_renew(user=user, by=user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("core:two_factor")
    return redirect("core:two_factor_codes")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not twofactor.is_on(user):
        return redirect("core:two_factor")
    required = twofactor.required_for(user)
    if request.method == "POST" and required:
        raise PermissionDenied(_("Two-factor sign-in is required for your role on this site"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.twofactor_disable(user=user, code=form.cleaned_data["code"], by=user)
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            messages.success(request, _("Two-factor sign-in is off"))
            return redirect("core:two_factor")
    context = {"page_title": _("Turn off two-factor sign-in"), "form": form, "required": required}
    return render(request, f"{TEMPLATES}/disable.html", context, status=400 if form.errors else 200)


# An administrator's reset --------------------------------------------------------------


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a person's authenticator app and backup codes (they lost their phone)."""
    person = get_object_or_404(User, pk=user_id)
    if request.method == "POST":
        try:
            twofactor.twofactor_reset(user=person, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("Two-factor sign-in reset for %(name)s. We have e-mailed them.")
                % {"name": person.full_name},
            )
        here = reverse("core:two_factor_reset", kwargs={"user_id": person.pk})
        return redirect(_next(request, request.POST.get("next") or here))
    context = {
        "page_title": _("Reset two-factor sign-in"),
        "person": person,
        "on": twofactor.is_on(person),
        "backup_codes_left": twofactor.backup_codes_left(person),
    }
    return render(request, f"{TEMPLATES}/reset.html", context)
