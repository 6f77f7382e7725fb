"""How a service's refusal reaches the page: on the form, in the GOV.UK error summary.

Services refuse bad input with an exception naming the field (each app's `…Error` with a
`field`, the ledger's `LedgerError`, or Django's `ValidationError`); a view hands the call to
`attempt`, which shows the refusal on the form and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def show_errors(form: forms.Form, error: Exception) -> None:
    """Put a refusal on the form: on the field it names, or above the form."""
    if isinstance(error, ValidationError):
        if not hasattr(error, "error_dict"):
            form.add_error(None, error.messages)
            return
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


def attempt(
    form: forms.Form,
    action: Callable[[], Any],
    *refusals: type[Exception],
    denied_is_missing: bool = True,
) -> Any:
    """Run a service for a form: the result, or None with the refusal shown on the form.

    A service's PermissionDenied answers 404 (what the person may not do is not shown to
    exist), unless `denied_is_missing` is False.
    """
    try:
        return action()
    except refusals as exc:
        show_errors(form, exc)
    except PermissionDenied:
        if not denied_is_missing:
            raise
        raise Http404("Page not found") from None
    return None
