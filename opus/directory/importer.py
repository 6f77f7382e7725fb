"""Import an Open Referral UK feed into the directory: ``manage.py import_oruk``.

ORUK 3.0 (HSDS 3.0) is read as it is; an ORUK 1.0 record, as Placecube and other council
directories publish them (``pc_metadata``, ``pc_targetAudience``, ``attending_type``,
``deliverable_type``, ``service_taxonomys``, ``regular_schedules``…), is first put in the
3.0 shape by ``importers/oruk1.py``, and its problems are named by its own field names.

What is read
------------
PATH is one JSON file (UTF-8) or a directory of them (``*.json``, read in name order).
A file holds one of:

- a Page, as ``GET /services`` returns it: ``{"total_items": …, "contents": [service, …]}``
  (ORUK 1.0's page, ``{"totalElements": …, "content": [service, …]}``, too);
- one full service, as ``GET /services/{id}`` returns it: ``{"id": …, "name": …, …}``;
- a JSON list of services.

A file that cannot be read this way stops the import with one line, whatever the options;
so does a file over MAX_FILE_BYTES (or files over MAX_FEED_BYTES together) or JSON nested
more than MAX_DEPTH levels (never a RecursionError).

Each service is checked on its own, by small functions here that take plain data and return
plain data (``parse_service`` and the value parsers). A bad service is *rejected* with the
first problem found, named by file, record (1 is the first service in the file) and field::

    import_oruk: page_2.json, record 3 (id 1b4e…): cost_options[0].amount: '-5' is not an …

Then ``check_feed`` sets aside records *in conflict* (below), looks up what the others
point at (organisations and locations given only by id, taxonomy terms) and ``FeedWriter``
creates or updates services, organisations and locations by id, in one transaction with
one audit event (``directory.import_oruk``). Without ``partial`` one rejected record or
one conflict means nothing is written.

Sources
-------
Every import has a source (``--source NAME``; by default the feed's name: the directory's,
or the file's without ``.json``), and every service, organisation, location, taxonomy and
term it creates is remembered as that source's (``directory.ImportedRecord``). An import
only creates records, or updates those its own source created. A record is in conflict,
and nothing about it is changed, when its service id, its organisation's id or a location
it describes is already used by a record the source did not create (made in Opus, by the
demo world, before sources were kept, or imported from another source): so a feed can
neither move someone else's service to its organisation, nor rename someone else's
organisation, nor give services to an organisation it did not create. Conflicts are
reported like rejections (``FILE, record N (id ID): FIELD: REASON``) and counted apart.
A change to an organisation's details (``organisation.update``) or to a service's
organisation (``service.update``) gets its own audit event with the values before and
after, in the import's transaction. On PostgreSQL one import runs at a time.

Decisions
---------
- Ids: services, organisations (``Organisation.uuid``), locations and taxonomy terms are
  matched by their ORUK id, so importing a feed twice changes nothing the second time. A
  service is written only when something in its record differs from what is stored (its
  own fields, its nested lists, its terms, or the organisation or locations nested in it);
  then its ``last_modified`` moves, which the API's ``modified_after`` reads.
- A field the record leaves out is left as it is; a field given (even as null or ``[]``)
  is set. So a Page from ``/services``, which carries no nested lists, does not wipe the
  languages, costs or places a fuller import stored. Nested lists (languages, cost options,
  schedules, contacts, service areas, service_at_locations, attributes) are compared as a
  whole and replaced as a whole; their ORUK ids are kept when they are UUIDs not used by
  another row.
- Review dates are the feed's own: the later of the record's ``last_modified`` (ORUK 1.0:
  ``pc_metadata``'s) and its ``assured_date`` becomes ``reviewed_at``. A new service whose
  record gives neither has no review date (pages say "Not reviewed yet"), and an update
  without one leaves the date as it was: an import is never a review "today".
- Money: ``amount`` is in pounds. It is converted to whole pence rounding half up
  (12.345 → 1235p), because amounts computed in spreadsheets arrive as 12.4999999999 and
  a feed should not be refused for that. Negative amounts are rejected. A cost option
  with no amount is left out (there is nothing to price). The unit is read from
  ``amount_description`` (hour, session, week, month; "per day" and "per visit" are
  sessions), a session when it says none. ``currency`` defaults to GBP.
- A new organisation gets a unique slug from its name and a kind from its identifiers: a
  charity number makes it a charity; a local-authority or NHS org-id list (GB-LAE, GB-LAS,
  GB-LANI, GB-PLA, GB-NHS) a local authority or NHS body; a company number alone a small or
  medium firm; otherwise a community group. An existing organisation's kind is never changed.
  ``organization_identifiers`` fill ``charity_number``, ``company_number`` and ``org_id`` only
  when they pass ``opus.engines.identifiers``; others are passed over (not a rejection).
- Locations: the first ``physical`` address (else the first) gives address_1, city and a
  UK postcode (rejected when not one). Latitude and longitude go together and must be on
  Earth. ``accessibility`` text is read for the features in ``ACCESSIBILITY`` ("induction
  loop" → hearing-loop, "wheelchair access" → step-free), skipping clauses that say no/not.
  A location with no name is named after its address, or else the service. A new location
  belongs to the service's organisation; an existing one keeps its organisation.
- Terms: an attribute's term is linked by id. An unknown term is matched by code in its
  taxonomy (found by id, then by name) or created there; an unknown taxonomy is created
  from the term's ``taxonomy``/``taxonomy_id``/``taxonomy_detail``, so an LGA taxonomy can
  come in. Opus's own needs taxonomy is never changed: an unknown term in it is rejected.
  Existing terms are linked, not rewritten.
- Languages come from ``code`` and/or ``name`` (HSDS); ORUK's bare ``{"id": …}`` carries no
  language and is left out. Service areas link to an Area when their uri, extent or name
  ends with an ONS code we hold (e.g. …/statistical-geography/E06000023).
- A service id given twice is rejected the second time, unless both copies are the same
  (pages fetched while a feed changes can overlap): then the copy is passed over.
- What can safely be fixed is fixed and reported as a warning naming file, record, id and
  field (``… (id ID): url: warning: added https://``; ``--report`` lists them all), by
  ``importers/normalise.py``: a web address without a scheme gets ``https://``; zero-width
  characters (U+200B, U+200C, U+200D, U+2060, U+FEFF) go from all text, and surrounding
  space (also no-break) from its ends; a ``mailto:`` and a dot ending an e-mail's domain
  go; free text too long for its column (an alert, a schedule's description) is cut at a
  word. Everything else that is wrong rejects the record, not guessed: names and other text
  longer than their column, web addresses over 200 characters or with another scheme
  (``javascript:``, ``mailto:``, ``ftp:``…), e-mail addresses and dates of the wrong shape.
- Descriptions keep a little HTML (paragraphs, lists, links, emphasis: ``importers/
  richtext.py``, with nh3) and are stored sanitised; other text fields given as HTML are
  turned into plain text (a warning).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from opus.core.audit import audit_record, changes
from opus.core.importers.base import update_rows
from opus.core.models import Area, Organisation, OrganisationKind
from opus.directory import reach, search
from opus.directory.importers import normalise, oruk1, richtext
from opus.directory.models import (
    REMOTE_DELIVERY,
    Contact,
    CostOption,
    ImportedRecord,
    ImportKind,
    Language,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from opus.directory.taxonomy import NAMESPACE, TAXONOMY_ID, TAXONOMY_NAME
from opus.directory.vocabularies import ACCESSIBILITY, DELIVERY, LANGUAGES
from opus.engines.identifiers import (
    check_charity_number,
    check_company_number,
    check_ons_code,
    check_org_id,
    normalise_postcode,
)

COMMAND = "import_oruk"
ACTION = "directory.import_oruk"
IMPORT_LOCK_KEY = 7_267_011  # pg_advisory_xact_lock: one import at a time
CHUNK = 500  # ids per `__in` query, well inside every database's parameter limit
MAX_PENCE = 2_147_483_647  # PositiveIntegerField
MAX_FILE_BYTES = 64 * 1024 * 1024  # one file; a feed bigger than this comes in pages
MAX_FEED_BYTES = 256 * 1024 * 1024  # all the files of one import together
MAX_DEPTH = 64  # JSON levels; an ORUK service_full needs about ten
MAX_SOURCE = 100  # ImportedRecord.source

T = TypeVar("T")


class FeedError(CommandError):
    """A file could not be read as a feed: the message is the one line to show."""


class RecordError(ValueError):
    """The first problem in one service record: the field (a path such as
    ``cost_options[0].amount``) and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# Reading files


