"""The councillor's dashboard: casework waiting, money, grant decisions, assets and their
clocks, the neighbourhood's needs (small numbers hidden) and good practice for councillors."""

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from opus.core.models import AreaKind, Role
from opus.knowledge import services as knowledge
from opus.needs.models import Assessment, AssessmentStatus, Priority, Result, pack
from opus.neighbourhoods import casework
from opus.neighbourhoods.templatetags.councillor import neighbourhood_needs
from opus.testing import create_area, create_indicator, create_member, create_organisation

pytestmark = pytest.mark.django_db


def _dashboard(client, user):
    client.force_login(user)
    return client.get(reverse("core:dashboard_role", args=["councillor"])).content.decode()


def test_the_dashboard_shows_the_councils_casework_money_and_guidance(cast, client, hood_budget):
    casework.case_raise(
        council=cast.parish, resident=cast.resident, subject="Broken lamp", details="x",
        by=cast.resident,
    )  # fmt: skip
    hill = create_organisation(name="Hill Council", kind="neighbourhood_council")
    casework.case_raise(
        council=hill, resident=cast.resident, subject="Hill bins", details="x", by=cast.resident
    )
    entry = knowledge.entry_create(
        title="Running a ward budget", organisation=cast.charity, kind="case_study",
        summary="How one council did it", body="x", audiences=["councillors"], by=cast.provider,
    )  # fmt: skip
    knowledge.entry_publish(
        entry=knowledge.entry_submit(entry=entry, by=cast.provider), by=cast.admin
    )
    page = _dashboard(client, cast.councillor)
    assert "Casework waiting" in page and "Broken lamp" in page
    assert "Hill bins" not in page
    assert reverse("neighbourhoods:council_money", args=[cast.parish.slug]) in page
    assert reverse("neighbourhoods:council_manage", args=[cast.parish.slug]) in page
    assert hood_budget.title in page
    assert "No grant applications are waiting for a decision." in page
    assert "Running a ward budget" in page


def test_a_councillor_of_no_neighbourhood_council_is_told_so(cast, client):
    other = create_member(Role.COUNCILLOR, cast.council, full_name="Lou")
    page = _dashboard(client, other)
    assert "not yet a councillor or clerk of a neighbourhood council" in page


def test_the_neighbourhoods_needs_come_from_the_newest_published_assessment(cast, hood):
    ward = create_area(kind=AreaKind.WARD, name="Vale Ward", code="E05999001")
    la = create_area(kind=AreaKind.LOCAL_AUTHORITY, name="Testshire", code="E06999001")
    ward.parent = la
    ward.save(update_fields=["parent"])
    for lsoa in hood.lsoas.all():
        lsoa.parent = ward
        lsoa.save(update_fields=["parent"])
    assert neighbourhood_needs(hood)["assessment"] is None
    assessment = Assessment.objects.create(
        title="Testshire JSNA", area=la, period="2025/26", status=AssessmentStatus.PUBLISHED,
        published_at=timezone.now(),
    )  # fmt: skip
    lonely = create_indicator(source_agency=cast.council)
    few = create_indicator(source_agency=cast.council, name="Rare")
    for rank, indicator, (x, n) in ((1, lonely, (300, 1000)), (2, few, (2, 10))):
        Priority.objects.create(
            assessment=assessment, indicator=indicator, rank=rank, group="Deprivation",
            label=f"{indicator.name} is high", people_affected=100,
        )  # fmt: skip
        table = {
            "codes": np.array([hood.code, "E99000009"]),
            "names": np.array(["Vale", "Other"]),
            "numerator": np.array([x, 500.0]),
            "denominator": np.array([n, 1000.0]),
            "value": np.array([x / n * 100, 50.0]),
            "vs_parent": np.array([1, 0]),
        }
        Result.objects.create(
            assessment=assessment, indicator=indicator, level="neighbourhood", table=pack(table)
        )
    found = neighbourhood_needs(hood)
    assert found["assessment"] == assessment
    first, second = found["needs"]
    assert first["priority"].label == "Loneliness is high"
    assert first["compared"] == "Worse" and not first["suppressed"]
    assert second["suppressed"] and second["value"] is None
