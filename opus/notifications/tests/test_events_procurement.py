"""Consortium invitations and answered clarifications: who hears, and that bids stay sealed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.tests.helpers import bid, open_opportunity, provider
from opus.core.models import AuditEvent
from opus.notifications import services as outbox
from opus.notifications.models import Notification, Status

pytestmark = pytest.mark.django_db


def invite(cast, *, partner_name="Partner Trust"):
    opportunity = open_opportunity(cast)
    lead, lead_user = provider("Lead Trust")
    partner, partner_user = provider(partner_name)
    consortium = services.consortium_create(
        opportunity=opportunity, name="Befriending Together", lead=lead, work="Visits",
        work_share=60, value_share=60, by=lead_user,
    )  # fmt: skip
    member = services.consortium_invite(
        consortium=consortium, organisation=partner, work="Phone calls", work_share=40,
        value_share=40, by=lead_user,
    )  # fmt: skip
    return opportunity, member, lead_user, partner_user


def test_an_invited_organisations_staff_hear_who_invites_them_to_what(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://opus.northvale.gov.uk"
    with django_capture_on_commit_callbacks(execute=True):
        opportunity, member, lead_user, partner_user = invite(cast)
    [message] = mail.outbox
    assert message.to == [partner_user.email]
    assert message.subject == (
        "Lead Trust invites you to bid together for Befriending for older people"
    )
    assert "Staff of Lead Trust of Lead Trust invites Partner Trust to join the consortium " in (
        message.body
    )
    assert "Your part of the work: Phone calls" in message.body
    assert "40% of the work and 40% of the contract's value" in message.body
    deadline = timezone.localtime(opportunity.submission_deadline)
    assert f"Bids close at {deadline:%H:%M} on {deadline.day} {deadline:%B %Y}" in message.body
    assert f"https://opus.northvale.gov.uk/commissioning/invitations/{member.pk}/" in message.body
    notice = Notification.objects.get()
    assert notice.recipient == partner_user and notice.sealed_until == (
        opportunity.submission_deadline
    )


def test_an_invitation_goes_to_the_organisations_address_when_it_has_no_staff(cast):
    from opus.testing import create_organisation

    opportunity = open_opportunity(cast)
    lead, lead_user = provider("Lead Trust")
    quiet = create_organisation(name="Quiet Mutual", kind="mutual", email="hello@quiet.test")
    consortium = services.consortium_create(
        opportunity=opportunity, name="Together", lead=lead, work="", work_share=60,
        value_share=60, by=lead_user,
    )  # fmt: skip
    services.consortium_invite(consortium=consortium, organisation=quiet, work="",
                               work_share=40, value_share=40, by=lead_user)  # fmt: skip
    assert list(Notification.objects.values_list("recipient", "address")) == [
        (None, "hello@quiet.test")
    ]


def test_before_the_deadline_no_one_else_learns_of_the_consortium(cast, client, settings):
    """Not the commissioner, the administrator, the audit log, nor another bidder: a failed
    invitation is listed only as sealed, and its audit event names no one."""
    settings.OPUS_NOTIFY_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "opus.notifications.tests.test_outbox.BrokenBackend"
    opportunity, member, lead_user, partner_user = invite(cast)
    _, rival_user = provider("Rival Trust")
    outbox.send_pending()
    notice = Notification.objects.get(recipient=partner_user)
    assert notice.status == Status.FAILED
    for person in (cast.commissioner, cast.admin, rival_user, lead_user):
        assert not Notification.objects.filter(recipient=person).exists()
    client.force_login(cast.admin)
    page = client.get("/notifications/failed/").content.decode()
    assert "About a sealed bid" in page
    for secret in ("Lead Trust", "Partner Trust", partner_user.email, "Befriending Together"):
        assert secret not in page
    failed = AuditEvent.objects.get(action="notification.failed")
    assert failed.object_label == "" and "Lead Trust" not in str(failed.summary)
    assert failed.summary == {"attempts": 1, "sealed": True}
    client.force_login(rival_user)
    assert "Lead Trust" not in client.get("/notifications/").content.decode()
    client.force_login(partner_user)
    assert "Lead Trust invites you" in client.get("/notifications/").content.decode()


def test_after_the_deadline_the_failed_list_names_the_recipient(cast, client, settings):
    settings.OPUS_NOTIFY_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "opus.notifications.tests.test_outbox.BrokenBackend"
    opportunity, member, lead_user, partner_user = invite(cast)
    outbox.send_pending()
    Notification.objects.update(sealed_until=timezone.now() - timedelta(minutes=1))
    client.force_login(cast.admin)
    page = client.get("/notifications/failed/").content.decode()
    assert partner_user.email in page and "About a sealed bid" not in page


def ask(opportunity, name, question):
    organisation, user = provider(name)
    asked = services.clarification_ask(opportunity=opportunity, question=question,
                                       organisation=organisation, by=user)  # fmt: skip
    return organisation, user, asked


def test_the_asker_hears_the_answer_and_so_does_everyone_taking_part(
    cast, django_capture_on_commit_callbacks
):
    opportunity = open_opportunity(cast)
    _, asker, question = ask(opportunity, "Curious Trust", "Can volunteers drive?")
    _, other_asker, _ = ask(opportunity, "Other Trust", "Is there parking?")
    bidder_org, bidder = provider("Bidding Trust")
    bid(opportunity, bidder_org, bidder)
    _, bystander = provider("Bystander Trust")  # not taking part: not told
    with django_capture_on_commit_callbacks(execute=True):
        services.clarification_answer(clarification=question, answer="Yes, with checks.",
                                      by=cast.commissioner)  # fmt: skip
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == sorted([asker.email, other_asker.email, bidder.email])
    mine = by_address[asker.email]
    assert mine.subject == "Your question about Befriending for older people has been answered"
    theirs = by_address[bidder.email]
    assert theirs.subject == "A question about Befriending for older people has been answered"
    for message in mail.outbox:
        assert "Can volunteers drive?" in message.body and "Yes, with checks." in message.body
        assert f"/commissioning/opportunities/{opportunity.pk}/" in message.body
    for message in (theirs, by_address[other_asker.email]):  # the asker is never named
        assert "Curious Trust" not in message.body + message.subject
        assert asker.full_name not in message.body + message.subject
    assert not Notification.objects.filter(recipient__in=[bystander, cast.commissioner]).exists()
    assert set(Notification.objects.values_list("sealed_until", flat=True)) == {
        opportunity.submission_deadline
    }


def test_a_bidder_is_told_alone_and_learns_of_no_other_bidder(cast):
    opportunity = open_opportunity(cast)
    _, asker, question = ask(opportunity, "Curious Trust", "Can volunteers drive?")
    first_org, first = provider("First Bidder")
    second_org, second = provider("Second Bidder")
    bid(opportunity, first_org, first)
    bid(opportunity, second_org, second)
    services.clarification_answer(clarification=question, answer="Yes.", by=cast.commissioner)
    for person, rival in ((first, "Second Bidder"), (second, "First Bidder")):
        [notice] = Notification.objects.filter(recipient=person)
        assert notice.address == person.email
        assert rival not in notice.subject + notice.body
    assert Notification.objects.count() == 3  # the asker and the two bidders, once each