@dataclass(frozen=True)
class FeedFile:
    name: str
    sha256: str
    records: list[Any]


def feed_paths(path: Path) -> list[Path]:
    """The JSON files to read: PATH itself, or a directory's *.json in name order."""
    if path.is_dir():
        found = sorted(p for p in path.glob("*.json") if p.is_file())
        if not found:
            raise FeedError(f"{COMMAND}: {path}: the directory has no .json files")
        return found
    if path.is_file():
        return [path]
    raise FeedError(f"{COMMAND}: {path}: there is no such file or directory")


def records_of(data: Any, name: str) -> list[Any]:
    """The service records in a file's JSON: a Page's contents, one service, or a list."""
    if isinstance(data, list):
        return data
    for key in ("contents", "content"):  # ORUK 3.0's Page; ORUK 1.0's (Spring) page
        if isinstance(data, dict) and key in data:
            if isinstance(data[key], list):
                return data[key]
            raise FeedError(f'{COMMAND}: {name}: "{key}" should be a list of services')
    if isinstance(data, dict) and "id" in data:
        return [data]
    raise FeedError(
        f'{COMMAND}: {name}: this is not an ORUK page (with "contents"), a service (with '
        '"id") or a list of services'
    )


def _nested_deeper(data: Any, limit: int) -> bool:
    """Whether lists and objects in `data` go more than `limit` levels deep (without recursing)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        inside = value.values() if isinstance(value, dict) else value
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in inside if isinstance(item, dict | list))
    return False


def load_file(path: Path) -> FeedFile:
    too_big = (
        f"{COMMAND}: {path.name}: the file is larger than the limit of {MAX_FILE_BYTES:,} bytes"
    )
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FeedError(too_big)
    with path.open("rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise FeedError(too_big)
    too_deep = f"{COMMAND}: {path.name}: the JSON is nested more than {MAX_DEPTH} levels deep"
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError:
        raise FeedError(f"{COMMAND}: {path.name}: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"{COMMAND}: {path.name}: the file is not JSON "
            f"({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:  # deeper than Python's own limit: refused before anything else
        raise FeedError(too_deep) from None
    if isinstance(data, dict | list) and _nested_deeper(data, MAX_DEPTH):
        raise FeedError(too_deep)
    return FeedFile(path.name, hashlib.sha256(raw).hexdigest(), records_of(data, path.name))


def read_feed(path: Path) -> list[FeedFile]:
    paths = feed_paths(path)
    if sum(p.stat().st_size for p in paths) > MAX_FEED_BYTES:
        raise FeedError(
            f"{COMMAND}: {path}: the files are larger than the limit of {MAX_FEED_BYTES:,} "
            "bytes together; import them in parts"
        )
    return [load_file(p) for p in paths]


def feed_source(path: Path, given: str | None = None) -> str:
    """The feed's source: `given` (--source), else the feed's own name, the directory's or
    the file's without ``.json``. An import changes only what the same source created."""
    if given is not None:
        name, where = given.strip(), "--source"
    else:
        resolved = path.resolve()
        name, where = (resolved.stem if resolved.is_file() else resolved.name), path.name
    if not name:
        raise FeedError(f"{COMMAND}: {where}: the source has no name; give --source NAME")
    if len(name) > MAX_SOURCE:
        raise FeedError(
            f"{COMMAND}: {where}: the source's name is longer than {MAX_SOURCE} characters; "
            "give a shorter --source NAME"
        )
    if not name.isprintable():
        raise FeedError(
            f"{COMMAND}: {where}: the source's name has a control character; give --source NAME"
        )
    return name


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


# Records as plain data


@dataclass
class OrganisationData:
    uuid: uuid.UUID
    fields: dict[str, Any]
    kind: str


@dataclass
class LocationData:
    id: uuid.UUID
    fields: dict[str, Any]
    fallback_name: str  # the name a new location gets when the record gives none


@dataclass
class Site:
    """A service_at_location: the service is offered at this location."""

    id: uuid.UUID | None
    location_id: uuid.UUID
    location: LocationData | None
    description: str


@dataclass(frozen=True)
class TermRef:
    where: str  # the path of the term in the record, for messages
    id: uuid.UUID
    bare: bool = False  # given only as taxonomy_term_id
    code: str = ""
    name: str = ""
    description: str = ""
    term_uri: str = ""
    parent_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    taxonomy_name: str = ""
    taxonomy_description: str = ""
    taxonomy_uri: str = ""
    taxonomy_version: str = ""


@dataclass
class ServiceData:
    id: uuid.UUID
    fields: dict[str, Any]  # Service columns the record gives
    organisation_uuid: uuid.UUID
    organisation: OrganisationData | None  # None when given only by organization_id
    sites: list[Site] | None  # None: the record leaves service_at_locations out
    children: dict[str, list[dict[str, Any]]]  # languages, cost_options, … that it gives
    terms: list[TermRef] | None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (field, what was fixed)


@dataclass(frozen=True)
class FieldWarning:
    """Something in a record that was fixed on the way in (it was imported)."""

    file: str
    number: int
    record_id: str
    field: str
    note: str

    def line(self) -> str:
        return (
            f"{COMMAND}: {self.file}, record {self.number} (id {self.record_id}): "
            f"{self.field}: warning: {self.note}"
        )


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
        found = getattr(_NOTES, "found", None)
        if found is None:
            found = _NOTES.found = []
        start = len(found)
        try:
            value = parse(self.raw.get(key), **kw)
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


def parse_organisation(f: Fields) -> OrganisationData:
    fields: dict[str, Any] = {"name": f.get("name", required_text, max_length=200)}
    f.put(fields, "description", plain_text)
    f.put(fields, "website", web_address)
    f.put(fields, "email", email_address)
    found, schemes = organisation_identifiers(
        item.raw for item in f.objects("organization_identifiers")
    )
    fields.update(found)
    return OrganisationData(f.get("id", uuid_value), fields, organisation_kind(found, schemes))


