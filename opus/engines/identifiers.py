"""Format checks and normalisation for UK identifiers: postcodes, ONS codes, charities, companies.

Each check returns the normalised value or raises ValueError with a message a
person can act on. They check shape only; whether a number is registered is a
question for the registers themselves.
"""

from __future__ import annotations

import re

# Royal Mail / BS 7666 postcode shapes (outward code + inward code), plus GIR 0AA.
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)

ONS_PREFIXES = {
    "lsoa": ("E01", "W01"),
    "ward": ("E05", "W05"),
    "la": ("E06", "E07", "E08", "E09", "W06"),
}
_ONS_CODE = re.compile(r"^[EWSN][0-9]{8}$")

_CHARITY_EW = re.compile(r"^[0-9]{6,8}(-[0-9]{1,2})?$")
_CHARITY_SC = re.compile(r"^SC[0-9]{6}$")
_CHARITY_NI = re.compile(r"^(NIC)?[0-9]{6}$")
_COMPANY = re.compile(r"^([0-9]{8}|(SC|NI|OC|SO|NC|R0|IP|SP|NP|RC|SR|LP|SL|NL|FC|SE|CE)[0-9]{6})$")
_ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,6}-[A-Za-z0-9_.\-]+$")


def normalise_postcode(value: str) -> str:
    """'sw1a1aa' → 'SW1A 1AA'. Raises ValueError for anything not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not _POSTCODE.match(compact):
        raise ValueError(f"'{value.strip()}' is not a UK postcode, like SW1A 1AA")
    return compact[:-3] + " " + compact[-3:]


def check_ons_code(value: str, kind: str | None = None) -> str:
    """A 9-character ONS GSS code such as E01000001, optionally of a given area kind."""
    code = (value or "").strip().upper()
    if not _ONS_CODE.match(code):
        raise ValueError(f"'{value}' is not an ONS area code, like E01000001")
    if kind is not None and not code.startswith(ONS_PREFIXES[kind]):
        allowed = ", ".join(ONS_PREFIXES[kind])
        raise ValueError(f"'{code}' is not a {kind.upper()} code (those start {allowed})")
    return code


def check_charity_number(value: str) -> str:
    """England and Wales (e.g. 1234567), Scotland (SC012345) or Northern Ireland (NIC100001)."""
    number = re.sub(r"\s+", "", value or "").upper()
    if _CHARITY_EW.match(number) or _CHARITY_SC.match(number) or _CHARITY_NI.match(number):
        return number
    raise ValueError(f"'{value}' is not a charity number, like 1234567 or SC012345")


def check_company_number(value: str) -> str:
    """Companies House: 8 digits (leading zeros kept) or a 2-letter prefix and 6 digits."""
    number = re.sub(r"\s+", "", value or "").upper()
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    if not _COMPANY.match(number):
        raise ValueError(f"'{value}' is not a Companies House number, like 01234567 or SC123456")
    return number


def check_org_id(value: str) -> str:
    """An org-id.guide identifier: LIST-PREFIX-identifier, e.g. GB-CHC-1234567.

    For the lists Opus knows (GB-CHC, GB-SC, GB-NIC, GB-COH) the identifier
    part is checked as well.
    """
    org_id = (value or "").strip()
    if not _ORG_ID.match(org_id):
        raise ValueError(f"'{value}' is not an org-id, like GB-CHC-1234567 or GB-COH-01234567")
    prefix, _, identifier = org_id.partition("-")[2].partition("-")
    checks = {
        "CHC": check_charity_number,
        "SC": check_charity_number,
        "NIC": check_charity_number,
        "COH": check_company_number,
    }
    if prefix in checks:
        try:
            checked = checks[prefix](identifier)
        except ValueError as exc:
            raise ValueError(f"'{value}': {exc}") from exc
        if checked != identifier:
            raise ValueError(f"'{value}' should be written GB-{prefix}-{checked}")
    return org_id
