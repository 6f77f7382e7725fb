"""Every service that writes checks who is asking, whatever called it (page, API, command).

The write matrix (test_write_matrix.py) tries the pages and the API; here the services are
called directly by the wrong people, as a new page or command that forgot its gate would:
each refuses with PermissionDenied and changes nothing; the right people are not refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opus.budgets import services as budgets
from opus.choice import services as choice
from opus.choice.models import ConsentScope
from opus.commissioning import services as commissioning
from opus.commissioning.tests.helpers import bid, open_opportunity, opportunity_fields
from opus.core import services as core
from opus.core.models import Role
from opus.core.tests.test_write_matrix import fingerprint
from opus.directory import services as directory
from opus.directory.models import LocationType, TaxonomyTerm
from opus.needs import services as needs
from opus.needs.models import Priority
from opus.testing import (
    create_area,
    create_consent,
    create_indicator,
    create_member,
    create_organisation,
)
from opus.testing import create_service as make_service

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def people(cast: Any) -> dict[str, Any]:
    """The cast, the two champions (view-only and acting consent), a provider elsewhere."""
    viewer = create_member(Role.CHAMPION, cast.charity, full_name="Vic Viewer")
    create_consent(person=cast.resident, champion=cast.champion)
    create_consent(person=cast.resident, champion=viewer, scope=ConsentScope.FIND)
    elsewhere = create_member(Role.PROVIDER, create_organisation(name="Elsewhere Trust"))
    return {
        "resident": cast.resident,
        "champion_view": viewer,
        "champion_act": cast.champion,
        "provider": cast.provider,
        "other_provider": elsewhere,
        "commissioner": cast.commissioner,
        "councillor": cast.councillor,
        "auditor": cast.auditor,
        "admin": cast.admin,
        "stranger": cast.stranger,
    }


ALL = (
    "resident",
    "champion_view",
    "champion_act",
    "provider",
    "other_provider",
    "commissioner",
    "councillor",
    "auditor",
    "admin",
    "stranger",
)
STAFF = ("commissioner", "admin")
SERVICE_EDITORS = ("provider", "admin")  # Priya works for Good Neighbours, the service's owner
HOLDER_SIDE = ("resident", "champion_act")

# --- Each write, ready to be called by someone ---------------------------------------------

Act = Callable[[Any], Any]


def _service(cast: Any) -> Any:
    return make_service(name="Tea and talk", organisation=cast.charity)


def _location(cast: Any) -> Any:
    return directory.location_create(
        organisation=cast.charity,
        by=None,
        location_type=LocationType.PHYSICAL,
        name="Hall",
        address_1="1 High Street",
        city="Testtown",
        postal_code="TE1 1ST",
    )


def _indicator(cast: Any) -> Any:
    return create_indicator(source_agency=cast.charity)


def _assessment(cast: Any) -> Any:
    return needs.assessment_create(
        title="Needs",
        area=create_area(),
        period="2025/26",
        indicators=[_indicator(cast)],
        partners=[],
        by=None,
    )


def _priority(cast: Any) -> Any:
    assessment = _assessment(cast)
    return Priority.objects.create(
        assessment=assessment,
        indicator=assessment.indicators.first(),
        rank=1,
        group="Deprivation",
        label="Loneliness",
        people_affected=10.0,
    )


def _booking_args(cast: Any, service: Any) -> dict[str, Any]:
    directory.service_set_cost(service=service, amount_pence=15_00, unit="hour", option="", by=None)
    return {
        "person": cast.resident,
        "service": service,
        "units_per_week": Decimal("1"),
        "start_date": TODAY,
        "message": "",
        "needs": [],
        "circumstances": [],
    }


def _draft_opportunity(cast: Any) -> Any:
    from opus.commissioning.tests.helpers import value_table

    fields = opportunity_fields(cast, value_table(cast), timezone.now())
    return commissioning.opportunity_create(by=None, **fields)


def _closed_opportunity(cast: Any) -> Any:
    past = timezone.now() - dt.timedelta(days=30)
    return open_opportunity(cast, now=past)


def _clarification(cast: Any) -> Any:
    return commissioning.clarification_ask(
        opportunity=open_opportunity(cast),
        question="Is travel paid?",
        organisation=cast.charity,
        by=cast.provider,
    )


def _build(case: str, cast: Any) -> Act:  # noqa: C901, PLR0911, PLR0912 - one case a branch
    n = uuid.uuid4().hex[:8]
    # core
    if case == "core.organisation_update":
        return lambda by: core.organisation_update(
            organisation=cast.charity, by=by, description=f"Changed {n}"
        )
    if case == "core.membership_grant":
        return lambda by: core.membership_grant(
            user=cast.stranger, organisation=cast.council, role=Role.COMMISSIONER, by=by
        )
    if case == "core.user_create":
        return lambda by: core.user_create(
            email=f"new-{uuid.uuid4().hex[:8]}@example.test", full_name="New", password=None, by=by
        )
    if case == "core.api_token_revoke":
        token, _ = core.api_token_create(user=cast.resident, name="laptop")
        return lambda by: core.api_token_revoke(token=token, by=by)
    # directory
    if case == "directory.service_create":
        return lambda by: directory.service_create(
            organisation=cast.charity, by=by, name=f"New {n}", description="New service"
        )
    if case == "directory.service_update":
        service = _service(cast)
        return lambda by: directory.service_update(service=service, by=by, name=f"Renamed {n}")
    if case == "directory.service_mark_reviewed":
        service = _service(cast)
        return lambda by: directory.service_mark_reviewed(service=service, by=by)
    if case == "directory.service_set_terms":
        service = _service(cast)
        terms = list(TaxonomyTerm.objects.all()[:2])
        return lambda by: directory.service_set_terms(service=service, terms=terms, by=by)
    if case == "directory.service_set_languages":
        service = _service(cast)
        return lambda by: directory.service_set_languages(service=service, codes=["cy"], by=by)
    if case == "directory.service_set_cost":
        service = _service(cast)
        return lambda by: directory.service_set_cost(
            service=service, amount_pence=1_00, unit="hour", option="", by=by
        )
    if case == "directory.service_set_schedule":
        service = _service(cast)
        return lambda by: directory.service_set_schedule(
            service=service, byday=["MO"], opens_at=dt.time(9), closes_at=dt.time(12), by=by
        )
    if case == "directory.location_create":
        return lambda by: directory.location_create(
            organisation=cast.charity,
            by=by,
            location_type=LocationType.PHYSICAL,
            name=f"Hall {n}",
            address_1="2 High Street",
            city="Testtown",
            postal_code="TE1 1ST",
        )
    if case == "directory.location_update":
        location = _location(cast)
        return lambda by: directory.location_update(location=location, by=by, name=f"Room {n}")
    if case == "directory.service_set_locations":
        service, location = _service(cast), _location(cast)
        return lambda by: directory.service_set_locations(
            service=service, locations=[location], by=by
        )
    # needs
    if case == "needs.indicator_create":
        return lambda by: create_indicator(
            by=by, slug=f"new-{n}", name="New", source_agency=cast.charity
        )
    if case == "needs.assessment_create":
        area, indicator = create_area(), _indicator(cast)
        return lambda by: needs.assessment_create(
            title=f"New {n}", area=area, period="2025/26", indicators=[indicator], partners=[],
            by=by,
        )  # fmt: skip
    if case == "needs.priority_annotate":
        priority = _priority(cast)
        return lambda by: needs.priority_annotate(priority=priority, note=f"Look {n}", by=by)
    if case == "needs.assessment_publish":
        assessment = _assessment(cast)
        return lambda by: needs.assessment_publish(assessment=assessment, summary="S", by=by)
    if case == "needs.dataset_upload":
        indicator = _indicator(cast)
        return lambda by: needs.dataset_upload(
            indicator=indicator, agency=cast.charity, period="2025/26", content=b"",
            file_name="x.csv", by=by,
        )  # fmt: skip
    # choice
    if case == "choice.shortlist_add":
        service = _service(cast)
        return lambda by: choice.shortlist_add(person=cast.resident, service=service, by=by)
    if case == "choice.shortlist_remove":
        service = _service(cast)
        choice.shortlist_add(person=cast.resident, service=service, by=cast.resident)
        return lambda by: choice.shortlist_remove(person=cast.resident, service=service, by=by)
    if case == "choice.booking_request":
        args = _booking_args(cast, _service(cast))
        return lambda by: choice.booking_request(by=by, **args)
    if case == "choice.consent_withdraw":
        consent = create_consent(person=cast.resident, champion=cast.champion)
        return lambda by: choice.consent_withdraw(consent=consent, by=by)
    # budgets
    if case == "budgets.commit_booking":
        service = make_service(name="Lunch", organisation=cast.charity)
        booking = choice.booking_request(by=cast.resident, **_booking_args(cast, service))
        choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
        budgets.budget_create(
            person=cast.resident, title="Rosa's budget", period_start=TODAY,
            period_end=TODAY + dt.timedelta(days=300),
            sources=[("social_care", cast.council, 1_000_00)], by=cast.commissioner,
        )  # fmt: skip
        return lambda by: budgets.commit_booking(booking=booking, by=by)
    # commissioning: commissioners' side
    if case == "commissioning.plan_create":
        area = create_area()
        return lambda by: commissioning.plan_create(
            title=f"Plan {n}", commissioner=cast.council, area=area, period="2027/28", by=by
        )
    if case == "commissioning.value_table_load":
        from opus.commissioning.tests.helpers import TABLE

        return lambda by: commissioning.value_table_load(
            owner=cast.council, name=f"T {n}", source="Tests", content=TABLE.read_bytes(),
            illustrative=True, by=by,
        )  # fmt: skip
    if case == "commissioning.opportunity_create":
        from opus.commissioning.tests.helpers import value_table

        fields = opportunity_fields(cast, value_table(cast), timezone.now())
        return lambda by: commissioning.opportunity_create(by=by, **fields)
    if case == "commissioning.opportunity_publish":
        draft = _draft_opportunity(cast)
        return lambda by: commissioning.opportunity_publish(opportunity=draft, by=by)
    if case == "commissioning.clarification_answer":
        clarification = _clarification(cast)
        return lambda by: commissioning.clarification_answer(
            clarification=clarification, answer="Yes", by=by
        )
    if case == "commissioning.bids_open":
        closed = _closed_opportunity(cast)
        return lambda by: commissioning.bids_open(opportunity=closed, by=by)
    if case == "commissioning.panel_add":
        closed = _closed_opportunity(cast)
        return lambda by: commissioning.panel_add(opportunity=closed, user=cast.commissioner, by=by)
    if case == "commissioning.evaluation_compute":
        closed = _closed_opportunity(cast)
        return lambda by: commissioning.evaluation_compute(opportunity=closed, by=by)
    # commissioning: providers' side
    if case == "commissioning.consortium_create":
        opportunity = open_opportunity(cast)
        return lambda by: commissioning.consortium_create(
            opportunity=opportunity, name=f"C {n}", lead=cast.charity, work="Visits",
            work_share=100, value_share=100, by=by,
        )  # fmt: skip
    if case == "commissioning.bid_submit":
        opportunity = open_opportunity(cast)
        return lambda by: bid(opportunity, cast.charity, by)
    if case == "commissioning.bid_withdraw":
        sent = bid(open_opportunity(cast), cast.charity, cast.provider)
        return lambda by: commissioning.bid_withdraw(bid=sent, by=by)
    if case == "commissioning.saved_search_delete":
        search = commissioning.saved_search_create(user=cast.provider, name="Mine", filters={})
        return lambda by: commissioning.saved_search_delete(search=search, by=by)
    raise AssertionError(case)


# case → (who may not, who may)
CASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "core.organisation_update": (
        tuple(r for r in ALL if r not in SERVICE_EDITORS),
        SERVICE_EDITORS,
    ),
    "core.membership_grant": (tuple(r for r in ALL if r != "admin"), ("admin",)),
    "core.user_create": (tuple(r for r in ALL if r != "admin"), ("admin",)),
    "core.api_token_revoke": (
        tuple(r for r in ALL if r not in ("resident", "admin")),
        ("resident", "admin"),
    ),
    **{
        f"directory.{name}": (tuple(r for r in ALL if r not in SERVICE_EDITORS), SERVICE_EDITORS)
        for name in (
            "service_create",
            "service_update",
            "service_mark_reviewed",
            "service_set_terms",
            "service_set_languages",
            "service_set_cost",
            "service_set_schedule",
            "location_create",
            "location_update",
            "service_set_locations",
        )
    },
    **{
        f"needs.{name}": (tuple(r for r in ALL if r not in STAFF), STAFF)
        for name in (
            "indicator_create",
            "assessment_create",
            "priority_annotate",
            "assessment_publish",
        )
    },
    "needs.dataset_upload": (
        tuple(r for r in ALL if r not in ("provider", "admin")),
        ("provider",),
    ),
    **{
        f"choice.{name}": (tuple(r for r in ALL if r not in HOLDER_SIDE), HOLDER_SIDE)
        for name in ("shortlist_add", "shortlist_remove", "booking_request")
    },
    "choice.consent_withdraw": (
        tuple(r for r in ALL if r not in HOLDER_SIDE),
        HOLDER_SIDE,  # the resident, or the champion stepping back
    ),
    "budgets.commit_booking": (
        ("champion_view", "other_provider", "auditor", "councillor", "stranger"),
        ("resident", "champion_act", "provider", "commissioner", "admin"),
    ),
    **{
        f"commissioning.{name}": (tuple(r for r in ALL if r not in STAFF), STAFF)
        for name in (
            "plan_create",
            "value_table_load",
            "opportunity_create",
            "opportunity_publish",
            "clarification_answer",
            "bids_open",
            "panel_add",
            "evaluation_compute",
        )
    },
    **{
        f"commissioning.{name}": (tuple(r for r in ALL if r != "provider"), ("provider",))
        for name in ("consortium_create", "bid_submit", "bid_withdraw", "saved_search_delete")
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_service_refuses_whoever_may_not_write(cast, case):
    who = people(cast)
    act = _build(case, cast)
    forbidden, _ = CASES[case]
    for role in forbidden:
        before = fingerprint()
        with pytest.raises(PermissionDenied):
            act(who[role])
        assert fingerprint() == before, f"{case} by {role} changed something"


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_service_does_not_refuse_whoever_may_write(cast, case):
    who = people(cast)
    for role in CASES[case][1]:
        act = _build(case, cast)
        try:
            act(who[role])
        except PermissionDenied as refused:  # pragma: no cover - what the test is for
            pytest.fail(f"{case} refused {role}: {refused}")
        except Exception:  # noqa: BLE001, S110 - any other objection is about the data
            pass


# Services that already refused with their app's own error (a message for the form).
ENTRY = {
    "kind": "case_study",
    "summary": "What we learnt",
    "body": "We learnt a lot.",
    "audiences": ["providers"],
}


def _own_error_cases(cast: Any) -> dict[str, tuple[Act, type[Exception], tuple[str, ...]]]:
    from opus.choice.services import ChoiceError
    from opus.knowledge import services as knowledge
    from opus.knowledge.services import EntryError

    def draft() -> Any:
        return knowledge.entry_create(
            title=f"Tea {uuid.uuid4().hex[:6]}", organisation=cast.charity, by=cast.provider,
            **ENTRY,
        )  # fmt: skip

    def submitted() -> Any:
        return knowledge.entry_submit(entry=draft(), by=cast.provider)

    one_draft, one_submitted = draft(), submitted()
    booking = choice.booking_request(by=cast.resident, **_booking_args(cast, _service(cast)))
    not_writers = ("resident", "champion_act", "councillor", "auditor", "admin", "stranger")
    return {
        "knowledge.entry_create": (
            lambda by: knowledge.entry_create(
                title="New", organisation=cast.charity, by=by, **ENTRY
            ),
            EntryError,
            (*not_writers, "other_provider", "commissioner"),
        ),
        "knowledge.entry_update": (
            lambda by: knowledge.entry_update(
                entry=one_draft, title="Changed", organisation=cast.charity, by=by, **ENTRY
            ),
            EntryError,
            (*not_writers, "other_provider", "commissioner"),
        ),
        "knowledge.entry_submit": (
            lambda by: knowledge.entry_submit(entry=one_draft, by=by),
            EntryError,
            (*not_writers, "other_provider", "commissioner"),
        ),
        "knowledge.entry_publish": (
            lambda by: knowledge.entry_publish(entry=one_submitted, by=by),
            EntryError,
            ("resident", "champion_act", "provider", "councillor", "auditor", "stranger"),
        ),
        "knowledge.entry_return": (
            lambda by: knowledge.entry_return(entry=one_submitted, by=by, reason="More"),
            EntryError,
            ("resident", "champion_act", "provider", "councillor", "auditor", "stranger"),
        ),
        "choice.booking_decide": (
            lambda by: choice.booking_decide(booking=booking, accept=True, reason="", by=by),
            ChoiceError,
            (*not_writers[:-2], "other_provider", "commissioner", "stranger"),
        ),
    }


OWN_ERROR_CASES = (
    "knowledge.entry_create",
    "knowledge.entry_update",
    "knowledge.entry_submit",
    "knowledge.entry_publish",
    "knowledge.entry_return",
    "choice.booking_decide",
)


@pytest.mark.parametrize("case", OWN_ERROR_CASES)
def test_services_with_their_own_refusal_refuse_whoever_may_not_write(cast, case):
    who = people(cast)
    act, error, forbidden = _own_error_cases(cast)[case]
    for role in forbidden:
        before = fingerprint()
        with pytest.raises((PermissionDenied, error)):
            act(who[role])
        assert fingerprint() == before, f"{case} by {role} changed something"


def test_the_system_itself_still_writes_without_a_person():
    """Seeding and imports act as no one (by=None) and are not refused."""
    organisation = create_organisation(name="Seeded")
    directory.service_create(organisation=organisation, by=None, name="S", description="D")


def test_awards_contracts_returns_and_consortia_refuse_the_wrong_person(cast):
    """The later steps of a procurement, called directly on the write matrix's world."""
    from opus.core.tests.test_write_matrix import build_world

    w = build_world(cast)
    who = people(cast)
    lot, ally = w.award.lot, create_organisation(name="Ally")
    kpis = [{"name": "Visits", "measure": "Made", "target": "95", "frequency": "quarterly"}]
    staff_only: dict[str, Act] = {
        "award_decide": lambda by: commissioning.award_decide(
            lot=lot, bid_lot=lot.bid_lots.first(), reasons="Best", by=by
        ),
        "award_reverse": lambda by: commissioning.award_reverse(
            award=w.award, reason="Mistake", by=by
        ),
        "contract_sign": lambda by: commissioning.contract_sign(
            award=w.award, kpis=kpis, by=by, now=w.award.standstill_ends
        ),
    }
    suppliers_only: dict[str, Act] = {
        "kpi_return_submit": lambda by: commissioning.kpi_return_submit(
            kpi_return=w.kpi_return, value="97", note="", by=by
        ),
        "consortium_invite": lambda by: commissioning.consortium_invite(
            consortium=w.consortium,
            organisation=ally,
            work="Calls",
            work_share=10,
            value_share=10,
            by=by,
        ),  # fmt: skip
        "consortium_respond": lambda by: commissioning.consortium_respond(
            member=w.invitation, confirm=True, by=by
        ),
    }
    for name, act in {**staff_only, **suppliers_only}.items():
        allowed = STAFF if name in staff_only else ("provider",)
        for role in (r for r in ALL if r not in allowed):
            before = fingerprint()
            with pytest.raises(PermissionDenied):
                act(who[role])
            assert fingerprint() == before, f"{name} by {role} changed something"