def service_organisation(f: Fields) -> tuple[uuid.UUID, OrganisationData | None]:
    nested = f.obj("organization")
    given = f.get("organization_id", optional_uuid)
    if nested is not None:
        organisation = parse_organisation(nested)
        if given is not None and given != organisation.uuid:
            raise f.fail("organization_id", f"is not the organization's id ({organisation.uuid})")
        return organisation.uuid, organisation
    if given is None:
        raise f.fail("organization", "is missing; give the organization or its organization_id")
    return given, None


def _address_fields(addresses: list[Fields]) -> dict[str, Any]:
    if not addresses:
        return {"address_1": "", "city": "", "postal_code": ""}
    physical = [a for a in addresses if a.raw.get("address_type") == "physical"]
    chosen = (physical or addresses)[0]
    return {
        "address_1": chosen.get("address_1", text, max_length=200),
        "city": chosen.get("city", text, max_length=100),
        "postal_code": chosen.get("postal_code", postcode),
    }


def _accessibility_texts(items: list[Fields]) -> list[str]:
    keys = ("accessibility", "description", "details")
    return [item.get(key, text) for item in items for key in keys]


def parse_location(f: Fields, service_name: str) -> LocationData:
    fields: dict[str, Any] = {}
    f.put(fields, "location_type", choice, choices=LocationType.values)
    f.put(fields, "name", text, max_length=200)
    f.put(fields, "description", plain_text)
    f.put(fields, "latitude", coordinate, low=-90, high=90, what="a latitude")
    f.put(fields, "longitude", coordinate, low=-180, high=180, what="a longitude")
    if (fields.get("latitude") is None) != (fields.get("longitude") is None):
        missing = "longitude" if fields.get("longitude") is None else "latitude"
        raise f.fail(missing, "is missing; latitude and longitude go together")
    if f.has("addresses"):
        fields.update(_address_fields(f.objects("addresses")))
    if f.has("accessibility"):
        fields["accessibility"] = accessibility_codes(
            _accessibility_texts(f.objects("accessibility"))
        )
    if not fields.get("name"):
        fields.pop("name", None)
    fallback = fields.get("address_1") or fields.get("postal_code") or service_name
    return LocationData(f.get("id", uuid_value), fields, fallback[:200])


def parse_site(f: Fields, service_name: str) -> Site:
    nested = f.obj("location")
    location = parse_location(nested, service_name) if nested is not None else None
    given = f.get("location_id", optional_uuid)
    if location is not None and given is not None and given != location.id:
        raise f.fail("location_id", f"is not the location's id ({location.id})")
    location_id = location.id if location is not None else given
    if location_id is None:
        raise f.fail("location", "is missing; give the location or its location_id")
    return Site(f.get("id", optional_uuid), location_id, location, f.get("description", text))


def service_sites(f: Fields, service_name: str) -> list[Site] | None:
    if not f.has("service_at_locations"):
        return None
    sites: dict[uuid.UUID, Site] = {}
    for item in f.objects("service_at_locations"):
        site = parse_site(item, service_name)
        sites.setdefault(site.location_id, site)  # one link per place
    return list(sites.values())


_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_LANGUAGE_BY_NAME = {name.casefold(): code for code, name in LANGUAGES.items()}


def parse_language(f: Fields) -> dict[str, Any] | None:
    code = f.get("code", text)
    name = f.get("name", text, max_length=100)
    if not code and not name:
        return None  # ORUK's bare {"id": …} names no language
    code = code or _LANGUAGE_BY_NAME.get(name.casefold(), "")
    if not code:
        raise f.fail("code", f"is missing, and {_shown(name)} is not a language known by name")
    if len(code) > 10 or not _LANGUAGE_CODE.match(code):
        raise f.fail("code", f"{_shown(code)} is not a language code like en or bfi")
    name = name or LANGUAGES.get(code.lower(), code)
    return {"id": f.get("id", optional_uuid), "code": code, "name": name}


def parse_cost_option(f: Fields) -> dict[str, Any] | None:
    amount = f.get("amount", pence)
    if amount is None:
        return None
    row = {
        "id": f.get("id", optional_uuid),
        "option": f.get("option", text, max_length=200),
        "amount_pence": amount,
        "unit": cost_unit(f.get("amount_description", text)),
        "currency": f.get("currency", currency),
        "valid_from": f.get("valid_from", date_value),
        "valid_to": f.get("valid_to", date_value),
    }
    if row["valid_from"] and row["valid_to"] and row["valid_from"] > row["valid_to"]:
        raise f.fail("valid_to", f"{row['valid_to']} is before valid_from, {row['valid_from']}")
    return row


def parse_schedule(f: Fields) -> dict[str, Any]:
    return {
        "id": f.get("id", optional_uuid),
        "freq": f.get("freq", choice, choices=("WEEKLY", "MONTHLY"), default="WEEKLY"),
        "interval": f.get("interval", whole, low=1, high=1000) or 1,
        "byday": f.get("byday", byday),
        "opens_at": f.get("opens_at", time_value),
        "closes_at": f.get("closes_at", time_value),
        "description": f.get("description", plain_text_cut, max_length=300),
    }


def _phone(value: Any) -> str:
    result = text(value).strip("\"' ")
    if len(result) > 30:
        raise ValueError("is longer than 30 characters")
    return result


def parse_contact(f: Fields) -> dict[str, Any] | None:
    phones = f.objects("phones")
    row = {
        "id": f.get("id", optional_uuid),
        "name": f.get("name", text, max_length=200),
        "title": f.get("title", text, max_length=200),
        "email": f.get("email", email_address),
        "phone": phones[0].get("number", _phone) if phones else f.get("phone", _phone),
    }
    return row if any(row[k] for k in ("name", "title", "email", "phone")) else None


def parse_service_area(f: Fields) -> dict[str, Any] | None:
    name = f.get("name", text, max_length=200) or f.get("service_area", text, max_length=200)
    code = ons_code_in(f.get("uri", text), f.get("extent", text), name)
    if not name and not code:
        return None
    return {"id": f.get("id", optional_uuid), "name": name or code, "area_code": code}


CHILD_PARSERS: dict[str, Callable[[Fields], dict[str, Any] | None]] = {
    "languages": parse_language,
    "cost_options": parse_cost_option,
    "schedules": parse_schedule,
    "contacts": parse_contact,
    "service_areas": parse_service_area,
}


def service_children(f: Fields) -> dict[str, list[dict[str, Any]]]:
    children: dict[str, list[dict[str, Any]]] = {}
    for key, parse in CHILD_PARSERS.items():
        if f.has(key):
            rows = [parse(item) for item in f.objects(key)]
            children[key] = [row for row in rows if row is not None]
    return children


