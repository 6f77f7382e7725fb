"""The values of a feed's records: each parser takes what the JSON holds and returns the clean
value or raises ValueError with the reason; ``Fields`` reads one JSON object of a record with
them, naming each problem by its path (``cost_options[0].amount``) and collecting what was
fixed on the way in as the record's warnings (``importers/normalise.py`` does the fixing)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from opus.core.models import OrganisationKind
from opus.directory.importers import normalise, richtext
from opus.directory.vocabularies import ACCESSIBILITY, DELIVERY
from opus.engines.identifiers import (
    check_charity_number,
    check_company_number,
    check_ons_code,
    check_org_id,
    normalise_postcode,
)

MAX_PENCE = 2_147_483_647  # PositiveIntegerField

T = TypeVar("T")


class RecordError(ValueError):
    """The first problem in one service record: the field (a path such as
    ``cost_options[0].amount``) and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# Values: each parser takes what the JSON holds and returns the clean value or raises
# ValueError with the reason. What a parser fixes (importers/normalise.py) it notes with
# `_note`; Fields.get turns the notes into the record's warnings, named by field.

_NOTES = threading.local()


def _note(*notes: str) -> None:
    found = getattr(_NOTES, "found", None)
    if found is not None:
        found.extend(notes)


def _shown(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, default=str)
    return f"'{shown if len(shown) <= 60 else shown[:57] + '…'}'"


