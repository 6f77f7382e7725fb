"""The write matrix: every state-changing page and API operation, tried by every role.

The routes come from the URL resolver and the API's OpenAPI document, not from a list kept
by hand: a new POST route or API write that is missing from the expectations below fails
the test until someone says who may use it. For every role that may not write there, the
answer is a refusal (sign-in redirect, 403 or 404; problem+json 401/403/404 from the API)
and nothing in the database changed (row counts of every Opus table and the audit events
that record changes). For every role that may, the answer is not a refusal.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from opus.budgets import invoices
from opus.budgets import services as budgets
from opus.budgets.models import RasVersion
from opus.choice import services as choice
from opus.choice.acting import SESSION_KEY
from opus.choice.models import ConsentScope
from opus.commissioning import services as commissioning
from opus.commissioning.models import BidLot, KpiReturn
from opus.commissioning.tests.helpers import bid, open_opportunity, provider
from opus.core.invitations import invitation_create
from opus.core.models import AuditEvent, Role
from opus.core.services import api_token_create
from opus.directory import services as directory
from opus.directory.models import SuggestedNeed, TaxonomyTerm
from opus.knowledge import services as knowledge
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

# --- The cast ------------------------------------------------------------------------------

R, CV, CA, P = "resident", "champion_view", "champion_act", "provider"
C, CO, AU, AD = "commissioner", "councillor", "auditor", "admin"
S, AN = "stranger", "anonymous"
ROLES = (R, CV, CA, P, C, CO, AU, AD, S, AN)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {AN}
FINANCE = frozenset({C, AD})
HOLDER_SIDE = frozenset({R, CA})  # the resident, and a champion with consent to act

# --- Who may write where: one line per state-changing page ---------------------------------

WEB_WRITES: dict[str, frozenset[str]] = {
    # core
    "core:sign_in": EVERYONE,
    "core:sign_out": EVERYONE,
    "core:password_reset": EVERYONE,
    "core:password_reset_confirm": EVERYONE,
    "core:account": SIGNED_IN,  # a token for oneself
    "core:api_token_revoke": frozenset({R}),  # the resident's own token
    "core:organisation_edit": frozenset({P, AD}),  # Good Neighbours, Priya's employer
    "core:audit_verify_start": frozenset({AU, AD}),
    # core: people and organisations (administrators); links that anyone may follow
    "core:role_grant": frozenset({AD}),
    "core:role_revoke": frozenset({AD}),
    "core:account_deactivate": frozenset({AD}),
    "core:account_reactivate": frozenset({AD}),
    "core:invitation_new": frozenset({AD}),
    "core:invitation_resend": frozenset({AD}),
    "core:invitation_revoke": frozenset({AD}),
    "core:organisation_decide": frozenset({AD}),
    "core:invitation_accept": EVERYONE,  # the link's secret decides (a dead one: a clear page)
    "core:sign_up": EVERYONE,
    "core:signup_verify": EVERYONE,
    "core:organisation_register": EVERYONE,
    # two-factor sign-in: one's own (a pending sign-in gives its code before it is signed in)
    "core:two_factor_verify": SIGNED_IN,
    "core:two_factor_start": SIGNED_IN,
    "core:two_factor_setup": SIGNED_IN,
    "core:two_factor_codes_new": SIGNED_IN,
    "core:two_factor_disable": SIGNED_IN,
    "core:two_factor_reset": frozenset({AD}),  # someone else's, who lost their phone
    # allocation: social value (tables and commitments: staff; delivery: also the supplier)
    "allocation:sv_table_upload": FINANCE,
    "allocation:sv_ledger_new": FINANCE,
    "allocation:sv_line_add": FINANCE,
    "allocation:sv_evidence_add": frozenset({P, C, AD}),  # Good Neighbours holds the contract
    "allocation:sv_study_new": frozenset({P, C, AD}),
    "allocation:sv_answer_add": frozenset({P, C, AD}),
    "allocation:sv_answer_link": EVERYONE,  # a participant's own answer: the link decides
    # needs
    "needs:assessment_new": FINANCE,
    "needs:indicator_new": FINANCE,
    "needs:upload": frozenset({P, C, AD}),  # for an organisation they work for
    "needs:assessment_compute": FINANCE,
    "needs:assessment_publish": FINANCE,
    "needs:priority_note": FINANCE,
    "needs:delegation_grant": frozenset({P}),  # staff of the indicator's owner, Good Neighbours
    "needs:delegation_revoke": frozenset({P}),
    # directory
    "directory:service_new": frozenset({P}),  # for a provider they work for
    "directory:service_review": frozenset({P, AD}),
    "directory:service_section": frozenset({P, AD}),
    "directory:needs_review_decide": frozenset({P, AD}),  # Priya's service's suggestion
    "directory:needs_review_check": frozenset({P, AD}),  # changes nothing: check your answers
    "directory:needs_review_bulk": frozenset({P, AD}),
    # choice
    "choice:question": EVERYONE,  # answers live in the session
    "choice:shortlist_add": HOLDER_SIDE,
    "choice:shortlist_remove": HOLDER_SIDE,
    "choice:choose": HOLDER_SIDE,
    "choice:decide": frozenset({P}),  # the service's staff (an admin answers nobody's requests)
    "choice:consent": frozenset({R}),
    "choice:consent_withdraw": frozenset({R}),
    "choice:act_for": frozenset({CV, CA}),
    "choice:act_stop": SIGNED_IN,
    # knowledge
    "knowledge:entry_new": frozenset({P, C}),
    "knowledge:entry_edit": frozenset({P}),  # the author
    "knowledge:entry_submit": frozenset({P}),
    "knowledge:entry_publish": FINANCE,  # moderators
    "knowledge:entry_return": FINANCE,
    # budgets
    "budgets:budget_new": FINANCE,
    "budgets:ras_new": FINANCE,
    "budgets:ras_assess": FINANCE,
    "budgets:correct": FINANCE,
    "budgets:deliver": frozenset({P}),  # on the provider's page (the API lets admins too)
    "budgets:pay": FINANCE,
    "budgets:release": frozenset({R, C, AD}),
    "budgets:plan": HOLDER_SIDE | FINANCE,
    "budgets:plan_agree": FINANCE,
    "budgets:close": FINANCE,
    "budgets:commit": HOLDER_SIDE | FINANCE,
    "budgets:money": FINANCE,
    "budgets:invoice_new": frozenset({P}),
    "budgets:invoice_decide": FINANCE,
    "budgets:invoices_pay": FINANCE,
    # commissioning: providers
    "commissioning:bid_new": frozenset({P}),
    "commissioning:bid_withdraw": frozenset({P}),
    "commissioning:clarification_ask": frozenset({P}),
    "commissioning:consortium_new": frozenset({P}),
    "commissioning:consortium_detail": frozenset({P}),
    "commissioning:consortium_respond": frozenset({P}),
    "commissioning:saved_search_save": frozenset({P}),
    "commissioning:saved_search_delete": frozenset({P}),
    "commissioning:kpi_return_submit": frozenset({P}),
    # commissioning: commissioners
    "commissioning:plan_new": FINANCE,
    "commissioning:decision_new": FINANCE,
    "commissioning:plan_publish": FINANCE,
    "commissioning:opportunity_new": FINANCE,
    "commissioning:opportunity_publish": FINANCE,
    "commissioning:clarification_answer": FINANCE,
    "commissioning:bids_open": FINANCE,
    "commissioning:award_reverse": FINANCE,
    "commissioning:contract_sign": FINANCE,
    "commissioning:contract_service": FINANCE,
    "commissioning:value_tables": FINANCE,
    "commissioning:panel_add": FINANCE,
    "commissioning:conflict_declare": frozenset({C}),  # panel members
    "commissioning:score": frozenset({C}),
    "commissioning:scores_submit": frozenset({C}),
    "commissioning:moderate": frozenset({C}),  # the panel's moderator
    "commissioning:evaluation_compute": FINANCE,
    "commissioning:award_decide": FINANCE,
    # neighbourhoods: assets of community value
    "neighbourhoods:asset_nominate": frozenset({P, CO}),  # for their group or council
    "neighbourhoods:asset_decide": FINANCE,  # officers of the listing authority
    "neighbourhoods:asset_review": FINANCE,
    "neighbourhoods:asset_notice": FINANCE,
    "neighbourhoods:asset_bidder": frozenset({P, CO, C, AD}),  # groups, or officers for them
    "neighbourhoods:asset_exempt": FINANCE,
    # neighbourhoods: participatory budgeting (officers are the council's councillors)
    "neighbourhoods:pb_propose": SIGNED_IN,  # anyone signed in (the form answers)
    "neighbourhoods:pb_vote": SIGNED_IN,  # eligibility is checked by the form
    "neighbourhoods:pb_paper": frozenset({CO, AD}),
    "neighbourhoods:pb_step": frozenset({CO, AD}),
    "neighbourhoods:pb_new": frozenset({CO}),  # a councillor of the council
    "neighbourhoods:pb_review": frozenset({CO, AD}),
    "neighbourhoods:pb_void": frozenset({CO, AD}),
    "neighbourhoods:pb_delivery": frozenset({CO, AD}),
    "neighbourhoods:pb_photo_add": frozenset({CO, AD}),
    # neighbourhoods: small grants (officers are the council's councillors; groups apply)
    "neighbourhoods:grant_round_new": frozenset({CO, AD}),
    "neighbourhoods:grant_apply": frozenset({CV, CA, P}),  # members of a charity or group
    "neighbourhoods:grant_decide": frozenset({CO, AD}),
    "neighbourhoods:grant_declare": frozenset({CO}),  # a councillor of the council
    "neighbourhoods:grant_pay": frozenset({CO, AD}),
    "neighbourhoods:grant_monitor": frozenset({CV, CA, P}),  # the group's members
    # neighbourhoods: casework (private: the resident's side, the council's councillors and clerk)
    "neighbourhoods:case_new": HOLDER_SIDE,
    "neighbourhoods:case_start": frozenset({CO}),
    "neighbourhoods:case_refer": frozenset({CO}),
    "neighbourhoods:case_answer": frozenset({CO}),
    "neighbourhoods:case_close": HOLDER_SIDE | {CO},
    # neighbourhoods: council business (officers: the council's councillors, its clerk, admins)
    "neighbourhoods:council_meeting_new": frozenset({CO, AD}),
    "neighbourhoods:council_decide": frozenset({CO, AD}),
    "neighbourhoods:council_minutes": frozenset({CO, AD}),
    "neighbourhoods:council_declare": frozenset({CO}),  # a councillor of the council
    "neighbourhoods:grant_offer_open": frozenset({CO, AD}),
    # voice: complaints (private: the complainant's side, the body's staff)
    "voice:complaint_new": HOLDER_SIDE,
    "voice:complaint_escalate": HOLDER_SIDE,
    "voice:complaint_act": frozenset({P}),  # staff of Good Neighbours, the body
    # notifications
    "notifications:preferences": SIGNED_IN,  # one's own choices
    # allocation: fair shares runs (commissioners and administrators)
    "allocation:formula_new": FINANCE,
    "allocation:formula_edit": FINANCE,  # saves a new version
    "allocation:run_new": FINANCE,
    "allocation:run_publish": FINANCE,  # check answers first; publishing funds the councils
    # voice: feedback and ratings (moderators: commissioners and administrators)
    "voice:feedback_give": frozenset({R}),  # residents, on any listed service
    "voice:feedback_give_booking": frozenset({R}),  # the person who had the delivered booking
    "voice:feedback_confirm": frozenset({R}),  # the person who gave the feedback
    "voice:feedback_moderate": FINANCE,
    "voice:feedback_restriction_decide": FINANCE,
    "voice:feedback_reply": frozenset({P}),  # the service's provider staff
    "voice:feedback_badge": frozenset({P}),
    "voice:feedback_restriction_ask": frozenset({P}),
    # voice: consultations (the council's staff run them; anyone responds) and co-design
    "voice:consultation_new": frozenset({C, CO}),  # for a body they work for
    "voice:consultation_manage": frozenset({C}),  # the council's consultation
    "voice:consultation_respond": EVERYONE,  # answers live in the session until confirmed
    "voice:consultation_about": EVERYONE,
    "voice:consultation_check": EVERYONE,
    "voice:answer_tag": frozenset({C}),
    "voice:codesign_new": frozenset({C}),  # commissioners of the plan's council
    "voice:codesign_record": frozenset({C}),
    "voice:recommendation_respond": frozenset({C}),
}

# Pages that read, with no method restriction: a POST must change nothing for anyone.
READS_TAKING_POST = {"budgets:provider", "budgets:overview", "budgets:ras_list", "budgets:ledger"}

# --- Who may write through the API: one line per operation ---------------------------------

API_WRITES: dict[str, frozenset[str]] = {
    "opus_directory_api_post_matches": EVERYONE,  # a search: POST only for its body
    "opus_budgets_api_allocate": FINANCE,
    "opus_budgets_api_commit": HOLDER_SIDE | FINANCE,
    "opus_budgets_api_direct_payment": FINANCE,
    "opus_budgets_api_direct_payment_return": FINANCE,
    "opus_budgets_api_claw_back": FINANCE,
    "opus_budgets_api_release": frozenset({R, C, AD}),
    "opus_budgets_api_deliver": frozenset({P, AD}),
    "opus_budgets_api_pay_invoice": FINANCE,
    "opus_budgets_api_correct": FINANCE,
    "opus_budgets_api_submit_invoice": frozenset({P}),
    "opus_commissioning_api_submit_bid": frozenset({P}),
    "opus_commissioning_api_withdraw_bid": frozenset({P}),
    "opus_commissioning_api_ask_question": frozenset({P}),
    "opus_commissioning_api_submit_return": frozenset({P}),
    "opus_needs_api_upload_dataset": frozenset({P}),  # staff of the indicator's owner
}


# --- The world the matrix walks ------------------------------------------------------------

TODAY = timezone.localdate()


def build_world(cast: Any) -> SimpleNamespace:
    """One of everything a write route acts on, owned so that each role has its part."""
    w = SimpleNamespace(cast=cast)
    w.champion_view = create_member(Role.CHAMPION, cast.charity, full_name="Vic Viewer")
    w.consent_act = create_consent(person=cast.resident, champion=cast.champion)
    w.consent_view = create_consent(
        person=cast.resident, champion=w.champion_view, scope=ConsentScope.FIND
    )
    w.token, _ = api_token_create(user=cast.resident, name="Rosa's laptop")

    # Directory and choice: a priced service of Priya's charity, a booking waiting for her.
    w.service = make_service(name="Tea and talk", organisation=cast.charity)
    directory.service_set_cost(
        service=w.service, amount_pence=15_00, unit="hour", option="", by=None
    )
    w.suggestion = SuggestedNeed.objects.create(
        service=w.service,
        term=TaxonomyTerm.objects.get(code="walking-groups"),
        score=0.9,
        words=["walks"],
    )
    choice.shortlist_add(person=cast.resident, service=w.service, by=cast.resident)
    w.requested = _booking(cast, w.service)
    w.waiting = _booking(cast, w.service)  # accepted before the budget exists: not committed
    choice.booking_decide(booking=w.waiting, accept=True, reason="", by=cast.provider)

    # Budgets: Rosa's budget, a commitment from an accepted booking, a payment to trace.
    w.ras = RasVersion.objects.first() or budgets.ras_publish(
        title="Test RAS",
        questions=[
            {
                "key": "washing",
                "text": "Washing",
                "domain": "care",
                "answers": [{"label": "None", "points": 0}, {"label": "Some", "points": 1}],
            }
        ],
        price_per_point_pence=100_00,
        minimum_pence=0,
        maximum_pence=None,
        domain_caps={},
        change_note="First",
        by=cast.commissioner,
    )
    w.budget = budgets.budget_create(
        person=cast.resident,
        title="Rosa's personal budget",
        period_start=TODAY,
        period_end=TODAY + timedelta(days=364),
        sources=[("social_care", cast.council, 5_000_00)],
        by=cast.commissioner,
        needs=["befriending"],
    )
    accepted = _booking(cast, w.service)
    choice.booking_decide(booking=accepted, accept=True, reason="", by=cast.provider)
    w.commitment = accepted.commitment
    budgets.deliver(commitment=w.commitment, amount=30_00, by=cast.provider)
    w.payment = budgets.pay_invoice(
        commitment=w.commitment, amount=15_00, reference="INV-1", by=cast.commissioner
    )
    # Invoices: one of Priya's waiting for a decision, one approved and waiting to be paid.
    w.invoice = _invoice(cast, w, "CH-1")
    w.approved = invoices.invoice_approve(invoice=_invoice(cast, w, "CH-2"), by=cast.commissioner)
    budgets.plan_write(
        budget=w.budget,
        outcomes=[{"outcome": "See friends", "how": "Tea"}],
        how_managed="managed",
        review_due=w.budget.period_end,
        by=cast.resident,
    )

    # Needs: an indicator, an assessment with one priority.
    area = create_area()
    w.indicator = create_indicator(slug="loneliness", source_agency=cast.charity)
    w.delegation = needs.delegation_grant(indicator=w.indicator, delegate=cast.parish, by=None)
    w.assessment = needs.assessment_create(
        title="Testshire needs",
        area=area,
        period="2025/26",
        indicators=[w.indicator],
        partners=[cast.charity],
        by=cast.commissioner,
    )
    w.priority = Priority.objects.create(
        assessment=w.assessment,
        indicator=w.indicator,
        rank=1,
        group="Deprivation",
        label="Loneliness",
        people_affected=120.0,
    )

    # Knowledge: Priya's draft, and another entry of hers waiting for moderation.
    entry = {
        "organisation": cast.charity,
        "kind": "case_study",
        "summary": "What we learnt",
        "body": "We learnt a lot.",
        "audiences": ["providers"],
        "by": cast.provider,
    }
    w.draft = knowledge.entry_create(title="Tea works", **entry)
    w.submitted = knowledge.entry_submit(
        entry=knowledge.entry_create(title="Walks work", **entry), by=cast.provider
    )

    # People: Pat, whose role and account the administrator manages; an invitation waiting;
    # a self-registered charity waiting for verification.
    w.person = create_member(Role.RESIDENT, cast.council, full_name="Pat Person")
    w.person_membership = w.person.memberships.get()
    w.staff_invitation = invitation_create(
        email="new.staff@example.test", organisation=cast.council, role=Role.COMMISSIONER,
        by=cast.admin,
    )  # fmt: skip
    w.pending = create_organisation(name="Waiting Trust", verification_status="pending")

    _feedback(w)
    _commissioning(w)
    _assets(w)
    _complaints(w)
    _pb(w)
    _grants(w)
    _casework(w)
    _council_business(w)
    _allocation_runs(w)
    _consultations(w)
    return w


def _consultations(w: SimpleNamespace) -> None:
    """The council's open consultation with a written answer and a theme; a co-design group
    on a decision of the council's plan, with a recommendation waiting for its response."""
    from opus.commissioning.services import plans
    from opus.voice import consultations as voice

    cast = w.cast
    w.consultation = voice.consultation_create(
        body=cast.council, title="Parks", summary="Parks", opens_on=TODAY,
        closes_on=TODAY + timedelta(days=30), by=cast.commissioner,
    )  # fmt: skip
    question = voice.question_add(
        consultation=w.consultation, text="Why?", kind="text", options=[], by=cast.commissioner
    )
    voice.consultation_publish(consultation=w.consultation, by=cast.commissioner)
    voice.theme_add(consultation=w.consultation, name="Trees", by=cast.commissioner)
    response = voice.response_submit(
        consultation=w.consultation, answers={question.pk: "More trees"}, session_key="w",
        address="192.0.2.1",
    )  # fmt: skip
    w.answer = response.answers.get()
    decision = plans.decision_record(
        plan=w.plan, need="Loneliness", level="neighbourhood", character={"local": True},
        reasons={"decentralisation": "Local"}, larger_level_reason="Local", by=cast.commissioner,
    )  # fmt: skip
    w.codesign = voice.codesign_create(
        decision=decision, name="Lived experience panel", purpose="Shape it", by=cast.commissioner
    )
    w.recommendation = voice.recommendation_add(
        group=w.codesign, text="Meet in the library", by=cast.commissioner
    )


