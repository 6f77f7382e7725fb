"""Fixing what a feed gets wrong in ways that can safely be fixed, and saying so.

Each function takes a field's raw text and returns ``(clean value, notes)``: the value to
check and store, and a short note for every change made (``"added https://"``). It raises
ValueError with the reason when the value cannot be made valid; the importer turns notes into
warnings and errors into rejections, naming the file, record, id and field. No Django here:
callers check the cleaned value with their own validators.
"""

from __future__ import annotations

import re

# Characters that are invisible in a feed's text but break addresses: zero-width space,
# non-joiner and joiner, word joiner, byte-order mark, and the no-break space.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_SAFE_SCHEMES = ("http", "https")

Notes = list[str]


def clean_text(value: str) -> tuple[str, Notes]:
    """Zero-width characters removed anywhere; surrounding white space (also no-break
    spaces) trimmed. Only the removal of invisible characters is worth a note."""
    if value.isascii():  # nothing invisible or no-break in it: the common case, quickly
        return value.strip(), []
    notes: Notes = []
    result = _INVISIBLE.sub("", value)
    if result != value:
        notes.append("removed invisible characters (zero-width spaces)")
    return result.strip(), notes  # str.strip takes no-break spaces too


def clean_web_address(value: str) -> tuple[str, Notes]:
    """A web address with a scheme: ``www.example.org`` → ``https://www.example.org``.
    ``javascript:``, ``data:``, ``mailto:`` and every other scheme but http(s) are refused."""
    result, notes = clean_text(value)
    if not result:
        return "", notes
    if " " in result:
        raise ValueError(f"'{_short(result)}' has a space in it, so it is not a web address")
    found = _SCHEME.match(result)
    if found and found.group(1).lower() not in _SAFE_SCHEMES and not _looks_like_host_port(result):
        raise ValueError(f"'{_short(result)}' is not a web address starting http(s)://")
    if result.startswith("//"):
        result = "https:" + result
        notes.append("added https:")
    elif not found or _looks_like_host_port(result):
        result = "https://" + result
        notes.append("added https://")
    return result, notes


def _looks_like_host_port(value: str) -> bool:
    """``example.org:8080/x`` reads as a scheme to a parser but is a host and port."""
    return bool(re.match(r"^[A-Za-z0-9.\-]+\.[A-Za-z]{2,}:\d+(/|$)", value))


def clean_email(value: str) -> tuple[str, Notes]:
    """An e-mail address without invisible characters, surrounding space, a ``mailto:``
    in front or a dot at the end of its domain."""
    result, notes = clean_text(value)
    if result.lower().startswith("mailto:"):
        result = result[len("mailto:") :].strip()
        notes.append("removed mailto:")
    if result.endswith(".") and "@" in result:
        result = result.rstrip(".")
        notes.append("removed the dot ending the domain")
    return result, notes


def fit(value: str, limit: int, *, cut: bool) -> tuple[str, Notes]:
    """`value` if it has at most `limit` characters. Longer: cut at a word with '…' when
    `cut` (free text, where shortening loses no meaning that matters), else ValueError
    (an address or a name cut short would be wrong)."""
    if len(value) <= limit:
        return value, []
    if not cut:
        raise ValueError(f"is {len(value):,} characters long, over the limit of {limit:,}")
    head = value[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip() + "…", [f"cut from {len(value):,} to {limit:,} characters"]


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "…"
