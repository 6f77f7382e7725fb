"""The ONS Postcode Directory (ONSPD) or National Statistics Postcode Lookup (NSPL) into Postcodes.

Both are published by ONS on the Open Geography Portal
(https://geoportal.statistics.gov.uk/, "Postcodes" products) as one large CSV
per release, one row per postcode, live and terminated. Opus reads:

- the postcode: "pcds" (one space, the preferred form), else "pcd"/"pcd7" or
  "pcd2"/"pcd8";
- "doterm", the month of termination (YYYYMM), empty for a live postcode;
- "lat" and "long" (WGS84). A postcode with no grid reference has lat
  99.999999 and long 0.000000 in the published files: it is stored without
  coordinates;
- the 2021 LSOA: "lsoa21cd" (the 2025-on layouts), else "lsoa21" (older ONSPD
  and NSPL), else the 2011 LSOA "lsoa11cd"/"lsoa11". A code that is not an
  LSOA in Opus (a Scottish data zone, a pseudo code such as L99999999 for the
  Channel Islands) leaves the postcode without an LSOA.

Only live postcodes are imported; terminated ones are passed over and
counted (an existing Postcode row is not removed). The file is read twice,
once to check every row and once to write in batches of 5,000, so memory
stays flat however large the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from opus.core.importers import base
from opus.core.importers.base import (
    Column,
    Importer,
    Outcome,
    cell,
    find_column,
    parse_number,
    parse_postcode,
    update_rows,
)
from opus.core.models import Area, AreaKind, Postcode
from opus.engines.identifiers import check_ons_code

POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd2", "pcd8")
LSOA_COLUMNS = ("lsoa21cd", "lsoa21", "lsoa11cd", "lsoa11")
NO_GRID_LATITUDE = 99.999999

_YYYYMM = re.compile(r"^[0-9]{4}(0[1-9]|1[0-2])$")
# Codes in the LSOA columns that are not GSS codes: pseudo codes (L99999999 Channel
# Islands, M99999999 Isle of Man, …) and Northern Ireland's older SOA codes (95AA01S1).
_OTHER_AREA = re.compile(r"^(?:[A-Z]9{8}|9[0-9][A-Z0-9]{6})$")


def parse_doterm(value: str) -> str:
    """'' for a live postcode, or the month it was terminated, YYYYMM."""
    text = value.strip()
    if text and not _YYYYMM.match(text):
        raise ValueError(f"'{text}' is not a month like 202106 (YYYYMM), nor empty")
    return text


def parse_latitude(value: str) -> float | None:
    number = parse_number(value)
    if abs(number - NO_GRID_LATITUDE) < 1e-6:
        return None
    if not -90 <= number <= 90:
        raise ValueError(f"'{value.strip()}' is not a latitude from -90 to 90")
    return number


def parse_longitude(value: str) -> float:
    number = parse_number(value)
    if not -180 <= number <= 180:
        raise ValueError(f"'{value.strip()}' is not a longitude from -180 to 180")
    return number


def parse_lsoa(value: str) -> str | None:
    """An ONS code, or None for an empty cell or a pseudo code."""
    text = value.strip().upper()
    if not text or _OTHER_AREA.match(text):
        return None
    return check_ons_code(text)


@dataclass(frozen=True)
class PostcodeRow:
    postcode: str
    latitude: float | None
    longitude: float | None
    lsoa: str | None


@dataclass(frozen=True)
class PostcodeColumns:
    postcode: Column
    doterm: Column
    latitude: Column
    longitude: Column
    lsoa: Column


def postcode_columns(headers: list[str]) -> PostcodeColumns:
    def required(*names: str) -> Column:
        found = find_column(headers, *names)
        assert found is not None  # required columns raise instead
        return found

    return PostcodeColumns(
        postcode=required(*POSTCODE_COLUMNS),
        doterm=required("doterm"),
        latitude=required("lat"),
        longitude=required("long"),
        lsoa=required(*LSOA_COLUMNS),
    )


def parse_postcode_row(number: int, row: list[str], columns: PostcodeColumns) -> PostcodeRow | None:
    """The row's live postcode, or None when it is terminated."""
    if cell(number, row, columns.doterm, parse_doterm):
        return None
    postcode = cell(number, row, columns.postcode, parse_postcode)
    latitude = cell(number, row, columns.latitude, parse_latitude)
    longitude = cell(number, row, columns.longitude, parse_longitude)
    if latitude is None:
        longitude = None
    lsoa = cell(number, row, columns.lsoa, parse_lsoa)
    return PostcodeRow(postcode, latitude, longitude, lsoa)


@dataclass
class PostcodePlan:
    columns: PostcodeColumns
    rows: int


class PostcodeImporter(Importer):
    """Create or update a Postcode for each live postcode, linked to its LSOA when Opus has it."""

    command = "import_postcodes"
    action = "geography.import_postcodes"

    def _live(
        self, columns: PostcodeColumns, total: int | None, desc: str
    ) -> Iterator[PostcodeRow | None]:
        for number, raw in self.bar(self.source.rows(), total=total, desc=desc):
            yield parse_postcode_row(number, raw, columns)

    def check(self) -> PostcodePlan:
        columns = postcode_columns(self.source.header())
        rows = sum(1 for _ in self._live(columns, None, "checking"))
        return PostcodePlan(columns, rows)

    def write(self, plan: PostcodePlan) -> Outcome:
        outcome = Outcome()
        counts = {"unchanged": 0, "with_an_lsoa": 0, "without_coordinates": 0}
        lsoas = dict(Area.objects.filter(kind=AreaKind.LSOA).values_list("code", "id"))
        batch: dict[str, PostcodeRow] = {}
        for row in self._live(plan.columns, plan.rows, "importing"):
            if row is None:
                outcome.skipped += 1
                continue
            batch[row.postcode] = row
            if len(batch) >= base.BATCH_SIZE:
                self._write_batch(batch, lsoas, outcome, counts)
                batch = {}
        self._write_batch(batch, lsoas, outcome, counts)
        outcome.details = {"terminated": outcome.skipped, **counts}
        return outcome

    @staticmethod
    def _write_batch(
        batch: dict[str, PostcodeRow],
        lsoas: dict[str, int],
        outcome: Outcome,
        counts: dict[str, int],
    ) -> None:
        if not batch:
            return
        existing = {
            postcode: (pk, latitude, longitude, lsoa_id)
            for postcode, pk, latitude, longitude, lsoa_id in Postcode.objects.filter(
                postcode__in=list(batch)
            ).values_list("postcode", "pk", "latitude", "longitude", "lsoa_id")
        }
        new: list[Postcode] = []
        changed: list[Postcode] = []
        for postcode, row in batch.items():
            lsoa_id = lsoas.get(row.lsoa) if row.lsoa else None
            counts["with_an_lsoa"] += lsoa_id is not None
            counts["without_coordinates"] += row.latitude is None
            values = (row.latitude, row.longitude, lsoa_id)
            coordinates = {"latitude": row.latitude, "longitude": row.longitude}
            found = existing.get(postcode)
            if found is None:
                new.append(Postcode(postcode=postcode, lsoa_id=lsoa_id, **coordinates))
            elif found[1:] != values:
                changed.append(
                    Postcode(pk=found[0], postcode=postcode, lsoa_id=lsoa_id, **coordinates)
                )
            else:
                counts["unchanged"] += 1
        Postcode.objects.bulk_create(new, batch_size=base.BATCH_SIZE)
        update_rows(changed, ["latitude", "longitude", "lsoa"])
        outcome.created += len(new)
        outcome.updated += len(changed)