def _allocation_runs(w: SimpleNamespace) -> None:
    """A formula and a draft run of it (the run's own figures do not matter here)."""
    from opus.allocation.models import AllocationFormula, AllocationRun
    from opus.core.models import AreaKind

    scope = create_area(kind=AreaKind.LOCAL_AUTHORITY, code="E06999901", name="Testshire")
    w.allocation_formula = AllocationFormula.objects.create(
        family=1, name="Fair shares", owner=w.cast.council, scope=scope,
        need_source="none", transition="none",
    )  # fmt: skip
    w.allocation_run = AllocationRun.objects.create(
        formula=w.allocation_formula, title="Draft", period="2026/27", level="neighbourhood",
        total_pence=100, input_hash="0" * 64,
    )  # fmt: skip


def _council_business(w: SimpleNamespace) -> None:
    """A meeting of the parish council with its agenda, minutes not yet published."""
    from opus.neighbourhoods import councils

    w.meeting = councils.meeting_create(
        council=w.cast.parish, held_on=TODAY, title="December meeting", agenda="1. Benches",
        by=w.cast.councillor,
    )  # fmt: skip


def _pb(w: SimpleNamespace) -> None:
    """A PB process of the parish council (its area and plan-funded budget) open for voting."""
    from opus.neighbourhoods.tests.conftest import open_process, parish_budget

    budget = parish_budget(w.cast)
    w.pb_voting, projects = open_process(w.cast, budget)
    w.pb_project = projects[0]


