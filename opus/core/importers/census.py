"""Census 2021 topic summaries (TS007, TS007A, TS021, TS038) onto LSOA Areas.

Reads the LSOA files of the ONS Census 2021 bulk downloads, as published by
Nomis (https://www.nomisweb.co.uk/sources/census_2021_bulk: census2021-ts007a.zip
holds census2021-ts007a-lsoa.csv, and so on). Their columns are "date",
"geography", "geography code", then one column per category, named
"<Topic>: <category>" or "<Topic>: <group>: <category>"; some downloads add
"; measures: Value" to each name, which is ignored.

- TS007A (age, five-year bands: "Age: Aged 4 years and under", "Age: Aged 5 to
  9 years", …, "Age: Aged 85 years and over") and TS007 (age by single year:
  "Age: Aged under 1 year", "Age: Aged 1 year", …, "Age: Aged 100 years and
  over", interleaved with subtotals such as "Age: Aged 10 to 15 years", which
  are passed over) become the 19 bands of the European Standard Population 2013
  (0–4 … 85–89, 90+). TS007A stops at 85 and over, so everyone 85 or older is
  counted in the 85–89 band and 90+ is 0; the command says so.
  Topic summaries are not split by sex. Each band's total is split between
  male and female in the proportion the Area already holds for that band,
  rounded half up, the female count taking the remainder so the two always add
  up to the total; where the Area holds no split for a band (or no split at
  all) it is halved, the extra person of an odd total counted as female.
  Area.population becomes the sum of the bands.
- TS021 (ethnic group) and TS038 (disability): the detailed categories, those
  named "<Topic>: <group>: <category>" other than the totals, go into
  Area.ethnic_groups or Area.disability as {"<group>: <category>": count}
  (19 for TS021, 4 for TS038). Totals and the high-level groups are passed over.

Every geography code must already be an LSOA in Opus (run import_imd first);
otherwise the file is refused, unless skip_unknown is set, when those rows
are passed over and counted.

The age-band arithmetic (age_interval, plan_age_bands, apply_age_plan,
map_age_bands, split_by_sex) is plain Python with no database, to be tested
on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from opus.core.importers.base import (
    CellError,
    Column,
    Importer,
    Outcome,
    cell,
    find_column,
    parse_code,
    parse_whole,
    update_rows,
)
from opus.core.models import AGE_BANDS, Area, AreaKind

TABLES = {
    "TS007": "Age by single year of age",
    "TS007A": "Age by five-year age bands",
    "TS021": "Ethnic group",
    "TS038": "Disability",
}
TOPIC_TABLES = {"ethnic group": "TS021", "disability": "TS038"}
TOPIC_FIELDS = {"TS021": "ethnic_groups", "TS038": "disability"}
GEOGRAPHY_COLUMNS = ("date", "geography", "geography code")
OPEN_BAND = len(AGE_BANDS) - 1  # 90+
STOPS_AT_85_NOTE = (
    "{table} stops at 'Aged 85 years and over': everyone aged 85 or over is counted in the "
    "85-89 band and the 90+ band is set to 0."
)


# Labels


_MEASURES = re.compile(r";\s*measures:\s*value$", re.IGNORECASE)


def census_label(header: str) -> str:
    """'Age: Total; measures: Value' → 'Age: Total'."""
    return _MEASURES.sub("", " ".join(header.split())).strip()


def split_label(label: str) -> tuple[str, str]:
    """'Ethnic group: White: Irish' → ('Ethnic group', 'White: Irish')."""
    topic, _, category = label.partition(":")
    return topic.strip(), " ".join(category.split())


def is_total(category: str) -> bool:
    return category.casefold().startswith("total")


def is_detailed(category: str) -> bool:
    """'White: Irish' is a detailed category; 'White' (a group) and 'Total: …' are not."""
    return ":" in category and not is_total(category)


# Ages: the pure arithmetic


_AGE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^aged under (\d+) years?$"), "under"),
    (re.compile(r"^aged (\d+) years? and under$"), "and under"),
    (re.compile(r"^aged (\d+) to (\d+) years?$"), "to"),
    (re.compile(r"^aged (\d+) years? and over$"), "and over"),
    (re.compile(r"^aged (\d+) years?$"), "single"),
)


def age_interval(category: str) -> tuple[int, int | None]:
    """'Aged 5 to 9 years' → (5, 9); 'Aged 85 years and over' → (85, None); else ValueError."""
    text = " ".join(category.split()).casefold()
    for pattern, form in _AGE_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        numbers = [int(n) for n in match.groups()]
        if form == "under":
            return 0, numbers[0] - 1
        if form == "and under":
            return 0, numbers[0]
        if form == "to" and numbers[0] <= numbers[1]:
            return numbers[0], numbers[1]
        if form == "and over":
            return numbers[0], None
        if form == "single":
            return numbers[0], numbers[0]
    raise ValueError(f"'{category}' is not an age band Opus can read, like 'Aged 5 to 9 years'")


def is_single_year(category: str) -> bool:
    """True for 'Aged 7 years' and 'Aged under 1 year', the columns only TS007 has."""
    try:
        low, high = age_interval(category)
    except ValueError:
        return False
    return low == high


def _contains(outer: tuple[int, int | None], inner: tuple[int, int | None]) -> bool:
    (a, b), (c, d) = outer, inner
    outer_end = float("inf") if b is None else b
    inner_end = float("inf") if d is None else d
    return outer != inner and a <= c and inner_end <= outer_end


@dataclass(frozen=True)
class AgePlan:
    """Which source column goes into which of the 19 bands."""

    columns: tuple[tuple[str, int], ...]  # (category, band index)
    stops_at_85: bool  # the source's last column is 85 and over


def plan_age_bands(categories: Sequence[str]) -> AgePlan:
    """Choose the finest age columns that together count every age once, and band them.

    `categories` are the age columns without the "Age: " prefix; totals are
    ignored. A column that contains another (a subtotal such as "Aged 10 to 15
    years" beside the single years) is passed over. The columns left must run
    from 0 with no gap or overlap to an open-ended "and over", each inside one
    five-year band; an open "85 and over" goes into 85-89 (stops_at_85).
    Raises ValueError otherwise.
    """
    spans = {c: age_interval(c) for c in categories if not is_total(c)}
    if not spans:
        raise ValueError("there are no age columns")
    finest = [c for c, span in spans.items() if not any(_contains(span, o) for o in spans.values())]
    finest.sort(key=lambda c: spans[c][0])
    columns: list[tuple[str, int]] = []
    stops_at_85 = False
    expected: int | None = 0
    for category in finest:
        low, high = spans[category]
        if expected is None or low != expected:
            raise ValueError(
                f"the age columns do not count each age exactly once (at '{category}')"
            )
        band, stops = _band(category, low, high)
        stops_at_85 = stops_at_85 or stops
        columns.append((category, band))
        expected = None if high is None else high + 1
    if expected is not None:
        raise ValueError(f"no age column counts people aged {expected} and over")
    return AgePlan(tuple(columns), stops_at_85)


def _band(category: str, low: int, high: int | None) -> tuple[int, bool]:
    band = min(low // 5, OPEN_BAND)
    if high is None:
        if low >= 90:
            return OPEN_BAND, False
        if low == 85:
            return band, True
        raise ValueError(f"'{category}' is open-ended below 85, so it fits none of the 19 bands")
    if min(high // 5, OPEN_BAND) != band:
        raise ValueError(f"'{category}' spans more than one of the 19 five-year bands")
    return band, False


def apply_age_plan(plan: AgePlan, counts: Mapping[str, int]) -> list[int]:
    """The 19 band totals from one row's counts by category."""
    bands = [0] * len(AGE_BANDS)
    for category, band in plan.columns:
        bands[band] += counts[category]
    return bands


def map_age_bands(counts: Mapping[str, int]) -> tuple[list[int], bool]:
    """{category: count} (TS007 or TS007A) → (19 band totals, whether 85+ was put in 85-89)."""
    plan = plan_age_bands(list(counts))
    return apply_age_plan(plan, counts), plan.stops_at_85


def split_by_sex(
    totals: Sequence[int], male: Sequence[int] | None, female: Sequence[int] | None
) -> tuple[list[int], list[int]]:
    """Split each band total by the existing male/female proportion of that band, or in half.

    Male is total × male / (male + female) rounded half up; female is the rest,
    so the two always add up to the total. A band with no existing people (or
    no existing split of the right length) is halved, an odd person going to
    female.
    """
    usable = (
        male is not None
        and female is not None
        and len(male) == len(totals)
        and len(female) == len(totals)
    )
    men: list[int] = []
    women: list[int] = []
    for i, total in enumerate(totals):
        m, f = (int(male[i]), int(female[i])) if usable else (0, 0)
        if m >= 0 and f >= 0 and m + f > 0:
            share = (2 * total * m + (m + f)) // (2 * (m + f))
        else:
            share = total // 2
        men.append(share)
        women.append(total - share)
    return men, women


# The importer


@dataclass
class CensusPlan:
    table: str
    rows: list[tuple[int, dict[str, int], int | None]]  # (area id, {category: count}, total)
    age_plan: AgePlan | None
    unknown: int


def detect_table(categories: Sequence[tuple[str, str]]) -> str | None:
    """TS007, TS007A, TS021 or TS038 from (topic, category) pairs; None if none of those."""
    topics = {topic.casefold() for topic, _ in categories}
    if len(topics) != 1:
        return None
    topic = topics.pop()
    if topic == "age":
        singles = any(is_single_year(c) for _, c in categories)
        return "TS007" if singles else "TS007A"
    return TOPIC_TABLES.get(topic)


class CensusImporter(Importer):
    """Load one Census 2021 topic summary (LSOA level) onto the LSOA Areas already in Opus."""

    command = "import_census"
    action = "geography.import_census"

    def __init__(
        self,
        path: str | Path,
        *,
        table: str | None = None,
        skip_unknown: bool = False,
        progress: bool = False,
    ) -> None:
        super().__init__(path, progress=progress)
        self.table = table.upper() if table else None
        self.skip_unknown = skip_unknown

    def _categories(self, headers: list[str]) -> list[tuple[Column, str, str]]:
        """(column, topic, category) for every column after the geography ones."""
        found = []
        for index, header in enumerate(headers):
            if header.casefold() in GEOGRAPHY_COLUMNS:
                continue
            label = census_label(header)
            topic, category = split_label(label)
            if not category:
                raise CellError(
                    "this is not a Census topic column like 'Age: Total'", row=1, column=header
                )
            found.append((Column(header, index), topic, category))
        return found

    def _table(self, categories: list[tuple[Column, str, str]]) -> str:
        detected = detect_table([(topic, category) for _, topic, category in categories])
        if detected is None:
            raise CellError(
                "these columns are not those of TS007, TS007A, TS021 or TS038 "
                "(Census 2021 topic summaries as published by Nomis)",
                row=1,
            )
        if self.table is not None and self.table != detected:
            raise CellError(
                f"the columns are those of {detected} ({TABLES[detected]}), not {self.table}",
                row=1,
            )
        return detected

    def _age_plan(self, categories: list[tuple[Column, str, str]]) -> AgePlan:
        for column, _, category in categories:
            if not is_total(category):
                try:
                    age_interval(category)
                except ValueError as exc:
                    raise CellError(str(exc), row=1, column=column.label) from None
        try:
            return plan_age_bands([category for _, _, category in categories])
        except ValueError as exc:
            raise CellError(str(exc), row=1) from None

    def check(self) -> CensusPlan:
        headers = self.source.header()
        code_column = find_column(headers, "geography code")
        assert code_column is not None  # required=True raises instead of returning None
        categories = self._categories(headers)
        table = self._table(categories)
        age_plan = self._age_plan(categories) if table in ("TS007", "TS007A") else None
        total_category = next((cat for _, _, cat in categories if is_total(cat)), None)
        used = (
            {category for category, _ in age_plan.columns}
            if age_plan
            else {category for _, _, category in categories if is_detailed(category)}
        )
        known = dict(Area.objects.filter(kind=AreaKind.LSOA).values_list("code", "id"))
        rows: list[tuple[int, dict[str, int], int | None]] = []
        seen: dict[str, int] = {}
        unknown = 0
        for number, raw in self.source.rows():
            code = cell(number, raw, code_column, parse_code, kind="lsoa")
            counts = {
                category: cell(number, raw, column, parse_whole, low=0)
                for column, _, category in categories
            }
            if code in seen:
                raise CellError(
                    f"'{code}' appears twice; it is already on row {seen[code]}",
                    row=number,
                    column=code_column.label,
                )
            seen[code] = number
            if code not in known:
                if self.skip_unknown:
                    unknown += 1
                    continue
                raise CellError(
                    f"'{code}' is not an LSOA in Opus; import the LSOAs first (import_imd)",
                    row=number,
                    column=code_column.label,
                )
            total = counts[total_category] if total_category else None
            rows.append((known[code], {c: n for c, n in counts.items() if c in used}, total))
        return CensusPlan(table, rows, age_plan, unknown)

    def write(self, plan: CensusPlan) -> Outcome:
        outcome = Outcome(updated=len(plan.rows), skipped=plan.unknown)
        outcome.details["table"] = plan.table
        if plan.age_plan is not None:
            self._write_ages(plan, plan.age_plan, outcome)
        else:
            field_name = TOPIC_FIELDS[plan.table]
            areas = []
            for area_id, counts, _ in plan.rows:
                area = Area(pk=area_id)
                setattr(area, field_name, counts)
                areas.append(area)
            update_rows(areas, [field_name])
        if plan.unknown:
            outcome.notes.append(
                f"{plan.unknown} rows were passed over because their geography code is not "
                "an LSOA in Opus."
            )
        return outcome

    def _write_ages(self, plan: CensusPlan, age_plan: AgePlan, outcome: Outcome) -> None:
        ids = [area_id for area_id, _, _ in plan.rows]
        existing: dict[int, Area] = {}
        for start in range(0, len(ids), 500):
            query = Area.objects.filter(pk__in=ids[start : start + 500])
            existing.update(
                (a.pk, a) for a in query.only("id", "population_male", "population_female")
            )
        mismatched = 0
        areas = []
        for area_id, counts, total in plan.rows:
            area = existing[area_id]
            bands = apply_age_plan(age_plan, counts)
            area.population_male, area.population_female = split_by_sex(
                bands, area.population_male, area.population_female
            )
            area.population = sum(bands)
            mismatched += total is not None and total != area.population
            areas.append(area)
        update_rows(areas, ["population", "population_male", "population_female"])
        if age_plan.stops_at_85:
            outcome.notes.append(STOPS_AT_85_NOTE.format(table=plan.table))
            outcome.details["ages"] = "85+ counted in 85-89"
        if mismatched:
            outcome.details["rows_whose_bands_differ_from_the_total"] = mismatched
            outcome.notes.append(
                f"{mismatched} rows have age bands that do not add up to their 'Total' column; "
                "their population is the sum of the bands."
            )