def _kind(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", str: "text", bool: "true or false"}
    return "null" if value is None else kinds.get(type(value), "a number")


def text(value: Any, *, max_length: int | None = None, cut: bool = False) -> str:
    """Text without zero-width characters or surrounding space. Longer than `max_length`:
    cut at a word when `cut` (free text only, with a warning), else refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"should be text, not {_kind(value)}")
    result, notes = normalise.clean_text(value)
    if notes:
        _note(*notes)
    if max_length is not None and len(result) > max_length:
        if not cut:
            raise ValueError(f"is longer than {max_length} characters")
        result, notes = normalise.fit(result, max_length, cut=True)
        _note(*notes)
    return result


def rich_text(value: Any) -> str:
    """A description: HTML kept to paragraphs, lists, links and emphasis (importers/richtext.py)."""
    result = text(value)
    if richtext.looks_like_html(result):
        cleaned = richtext.sanitise(result)
        if _UNSAFE.search(result):
            _note("removed HTML that is not allowed (scripts, images, event handlers, links)")
        return cleaned
    return result


_UNSAFE = re.compile(
    r"<\s*(script|style|img|iframe|object|embed|form|input|svg|math)\b|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def plain_text(value: Any, *, max_length: int | None = None) -> str:
    """Text shown as plain text: HTML in it turned into text, with a warning."""
    result = text(value)
    if richtext.looks_like_html(result):
        result = richtext.html_to_text(richtext.sanitise(result))
        _note("turned HTML into plain text")
    return text(result, max_length=max_length)


def required_text(value: Any, *, max_length: int | None = None) -> str:
    result = text(value, max_length=max_length)
    if not result:
        raise ValueError("is missing" if value is None else "is empty")
    return result


def uuid_value(value: Any) -> uuid.UUID:
    if value is None or value == "":
        raise ValueError("is missing")
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{_shown(value)} is not a UUID")


def optional_uuid(value: Any) -> uuid.UUID | None:
    return None if value is None or value == "" else uuid_value(value)


def choice(value: Any, *, choices: Sequence[str], default: str | None = None) -> str:
    if value is None and default is not None:
        return default
    if value is None:
        raise ValueError("is missing")
    if value in choices:  # as it should be spelt: the usual case
        return str(value)
    folded = {c.casefold(): c for c in choices}
    if isinstance(value, str) and value.strip().casefold() in folded:
        return folded[value.strip().casefold()]
    raise ValueError(f"{_shown(value)} is not one of: {', '.join(choices)}")


def _decimal(value: Any, wanted: str) -> Decimal | None:
    """A JSON number (or a string holding one) as a Decimal; None for null."""
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            raise InvalidOperation
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{_shown(value)} is not {wanted}") from None
    if not number.is_finite():
        raise ValueError(f"{_shown(value)} is not {wanted}")
    return number


def whole(value: Any, *, low: int, high: int) -> int | None:
    wanted = f"a whole number from {low} to {high}"
    number = _decimal(value, wanted)
    if number is None:
        return None
    if number != number.to_integral_value() or not low <= number <= high:
        raise ValueError(f"{_shown(value)} is not {wanted}")
    return int(number)


def coordinate(value: Any, *, low: int, high: int, what: str) -> float | None:
    wanted = f"{what} from {low} to {high}"
    number = _decimal(value, wanted)
    if number is None:
        return None
    if not low <= number <= high:
        raise ValueError(f"{_shown(value)} is not {wanted}")
    return float(number)


def pence(value: Any) -> int | None:
    """An amount in pounds as whole pence, rounding half up: 12.345 → 1235."""
    wanted = "an amount of 0 or more"
    number = _decimal(value, wanted)
    if number is None:
        return None
    if number < 0:
        raise ValueError(f"{_shown(value)} is not {wanted}")
    if number * 100 > MAX_PENCE:
        raise ValueError(f"{_shown(value)} is more than £{MAX_PENCE // 100:,}")
    return int((number * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


_URL = URLValidator(schemes=["http", "https"])
# Addresses every URLValidator accepts: http(s), ASCII host names with a letter top-level
# domain, an optional port, then anything without white space. Most of a feed's addresses.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_URL = re.compile(
    rf"https?://(?:{_LABEL}\.)+[a-z]{{2,63}}(?::[0-9]{{1,5}})?(?:[/?#][^\s]*)?\Z", re.IGNORECASE
)
_EMAIL = EmailValidator()


def web_address(value: Any) -> str:
    """An http(s) address; one without a scheme gets https:// (a warning). Other schemes
    (javascript:, data:, ftp:…) and addresses over 200 characters are refused: an address
    cut short would lead somewhere else."""
    result = text(value)
    if not result:
        return ""
    try:
        result, notes = normalise.clean_web_address(result)
        if len(result) > 200 or not _PLAIN_URL.match(result):  # a plain one passes: not asked
            _URL(result)
    except (ValidationError, ValueError):
        raise ValueError(f"{_shown(value)} is not a web address starting http(s)://") from None
    if len(result) > 200:
        raise ValueError(f"is {len(result):,} characters long, over the limit of 200")
    _note(*notes)
    return result


def email_address(value: Any) -> str:
    """An e-mail address; a mailto: in front and a dot ending the domain are removed (a
    warning, as are zero-width characters)."""
    result = text(value)
    result, notes = normalise.clean_email(result)
    if not result:
        return ""
    if len(result) > 254:
        raise ValueError("is longer than 254 characters")
    try:
        _EMAIL(result)
    except ValidationError:
        raise ValueError(f"{_shown(value)} is not an e-mail address") from None
    _note(*notes)
    return result


def delivery(value: Any) -> list[str]:
    """How the service is delivered, as codes of DELIVERY (from ORUK 1.0's attending_type)."""
    if value is None:
        return []
    if not isinstance(value, list) or any(v not in DELIVERY for v in value):
        raise ValueError(f"{_shown(value)} is not a list of: {', '.join(DELIVERY)}")
    return sorted(set(value))


def date_value(value: Any) -> date | None:
    """An ISO date, 2024-03-31; a date-time's date part is taken."""
    result = text(value)
    if not result:
        return None
    try:
        return date.fromisoformat(result[:10] if result[10:11] in ("T", " ") else result)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not a date like 2024-03-31") from None


def time_value(value: Any) -> time | None:
    result = text(value)
    if not result:
        return None
    try:
        return time.fromisoformat(result).replace(tzinfo=None)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not a time like 09:30 or 09:30:00") from None


def datetime_value(value: Any) -> datetime | None:
    """An ISO date-time; one without a zone is taken as UTC."""
    result = text(value)
    if not result:
        return None
    try:
        moment = datetime.fromisoformat(result)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not a date-time like 2024-03-31T09:30:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def postcode(value: Any) -> str:
    result = text(value)
    return normalise_postcode(result) if result else ""


_DAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


def byday(value: Any) -> str:
    """RRULE days, 'MO,WE,FR' (a position such as '1MO' is allowed)."""
    days = [d for d in text(value).upper().replace(" ", "").split(",") if d]
    bad = [d for d in days if not _DAY.match(d)]
    if bad:
        raise ValueError(f"{_shown(bad[0])} is not a day such as MO, TU or 1MO")
    result = ",".join(days)
    if len(result) > 40:
        raise ValueError("is longer than 40 characters")
    return result


def currency(value: Any) -> str:
    result = text(value).upper() or "GBP"
    if not re.fullmatch(r"[A-Z]{3}", result):
        raise ValueError(f"{_shown(value)} is not a currency code like GBP")
    return result


_UNIT_WORDS = re.compile(r"\b(hour|hr|session|visit|day|week|month)", re.IGNORECASE)
_UNITS = {"hr": "hour", "visit": "session", "day": "session"}


def cost_unit(description: str) -> str:
    """The unit an amount_description names first ('per 1 hour session' → hour); else session."""
    found = _UNIT_WORDS.search(description or "")
    word = found.group(1).lower() if found else "session"
    return _UNITS.get(word, word)


_ACCESS_WORDS: dict[str, tuple[str, ...]] = {
    "step-free": ("step-free", "step free", "wheelchair", "ramp", "level access", "lift"),
    "accessible-toilet": ("accessible toilet", "disabled toilet", "accessible wc"),
    "changing-places": ("changing places",),
    "hearing-loop": ("hearing loop", "induction loop"),
    "bsl": ("bsl", "sign language"),
    "easy-read": ("easy read", "easy-read"),
    "large-print": ("large print",),
    "quiet-space": ("quiet space", "quiet room", "quiet area"),
    "parking": ("blue badge", "disabled parking", "accessible parking"),
    "assistance-dogs": ("assistance dog", "guide dog"),
    "interpreters": ("interpreter",),
}
_ACCESS_PATTERNS = {
    code: re.compile(
        r"\b(?:"
        + "|".join(re.escape(w) for w in (code, ACCESSIBILITY[code].lower(), *words))
        + r")(?:s|es)?\b",
        re.IGNORECASE,
    )
    for code, words in _ACCESS_WORDS.items()
}
_NEGATION = re.compile(r"\b(no|not|without|unavailable|isn't|cannot|can't)\b", re.IGNORECASE)


def accessibility_codes(texts: Iterable[str]) -> list[str]:
    """Features from ACCESSIBILITY named in free text, leaving out clauses that deny them."""
    clauses = [c for t in texts for c in re.split(r"[.;:!?\n]|,\s*but\b", t)]
    said = [c for c in clauses if not _NEGATION.search(c)]
    return sorted(code for code, p in _ACCESS_PATTERNS.items() if any(p.search(c) for c in said))


_ONS_AT_END = re.compile(r"([EWSN][0-9]{8})/?$")


def ons_code_in(*values: str) -> str | None:
    """An ONS code ending a uri, extent or name (…/statistical-geography/E06000023)."""
    for value in values:
        found = _ONS_AT_END.search(value.strip().upper())
        if found:
            try:
                return check_ons_code(found.group(1))
            except ValueError:
                continue
    return None


# Organisation identifiers


_CHARITY_SCHEMES = {"GB-CHC", "GB-SC", "GB-NIC"}
_KIND_BY_SCHEME = {
    "GB-LAE": OrganisationKind.LOCAL_AUTHORITY,
    "GB-LAS": OrganisationKind.LOCAL_AUTHORITY,
    "GB-LANI": OrganisationKind.LOCAL_AUTHORITY,
    "GB-PLA": OrganisationKind.LOCAL_AUTHORITY,
    "GB-NHS": OrganisationKind.NHS_BODY,
    "GB-MPR": OrganisationKind.MUTUAL,
}


def _charity_scheme(number: str) -> str:
    return (
        "GB-SC" if number.startswith("SC") else "GB-NIC" if number.startswith("NIC") else "GB-CHC"
    )


def _one_identifier(scheme: str, kind: str, value: str) -> dict[str, str]:
    """What one organization_identifier gives, if it passes the identifier checks."""
    try:
        if scheme in _CHARITY_SCHEMES or (not scheme and "charit" in kind):
            number = check_charity_number(value)
            return {
                "charity_number": number,
                "org_id": f"{scheme or _charity_scheme(number)}-{number}",
            }
        if scheme == "GB-COH" or (not scheme and "compan" in kind):
            number = check_company_number(value)
            return {"company_number": number, "org_id": f"GB-COH-{number}"}
        return {"org_id": check_org_id(f"{scheme}-{value}")} if scheme else {}
    except ValueError:
        return {}


def organisation_identifiers(items: Iterable[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
    """charity_number, company_number and org_id from ORUK organization_identifiers (the first
    of each that passes its check), and the identifier schemes seen."""
    found: dict[str, str] = {}
    schemes: set[str] = set()
    for item in items:
        scheme = str(item.get("identifier_scheme") or "").strip().upper()
        kind = str(item.get("identifier_type") or "").strip().lower()
        value = str(item.get("identifier") or "").strip()
        schemes.add(scheme)
        for key, checked in _one_identifier(scheme, kind, value).items():
            limit = {"charity_number": 12, "company_number": 8, "org_id": 40}[key]
            if len(checked) <= limit:
                found.setdefault(key, checked)
    return found, schemes


def organisation_kind(identifiers: dict[str, str], schemes: set[str]) -> str:
    """The kind a new organisation gets (an existing one keeps its own)."""
    if identifiers.get("charity_number"):
        return OrganisationKind.CHARITY
    for scheme in sorted(schemes):
        if scheme in _KIND_BY_SCHEME:
            return _KIND_BY_SCHEME[scheme]
    if identifiers.get("company_number"):
        return OrganisationKind.SME
    return OrganisationKind.COMMUNITY_GROUP


# Reading one object of a record


class Fields:
    """One JSON object of a record, with the path that names its fields in messages, and
    the record's warnings: (field, note) for everything fixed on the way in."""

    def __init__(
        self, raw: dict[str, Any], prefix: str = "", warnings: list[tuple[str, str]] | None = None
    ) -> None:
        self.raw = raw
        self.prefix = prefix
        self.warnings: list[tuple[str, str]] = [] if warnings is None else warnings

    def has(self, key: str) -> bool:
        return key in self.raw

    def fail(self, key: str, message: str) -> RecordError:
        return RecordError(self.prefix + key, message)

    def get(self, key: str, parse: Callable[..., T], **kw: Any) -> T:
        value = self.raw.get(key)
        if value is None:  # nothing to fix, so nothing to note: the usual case, quickly
            try:
                return parse(None, **kw)
            except ValueError as exc:
                raise self.fail(key, str(exc)) from None
        try:
            found = _NOTES.found
        except AttributeError:
            found = _NOTES.found = []
        start = len(found)
        try:
            value = parse(value, **kw)
        except ValueError as exc:
            del found[start:]
            raise self.fail(key, str(exc)) from None
        if len(found) > start:
            notes = dict.fromkeys(found[start:])
            del found[start:]
            self.warnings.extend((self.prefix + key, note) for note in notes)
        return value

    def put(self, out: dict[str, Any], key: str, parse: Callable[..., Any], **kw: Any) -> None:
        """out[key] = the parsed value, when the record gives the key."""
        if key in self.raw:
            out[key] = self.get(key, parse, **kw)

    def obj(self, key: str) -> Fields | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, f"should be an object, not {_kind(value)}")
        return Fields(value, f"{self.prefix}{key}.", self.warnings)

    def objects(self, key: str) -> list[Fields]:
        """The objects of a list; null counts as an empty list."""
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"should be a list, not {_kind(value)}")
        found = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if not isinstance(item, dict):
                raise self.fail(where, f"should be an object, not {_kind(item)}")
            found.append(Fields(item, f"{self.prefix}{where}.", self.warnings))
        return found


def plain_text_cut(value: Any, *, max_length: int) -> str:
    """Plain free text that may be cut at a word to fit (with a warning)."""
    return text(plain_text(value), max_length=max_length, cut=True)