def _grants(w: SimpleNamespace) -> None:
    """An open round of the parish council's small grants and Priya's charity's application."""
    from opus.neighbourhoods import grants

    cast = w.cast
    w.grant_round = grants.grant_round_open(
        council=cast.parish, budget=w.pb_voting.budget, title="Vale small grants",
        ceiling_pence=1_000_00, opens_on=TODAY - timedelta(days=5),
        closes_on=TODAY + timedelta(days=30), by=cast.councillor,
    )  # fmt: skip
    w.grant = grants.grant_apply(
        grant_round=w.grant_round, group=cast.charity, title="Lunch club", description="x",
        amount_pence=100_00, place=cast.parish.area, by=cast.provider,
    )  # fmt: skip


def _casework(w: SimpleNamespace) -> None:
    """Rosa's new case with the parish council."""
    from opus.neighbourhoods import casework

    w.case = casework.case_raise(
        council=w.cast.parish, resident=w.cast.resident, subject="Broken lamp",
        details="By the park", by=w.cast.resident,
    )  # fmt: skip


def _complaints(w: SimpleNamespace) -> None:
    """Rosa's complaint to Priya's charity, waiting to be acknowledged."""
    from opus.voice import complaints

    cast = w.cast
    w.complaint = complaints.complaint_make(
        complainant=cast.resident, body=cast.charity, summary="Nobody came",
        events_on=TODAY - timedelta(days=30), by=cast.resident,
    )  # fmt: skip


