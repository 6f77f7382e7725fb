"""manage.py import_land_assets FILE --owner ORG_SLUG [--partial]: a council's land and building
assets, as published under the Local Government Transparency Code 2015, into the register.

The Code asks every council to publish its land and building assets; the Local Government
Association's template names the columns read here (other common spellings are accepted):
"Unique Asset Identity", "Name of Building / Land", "Street Number", "Street Name", "Town",
"Post Code", "UPRN", "Easting" and "Northing" or "Latitude" and "Longitude", "Tenure Type",
"Holding Type" (the use), "Occupied by the council or not", "Surplus", "Condition" and "LSOA".
Only the first two are required.

Every row is checked first. A bad row is reported on one line naming its row (the header is
row 1) and column; by default one bad row and nothing is imported; with --partial the good rows
are imported and the bad ones reported. An import creates records and updates only the ones
its own source created (`PublicAsset.import_source`): a record made in Opus, or by another
source, is never changed by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from opus.core.audit import audit_record
from opus.core.importers.base import (
    CellError,
    Column,
    CsvFile,
    ImportFailed,
    areas_by_code,
    find_column,
)
from opus.core.models import AreaKind, Organisation
from opus.engines.identifiers import normalise_postcode
from opus.neighbourhoods.models.assets import PublicAsset, Tenure

COMMAND = "import_land_assets"
MAX_REPORTED = 100
MAX_ROWS = 200_000

# key → (names the column goes by, required)
COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "reference": (
        ("Unique Asset Identity", "Unique Asset ID", "Asset ID", "Asset Reference"),
        True,
    ),
    "name": (
        ("Name of Building / Land", "Name of Building/Land", "Asset Name", "Property Name"),
        True,
    ),
    "street_number": (("Street Number", "Building Number"), False),
    "street_name": (("Street Name", "Street"), False),
    "town": (("Town", "Post Town"), False),
    "postcode": (("Post Code", "Postcode"), False),
    "uprn": (("UPRN",), False),
    "easting": (("Easting",), False),
    "northing": (("Northing",), False),
    "latitude": (("Latitude",), False),
    "longitude": (("Longitude",), False),
    "tenure": (("Tenure Type", "Tenure"), False),
    "use": (("Holding Type", "Use", "Asset Type"), False),
    "occupied": (("Occupied by the council or not", "Occupied"), False),
    "surplus": (("Surplus", "Surplus (Y/N)"), False),
    "condition": (("Condition",), False),
    "lsoa": (("LSOA", "LSOA code"), False),
}
YES = {"y", "yes", "true", "1", "occupied"}
NO = {"n", "no", "false", "0", "unoccupied", "not occupied", "vacant"}


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    left_alone: int = 0
    bad: list[str] = field(default_factory=list)


def _text(value: str, limit: int) -> str:
    text = " ".join(value.split())
    if len(text) > limit:
        raise ValueError(f"is longer than {limit} characters")
    return text


def _whole(value: str, high: int) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]+(\.0*)?", text) or int(float(text)) > high:
        raise ValueError(f"'{text}' is not a whole number from 0 to {high}")
    return int(float(text))


def _decimal(value: str, low: float, high: float) -> float | None:
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if not low <= number <= high:
        raise ValueError(f"'{text}' is not between {low} and {high}")
    return number


def _yes_no(value: str) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"'{value.strip()}' is not yes or no")


def _tenure(value: str) -> tuple[str, str]:
    text = " ".join(value.split())
    folded = text.lower()
    if "freehold" in folded:
        return Tenure.FREEHOLD, text
    if "leasehold" in folded or "lease" in folded:
        return Tenure.LEASEHOLD, text
    return Tenure.OTHER, text[:200]


class Command(BaseCommand):
    help = (
        "Import a council's land and building assets (the Local Government Transparency Code "
        "2015 land data, CSV) into the register of public land and buildings, owned by the "
        "organisation ORG_SLUG. Every row is checked first and each bad row reported on one "
        "line naming its row and column: by default nothing is imported when any row is bad; "
        "--partial imports the good rows. Records made in Opus or by another source are never "
        "changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the land and building assets CSV")
        parser.add_argument("--owner", required=True, help="the owning organisation's slug")
        parser.add_argument(
            "--partial", action="store_true", help="import the good rows even if some are bad"
        )
        parser.add_argument(
            "--source",
            default="",
            help="the name of this feed (default transparency-code:ORG_SLUG); an import "
            "updates only records its own source created",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = Organisation.objects.filter(slug=options["owner"]).first()
        if owner is None:
            raise CommandError(f"{COMMAND}: there is no organisation '{options['owner']}'")
        source_name = (options["source"] or f"transparency-code:{owner.slug}")[:100]
        source = CsvFile(options["file"], COMMAND)
        try:
            header = source.header()
            columns = {
                key: find_column(header, *names, required=required)
                for key, (names, required) in COLUMNS.items()
            }
            rows, bad = self._check(source, columns)
        except CellError as error:
            raise ImportFailed(source.describe(error)) from None
        for line in bad[:MAX_REPORTED]:
            self.stderr.write(line)
        if len(bad) > MAX_REPORTED:
            self.stderr.write(f"{COMMAND}: … and {len(bad) - MAX_REPORTED} more bad rows")
        if bad and not options["partial"]:
            raise CommandError(
                f"{COMMAND}: {source.name}: {len(bad)} bad row(s); nothing was imported "
                "(use --partial to import the good rows)"
            )
        report = self._write(source, owner, source_name, rows, len(bad))
        self.stdout.write(
            f"{COMMAND}: {source.name}: created {report.created}, updated {report.updated}, "
            f"left alone {report.left_alone} (not created by this source), bad rows {len(bad)}"
        )

    def _check(
        self, source: CsvFile, columns: dict[str, Column | None]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        good: list[dict[str, Any]] = []
        bad: list[str] = []
        seen: dict[str, int] = {}
        parsed: list[tuple[int, dict[str, Any]]] = []
        progress = tqdm(source.rows(), desc="Checking", unit=" rows", disable=None)
        for number, row in progress:
            if number > MAX_ROWS + 1:
                raise CellError(f"the file has more than {MAX_ROWS} rows", row=number)
            try:
                parsed.append((number, self._parse(number, row, columns)))
            except CellError as error:
                bad.append(source.describe(error))
                continue
        lsoa_column = columns["lsoa"]
        areas = areas_by_code(v["lsoa"] for _, v in parsed if v["lsoa"])
        for number, values in parsed:
            reference = values["reference"]
            if reference in seen:
                bad.append(
                    source.describe(
                        CellError(
                            f"'{reference}' is already used on row {seen[reference]}",
                            row=number,
                            column=columns["reference"].label if columns["reference"] else None,
                        )
                    )
                )
                continue
            seen[reference] = number
            code = values.pop("lsoa")
            if code:
                area = areas.get(code)
                if area is None or area.kind != AreaKind.LSOA:
                    bad.append(
                        source.describe(
                            CellError(
                                f"'{code}' is not an LSOA Opus knows",
                                row=number,
                                column=lsoa_column.label if lsoa_column else None,
                            )
                        )
                    )
                    continue
                values["lsoa"] = area
            good.append(values)
        bad.sort(key=lambda line: int(re.search(r"row (\d+)", line).group(1)))  # type: ignore[union-attr]
        return good, bad

    def _parse(
        self, number: int, row: list[str], columns: dict[str, Column | None]
    ) -> dict[str, Any]:
        def get(key: str) -> tuple[str, Column | None]:
            column = columns[key]
            return (row[column.index] if column else ""), column

        def run(key: str, parse: Any, *args: Any) -> Any:
            value, column = get(key)
            try:
                return parse(value, *args)
            except ValueError as exc:
                raise CellError(
                    str(exc), row=number, column=column.label if column else key
                ) from None

        values: dict[str, Any] = {
            "reference": run("reference", _text, 100),
            "name": run("name", _text, 300),
            "street_number": run("street_number", _text, 60),
            "street_name": run("street_name", _text, 200),
            "town": run("town", _text, 100),
            "uprn": run("uprn", lambda v: _uprn(v)),
            "easting": run("easting", _whole, 700_000),
            "northing": run("northing", _whole, 1_300_000),
            "latitude": run("latitude", _decimal, 49.0, 61.0),
            "longitude": run("longitude", _decimal, -9.0, 2.0),
            "use": run("use", _text, 200),
            "occupied_by_owner": run("occupied", _yes_no),
            "surplus": bool(run("surplus", _yes_no)),
            "condition": run("condition", _text, 200),
            "lsoa": run("lsoa", _text, 12).upper(),
        }
        for key in ("reference", "name"):
            if not values[key]:
                column = columns[key]
                raise CellError(
                    "the cell is empty", row=number, column=column.label if column else key
                )
        postcode, column = get("postcode")
        values["postcode"] = ""
        if postcode.strip():
            try:
                values["postcode"] = normalise_postcode(postcode)
            except ValueError as exc:
                raise CellError(
                    str(exc), row=number, column=column.label if column else ""
                ) from None
        values["tenure"], values["tenure_detail"] = _tenure(get("tenure")[0])
        return values

    def _write(
        self,
        source: CsvFile,
        owner: Organisation,
        source_name: str,
        rows: list[dict[str, Any]],
        bad: int,
    ) -> Report:
        report = Report()
        now = timezone.now()
        with transaction.atomic():
            existing = {
                a.reference: a for a in PublicAsset.objects.filter(owner=owner).select_for_update()
            }
            creating: list[PublicAsset] = []
            for values in tqdm(rows, desc="Importing", unit=" rows", disable=None):
                found = existing.get(values["reference"])
                if found is None:
                    creating.append(
                        PublicAsset(
                            owner=owner,
                            source=source.name[:300],
                            import_source=source_name,
                            created_at=now,
                            updated_at=now,
                            **values,
                        )
                    )
                elif found.import_source == source_name:
                    for key, value in values.items():
                        setattr(found, key, value)
                    found.source = source.name[:300]
                    found.updated_at = now
                    found.save()
                    report.updated += 1
                else:
                    report.left_alone += 1
            PublicAsset.objects.bulk_create(creating, batch_size=1000)
            report.created = len(creating)
            audit_record(
                actor=None,
                action="land_assets.import",
                object_type="file",
                object_id=source.name[:64],
                summary={
                    "file": source.name,
                    "sha256": source.sha256(),
                    "owner": owner.slug,
                    "source": source_name,
                    "created": report.created,
                    "updated": report.updated,
                    "left_alone": report.left_alone,
                    "bad_rows": bad,
                },
            )
        return report


def _uprn(value: str) -> str:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if text and not re.fullmatch(r"[0-9]{1,12}", text):
        raise ValueError(f"'{value.strip()}' is not a UPRN (a number of up to 12 digits)")
    return text