def parse_term(f: Fields) -> TermRef:
    detail = f.obj("taxonomy_detail") or Fields({}, f.prefix + "taxonomy_detail.")
    name = f.get("name", text, max_length=200)
    code = f.get("code", text, max_length=100) or f.get("term", text, max_length=100)
    return TermRef(
        where=f.prefix,
        id=f.get("id", uuid_value),
        code=code or name[:100],
        name=name or code,
        description=f.get("description", text),
        term_uri=f.get("term_uri", web_address),
        parent_id=f.get("parent_id", optional_uuid),
        taxonomy_id=f.get("taxonomy_id", optional_uuid) or detail.get("id", optional_uuid),
        taxonomy_name=f.get("taxonomy", text, max_length=200)
        or detail.get("name", text, max_length=200),
        taxonomy_description=detail.get("description", text),
        taxonomy_uri=detail.get("uri", web_address),
        taxonomy_version=detail.get("version", text, max_length=40),
    )


def service_terms(f: Fields) -> list[TermRef] | None:
    if not f.has("attributes"):
        return None
    refs = []
    for item in f.objects("attributes"):
        term = item.obj("taxonomy_term")
        if term is not None:
            refs.append(parse_term(term))
        else:
            refs.append(TermRef(item.prefix, item.get("taxonomy_term_id", uuid_value), True))
    return refs


def plain_text_cut(value: Any, *, max_length: int) -> str:
    """Plain free text that may be cut at a word to fit (with a warning)."""
    return text(plain_text(value), max_length=max_length, cut=True)


def service_fields(f: Fields) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": f.get("name", required_text, max_length=200),
        "status": f.get("status", choice, choices=ServiceStatus.values),
    }
    f.put(fields, "description", rich_text)
    for key in ("fees_description", "application_process", "eligibility_description"):
        f.put(fields, key, plain_text)
    if "fees_description" not in fields and f.has("fees"):
        fields["fees_description"] = f.get("fees", plain_text)  # ORUK's deprecated name
    if f.has("delivery"):
        fields["delivery"] = f.get("delivery", delivery)
        fields["delivers_remotely"] = bool(set(fields["delivery"]) & REMOTE_DELIVERY)
    f.put(fields, "alert", plain_text_cut, max_length=300)
    f.put(fields, "url", web_address)
    f.put(fields, "email", email_address)
    f.put(fields, "assurer_email", email_address)
    f.put(fields, "assured_date", date_value)
    f.put(fields, "minimum_age", whole, low=0, high=130)
    f.put(fields, "maximum_age", whole, low=0, high=130)
    low, high = fields.get("minimum_age"), fields.get("maximum_age")
    if low is not None and high is not None and low > high:
        raise f.fail("minimum_age", f"{low} is more than the maximum_age, {high}")
    reviewed = review_date(f.get("last_modified", datetime_value), fields.get("assured_date"))
    if reviewed is not None:
        fields["reviewed_at"] = reviewed
    return fields


def review_date(modified: datetime | None, assured: date | None) -> datetime | None:
    """When the feed says the record was last checked: the later of its last_modified and
    its assured_date (taken as the start of that day, UTC); None when it says neither, and
    then the service has no review date (never "today")."""
    dates = [modified] if modified is not None else []
    if assured is not None:
        dates.append(datetime.combine(assured, time(), tzinfo=UTC))
    return max(dates) if dates else None


def parse_service(raw: Any) -> ServiceData:
    """One ORUK service record as plain data, or RecordError naming its first problem."""
    if not isinstance(raw, dict):
        raise RecordError("record", f"should be a service object, not {_kind(raw)}")
    if oruk1.is_oruk1(raw):
        try:
            service = _parse_service(oruk1.to_oruk3(raw))
        except RecordError as error:
            raise RecordError(oruk1.field_name(error.field, raw), error.message) from None
        service.warnings = [(oruk1.field_name(w, raw), note) for w, note in service.warnings]
        return service
    return _parse_service(raw)


def _parse_service(raw: dict[str, Any]) -> ServiceData:
    f = Fields(raw)
    service_id = f.get("id", uuid_value)
    fields = service_fields(f)
    organisation_uuid, organisation = service_organisation(f)
    return ServiceData(
        id=service_id,
        fields=fields,
        organisation_uuid=organisation_uuid,
        organisation=organisation,
        sites=service_sites(f, fields["name"]),
        children=service_children(f),
        terms=service_terms(f),
        warnings=f.warnings,
    )


# The feed as a whole


@dataclass(frozen=True)
class Rejection:
    file: str
    number: int
    record_id: str
    field: str
    reason: str
    conflict: bool = False  # with a record another source (or Opus itself) made

    def line(self) -> str:
        return (
            f"{COMMAND}: {self.file}, record {self.number} (id {self.record_id}): "
            f"{self.field}: {self.reason}"
        )


@dataclass
class Parsed:
    file: str
    number: int
    service: ServiceData

    def reject(self, error: RecordError, *, conflict: bool = False) -> Rejection:
        return Rejection(
            self.file, self.number, str(self.service.id), error.field, error.message, conflict
        )

    def warnings(self) -> list[FieldWarning]:
        record_id = str(self.service.id)
        return [
            FieldWarning(self.file, self.number, record_id, where, note)
            for where, note in self.service.warnings
        ]


def _raw_id(raw: Any) -> str:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value[:60] if isinstance(value, str) and value.strip() else "?"


def parse_feed(files: Sequence[FeedFile]) -> tuple[list[Parsed], list[Rejection], int]:
    """Every record parsed: the good ones, the rejections, and how many repeats were passed
    over (the same service, the same content, given again)."""
    good: list[Parsed] = []
    rejected: list[Rejection] = []
    seen: dict[uuid.UUID, tuple[str, int, Any]] = {}
    repeats = 0
    for feed in files:
        for number, raw in enumerate(feed.records, start=1):
            try:
                service = parse_service(raw)
            except RecordError as error:
                rejected.append(
                    Rejection(feed.name, number, _raw_id(raw), error.field, error.message)
                )
                continue
            first = seen.get(service.id)
            if first is None:
                seen[service.id] = (feed.name, number, raw)
                good.append(Parsed(feed.name, number, service))
            elif first[2] == raw:
                repeats += 1
            else:
                reason = f"is given again, differently; first in {first[0]}, record {first[1]}"
                rejected.append(Rejection(feed.name, number, str(service.id), "id", reason))
    return good, rejected, repeats


# Checking against the database (reads only)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_ids(model: type[models.Model], ids: Iterable[Any], field: str = "pk") -> set[Any]:
    wanted = list(set(ids))
    found: set[Any] = set()
    for part in chunks(wanted):
        found.update(model.objects.filter(**{f"{field}__in": part}).values_list(field, flat=True))
    return found