def _assets(w: SimpleNamespace) -> None:
    """An asset of community value waiting for a decision, and a listed one whose owner's
    notice started its interim moratorium today."""
    from opus.neighbourhoods import assets

    cast = w.cast
    fields = {
        "nominator": cast.charity,
        "address_text": "1 High Street",
        "owner_name": "Brewery Ltd",
        "listing_authority": cast.council,
        "neighbourhood_council": cast.parish,
        "reasons": "A meeting place",
        "nominated_on": TODAY - timedelta(days=20),
        "by": cast.provider,
    }
    w.acv_nominated = assets.acv_nominate(name="The Plough", **fields)
    w.acv = assets.acv_nominate(name="The Red Lion", **fields)
    assets.acv_decide(
        asset=w.acv, listed=True, reasons="Meets the test", decided_on=TODAY, by=cast.commissioner
    )
    notice = assets.disposal_notice_record(asset=w.acv, notice_date=TODAY, by=cast.commissioner)
    w.acv_offer = notice.grant_offer


def _feedback(w: SimpleNamespace) -> None:
    """Rosa's feedback on Tea and talk: published, with a change waiting for her; another
    waiting for moderation; a third with a restriction asked for."""
    from opus.voice import feedback as voice

    cast = w.cast
    ratings = {"overall": 4, "kindness": 5, "reliability": 4, "recommend": 4}

    def give(story: str) -> Any:
        return voice.feedback_give(
            service=w.service, ratings=ratings, story=story, by=cast.resident
        )

    w.feedback = voice.feedback_moderate(feedback=give("Kind"), publish=True, by=cast.admin)
    voice.feedback_badge_set(
        feedback=w.feedback, badge="made", explanation="Earlier start", by=cast.provider
    )
    _renew_feedback_pending(w)
    _renew_feedback_restriction(w)


def _renew_feedback_pending(w: SimpleNamespace) -> None:
    from opus.voice import feedback as voice

    ratings = {"overall": 3, "kindness": 3, "reliability": 3, "recommend": 3}
    w.feedback_pending = voice.feedback_give(
        service=w.service, ratings=ratings, story="Waiting", by=w.cast.resident
    )


def _renew_feedback_restriction(w: SimpleNamespace) -> None:
    from opus.voice import feedback as voice

    ratings = {"overall": 2, "kindness": 2, "reliability": 2, "recommend": 2}
    item = voice.feedback_give(service=w.service, ratings=ratings, story="Hmm", by=w.cast.resident)
    voice.feedback_moderate(feedback=item, publish=True, by=w.cast.admin)
    w.feedback_asked = voice.feedback_restriction_ask(
        feedback=item, reason="Investigation", by=w.cast.provider
    )


def _renew_feedback_badge(w: SimpleNamespace) -> None:
    from opus.voice import feedback as voice

    voice.feedback_badge_set(
        feedback=w.feedback, badge="made", explanation="Earlier start", by=w.cast.provider
    )


def _invoice(cast: Any, w: SimpleNamespace, number: str) -> Any:
    line = invoices.LineIn(w.commitment, 1, 5_00)
    return invoices.invoice_submit(
        provider=cast.charity, number=number, invoice_date=TODAY, lines=[line], by=cast.provider
    )


def _booking(cast: Any, service: Any) -> Any:
    return choice.booking_request(
        person=cast.resident,
        service=service,
        by=cast.resident,
        units_per_week=Decimal("2"),
        start_date=TODAY,
        message="",
        needs=["befriending"],
        circumstances=[],
    )


