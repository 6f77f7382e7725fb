"""A feed's own categories mapped to Opus's needs; needs suggested for services without any."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.models import AuditEvent
from opus.directory import needs_mapping
from opus.directory.models import NeedMapping, Service, SuggestedNeed, TaxonomyTerm
from opus.directory.needs_mapping import (
    Mapper,
    MappingFileError,
    MappingRow,
    needs_for_imported,
    needs_for_links,
    read_rows,
    shipped_rows,
)
from opus.directory.taxonomy import TAXONOMY_ID

FEED = Path(__file__).parent / "data" / "oruk1_placecube.json"
ESD = "esdServiceTypes"


def sid(n: int) -> uuid.UUID:
    return uuid.UUID(f"5e100000-0000-4000-8000-{n:012d}")


# The tables


def test_every_shipped_row_names_an_opus_need_and_every_leaf_need_is_reachable():
    rows = shipped_rows()
    assert rows and all(r.need in needs_mapping.NEED_CODES for r in rows)
    assert set(needs_mapping.LEAF_NEEDS) <= {r.need for r in rows}


def test_a_feed_term_maps_by_code_or_label_ignoring_case_spaces_and_apostrophes():
    table = Mapper(shipped_rows())
    assert table.needs([(ESD, "esdServiceTypes:281", "Befriending services")]) == ["befriending"]
    assert table.needs([("LGA service list", "", "  befriending   SERVICES ")]) == ["befriending"]
    assert table.needs([("esd service list", "", "Carers\u2019 support")]) == ["carers-advice"]
    assert table.needs([("Open Eligibility", "", "government benefits")]) == ["benefits-advice"]
    assert table.needs([(ESD, "", "Flying lessons")]) == []
    assert table.needs([("Somebody else's list", "", "Befriending services")]) == []


def test_related_rows_count_only_when_no_exact_row_maps_the_service():
    table = Mapper(shipped_rows())
    advice = ("ORUK deliverable type", "Advice", "Advice")
    assert table.needs([advice]) == ["information"]
    assert table.needs([advice, (ESD, "esd-120", "Welfare benefits advice")]) == ["benefits-advice"]


def test_a_councils_rows_replace_the_shipped_rows_for_the_same_code_or_label():
    council = [
        MappingRow(ESD, "281", "", "lunch-clubs", "exact"),
        MappingRow("esd service list", "", "befriending services", "social-isolation", "exact"),
    ]
    table = Mapper(shipped_rows(), council)
    assert table.needs([(ESD, "esdServiceTypes:281", "Whatever")]) == ["lunch-clubs"]
    assert table.needs([(ESD, "", "Befriending services")]) == ["social-isolation"]
    assert table.needs([(ESD, "", "Lunch clubs")]) == ["lunch-clubs"]  # the rest kept


def test_a_bad_mapping_file_names_every_bad_row_and_gives_none():
    text = (
        "# a council's rows\n"
        "scheme,code,label,need,match\n"
        "esdServiceTypes,281,,befriending,exact\n"
        ",1,,befriending,exact\n"
        "esdServiceTypes,,,befriending,exact\n"
        "esdServiceTypes,3,,flying,exact\n"
        "esdServiceTypes,4,,befriending,maybe\n"
        "esdServiceTypes,5,,befriending\n"
        "esdServiceTypes,281,,befriending,exact\n"
    )
    with pytest.raises(MappingFileError) as error:
        read_rows(text, name="ours.csv")
    assert error.value.lines == [
        "ours.csv row 3: scheme is empty",
        "ours.csv row 4: give a code or a label",
        "ours.csv row 5: need 'flying' is not an Opus need code",
        "ours.csv row 6: match 'maybe' must be exact or related",
        "ours.csv row 7: 4 columns, expected 5",
        "ours.csv row 8: repeats an earlier row",
    ]
    with pytest.raises(MappingFileError, match="first row must be the columns"):
        read_rows("a,b\n", name="x.csv")


# The command


@pytest.mark.django_db
def test_load_need_mappings_loads_a_councils_rows_which_then_win(tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text("scheme,code,label,need,match\nesdServiceTypes,281,,lunch-clubs,exact\n")
    out = StringIO()
    call_command("load_need_mappings", str(path), stdout=out)
    assert "1 rows loaded" in out.getvalue()
    assert NeedMapping.objects.get().scheme == "esd-services"
    assert needs_mapping.mapper().needs([(ESD, "esdServiceTypes:281", "Befriending services")]) == [
        "lunch-clubs"
    ]
    event = AuditEvent.objects.get(action="directory.need_mappings_load")
    assert event.summary["rows"] == 1

    path.write_text("scheme,code,label,need,match\nesdServiceTypes,281,,befriending,exact\n")
    call_command("load_need_mappings", str(path), stdout=StringIO())
    assert list(NeedMapping.objects.values_list("need", flat=True)) == ["befriending"]


@pytest.mark.django_db
def test_load_need_mappings_with_a_bad_row_loads_nothing_and_says_why(tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text(
        "scheme,code,label,need,match\nesdServiceTypes,281,,lunch-clubs,exact\nx,1,,nope,exact\n"
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("load_need_mappings", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == (
        "load_need_mappings: ours.csv row 3: need 'nope' is not an Opus need code"
    )
    assert not NeedMapping.objects.exists()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_need_mappings", str(tmp_path / "missing.csv"))


# Imported services


def _import(path: Path) -> list[uuid.UUID]:
    call_command("import_oruk", str(path), "--partial", stdout=StringIO(), stderr=StringIO())
    return list(Service.objects.values_list("pk", flat=True))


def _needs(service_id: uuid.UUID) -> set[str]:
    return set(
        Service.objects.get(pk=service_id)
        .terms.filter(taxonomy_id=TAXONOMY_ID)
        .values_list("code", flat=True)
    )


@pytest.mark.django_db
def test_the_placecube_feed_gets_needs_for_80_percent_and_suggestions_for_the_rest():
    ids = _import(FEED)
    summary = needs_for_imported(ids, source="oruk1_placecube")

    assert (summary.services, summary.with_needs, summary.awaiting_review) == (10, 8, 2)
    assert summary.with_needs / summary.services >= 0.8
    assert _needs(sid(2)) == {"lunch-clubs", "meals"}  # esd "Lunch clubs", deliverable "Meals"
    assert _needs(sid(7)) == {"benefits-advice", "information"}  # and deliverable "Information"
    assert _needs(sid(12)) == {"community-transport"}  # deliverable type "Transport"
    assert _needs(sid(10)) == {"home-adaptations"}  # "Practical support", related
    assert _needs(sid(8)) == set()  # the Men's Shed has no categories: only suggestions
    suggested = {
        s.service_id: s.term.code
        for s in SuggestedNeed.objects.select_related("term").order_by("-score")
    }
    assert suggested[sid(9)] == "dementia-support"  # Memory Café
    assert SuggestedNeed.objects.filter(service_id=sid(8), term__code="social-isolation").exists()
    event = AuditEvent.objects.get(action="directory.needs_for_imported")
    assert event.summary["with_needs"] == 8 and event.summary["source"] == "oruk1_placecube"


@pytest.mark.django_db
def test_mapping_again_changes_nothing_and_a_rejected_suggestion_is_not_made_again():
    ids = _import(FEED)
    needs_for_imported(ids, source="feed")
    rows = SuggestedNeed.objects.count()
    SuggestedNeed.objects.filter(service_id=sid(9)).update(status="rejected")
    terms = Service.terms.through.objects.count()
    events = AuditEvent.objects.count()

    again = needs_for_imported(ids, source="feed")

    assert (again.mapped, again.suggestions_created) == (0, 0)
    assert Service.terms.through.objects.count() == terms
    assert SuggestedNeed.objects.count() == rows
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded
    assert again.awaiting_review == 1  # the Men's Shed; the café's were all rejected


@pytest.mark.django_db
def test_a_writer_planning_terms_gets_the_mapped_needs_with_them():
    ids = _import(FEED)
    lunch = Service.objects.get(pk=sid(2))
    feed_terms = [t.pk for t in lunch.terms.exclude(taxonomy_id=TAXONOMY_ID)]
    planned = needs_for_links({lunch.pk: feed_terms})
    needs = TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID, code__in=["lunch-clubs", "meals"])
    assert planned[lunch.pk][: len(feed_terms)] == feed_terms
    assert set(planned[lunch.pk][len(feed_terms) :]) == {n.pk for n in needs}
    assert lunch.pk in ids


@pytest.mark.django_db
def test_a_council_sized_feed_has_needs_on_80_percent_of_its_services(tmp_path):
    from opus.directory.tests.test_import_oruk1 import council_feed

    feed = tmp_path / "council.json"
    feed.write_text(json.dumps(council_feed(740)))
    ids = _import(feed)

    summary = needs_for_imported(ids, source="council")

    # 74 copies of the ten good Placecube records, one (with needs) rejected: 591 of 739
    # (80.0% less one record) have needs from their own categories, and every other one has
    # a suggestion waiting for review.
    assert (summary.services, summary.with_needs, summary.awaiting_review) == (739, 591, 148)
    assert summary.with_needs / summary.services > 0.79
    assert summary.with_needs + summary.awaiting_review == summary.services