class TermLookup:
    """What the feed's terms point at: existing terms by id, taxonomies by id and by name,
    and each taxonomy's codes. `problem` checks a service; `plan` decides what to create."""

    def __init__(self, refs: Iterable[TermRef]) -> None:
        refs = list(refs)
        self.known: dict[uuid.UUID, uuid.UUID] = {}
        for part in chunks(list({r.id for r in refs})):
            rows = TaxonomyTerm.objects.filter(id__in=part).values_list("id", "taxonomy_id")
            self.known.update(rows)
        self.by_id: dict[uuid.UUID, str] = dict(Taxonomy.objects.values_list("id", "name"))
        self.by_name = {name.casefold(): tid for tid, name in self.by_id.items()}
        self._codes: dict[uuid.UUID, dict[str, uuid.UUID]] = {}
        self.new_taxonomies: list[Taxonomy] = []
        self.new_terms: list[TaxonomyTerm] = []
        self.parents: dict[uuid.UUID, uuid.UUID] = {}

    def codes(self, taxonomy_id: uuid.UUID) -> dict[str, uuid.UUID]:
        if taxonomy_id not in self._codes:
            rows = TaxonomyTerm.objects.filter(taxonomy_id=taxonomy_id).values_list("code", "id")
            self._codes[taxonomy_id] = dict(rows)
        return self._codes[taxonomy_id]

    def taxonomy_of(self, ref: TermRef) -> uuid.UUID | None:
        if ref.taxonomy_id in self.by_id:
            return ref.taxonomy_id
        return self.by_name.get(ref.taxonomy_name.casefold()) if ref.taxonomy_name else None

    def problem(self, service: ServiceData, given: set[uuid.UUID]) -> RecordError | None:
        """The first term of `service` that can be neither linked nor created; `given` are
        the ids of terms that other records describe."""
        for ref in service.terms or []:
            if ref.id in self.known or (ref.bare and ref.id in given):
                continue
            if ref.bare:
                return RecordError(ref.where + "taxonomy_term_id", "no term has this id")
            taxonomy = self.taxonomy_of(ref)
            if taxonomy is None and not ref.taxonomy_name:
                return RecordError(
                    ref.where + "taxonomy",
                    "is missing; the term is not known here, so its taxonomy's name is needed",
                )
            if not ref.code:
                return RecordError(ref.where + "name", "is missing; a new term needs a name")
            if taxonomy == TAXONOMY_ID and ref.code not in self.codes(TAXONOMY_ID):
                return RecordError(
                    ref.where + "id",
                    f"is not a term of {TAXONOMY_NAME}, which imports do not change",
                )
        return None

    def _new_taxonomy(self, ref: TermRef) -> uuid.UUID:
        taxonomy = Taxonomy(
            id=ref.taxonomy_id or uuid.uuid5(NAMESPACE, f"taxonomy:{ref.taxonomy_name}"),
            name=ref.taxonomy_name,
            description=ref.taxonomy_description,
            uri=ref.taxonomy_uri,
            version=ref.taxonomy_version,
        )
        self.new_taxonomies.append(taxonomy)
        self.by_id[taxonomy.id] = taxonomy.name
        self.by_name[taxonomy.name.casefold()] = taxonomy.id
        self._codes[taxonomy.id] = {}
        return taxonomy.id

    def term_for(self, ref: TermRef) -> uuid.UUID:
        """The id of the term to link, planning a new term (and taxonomy) when needed."""
        if ref.id in self.known:
            return ref.id
        taxonomy = self.taxonomy_of(ref) or self._new_taxonomy(ref)
        codes = self.codes(taxonomy)
        if ref.code in codes:
            return codes[ref.code]
        self.new_terms.append(
            TaxonomyTerm(
                id=ref.id,
                taxonomy_id=taxonomy,
                code=ref.code,
                name=ref.name,
                description=ref.description,
                term_uri=ref.term_uri,
            )
        )
        if ref.parent_id is not None:
            self.parents[ref.id] = ref.parent_id
        codes[ref.code] = self.known[ref.id] = ref.id
        return ref.id

    def plan(self, services: Iterable[ServiceData]) -> dict[uuid.UUID, list[uuid.UUID]]:
        services = list(services)
        for ref in (r for s in services for r in s.terms or [] if not r.bare):
            self.term_for(ref)  # described terms first, then those given by id alone
        links: dict[uuid.UUID, list[uuid.UUID]] = {}
        for service in services:
            if service.terms is not None:
                links[service.id] = list(dict.fromkeys(self.term_for(r) for r in service.terms))
        return links

    def save(self) -> None:
        """Create the planned taxonomies and terms, with parents that exist."""
        Taxonomy.objects.bulk_create(self.new_taxonomies)
        planned = {t.id for t in self.new_terms}
        parents = planned | existing_ids(TaxonomyTerm, self.parents.values())
        for term in self.new_terms:
            parent = self.parents.get(term.id)
            term.parent_id = parent if parent in parents and parent != term.id else None
        TaxonomyTerm.objects.bulk_create(self.new_terms, batch_size=CHUNK)


def _reference_problem(
    service: ServiceData, organisations: set[uuid.UUID], locations: set[uuid.UUID]
) -> RecordError | None:
    if service.organisation is None and service.organisation_uuid not in organisations:
        return RecordError("organization_id", "no organisation has this id; give the organization")
    for index, site in enumerate(service.sites or []):
        if site.location is None and site.location_id not in locations:
            return RecordError(
                f"service_at_locations[{index}].location_id",
                "no location has this id; give the location",
            )
    return None


class Ownership:
    """Which of the stored services, organisations and locations a feed names were created by
    its source (ImportedRecord). `conflict` finds the first thing a record would change, or
    give services to, that its source did not create: the record is then left alone."""

    def __init__(
        self,
        source: str,
        services: set[uuid.UUID],
        organisations: set[uuid.UUID],
        locations: set[uuid.UUID],
    ) -> None:
        self.source = source
        self.stored = {
            ImportKind.SERVICE: services,
            ImportKind.ORGANISATION: organisations,
            ImportKind.LOCATION: locations,
        }
        self.origin: dict[tuple[str, uuid.UUID], str] = {}
        for kind, ids in self.stored.items():
            for part in chunks(sorted(ids)):
                rows = ImportedRecord.objects.filter(kind=kind, external_id__in=part)
                for external_id, origin in rows.values_list("external_id", "source"):
                    self.origin[kind, external_id] = origin

    def problem(self, kind: str, key: uuid.UUID, field: str, change: str) -> RecordError | None:
        if key not in self.stored[kind]:
            return None  # new: this import creates it
        origin = self.origin.get((kind, key))
        if origin == self.source:
            return None
        came = "it has no import source" if origin is None else f"it came from source '{origin}'"
        return RecordError(
            field,
            f"the {kind} with this id was not imported from source '{self.source}' ({came}), "
            f"so this import may not {change}",
        )

    def conflict(self, service: ServiceData) -> RecordError | None:
        problem = self.problem(ImportKind.SERVICE, service.id, "id", "change it")
        if service.organisation is not None:
            field, change = "organization.id", "change it"
        else:
            field, change = "organization_id", "give it services"
        problem = problem or self.problem(
            ImportKind.ORGANISATION, service.organisation_uuid, field, change
        )
        for index, site in enumerate(service.sites or []):
            if site.location is not None:
                where = f"service_at_locations[{index}].location.id"
                problem = problem or self.problem(
                    ImportKind.LOCATION, site.location_id, where, "change it"
                )
        return problem