def _commissioning(w: SimpleNamespace) -> None:
    cast = w.cast
    w.plan = commissioning.plan_create(
        title="Older people",
        commissioner=cast.council,
        area=create_area(),
        period="2027/28",
        by=cast.commissioner,
    )
    # Open: Priya's charity bids, leads a consortium and is invited to another; a question.
    w.open = open_opportunity(cast)
    w.bid = bid(w.open, cast.charity, cast.provider)
    w.consortium = commissioning.consortium_create(
        opportunity=w.open,
        name="Good Neighbours and friends",
        lead=cast.charity,
        work="Visits",
        work_share=60,
        value_share=60,
        by=cast.provider,
    )
    other, other_user = provider("Hearth Trust")
    led_by_other = commissioning.consortium_create(
        opportunity=w.open,
        name="Hearth and friends",
        lead=other,
        work="Visits",
        work_share=60,
        value_share=60,
        by=other_user,
    )
    w.invitation = commissioning.consortium_invite(
        consortium=led_by_other,
        organisation=cast.charity,
        work="Calls",
        work_share=40,
        value_share=40,
        by=other_user,
    )
    w.clarification = commissioning.clarification_ask(
        opportunity=w.open,
        question="Is travel paid?",
        organisation=cast.charity,
        by=cast.provider,
    )
    w.search = commissioning.saved_search_create(user=cast.provider, name="Mine", filters={})
    w.draft_opportunity = commissioning.opportunity_create(
        by=cast.commissioner,
        **{k: v for k, v in _fields(cast).items()},
    )
    # Closed: bids from the charity and another, opened, scored, moderated, computed;
    # lot 1 awarded to the charity and signed, lot 2 awarded and in standstill.
    past = timezone.now() - timedelta(days=30)
    w.closed = open_opportunity(cast, now=past)
    w.mine = mine = bid(
        w.closed,
        cast.charity,
        cast.provider,
        prices=(4_000_000, 3_000_000),
        now=past + timedelta(days=2),
    )
    theirs = bid(
        w.closed, other, other_user, prices=(4_500_000, 3_500_000), now=past + timedelta(days=3)
    )
    commissioning.bids_open(opportunity=w.closed, by=cast.commissioner)
    member = commissioning.panel_add(
        opportunity=w.closed, user=cast.commissioner, is_moderator=True, by=cast.commissioner
    )
    commissioning.conflict_declare(
        member=member, has_conflict=False, details="", by=cast.commissioner
    )
    for b in (mine, theirs):
        for q in w.closed.questions.all():
            commissioning.score_record(
                member=member, bid=b, question=q, score=3, comment="OK", by=cast.commissioner
            )
    commissioning.scores_submit(member=member, by=cast.commissioner)
    # A panel is at least two (COMMISSIONING_MIN_PANEL): a second evaluator scores too.
    second = create_member(Role.COMMISSIONER, cast.council, full_name="Evan Evaluator")
    member = commissioning.panel_add(opportunity=w.closed, user=second, by=cast.commissioner)
    commissioning.conflict_declare(member=member, has_conflict=False, details="", by=second)
    for b in (mine, theirs):
        for q in w.closed.questions.all():
            commissioning.score_record(
                member=member, bid=b, question=q, score=3, comment="OK", by=second
            )
    commissioning.scores_submit(member=member, by=second)
    for b in (mine, theirs):
        for q in w.closed.questions.all():
            commissioning.moderation_agree(
                bid=b, question=q, score=3, reason="Agreed", by=cast.commissioner
            )
    commissioning.evaluation_compute(opportunity=w.closed, by=cast.commissioner)
    lot1, lot2 = w.closed.lots.order_by("number")
    signed = commissioning.award_decide(
        lot=lot1,
        bid_lot=BidLot.objects.get(lot=lot1, bid=mine),
        reasons="Best",
        by=cast.commissioner,
    )
    kpis = [{"name": "Visits", "measure": "Visits made", "target": "95", "frequency": "quarterly"}]
    w.contract = commissioning.contract_sign(
        award=signed, kpis=kpis, by=cast.commissioner, now=signed.standstill_ends
    )
    w.kpi_return = KpiReturn.objects.filter(kpi__contract=w.contract).order_by("period_start")[0]
    from opus.allocation.tests.social_value_helpers import social_value_world

    social_value_world(w)  # a social value ledger on the signed contract, with a study
    w.award = commissioning.award_decide(
        lot=lot2,
        bid_lot=BidLot.objects.get(lot=lot2, bid=mine),
        reasons="Best",
        by=cast.commissioner,
    )
    # A second closed opportunity, not yet opened.
    w.unopened = open_opportunity(cast, now=past)
    bid(w.unopened, other, other_user, now=past + timedelta(days=2))


def _fields(cast: Any) -> dict[str, Any]:
    from opus.commissioning.tests.helpers import opportunity_fields, value_table

    return opportunity_fields(cast, value_table(cast), timezone.now())


# --- How each route is addressed, and what is posted to it --------------------------------

