"""The English Indices of Deprivation, File 7, into LSOA and local authority Areas.

Reads "File 7: all ranks, deciles and scores for the indices of deprivation,
and population denominators" as published by the Ministry of Housing,
Communities and Local Government (IoD2019, LSOA 2011 codes; the IoD2025 File 7,
LSOA 2021 codes, has the same columns and is read too). One row per LSOA. Opus
uses the LSOA code and name, the local authority district code and name, the
IMD score, rank and decile, and the seven domain scores; the other columns
(domain ranks and deciles, IDACI, IDAOPI, sub-domains, denominators) are left
alone.

Columns are found by how their published names begin, so the year in
"LSOA code (2011)" or "Local Authority District code (2019)" may differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from opus.core.importers.base import (
    BATCH_SIZE,
    CellError,
    Column,
    Importer,
    Outcome,
    areas_by_code,
    cell,
    find_column,
    parse_code,
    parse_number,
    parse_text,
    parse_whole,
    update_rows,
)
from opus.core.models import Area, AreaKind

# (key, the IoD2019 name, how every release's name begins)
IDENTITY_COLUMNS = (
    ("lsoa_code", "LSOA code (2011)", "LSOA code"),
    ("lsoa_name", "LSOA name (2011)", "LSOA name"),
    ("la_code", "Local Authority District code (2019)", "Local Authority District code"),
    ("la_name", "Local Authority District name (2019)", "Local Authority District name"),
)
IMD_SCORE = (
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Score",
)
IMD_RANK = (
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Rank",
)
IMD_DECILE = (
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    "Index of Multiple Deprivation (IMD) Decile",
)
# Keys as in models.IMD_DOMAINS.
DOMAIN_COLUMNS = (
    ("income", "Income Score (rate)", "Income Score"),
    ("employment", "Employment Score (rate)", "Employment Score"),
    ("education", "Education, Skills and Training Score", "Education, Skills and Training Score"),
    (
        "health",
        "Health Deprivation and Disability Score",
        "Health Deprivation and Disability Score",
    ),
    ("crime", "Crime Score", "Crime Score"),
    (
        "barriers",
        "Barriers to Housing and Services Score",
        "Barriers to Housing and Services Score",
    ),
    ("living_environment", "Living Environment Score", "Living Environment Score"),
)


@dataclass(frozen=True)
class ImdRow:
    lsoa_code: str
    lsoa_name: str
    la_code: str
    la_name: str
    score: float
    rank: int
    decile: int
    domains: dict[str, float]


def _column(headers: list[str], label: str, prefix: str) -> Column:
    """Found by its published beginning; reported missing under its IoD2019 name."""
    found = find_column(headers, prefix, prefix=True, required=False)
    if found is None:
        raise CellError("this column is missing; is this the right file?", row=1, column=label)
    return found


def imd_columns(headers: list[str]) -> dict[str, Column]:
    """The File 7 columns Opus reads, by key; CellError naming the first one missing."""
    columns = {key: _column(headers, label, prefix) for key, label, prefix in IDENTITY_COLUMNS}
    columns["score"] = _column(headers, *IMD_SCORE)
    columns["rank"] = _column(headers, *IMD_RANK)
    columns["decile"] = _column(headers, *IMD_DECILE)
    for key, label, prefix in DOMAIN_COLUMNS:
        columns[key] = _column(headers, label, prefix)
    return columns


def parse_imd_row(number: int, row: list[str], columns: dict[str, Column]) -> ImdRow:
    return ImdRow(
        lsoa_code=cell(number, row, columns["lsoa_code"], parse_code, kind="lsoa"),
        lsoa_name=cell(number, row, columns["lsoa_name"], parse_text),
        la_code=cell(number, row, columns["la_code"], parse_code, kind="la"),
        la_name=cell(number, row, columns["la_name"], parse_text),
        score=cell(number, row, columns["score"], parse_number),
        rank=cell(number, row, columns["rank"], parse_whole, low=1),
        decile=cell(number, row, columns["decile"], parse_whole, low=1, high=10),
        domains={
            key: cell(number, row, columns[key], parse_number) for key, _, _ in DOMAIN_COLUMNS
        },
    )


@dataclass
class ImdPlan:
    rows: list[ImdRow]
    authorities: dict[str, str]  # LAD code → name (the last row's spelling)


class ImdImporter(Importer):
    """Create or update each LSOA with its IMD score, rank, decile and domain scores.

    Each row's local authority district is created or renamed as a local
    authority Area. A new LSOA, or one with no parent, is put under its local
    authority; an LSOA that already has a parent (a ward) keeps it.
    """

    command = "import_imd"
    action = "geography.import_imd"

    def check(self) -> ImdPlan:
        columns = imd_columns(self.source.header())
        rows: list[ImdRow] = []
        seen: dict[str, int] = {}
        authorities: dict[str, str] = {}
        where: dict[str, tuple[int, Column]] = {}
        for number, raw in self.source.rows():
            row = parse_imd_row(number, raw, columns)
            if row.lsoa_code in seen:
                raise CellError(
                    f"'{row.lsoa_code}' appears twice; it is already on row {seen[row.lsoa_code]}",
                    row=number,
                    column=columns["lsoa_code"].label,
                )
            seen[row.lsoa_code] = number
            where.setdefault(row.lsoa_code, (number, columns["lsoa_code"]))
            where.setdefault(row.la_code, (number, columns["la_code"]))
            authorities[row.la_code] = row.la_name
            rows.append(row)
        self._check_kinds(rows, authorities, where)
        return ImdPlan(rows, authorities)

    @staticmethod
    def _check_kinds(
        rows: list[ImdRow], authorities: dict[str, str], where: dict[str, tuple[int, Column]]
    ) -> None:
        """A code already in Opus as another kind of area is refused, not silently changed."""
        wanted = {row.lsoa_code: AreaKind.LSOA for row in rows}
        wanted.update((code, AreaKind.LOCAL_AUTHORITY) for code in authorities)
        for code, area in areas_by_code(wanted, "kind").items():
            if area.kind != wanted[code]:
                number, column = where[code]
                raise CellError(
                    f"'{code}' is already in Opus as a {area.get_kind_display()}, "
                    f"not a {AreaKind(wanted[code]).label}",
                    row=number,
                    column=column.label,
                )

    def write(self, plan: ImdPlan) -> Outcome:
        outcome = Outcome()
        la_ids = self._write_authorities(plan.authorities, outcome)
        existing = areas_by_code(
            (row.lsoa_code for row in plan.rows),
            "name",
            "parent",
            "imd_score",
            "imd_rank",
            "imd_decile",
            "imd_domains",
        )
        new: list[Area] = []
        changed: list[Area] = []
        for row in plan.rows:
            area = existing.get(row.lsoa_code)
            if area is None:
                area = Area(code=row.lsoa_code, kind=AreaKind.LSOA)
                new.append(area)
            else:
                changed.append(area)
            area.name = row.lsoa_name
            area.imd_score = row.score
            area.imd_rank = row.rank
            area.imd_decile = row.decile
            area.imd_domains = row.domains
            if area.parent_id is None:
                area.parent_id = la_ids[row.la_code]
        Area.objects.bulk_create(new, batch_size=BATCH_SIZE)
        update_rows(
            changed, ["name", "parent", "imd_score", "imd_rank", "imd_decile", "imd_domains"]
        )
        outcome.created, outcome.updated = len(new), len(changed)
        outcome.details = {
            "lsoas_created": len(new),
            "lsoas_updated": len(changed),
            **outcome.details,
        }
        return outcome

    @staticmethod
    def _write_authorities(authorities: dict[str, str], outcome: Outcome) -> dict[str, int]:
        existing = areas_by_code(authorities, "name")
        new = [
            Area(code=code, name=name, kind=AreaKind.LOCAL_AUTHORITY)
            for code, name in authorities.items()
            if code not in existing
        ]
        renamed = [a for a in existing.values() if a.name != authorities[a.code]]
        for area in renamed:
            area.name = authorities[area.code]
        Area.objects.bulk_create(new, batch_size=BATCH_SIZE)
        update_rows(renamed, ["name"])
        outcome.details = {
            "local_authorities_created": len(new),
            "local_authorities_renamed": len(renamed),
        }
        return {code: area.pk for code, area in areas_by_code(authorities).items()}
