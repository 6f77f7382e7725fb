"""Django validators over the pure identifier checks in opus.engines.identifiers."""

from collections.abc import Callable

from django.core.exceptions import ValidationError

from opus.engines import identifiers


def _run(check: Callable[[str], str], value: str) -> None:
    if not value:
        return
    try:
        check(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def validate_charity_number(value: str) -> None:
    _run(identifiers.check_charity_number, value)


def validate_company_number(value: str) -> None:
    _run(identifiers.check_company_number, value)


def validate_org_id(value: str) -> None:
    _run(identifiers.check_org_id, value)


def validate_postcode(value: str) -> None:
    _run(identifiers.normalise_postcode, value)