ARGS: dict[str, Callable[[SimpleNamespace], dict[str, Any]]] = {
    "voice:feedback_give": lambda w: {"service_id": w.service.pk},
    "voice:feedback_give_booking": lambda w: {"booking_id": w.commitment.booking_id},
    "voice:feedback_confirm": lambda w: {"feedback_id": w.feedback.pk},
    "voice:feedback_moderate": lambda w: {"feedback_id": w.feedback_pending.pk},
    "voice:feedback_restriction_decide": lambda w: {"feedback_id": w.feedback_asked.pk},
    "voice:feedback_reply": lambda w: {"feedback_id": w.feedback.pk},
    "voice:feedback_badge": lambda w: {"feedback_id": w.feedback.pk},
    "voice:feedback_restriction_ask": lambda w: {"feedback_id": w.feedback.pk},
    "core:password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
    "core:api_token_revoke": lambda w: {"token_id": w.token.pk},
    "allocation:sv_line_add": lambda w: {"pk": w.sv_ledger.pk},
    "allocation:sv_evidence_add": lambda w: {"pk": w.sv_ledger.pk},
    "allocation:sv_study_new": lambda w: {"pk": w.sv_ledger.pk},
    "allocation:sv_answer_add": lambda w: {"pk": w.sv_study.pk},
    "allocation:sv_answer_link": lambda w: {"token": w.sv_study.token},
    "core:organisation_edit": lambda w: {"slug": w.cast.charity.slug},
    "core:role_grant": lambda w: {"user_id": w.person.pk},
    "core:role_revoke": lambda w: {"user_id": w.person.pk, "membership_id": w.person_membership.pk},
    "core:account_deactivate": lambda w: {"user_id": w.person.pk},
    "core:account_reactivate": lambda w: {"user_id": w.person.pk},
    "core:invitation_resend": lambda w: {"pk": w.staff_invitation.pk},
    "core:invitation_revoke": lambda w: {"pk": w.staff_invitation.pk},
    "core:invitation_accept": lambda w: {"secret": "not-a-real-link"},
    "core:signup_verify": lambda w: {"token": "not-a-real-token"},
    "core:organisation_decide": lambda w: {"slug": w.pending.slug},
    "core:two_factor_reset": lambda w: {"user_id": w.cast.commissioner.pk},
    "needs:assessment_compute": lambda w: {"assessment_id": w.assessment.pk},
    "needs:delegation_grant": lambda w: {"slug": w.indicator.slug},
    "needs:delegation_revoke": lambda w: {
        "slug": w.indicator.slug,
        "delegation_id": w.delegation.pk,
    },
    "needs:assessment_publish": lambda w: {"assessment_id": w.assessment.pk},
    "needs:priority_note": lambda w: {
        "assessment_id": w.assessment.pk,
        "priority_id": w.priority.pk,
    },
    "directory:service_review": lambda w: {"service_id": w.service.pk},
    "directory:service_section": lambda w: {"service_id": w.service.pk, "section": "cost"},
    "directory:needs_review_decide": lambda w: {"pk": w.suggestion.pk},
    "choice:question": lambda w: {"step": "needs"},
    "voice:complaint_escalate": lambda w: {"complaint_id": w.complaint.pk},
    "voice:complaint_act": lambda w: {"complaint_id": w.complaint.pk, "action": "pause"},
    "choice:shortlist_add": lambda w: {"service_id": w.service.pk},
    "choice:shortlist_remove": lambda w: {"service_id": w.service.pk},
    "choice:choose": lambda w: {"service_id": w.service.pk},
    "choice:decide": lambda w: {"booking_id": w.requested.pk},
    "choice:consent_withdraw": lambda w: {"consent_id": w.consent_act.pk},
    "choice:act_for": lambda w: {"person_id": w.cast.resident.pk},
    "knowledge:entry_edit": lambda w: {"slug": w.draft.slug},
    "knowledge:entry_submit": lambda w: {"slug": w.draft.slug},
    "knowledge:entry_publish": lambda w: {"slug": w.submitted.slug},
    "knowledge:entry_return": lambda w: {"slug": w.submitted.slug},
    "budgets:correct": lambda w: {"transaction_id": w.payment.pk},
    "budgets:deliver": lambda w: {"commitment_id": w.commitment.pk},
    "budgets:pay": lambda w: {"commitment_id": w.commitment.pk},
    "budgets:release": lambda w: {"commitment_id": w.commitment.pk},
    "budgets:plan": lambda w: {"budget_id": w.budget.pk},
    "budgets:plan_agree": lambda w: {"budget_id": w.budget.pk},
    "budgets:close": lambda w: {"budget_id": w.budget.pk},
    "budgets:commit": lambda w: {"budget_id": w.budget.pk, "booking_id": w.waiting.pk},
    "budgets:money": lambda w: {"budget_id": w.budget.pk, "action": "direct-payment"},
    "budgets:invoice_decide": lambda w: {"invoice_id": w.invoice.pk},
    "commissioning:bid_new": lambda w: {"pk": w.open.pk},
    "commissioning:bid_withdraw": lambda w: {"bid_uuid": w.bid.uuid},
    "commissioning:clarification_ask": lambda w: {"pk": w.open.pk},
    "commissioning:consortium_new": lambda w: {"pk": w.open.pk},
    "commissioning:consortium_detail": lambda w: {"pk": w.consortium.pk},
    "commissioning:consortium_respond": lambda w: {"pk": w.invitation.pk},
    "commissioning:saved_search_delete": lambda w: {"pk": w.search.pk},
    "commissioning:kpi_return_submit": lambda w: {"pk": w.kpi_return.pk},
    "commissioning:decision_new": lambda w: {"pk": w.plan.pk},
    "commissioning:plan_publish": lambda w: {"pk": w.plan.pk},
    "allocation:formula_edit": lambda w: {"pk": w.allocation_formula.pk},
    "allocation:run_new": lambda w: {"pk": w.allocation_formula.pk},
    "allocation:run_publish": lambda w: {"pk": w.allocation_run.pk},
    "commissioning:opportunity_publish": lambda w: {"pk": w.draft_opportunity.pk},
    "commissioning:clarification_answer": lambda w: {"pk": w.clarification.pk},
    "commissioning:bids_open": lambda w: {"pk": w.unopened.pk},
    "commissioning:award_reverse": lambda w: {"pk": w.award.pk},
    "commissioning:contract_sign": lambda w: {"pk": w.award.pk},
    "commissioning:contract_service": lambda w: {"pk": w.contract.pk},
    "commissioning:panel_add": lambda w: {"pk": w.closed.pk},
    "commissioning:conflict_declare": lambda w: {"pk": w.closed.pk},
    "commissioning:score": lambda w: {"pk": w.closed.pk},
    "commissioning:scores_submit": lambda w: {"pk": w.closed.pk},
    "commissioning:moderate": lambda w: {"pk": w.closed.pk},
    "commissioning:evaluation_compute": lambda w: {"pk": w.closed.pk},
    "commissioning:award_decide": lambda w: {"pk": w.closed.pk},
    "neighbourhoods:asset_decide": lambda w: {"reference": w.acv_nominated.reference},
    "neighbourhoods:asset_review": lambda w: {"reference": w.acv.reference},
    "neighbourhoods:asset_notice": lambda w: {"reference": w.acv.reference},
    "neighbourhoods:asset_bidder": lambda w: {"reference": w.acv.reference},
    "neighbourhoods:asset_exempt": lambda w: {"reference": w.acv.reference},
    "neighbourhoods:pb_propose": lambda w: {"pk": w.pb_voting.pk},
    "neighbourhoods:pb_vote": lambda w: {"pk": w.pb_voting.pk},
    "neighbourhoods:pb_paper": lambda w: {"pk": w.pb_voting.pk},
    "neighbourhoods:pb_step": lambda w: {"pk": w.pb_voting.pk},
    "neighbourhoods:pb_new": lambda w: {"council": w.cast.parish.slug},
    "neighbourhoods:pb_review": lambda w: {"pk": w.pb_voting.pk, "project": w.pb_project.pk},
    "neighbourhoods:pb_void": lambda w: {"pk": w.pb_voting.pk},
    "neighbourhoods:pb_delivery": lambda w: {"pk": w.pb_voting.pk, "project": w.pb_project.pk},
    "neighbourhoods:pb_photo_add": lambda w: {"pk": w.pb_voting.pk, "project": w.pb_project.pk},
    "neighbourhoods:grant_round_new": lambda w: {"council": w.cast.parish.slug},
    "neighbourhoods:council_meeting_new": lambda w: {"council": w.cast.parish.slug},
    "neighbourhoods:council_decide": lambda w: {
        "council": w.cast.parish.slug,
        "meeting": w.meeting.pk,
    },
    "neighbourhoods:council_minutes": lambda w: {
        "council": w.cast.parish.slug,
        "meeting": w.meeting.pk,
    },
    "neighbourhoods:council_declare": lambda w: {"council": w.cast.parish.slug},
    "neighbourhoods:grant_offer_open": lambda w: {
        "council": w.cast.parish.slug,
        "offer": w.acv_offer.pk,
    },
    "neighbourhoods:grant_apply": lambda w: {"pk": w.grant_round.pk},
    "neighbourhoods:grant_decide": lambda w: {"pk": w.grant.pk},
    "neighbourhoods:grant_declare": lambda w: {"pk": w.grant.pk},
    "neighbourhoods:grant_pay": lambda w: {"pk": w.grant.pk},
    "neighbourhoods:grant_monitor": lambda w: {"pk": w.grant.pk},
    "neighbourhoods:case_start": lambda w: {"pk": w.case.pk},
    "neighbourhoods:case_refer": lambda w: {"pk": w.case.pk},
    "neighbourhoods:case_answer": lambda w: {"pk": w.case.pk},
    "neighbourhoods:case_close": lambda w: {"pk": w.case.pk},
    "voice:consultation_manage": lambda w: {"pk": w.consultation.pk, "action": "document"},
    "voice:consultation_respond": lambda w: {"pk": w.consultation.pk, "step": 1},
    "voice:consultation_about": lambda w: {"pk": w.consultation.pk},
    "voice:consultation_check": lambda w: {"pk": w.consultation.pk},
    "voice:answer_tag": lambda w: {"answer_id": w.answer.pk},
    "voice:codesign_new": lambda w: {"decision_id": w.codesign.decision_id},
    "voice:codesign_record": lambda w: {"pk": w.codesign.pk, "action": "meeting"},
    "voice:recommendation_respond": lambda w: {"pk": w.recommendation.pk},
}


# A valid body where a role that may see the record could otherwise stop at the form: the
# write must be refused by who is asking, not by what was sent.
def once() -> str:
    """A money form's one-time key, as the form would carry it."""
    return f"form-{uuid.uuid4().hex}"


