"""Every page renders for the roles it is for, on the demo world, and refuses the others."""

import pytest
from django.test import Client
from django.urls import reverse

from opus.commissioning.models import (
    Award,
    Bid,
    CommissioningPlan,
    Consortium,
    Contract,
    Opportunity,
    OpportunityStatus,
)
from opus.core.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _client(email=None):
    client = Client()
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def _ok(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_pages_render_for_their_roles(demo_world):
    awarded = Opportunity.objects.get(status=OpportunityStatus.AWARDED)
    open_one = Opportunity.objects.filter(status=OpportunityStatus.PUBLISHED).last()
    plan = CommissioningPlan.objects.get()
    contract = Contract.objects.first()
    public = [
        reverse("commissioning:opportunity_list"),
        reverse("commissioning:opportunity_list") + "?q=befriending&closed=1",
        awarded.get_absolute_url(),
        open_one.get_absolute_url(),
        reverse("commissioning:plan_list"),
        plan.get_absolute_url(),
        reverse("commissioning:contract_list"),
        contract.get_absolute_url(),
        reverse("commissioning:diversity"),
        reverse("commissioning:diversity_csv"),
        "/api/v1/opportunities",
        f"/api/v1/opportunities/{awarded.pk}",
        "/api/v1/contracts",
    ]
    anonymous = _client()
    for url in public:
        _ok(anonymous, url)
    cora = _client("commissioner@demo.opus.test")
    for url in [
        reverse("commissioning:commissioner_home"),
        reverse("commissioning:plan_new"),
        reverse("commissioning:decision_new", args=[plan.pk]),
        reverse("commissioning:opportunity_new"),
        reverse("commissioning:value_tables"),
        reverse("commissioning:evaluation", args=[awarded.pk]),
        reverse("commissioning:contract_sign", args=[Award.objects.first().pk]),
        reverse("commissioning:oversight"),
    ]:
        _ok(cora, url)
    evaluation = _ok(cora, reverse("commissioning:evaluation", args=[awarded.pk]))
    assert "Agreed: " in evaluation and "Synthetic demo answer" in evaluation
    lead = _client("staff.age-well-northvale@demo.opus.test")
    home = _ok(lead, reverse("commissioning:provider_home"))
    assert "has been successful" in home or "has not been successful" in home
    bid = Bid.objects.filter(bidder__slug="age-well-northvale").first()
    assert bid.receipt_sha256 in _ok(lead, reverse("commissioning:bid_receipt", args=[bid.uuid]))
    consortium = Consortium.objects.filter(lead__slug="age-well-northvale").first()
    _ok(lead, reverse("commissioning:consortium_detail", args=[consortium.pk]))
    _ok(lead, reverse("commissioning:bid_new", args=[open_one.pk]))
    _ok(_client("auditor@demo.opus.test"), reverse("commissioning:oversight"))
    _ok(_client("auditor@demo.opus.test"), reverse("commissioning:evaluation", args=[awarded.pk]))


def test_staff_pages_refuse_other_roles(demo_world):
    awarded = Opportunity.objects.get(status=OpportunityStatus.AWARDED)
    for email in (
        "resident@demo.opus.test",
        "provider@demo.opus.test",
        "councillor@demo.opus.test",
    ):
        client = _client(email)
        for name, args in [
            ("commissioner_home", []),
            ("opportunity_new", []),
            ("evaluation", [awarded.pk]),
            ("oversight", []),
        ]:
            _ok(client, reverse(f"commissioning:{name}", args=args), 404)
    _ok(_client("resident@demo.opus.test"), reverse("commissioning:provider_home"), 404)