def check_feed(
    parsed: list[Parsed], rejected: list[Rejection], source: str = ""
) -> tuple[list[Parsed], TermLookup]:
    """Set aside records in conflict with what `source` did not create (see Ownership), then
    reject records that point at organisations, locations or terms that are neither stored
    nor given by a good record. Adds to `rejected`; returns the records kept."""
    services = [p.service for p in parsed]
    stored_orgs = existing_ids(Organisation, (s.organisation_uuid for s in services), "uuid")
    stored_places = existing_ids(
        Location, (site.location_id for s in services for site in s.sites or [])
    )
    owners = Ownership(
        source, existing_ids(Service, (s.id for s in services)), stored_orgs, stored_places
    )
    conflicts = {id(p): owners.conflict(p.service) for p in parsed}
    rejected += [p.reject(c, conflict=True) for p in parsed if (c := conflicts[id(p)])]
    kept = [p for p in parsed if conflicts[id(p)] is None]
    terms = TermLookup(ref for p in kept for ref in p.service.terms or [])
    while True:
        organisations = stored_orgs | {
            p.service.organisation.uuid for p in kept if p.service.organisation
        }
        given = {site.location_id for p in kept for site in p.service.sites or [] if site.location}
        described = {r.id for p in kept for r in p.service.terms or [] if not r.bare}
        problems = {}
        for p in kept:
            problem = _reference_problem(p.service, organisations, stored_places | given)
            problem = problem or terms.problem(p.service, described)
            if problem is not None:
                problems[id(p)] = problem
        if not problems:
            return kept, terms
        rejected += [p.reject(problems[id(p)]) for p in kept if id(p) in problems]
        kept = [p for p in kept if id(p) not in problems]


# Writing


SERVICE_FIELDS = [
    "name", "description", "url", "email", "status", "fees_description", "application_process",
    "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email",
    "alert", "reviewed_at", "delivery", "delivers_remotely",
]  # fmt: skip
ORGANISATION_FIELDS = [
    "name", "description", "website", "email", "charity_number", "company_number", "org_id",
]  # fmt: skip
LOCATION_FIELDS = [
    "location_type", "name", "description", "address_1", "city", "postal_code", "latitude",
    "longitude", "accessibility",
]  # fmt: skip
CHILDREN: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "languages": (Language, ("code", "name")),
    "cost_options": (
        CostOption, ("option", "amount_pence", "unit", "currency", "valid_from", "valid_to")
    ),
    "schedules": (
        Schedule, ("freq", "interval", "byday", "opens_at", "closes_at", "description")
    ),
    "contacts": (Contact, ("name", "title", "email", "phone")),
    "service_areas": (ServiceArea, ("name", "area_id")),
    "at_locations": (ServiceAtLocation, ("location_id", "description")),
}  # fmt: skip