BODIES: dict[str, Callable[[SimpleNamespace], dict[str, Any]]] = {
    "voice:feedback_give": lambda w: {**FEEDBACK_RATINGS, "story": "Lovely"},
    "voice:feedback_give_booking": lambda w: {**FEEDBACK_RATINGS, "story": "Lovely"},
    "voice:feedback_confirm": lambda w: {"confirmed": "yes"},
    "voice:feedback_moderate": lambda w: {"decision": "publish"},
    "voice:feedback_restriction_decide": lambda w: {"decision": "refuse"},
    "voice:feedback_reply": lambda w: {"reply": "Thank you"},
    "voice:feedback_badge": lambda w: {"badge": "planned", "explanation": "More staff"},
    "voice:feedback_restriction_ask": lambda w: {"reason": "Investigation"},
    "commissioning:contract_service": lambda w: {"service": "new"},
    "voice:consultation_new": lambda w: {
        "body": w.cast.council.pk,  # the councillor's form answers "choose a body" (400)
        "title": "Buses",
        "summary": "Routes",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + timedelta(days=10)).isoformat(),
    },
    "voice:consultation_manage": lambda w: {"title": "Plan", "url": "https://example.test/p"},
    "voice:consultation_respond": lambda w: {"answer": "Shade"},
    "voice:answer_tag": lambda w: {f"a{w.answer.pk}-themes": []},
    "voice:codesign_new": lambda w: {"name": "Second panel", "purpose": "Shape it"},
    "voice:codesign_record": lambda w: {"held_on": TODAY.isoformat(), "notes": "Met"},
    "voice:recommendation_respond": lambda w: {"response": "accepted", "reason": "Agreed"},
    "core:role_grant": lambda w: {"organisation": w.cast.charity.slug, "role": "champion"},
    "core:invitation_new": lambda w: {
        "email": "another@example.test",
        "organisation": w.cast.council.slug,
        "role": "auditor",
    },  # fmt: skip
    "core:organisation_decide": lambda w: {"decision": "verify"},
    "budgets:plan": lambda w: {
        "outcomes": "Walk: with a friend",
        "how_managed": "managed",
        "review_due": w.budget.period_end.isoformat(),
    },
    "budgets:commit": lambda w: {"once": once()},
    "budgets:release": lambda w: {"reason": "No longer needed", "once": once()},
    "budgets:deliver": lambda w: {"amount": "1", "once": once()},
    "budgets:pay": lambda w: {"amount": "1", "reference": f"INV-{once()}", "once": once()},
    "budgets:correct": lambda w: {"reason": "Paid in error", "once": once()},
    "budgets:money": lambda w: {"amount": "1", "once": once()},
    "budgets:close": lambda w: {"once": once()},
    "budgets:invoice_new": lambda w: {
        "number": f"N-{once()}",
        "invoice_date": TODAY.isoformat(),
        f"bill-{w.commitment.pk}": "on",
        f"sessions-{w.commitment.pk}": "1",
        f"amount-{w.commitment.pk}": "1",
    },
    "budgets:invoice_decide": lambda w: {"decision": "approve"},
    "budgets:invoices_pay": lambda w: {"invoice": [w.approved.pk], "confirm": "y", "once": once()},
    "directory:needs_review_decide": lambda w: {"decision": "reject"},
    "directory:needs_review_check": lambda w: {
        "suggestion": [w.suggestion.pk],
        "decision": "reject",
    },
    "directory:needs_review_bulk": lambda w: {
        "suggestion": [w.suggestion.pk],
        "decision": "reject",
        "confirm": "yes",
    },
    "choice:choose": lambda w: {"units_per_week": "1", "start_date": TODAY.isoformat()},
    "choice:decide": lambda w: {"decision": "accept", "reason": ""},
    "choice:consent": lambda w: {
        "champion": w.cast.champion.pk,
        "scope": "choose",
        "until": (TODAY + timedelta(days=30)).isoformat(),
    },
    "knowledge:entry_return": lambda w: {"reason": "Say more"},
    "notifications:preferences": lambda w: {"email_on": ["account"]},
    "needs:priority_note": lambda w: {"note": "Look again"},
    "needs:delegation_grant": lambda w: {"delegate": w.cast.council.pk},
    "needs:assessment_publish": lambda w: {"summary": "Published", "confirm": "yes"},
    "commissioning:plan_publish": lambda w: {"confirm": "yes"},
    "commissioning:opportunity_publish": lambda w: {"confirm": "yes"},
    "commissioning:moderate": lambda w: {
        "bid": str(w.mine.uuid),
        "question": 1,
        "score": 4,
        "reason": "Changed at the panel",
    },
}


# --- The machinery -------------------------------------------------------------------------


def _routes() -> dict[str, tuple[Any, bool]]:
    """Every page route outside the APIs: name → (view, whether it accepts POST)."""
    found: dict[str, tuple[Any, bool]] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if (prefix + str(pattern.pattern)).startswith("api/"):
                    continue
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found[name] = (pattern.callback, _accepts_post(pattern.callback))

    walk(get_resolver(), "", None)
    return found


def _accepts_post(view: Any) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        for cell in view.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return "POST" in value  # require_http_methods' list
        view = getattr(view, "__wrapped__", None)
    return True  # no method restriction: it takes POST


def _api_writes() -> dict[str, tuple[str, str]]:
    from opus.api import api
    from opus.directory.oruk import api as oruk_api

    found = {}
    for one in (api, oruk_api):
        for path, operations in one.get_openapi_schema()["paths"].items():
            for method, operation in operations.items():
                if method in {"post", "put", "patch", "delete"}:
                    found[operation["operationId"]] = (method, path)
    return found


