"""Small grants: a round, an application under the ceiling, a decision without conflicts, the
award and its payment through the council's ledger, the monitoring return, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from opus.budgets.models import Commitment, Transaction
from opus.core.models import Area, AreaKind, Role
from opus.neighbourhoods import grants
from opus.neighbourhoods.grants import GrantError
from opus.neighbourhoods.models import Declaration
from opus.neighbourhoods.models.grants import GrantApplication, GrantStatus
from opus.notifications.models import Notification
from opus.testing import create_area

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def grant_round(cast, hood_budget):
    return grants.grant_round_open(
        council=cast.parish,
        budget=hood_budget,
        title="Vale small grants 2026",
        ceiling_pence=1_000_00,
        opens_on=dt.date(2026, 11, 1),
        closes_on=dt.date(2027, 1, 31),
        by=cast.councillor,
    )


@pytest.fixture
def place(hood):
    ward = create_area(kind=AreaKind.WARD, name="Vale Ward", code="E05999001")
    lsoa = Area.objects.get(code="E01999001")
    lsoa.parent = ward
    lsoa.save(update_fields=["parent"])
    return lsoa


def apply(cast, grant_round, place, amount=750_00):
    return grants.grant_apply(
        grant_round=grant_round,
        group=cast.charity,
        title="Lunch club",
        description="A weekly lunch for older neighbours",
        amount_pence=amount,
        place=place,
        by=cast.provider,
        today=TODAY,
    )


@pytest.fixture
def application(cast, grant_round, place):
    return apply(cast, grant_round, place)


def award(cast, application, by=None):
    return grants.grant_decide(
        application=application,
        award=True,
        reason="Meets the round's aims",
        by=by or cast.councillor,
        today=TODAY,
    )


def test_an_application_up_to_the_ceiling_is_taken(cast, application):
    assert application.status == GrantStatus.SUBMITTED
    assert application.amount_pence == 750_00


@pytest.mark.parametrize("amount", [1_000_01, 0, -5, 10**18])
def test_an_amount_over_the_ceiling_or_not_positive_is_refused_and_nothing_saved(
    cast, grant_round, place, amount
):
    with pytest.raises(GrantError) as refused:
        apply(cast, grant_round, place, amount=amount)
    assert refused.value.field == "amount"
    assert not GrantApplication.objects.exists()


def test_a_closed_round_takes_no_application(cast, grant_round, place):
    with pytest.raises(GrantError):
        grants.grant_apply(
            grant_round=grant_round, group=cast.charity, title="Late", description="x",
            amount_pence=100_00, place=place, by=cast.provider, today=dt.date(2027, 2, 1),
        )  # fmt: skip
    assert not GrantApplication.objects.exists()


def test_only_a_member_of_the_group_applies(cast, grant_round, place):
    for person in (cast.resident, cast.stranger, cast.councillor):
        with pytest.raises(PermissionDenied):
            grants.grant_apply(
                grant_round=grant_round, group=cast.charity, title="Mine", description="x",
                amount_pence=100_00, place=place, by=person, today=TODAY,
            )  # fmt: skip


def test_only_the_councils_councillors_open_a_round(cast, hood_budget):
    for person in (cast.resident, cast.provider, cast.stranger, cast.auditor):
        with pytest.raises(PermissionDenied):
            grants.grant_round_open(
                council=cast.parish, budget=hood_budget, title="Mine", ceiling_pence=100_00,
                opens_on=TODAY, closes_on=TODAY, by=person,
            )  # fmt: skip


def test_a_councillor_who_declared_an_interest_cannot_decide(cast, application):
    grants.grant_declare_interest(
        application=application, interest="My sister chairs the group", by=cast.councillor
    )
    assert Declaration.objects.get().item == application.link
    with pytest.raises(GrantError, match="interest"):
        award(cast, application)
    application.refresh_from_db()
    assert application.status == GrantStatus.SUBMITTED
    assert not Commitment.objects.filter(link=application.link).exists()


def test_a_councillor_who_belongs_to_the_group_cannot_decide(cast, application):
    from opus.core.services import membership_grant

    membership_grant(user=cast.councillor, organisation=cast.charity, role=Role.PROVIDER, by=None)
    with pytest.raises(GrantError, match="interest"):
        award(cast, application)


def test_a_councillor_of_another_council_cannot_decide(cast, application, other_councillor):
    with pytest.raises(PermissionDenied):
        award(cast, application, by=other_councillor)
    for person in (cast.resident, cast.provider, cast.commissioner, cast.auditor):
        with pytest.raises(PermissionDenied):
            award(cast, application, by=person)


def test_award_commits_pay_moves_the_money_through_the_ledger(cast, application, capsys):
    awarded = award(cast, application)
    assert awarded.status == GrantStatus.AWARDED
    commitment = awarded.commitment
    assert commitment.provider == cast.charity
    assert commitment.total_pence == 750_00 and commitment.link == application.link
    budget = commitment.budget
    budget.refresh_from_db()
    assert budget.committed_pence == 750_00
    notice = Notification.objects.get(recipient=cast.provider)
    assert "£750" in notice.body and "Lunch club" in notice.subject

    payment = grants.grant_pay(application=awarded, reference="BACS-001", by=cast.councillor)
    awarded.refresh_from_db()
    budget.refresh_from_db()
    assert awarded.status == GrantStatus.PAID and awarded.payment == payment
    assert isinstance(payment, Transaction)
    assert budget.paid_pence == 750_00 and budget.committed_pence == 0
    call_command("ledger_verify", "--history")
    assert "transactions" in capsys.readouterr().out

    with pytest.raises(GrantError):
        grants.grant_pay(application=awarded, reference="BACS-002", by=cast.councillor)


def test_a_declined_application_commits_nothing(cast, application):
    declined = grants.grant_decide(
        application=application, award=False, reason="Outside the round", by=cast.councillor
    )
    assert declined.status == GrantStatus.DECLINED
    assert declined.commitment is None
    assert not Commitment.objects.filter(link=application.link).exists()
    with pytest.raises(GrantError):
        award(cast, declined)


def test_a_decision_needs_a_reason(cast, application):
    with pytest.raises(GrantError) as refused:
        grants.grant_decide(application=application, award=True, reason=" ", by=cast.councillor)
    assert refused.value.field == "reason"


def test_the_group_sends_a_monitoring_return_after_payment(cast, application):
    with pytest.raises(GrantError):
        grants.grant_monitor(
            application=application, spent_pence=1, people_reached=1, summary="x",
            by=cast.provider,
        )  # fmt: skip
    grants.grant_pay(application=award(cast, application), reference="B1", by=cast.councillor)
    with pytest.raises(GrantError):
        grants.grant_monitor(
            application=application, spent_pence=750_01, people_reached=30, summary="Lunches",
            by=cast.provider,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        grants.grant_monitor(
            application=application, spent_pence=700_00, people_reached=30, summary="Lunches",
            by=cast.resident,
        )  # fmt: skip
    done = grants.grant_monitor(
        application=application, spent_pence=700_00, people_reached=30, summary="Lunches",
        by=cast.provider,
    )  # fmt: skip
    assert done.application.monitoring == done


def test_an_application_is_seen_by_the_group_and_the_council_only(cast, client, application):
    url = f"/neighbourhoods/grants/{application.pk}/"
    for person, status in (
        (cast.provider, 200),
        (cast.councillor, 200),
        (cast.commissioner, 200),
        (cast.auditor, 200),
        (cast.resident, 404),
        (cast.stranger, 404),
    ):
        client.force_login(person)
        assert client.get(url).status_code == status, person
    client.logout()
    assert client.get(url).status_code == 404


def test_the_published_list_shows_awarded_grants_only(cast, client, grant_round, place):
    awarded = award(cast, apply(cast, grant_round, place))
    other = apply(cast, grant_round, place, amount=200_00)
    GrantApplication.objects.filter(pk=other.pk).update(title="Still waiting")
    page = client.get("/neighbourhoods/grants/").content.decode()
    assert awarded.title in page and "£750" in page
    assert "Still waiting" not in page


def test_grants_per_head_by_deprivation_decile(cast, client, grant_round, place, hood):
    Area.objects.filter(code="E01999001").update(imd_decile=1, population=1_000)
    Area.objects.filter(code="E01999002").update(imd_decile=10, population=3_000)
    award(cast, apply(cast, grant_round, place))  # £750 in the decile-1 LSOA
    shared = grants.grant_apply(
        grant_round=grant_round, group=cast.charity, title="Vale fair", description="x",
        amount_pence=400_00, place=hood, by=cast.provider, today=TODAY,
    )  # fmt: skip
    award(cast, shared)  # £400 for the whole neighbourhood: £100 and £300 by population
    rows = {r["decile"]: r for r in grants.grants_by_decile(hood)}
    assert rows[1]["pence"] == 850_00 and rows[1]["pence_per_head"] == 85.0
    assert rows[10]["pence"] == 300_00 and rows[10]["pence_per_head"] == 10.0
    assert rows[5]["population"] == 0 and rows[5]["pence_per_head"] is None
    assert grants.grants_by_decile(None)[0]["pence"] == 850_00
    page = client.get("/neighbourhoods/grants/deciles/", {"council": cast.parish.slug})
    assert page.status_code == 200 and "£0.85" in page.content.decode()