def _differs(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return any(stored.get(key) != value for key, value in wanted.items())


def _rows_by_id(
    model: type[models.Model], ids: Sequence[Any], fields: Sequence[str], key: str = "id"
) -> dict[Any, dict[str, Any]]:
    found: dict[Any, dict[str, Any]] = {}
    for part in chunks(list(ids)):
        for row in model.objects.filter(**{f"{key}__in": part}).values(*fields):
            found[row[key]] = row
    return found


class SlugMaker:
    """Unique organisation slugs, from every slug taken, without a query per name."""

    def __init__(self) -> None:
        self.taken = set(Organisation.objects.values_list("slug", flat=True))

    def __call__(self, name: str) -> str:
        base = slugify(name)[:200] or "organisation"
        slug, n = base, 1
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self.taken.add(slug)
        return slug


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: Counter[str] = field(default_factory=Counter)


class FeedWriter:
    """Write checked services: terms, organisations, locations, services, then their lists.

    Run inside a transaction. Each step compares what is stored with what the feed gives
    and writes only the differences, in bulk. A change to an organisation's details or to a
    service's organisation is audited with before and after; every record written or seen
    is remembered as `source`'s (ImportedRecord). `where` names each service's file and
    record for those events.
    """

    def __init__(
        self,
        services: list[ServiceData],
        terms: TermLookup,
        source: str = "",
        where: dict[uuid.UUID, tuple[str, int]] | None = None,
    ) -> None:
        self.services = services
        self.terms = terms
        self.source = source
        self.where = where or {}
        self.now = timezone.now()
        self.counts = Counts()
        self.stored: set[uuid.UUID] = set()  # services that existed before
        self.changed: set[uuid.UUID] = set()  # …and that this import changes
        self.organisations: tuple[set[uuid.UUID], set[uuid.UUID]] = (set(), set())  # given, new
        self.locations: tuple[set[uuid.UUID], set[uuid.UUID]] = (set(), set())  # given, new

    def run(self) -> Counts:
        links = self.terms.plan(self.services)
        self.terms.save()
        self.counts.extra["taxonomies created"] = len(self.terms.new_taxonomies)
        self.counts.extra["terms created"] = len(self.terms.new_terms)
        organisation_pks, changed_orgs = self.write_organisations()
        changed_places = self.write_locations(organisation_pks)
        self.write_services(organisation_pks)
        for kind, rows in self.child_rows().items():
            self.write_children(kind, rows)
        self.write_terms(links)
        for service in self.services:
            places = {site.location_id for site in service.sites or [] if site.location}
            if service.organisation_uuid in changed_orgs or places & changed_places:
                self.changed.add(service.id)
        self.touch()
        self.reindex(changed_orgs, changed_places)
        self.remember()
        self.counts.updated = len(self.changed & self.stored)
        self.counts.unchanged = len(self.stored) - self.counts.updated
        return self.counts

    def reindex(self, organisations: set[uuid.UUID], places: set[uuid.UUID]) -> None:
        """Search text and reach rows of the feed's services, and of any other service
        whose provider was renamed or whose place moved by this import."""
        ids = {service.id for service in self.services}
        others = set(reach.services_at(places))
        for part in chunks(sorted(organisations)):
            others |= set(
                Service.objects.filter(organisation__uuid__in=part).values_list("pk", flat=True)
            )
        search.refresh(sorted(ids | others))
        reach.refresh(sorted(ids | others))

    def audit(
        self, action: str, target: models.Model, service: uuid.UUID, diff: dict[str, Any]
    ) -> None:
        """One event for a change to a record's owner or details, with before and after."""
        file, number = self.where.get(service, ("", 0))
        where = {"source": self.source, "file": file, "record": number}
        audit_record(actor=None, action=action, target=target, summary=diff | where)

    def write_organisations(self) -> tuple[dict[uuid.UUID, int], set[uuid.UUID]]:
        given = {s.organisation.uuid: s.organisation for s in self.services if s.organisation}
        describer = {s.organisation.uuid: s.id for s in self.services if s.organisation}
        stored = _rows_by_id(
            Organisation, list(given), ["id", "uuid", *ORGANISATION_FIELDS], "uuid"
        )
        slug = SlugMaker() if set(given) - set(stored) else None
        new, changed = [], []
        for key, org in given.items():
            row = stored.get(key)
            if row is None and slug is not None:
                made = {"created_at": self.now, "updated_at": self.now} | org.fields
                new.append(
                    Organisation(uuid=key, slug=slug(org.fields["name"]), kind=org.kind, **made)
                )
            elif row is not None and _differs(row, org.fields):
                merged = row | org.fields
                changed.append(Organisation(updated_at=self.now, **merged))
                diff = changes(
                    {f: row[f] for f in ORGANISATION_FIELDS},
                    {f: merged[f] for f in ORGANISATION_FIELDS},
                )
                self.audit("organisation.update", changed[-1], describer[key], diff)
        Organisation.objects.bulk_create(new, batch_size=CHUNK)
        update_rows(changed, [*ORGANISATION_FIELDS, "updated_at"])
        self.organisations = (set(given), {o.uuid for o in new})
        self.counts.extra["organisations created"] = len(new)
        self.counts.extra["organisations updated"] = len(changed)
        wanted = list({s.organisation_uuid for s in self.services})
        rows = _rows_by_id(Organisation, wanted, ["id", "uuid"], "uuid")
        pks = {key: row["id"] for key, row in rows.items()}
        return pks, {o.uuid for o in new} | {o.uuid for o in changed}

    def write_locations(self, organisation_pks: dict[uuid.UUID, int]) -> set[uuid.UUID]:
        given: dict[uuid.UUID, tuple[LocationData, uuid.UUID]] = {}
        for service in self.services:
            for site in service.sites or []:
                if site.location is not None:
                    given[site.location.id] = (site.location, service.organisation_uuid)
        stored = _rows_by_id(Location, list(given), ["id", *LOCATION_FIELDS])
        new, changed = [], []
        for key, (place, org) in given.items():
            row = stored.get(key)
            if row is None:
                fields = {"name": place.fallback_name} | place.fields
                new.append(Location(id=key, organisation_id=organisation_pks[org], **fields))
            elif _differs(row, place.fields):
                changed.append(Location(**(row | place.fields)))
        Location.objects.bulk_create(new, batch_size=CHUNK)
        update_rows(changed, LOCATION_FIELDS)
        self.locations = (set(given), {p.id for p in new})
        self.counts.extra["locations created"] = len(new)
        self.counts.extra["locations updated"] = len(changed)
        return {p.id for p in new} | {p.id for p in changed}

    def write_services(self, organisation_pks: dict[uuid.UUID, int]) -> None:
        fields = ["id", "organisation_id", *SERVICE_FIELDS]
        stored = _rows_by_id(Service, [s.id for s in self.services], fields)
        self.stored = set(stored)
        new, changed, moved = [], [], []
        for service in self.services:
            wanted = service.fields | {
                "organisation_id": organisation_pks[service.organisation_uuid]
            }
            row = stored.get(service.id)
            if row is None:
                fields = {"reviewed_at": None, "last_modified": self.now} | wanted
                new.append(Service(id=service.id, **fields))
            elif _differs(row, wanted):
                changed.append(Service(**(row | wanted)))
                self.changed.add(service.id)
                if row["organisation_id"] != wanted["organisation_id"]:
                    moved.append((changed[-1], row["organisation_id"]))
        Service.objects.bulk_create(new, batch_size=CHUNK)
        update_rows(changed, [*SERVICE_FIELDS, "organisation"])
        self.counts.created = len(new)
        self.audit_moves(moved)

    def audit_moves(self, moved: list[tuple[Service, int]]) -> None:
        """A service given to another organisation (of the same source): before and after."""
        pks = {pk for service, before in moved for pk in (service.organisation_id, before)}
        named = {
            row["id"]: {"organisation": str(row["uuid"]), "organisation_name": row["name"]}
            for row in Organisation.objects.filter(pk__in=pks).values("id", "uuid", "name")
        }
        for service, before in moved:
            diff = {"before": named[before], "after": named[service.organisation_id]}
            self.audit("service.update", service, service.id, diff)

    def remember(self) -> None:
        """Every record this import created becomes its source's; those it gave again are
        marked as seen now. (A row left by a deleted record is replaced.)"""
        services = {s.id for s in self.services}
        for kind, (given, new) in {
            ImportKind.SERVICE: (services, services - self.stored),
            ImportKind.ORGANISATION: self.organisations,
            ImportKind.LOCATION: self.locations,
            ImportKind.TAXONOMY: ({t.id for t in self.terms.new_taxonomies},) * 2,
            ImportKind.TERM: ({t.id for t in self.terms.new_terms},) * 2,
        }.items():
            for part in chunks(sorted(new)):
                ImportedRecord.objects.filter(kind=kind, external_id__in=part).delete()
            ImportedRecord.objects.bulk_create(
                [
                    ImportedRecord(
                        source=self.source,
                        kind=kind,
                        external_id=key,
                        first_imported_at=self.now,
                        last_imported_at=self.now,
                    )
                    for key in sorted(new)
                ],
                batch_size=CHUNK,
            )
            for part in chunks(sorted(given - new)):
                ImportedRecord.objects.filter(
                    kind=kind, source=self.source, external_id__in=part
                ).update(last_imported_at=self.now)

    def child_rows(self) -> dict[str, dict[uuid.UUID, list[dict[str, Any]]]]:
        """For each kind of list, the rows each service gives (services that give it)."""
        codes = {
            row["area_code"] for s in self.services for row in s.children.get("service_areas", [])
        }
        areas = dict(
            Area.objects.filter(code__in=[c for c in codes if c]).values_list("code", "id")
        )
        found: dict[str, dict[uuid.UUID, list[dict[str, Any]]]] = defaultdict(dict)
        for service in self.services:
            for kind, rows in service.children.items():
                found[kind][service.id] = rows
            for row in service.children.get("service_areas", []):
                row["area_id"] = areas.get(row["area_code"])
            if service.sites is not None:
                found["at_locations"][service.id] = [
                    {"id": s.id, "location_id": s.location_id, "description": s.description}
                    for s in service.sites
                ]
        return found

    def write_children(self, kind: str, given: dict[uuid.UUID, list[dict[str, Any]]]) -> None:
        model, fields = CHILDREN[kind]
        stored: dict[uuid.UUID, list[tuple[Any, ...]]] = defaultdict(list)
        for part in chunks([sid for sid in given if sid in self.stored]):
            for row in model.objects.filter(service_id__in=part).values_list("service_id", *fields):
                stored[row[0]].append(row[1:])
        replace = [
            sid
            for sid, rows in given.items()
            if Counter(tuple(r[f] for f in fields) for r in rows) != Counter(stored.get(sid, []))
        ]
        for part in chunks([sid for sid in replace if sid in self.stored]):
            model.objects.filter(service_id__in=part).delete()
        rows = [(sid, row) for sid in replace for row in given[sid]]
        ids = self._free_ids(model, [row["id"] for _, row in rows])
        model.objects.bulk_create(
            [
                model(id=i, service_id=sid, **{f: row[f] for f in fields})
                for i, (sid, row) in zip(ids, rows, strict=True)
            ],
            batch_size=CHUNK,
        )
        self.changed.update(sid for sid in replace if sid in self.stored)

    @staticmethod
    def _free_ids(model: type[models.Model], wanted: list[uuid.UUID | None]) -> list[uuid.UUID]:
        """The feed's ids where no other row holds them, else new ones."""
        taken = existing_ids(model, [i for i in wanted if i is not None])
        result = []
        for given in wanted:
            fresh = given is None or given in taken
            result.append(uuid.uuid4() if fresh else given)
            taken.add(result[-1])
        return result

    def write_terms(self, links: dict[uuid.UUID, list[uuid.UUID]]) -> None:
        through = Service.terms.through
        stored: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for part in chunks([sid for sid in links if sid in self.stored]):
            for sid, term in through.objects.filter(service_id__in=part).values_list(
                "service_id", "taxonomyterm_id"
            ):
                stored[sid].add(term)
        replace = [sid for sid, terms in links.items() if set(terms) != stored.get(sid, set())]
        for part in chunks([sid for sid in replace if sid in self.stored]):
            through.objects.filter(service_id__in=part).delete()
        through.objects.bulk_create(
            [
                through(service_id=sid, taxonomyterm_id=term)
                for sid in replace
                for term in links[sid]
            ],
            batch_size=CHUNK,
        )
        self.changed.update(sid for sid in replace if sid in self.stored)

    def touch(self) -> None:
        """Changed services move last_modified. Their review date is only ever the feed's
        (a change without one leaves the date as it was: an import is not a review)."""
        for part in chunks(sorted(self.changed & self.stored)):
            Service.objects.filter(id__in=part).update(last_modified=self.now)


# Running an import


@dataclass
class Outcome:
    """What an import found and did. `written` is False when rejections stopped it."""

    path: Path
    partial: bool
    files: list[FeedFile]
    rejections: list[Rejection]  # bad records, and records in conflict (conflict=True)
    repeats: int
    source: str = ""
    written: bool = False
    counts: Counts = field(default_factory=Counts)
    warnings: list[FieldWarning] = field(default_factory=list)  # of the records kept
    imported: list[uuid.UUID] = field(default_factory=list)  # ids of services written
    with_needs: int = 0  # of those, how many have at least one need (a needs-taxonomy term)

    @property
    def total(self) -> int:
        return sum(len(f.records) for f in self.files) - self.repeats

    @property
    def rejected(self) -> list[Rejection]:
        return [r for r in self.rejections if not r.conflict]

    @property
    def conflicts(self) -> list[Rejection]:
        return [r for r in self.rejections if r.conflict]

    def rejection_lines(self) -> list[str]:
        order = {f.name: index for index, f in enumerate(self.files)}
        ordered = sorted(self.rejections, key=lambda r: (order.get(r.file, 0), r.number))
        return [r.line() for r in ordered]

    def warning_lines(self) -> list[str]:
        return [w.line() for w in self.warnings]

    def summary_line(self) -> str:
        c = self.counts
        conflicts = f", in conflict {len(self.conflicts)}" if self.conflicts else ""
        warned = f"; warnings {len(self.warnings)}" if self.warnings else ""
        return (
            f"{COMMAND}: created {c.created}, updated {c.updated}, unchanged {c.unchanged}, "
            f"rejected {len(self.rejected)}{conflicts} services from {self.path}{warned}"
        )

    def report(self) -> dict[str, Any]:
        """What --report FILE.json holds: counts, then each rejection and warning."""
        imported = len(self.imported) if self.written else 0
        return {
            "path": str(self.path),
            "source": self.source,
            "partial": self.partial,
            "written": self.written,
            "records": self.total,
            "imported": imported,
            "created": self.counts.created if self.written else 0,
            "updated": self.counts.updated if self.written else 0,
            "unchanged": self.counts.unchanged if self.written else 0,
            "rejected": len(self.rejected),
            "conflicts": len(self.conflicts),
            "repeats_passed_over": self.repeats,
            "warnings": len(self.warnings),
            "with_needs": self.with_needs if self.written else 0,
            "without_needs": imported - self.with_needs if self.written else 0,
            "rejections": [
                {
                    "file": r.file,
                    "record": r.number,
                    "id": r.record_id,
                    "field": r.field,
                    "reason": r.reason,
                    "conflict": r.conflict,
                }
                for r in sorted(self.rejections, key=lambda r: (r.file, r.number))
            ],
            "warning_details": [
                {"file": w.file, "record": w.number, "id": w.record_id, "field": w.field,
                 "warning": w.note}
                for w in self.warnings
            ],
        }  # fmt: skip

    def details_line(self) -> str:
        n = self.counts.extra
        line = (
            f"{COMMAND}: organisations created {n['organisations created']}, updated "
            f"{n['organisations updated']}; locations created {n['locations created']}, updated "
            f"{n['locations updated']}; taxonomies created {n['taxonomies created']}; terms "
            f"created {n['terms created']}"
        )
        return line + (f"; repeated records passed over {self.repeats}" if self.repeats else "")

    def refusal_line(self) -> str:
        rejected, conflicts = len(self.rejected), len(self.conflicts)
        others = self.total - rejected - conflicts
        clash = f"in conflict with records source '{self.source}' did not create,"
        if not conflicts:
            what, fix = "rejected", "correct them, or "
        elif not rejected:
            what, fix = clash, ""
        else:
            what, fix = f"rejected and {conflicts} {clash}", "correct them, or "
        return (
            f"{COMMAND}: {rejected or conflicts} of {self.total} services {what} from "
            f"{self.path}, so nothing was imported; {fix}use --partial to import the other "
            f"{others}"
        )

    def audit_summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "files": [{"file": f.name, "sha256": f.sha256} for f in self.files],
            "partial": self.partial,
            "created": self.counts.created,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "source": self.source,
            "rejected": len(self.rejected),
            "rejected_ids": [r.record_id for r in self.rejected],
            "conflicts": len(self.conflicts),
            "conflict_ids": [r.record_id for r in self.conflicts],
            "warnings": len(self.warnings),
            **{name.replace(" ", "_"): n for name, n in self.counts.extra.items()},
        }


