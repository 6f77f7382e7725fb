"""Geography helpers shared by pages, the API and commands."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q

_CODE = re.compile(r"^[A-Za-z][0-9]{8}$")


def area_search(text: str) -> Q:
    """A code is looked up exactly (through the unique index); anything else by name."""
    text = text.strip()
    if _CODE.match(text):
        return Q(code=text.upper())
    return Q(name__icontains=text)


def analyse_areas() -> None:
    """Refresh the planner's statistics after a bulk load, so list queries use the indexes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_area")