def fingerprint() -> dict[str, int]:
    """Row counts of every Opus table, and the audit events that record a change."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("opus.") and model is not AuditEvent
    }
    counts["audit: changes"] = AuditEvent.objects.exclude(action__endswith=".view").count()
    return counts


def clients(w: SimpleNamespace) -> dict[str, Client]:
    cast = w.cast
    users = {
        R: cast.resident,
        CV: w.champion_view,
        CA: cast.champion,
        P: cast.provider,
        C: cast.commissioner,
        CO: cast.councillor,
        AU: cast.auditor,
        AD: cast.admin,
        S: cast.stranger,
    }
    made = {AN: Client()}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        if role in (CV, CA):
            session = client.session
            session[SESSION_KEY] = cast.resident.pk  # acting for Rosa
            session.save()
        made[role] = client
    return made


def token_clients(w: SimpleNamespace) -> dict[str, Client]:
    made = {AN: Client()}
    for role, client in clients(w).items():
        if role == AN:
            continue
        user = client.session.get("_auth_user_id")
        from opus.core.models import User

        _, secret = api_token_create(user=User.objects.get(pk=user), name="matrix")
        made[role] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return made


def _refused(response: Any) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith("/sign-in/")


def _api_refused(response: Any) -> bool:
    return response.status_code in (401, 403, 404) and response["Content-Type"].startswith(
        "application/problem+json"
    )


def _url(w: SimpleNamespace, name: str) -> str:
    return reverse(name, kwargs=ARGS[name](w) if name in ARGS else None)


def _post(client: Client, w: SimpleNamespace, name: str) -> Any:
    return client.post(_url(w, name), BODIES[name](w) if name in BODIES else {})


# --- The tests -----------------------------------------------------------------------------


def test_every_route_that_takes_post_has_its_expectations():
    routes = _routes()
    takes_post = {name for name, (_, post) in routes.items() if post}
    missing = takes_post - set(WEB_WRITES) - READS_TAKING_POST
    assert not missing, f"Say who may write through these routes: {sorted(missing)}"
    stale = (set(WEB_WRITES) | READS_TAKING_POST) - takes_post
    assert not stale, f"These routes no longer take POST: {sorted(stale)}"
    assert set(ARGS) <= set(WEB_WRITES)


def test_every_api_write_has_its_expectations():
    operations = set(_api_writes())
    missing = operations - set(API_WRITES)
    assert not missing, f"Say who may call these API writes: {sorted(missing)}"
    assert not set(API_WRITES) - operations, "Operations gone from the API"


def test_no_role_writes_where_it_may_not(cast):
    w = build_world(cast)
    failures = []
    made = clients(w)
    after = fingerprint()
    for role, client in made.items():
        for name in sorted(WEB_WRITES.keys() | READS_TAKING_POST):
            if role in WEB_WRITES.get(name, ()):
                continue
            before = after
            response = _post(client, w, name)
            after = fingerprint()
            if name not in READS_TAKING_POST and not _refused(response):
                failures.append(f"{role} POST {name}: {response.status_code} (not refused)")
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                failures.append(f"{role} POST {name}: changed {changed}")
    assert not failures, "\n".join(failures)


# Writes that end something (a session, a consent, a budget's period): tried last.
LAST = (
    "choice:act_stop",
    "choice:consent_withdraw",
    "commissioning:award_reverse",
    "commissioning:bid_withdraw",
    "budgets:close",
    "core:api_token_revoke",
    "core:sign_out",
)


def _in_order(names: Any) -> list[str]:
    return sorted(names, key=lambda name: (LAST.index(name) if name in LAST else -1, name))


def _renew_submitted(w: SimpleNamespace) -> None:
    entry = knowledge.entry_create(
        title=f"Walks work {uuid.uuid4().hex[:6]}",
        organisation=w.cast.charity,
        kind="case_study",
        summary="What we learnt",
        body="We learnt a lot.",
        audiences=["providers"],
        by=w.cast.provider,
    )
    w.submitted = knowledge.entry_submit(entry=entry, by=w.cast.provider)


FEEDBACK_RATINGS = {"overall": "5", "kindness": "4", "reliability": "4", "recommend": "5"}

# Writes that use their record up, made afresh for each role that may write there.
RENEW: dict[str, Callable[[SimpleNamespace], None]] = {
    "voice:feedback_moderate": _renew_feedback_pending,
    "voice:feedback_restriction_decide": _renew_feedback_restriction,
    "knowledge:entry_publish": _renew_submitted,
    "knowledge:entry_return": _renew_submitted,
}


def test_every_role_that_may_write_is_not_refused(cast):
    w = build_world(cast)
    failures = []
    for name in _in_order(WEB_WRITES):
        made = clients(w)
        for role in sorted(WEB_WRITES[name]):
            if name in RENEW:
                RENEW[name](w)
            response = _post(made[role], w, name)
            if _refused(response) or response.status_code >= 500:
                failures.append(f"{role} POST {name}: {response.status_code} (refused)")
    assert not failures, "\n".join(failures)


def _api_call(w: SimpleNamespace, operation: str) -> tuple[str, dict[str, Any]]:
    """The path and a valid body for each API write."""
    b, c = w.budget.pk, w.commitment.pk
    paths: dict[str, tuple[str, dict[str, Any]]] = {
        "opus_directory_api_post_matches": ("/api/v1/matches", {"needs": ["befriending"]}),
        "opus_budgets_api_allocate": (
            f"/api/v1/budgets/{b}/allocations",
            {"funder_id": w.cast.council.pk, "source": "social_care", "amount_pence": 100},
        ),
        "opus_budgets_api_commit": (
            f"/api/v1/budgets/{b}/commitments",
            {"booking_id": str(w.waiting.pk)},
        ),
        "opus_budgets_api_direct_payment": (
            f"/api/v1/budgets/{b}/direct-payments",
            {"amount_pence": 100},
        ),
        "opus_budgets_api_direct_payment_return": (
            f"/api/v1/budgets/{b}/direct-payment-returns",
            {"amount_pence": 100},
        ),
        "opus_budgets_api_claw_back": (f"/api/v1/budgets/{b}/claw-back", {"amount_pence": 100}),
        "opus_budgets_api_release": (
            f"/api/v1/budgets/commitments/{c}/release",
            {"amount_pence": 100},
        ),
        "opus_budgets_api_deliver": (
            f"/api/v1/budgets/commitments/{c}/deliveries",
            {"amount_pence": 100},
        ),
        "opus_budgets_api_pay_invoice": (
            f"/api/v1/budgets/commitments/{c}/invoices",
            {"amount_pence": 100, "reference": "INV-9"},
        ),
        "opus_budgets_api_correct": (
            f"/api/v1/budgets/transactions/{w.payment.pk}/corrections",
            {"reason": "Paid in error"},
        ),
        "opus_budgets_api_submit_invoice": (
            "/api/v1/budgets/invoices",
            {
                "number": f"API-{uuid.uuid4().hex[:8]}",
                "invoice_date": TODAY.isoformat(),
                "lines": [{"commitment_id": str(c), "sessions": 1, "amount_pence": 100}],
            },
        ),
        "opus_commissioning_api_submit_bid": (
            f"/api/v1/opportunities/{w.open.pk}/bids",
            {
                "lots": [{"lot": 2, "price_pence": 3_000_000}],
                "answers": {"1": "Weekly", "2": "Trained"},
                "social_value": [],
                "declaration": True,
            },
        ),
        "opus_commissioning_api_withdraw_bid": (f"/api/v1/bids/{w.bid.uuid}/withdraw", {}),
        "opus_commissioning_api_ask_question": (
            f"/api/v1/opportunities/{w.open.pk}/clarifications",
            {"question": "Is parking paid?"},
        ),
        "opus_needs_api_upload_dataset": (
            f"/api/v1/needs/indicators/{w.indicator.slug}/datasets",
            {"agency": w.cast.charity.slug, "period": "2025/26", "content": ""},
        ),
        "opus_commissioning_api_submit_return": (
            f"/api/v1/kpi-returns/{w.kpi_return.pk}",
            {"value": "96", "note": ""},
        ),
    }
    return paths[operation]


def _api_post(client: Client, w: SimpleNamespace, operation: str, key: str) -> Any:
    path, body = _api_call(w, operation)
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_no_role_writes_through_the_api_where_it_may_not(cast):
    w = build_world(cast)
    failures = []
    made = token_clients(w)
    after = fingerprint()
    for role, client in made.items():
        for operation in sorted(API_WRITES):
            if role in API_WRITES[operation]:
                continue
            before = after
            response = _api_post(client, w, operation, key=f"{role}-{operation}")
            after = fingerprint()
            if not _api_refused(response):
                failures.append(f"{role} {operation}: {response.status_code} (not refused)")
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                failures.append(f"{role} {operation}: changed {changed}")
    assert not failures, "\n".join(failures)


def test_every_role_that_may_write_through_the_api_is_not_refused(cast):
    w = build_world(cast)
    made = token_clients(w)
    failures = []
    for operation, allowed in sorted(API_WRITES.items()):
        for role in sorted(allowed):
            response = _api_post(made[role], w, operation, key=f"{role}-{operation}")
            if response.status_code in (401, 403, 404) or response.status_code >= 500:
                failures.append(f"{role} {operation}: {response.status_code} {response.content!r}")
    assert not failures, "\n".join(failures)
