"""Sign-ins and sign-outs are recorded in the audit log."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from opus.core.audit import audit_record


@receiver(user_logged_in)
def _audit_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="user.sign_in", target=user)


@receiver(user_logged_out)
def _audit_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit_record(actor=user, action="user.sign_out", target=user)
