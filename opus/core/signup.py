"""Residents sign up: an account that cannot sign in until the e-mailed link is followed.

The link is signed (TimestampSigner, valid three days) and names the account; following it
switches the account on. Residents hold the resident role at the local authority, as the
demo's residents do. Signing up with an address that already has an account reveals nothing:
the page is the same, and the e-mail tells the owner they have an account, with a link to
reset the password. Sign-ups are throttled like password resets (per address, per client).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.core import throttle
from opus.core.audit import audit_record
from opus.core.models import Membership, Organisation, OrganisationKind, Role, User

SALT = "opus.core.signup"
MAX_AGE = timedelta(days=3)
HOUR = timedelta(hours=1)


def resident_home() -> Organisation | None:
    """The organisation residents belong through: the local authority (its administrators'
    first, as `bootstrap` makes it), else the first local authority."""
    authorities = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)
    return (
        authorities.filter(memberships__role=Role.ADMIN).order_by("pk").first()
        or authorities.order_by("pk").first()
    )


def signup_allowed(*, email: str, request: HttpRequest) -> bool:
    """Whether a sign-up e-mail may go to `email` now (counted if so), as for resets."""
    client = throttle.client_ip(request) or "unknown"
    if not throttle.allow(
        "signup.client",
        client,
        limit=settings.OPUS_PASSWORD_RESET_PER_CLIENT_PER_HOUR,
        window=HOUR,
    ):
        return False
    return throttle.allow(
        "signup.account",
        email,
        limit=settings.OPUS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR,
        window=HOUR,
    )


def check_new_account(*, email: str, full_name: str, password: str) -> None:
    """The name and password checks of a new account (ValidationError naming the field)."""
    if not full_name.strip():
        raise ValidationError({"full_name": _("Enter your full name")})
    try:
        validate_password(password, User(email=email, full_name=full_name))
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


def verification_link(user: User) -> str:
    from opus.notifications.services import site_link

    token = signing.TimestampSigner(salt=SALT).sign(f"{user.pk}:{user.email}")
    return site_link(reverse("core:signup_verify", args=[token]))


def send_verification(user: User) -> None:
    from opus.notifications.services import notify

    context = {"name": user.full_name, "link": verification_link(user), "existing": False,
               "days": MAX_AGE.days}  # fmt: skip
    notify(recipient=user.email, template="email_verification", context=context,
           event="user.sign_up", target=user)  # fmt: skip


def tell_existing(email: str) -> None:
    """The owner of an address that already has an account hears so, with a reset link."""
    from opus.notifications.services import notify, site_link

    user = User.objects.filter(email__iexact=email).first()
    context = {"name": user.full_name if user else "", "existing": True,
               "link": site_link(reverse("core:password_reset")),
               "sign_in": site_link(reverse("core:sign_in"))}  # fmt: skip
    notify(recipient=email, template="email_verification", context=context,
           event="user.sign_up_existing", target=user)  # fmt: skip


def create_unverified(*, email: str, full_name: str, password: str) -> User:
    """An account switched off until its address is verified (inside the caller's transaction)."""
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name.strip()[:200], is_active=False
    )
    audit_record(actor=None, action="user.sign_up", target=user, summary={"email": user.email})
    return user


@transaction.atomic
def resident_sign_up(*, email: str, full_name: str, password: str) -> User | None:
    """A resident's account, waiting for its e-mail link; None when the address has one."""
    email = email.strip().lower()
    check_new_account(email=email, full_name=full_name, password=password)
    if User.objects.filter(email__iexact=email).exists():
        tell_existing(email)
        return None
    user = create_unverified(email=email, full_name=full_name, password=password)
    home = resident_home()
    if home is not None:
        membership = Membership.objects.create(user=user, organisation=home, role=Role.RESIDENT)
        audit_record(actor=None, action="membership.grant", target=membership,
                     summary={"user": user.email, "organisation": home.slug,
                              "role": Role.RESIDENT})  # fmt: skip
    send_verification(user)
    return user


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Follow the e-mailed link: the account is switched on (ValidationError if it fails)."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(
            token[:300], max_age=MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise ValidationError(
            {"token": _("This link has expired: sign up again to get a new one")}
        ) from None
    except signing.BadSignature:
        raise ValidationError({"token": _("This link does not work")}) from None
    pk, _sep, email = value.partition(":")
    user = (
        User.objects.select_for_update().filter(pk=pk, email=email).first()
        if pk.isdigit()
        else None
    )
    if user is None:
        raise ValidationError({"token": _("This link does not work")})
    if user.email_verified_at is not None:
        raise ValidationError({"token": _("Your e-mail address is already confirmed: sign in")})
    user.is_active, user.email_verified_at = True, timezone.now()
    user.save(update_fields=["is_active", "email_verified_at"])
    audit_record(actor=user, action="user.email_verify", target=user, summary={"email": user.email})
    return user