def count_with_needs(ids: Sequence[uuid.UUID]) -> int:
    """How many of these services have at least one term of Opus's needs taxonomy."""
    through = Service.terms.through
    found: set[uuid.UUID] = set()
    for part in chunks(list(ids)):
        found.update(
            through.objects.filter(
                service_id__in=part, taxonomyterm__taxonomy_id=TAXONOMY_ID
            ).values_list("service_id", flat=True)
        )
    return len(found)


def import_feed(path: str | Path, *, partial: bool = False, source: str | None = None) -> Outcome:
    """Read, check and (unless a record is rejected or in conflict, and `partial` is False)
    write a feed as `source`'s (by default the feed's name: see feed_source).

    Raises FeedError when a file cannot be read; otherwise returns the Outcome.
    """
    path = Path(path)
    source = feed_source(path, source)
    files = read_feed(path)
    parsed, rejections, repeats = parse_feed(files)
    outcome = Outcome(path, partial, files, rejections, repeats, source=source)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what check_feed reads stays true until commit
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        kept, terms = check_feed(parsed, rejections, source)
        outcome.warnings = [w for p in kept for w in p.warnings()]
        if rejections and not partial:
            return outcome
        where = {p.service.id: (p.file, p.number) for p in kept}
        services = [p.service for p in kept]
        outcome.counts = FeedWriter(services, terms, source, where).run()
        outcome.imported = [s.id for s in services]
        outcome.with_needs = count_with_needs(outcome.imported)
        audit_record(
            actor=None,
            action=ACTION,
            object_type="file",
            object_id=path.name[:64],
            summary=outcome.audit_summary(),
        )
    outcome.written = True
    return outcome
