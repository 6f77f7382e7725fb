"""Providers and commissioners write entries; another moderator publishes or returns them."""

import pytest

from opus.core.models import AuditEvent, Role
from opus.knowledge import services
from opus.knowledge.models import Entry, EntryStatus, Tag
from opus.testing import create_member

from .conftest import write

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "working_model",
    "title": "Forming a consortium",
    "summary": "Five charities bid as one.",
    "body": "We agreed a lead partner.\n\nThen we wrote the bid together.",
    "audiences": ["providers", "councillors"],
    "tags": "Consortium,  small Providers, consortium",
}


def test_a_provider_writes_an_entry_and_sends_it_for_moderation(client, cast):
    client.force_login(cast.provider)
    assert client.get("/good-practice/write/").status_code == 200
    response = client.post(
        "/good-practice/write/", {**FORM, "organisation": cast.charity.pk, "action": "submit"}
    )
    entry = Entry.objects.get()
    assert response["Location"] == "/good-practice/forming-a-consortium/"
    assert entry.status == EntryStatus.SUBMITTED and entry.author == cast.provider
    assert entry.organisation == cast.charity and entry.submitted_at is not None
    assert sorted(t.name for t in entry.tags.all()) == ["consortium", "small providers"]
    assert entry.audience_codes == ["councillors", "providers"]
    events = AuditEvent.objects.filter(object_type="knowledge.entry", object_id=str(entry.pk))
    actions = list(events.order_by("sequence").values_list("action", flat=True))
    assert actions == ["knowledge_entry.create", "knowledge_entry.submit"]
    yours = client.get("/good-practice/yours/").content.decode()
    assert "Forming a consortium" in yours and "Waiting for moderation" in yours


def test_saving_as_a_draft_keeps_it_private_until_sent(client, cast):
    client.force_login(cast.provider)
    client.post("/good-practice/write/", {**FORM, "organisation": cast.charity.pk})
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.DRAFT
    client.post(f"/good-practice/{entry.slug}/submit/")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_a_commissioner_publishes_a_submitted_entry(client, cast):
    entry = write(cast.provider, cast.charity)
    services.entry_submit(entry=entry, by=cast.provider)
    client.force_login(cast.commissioner)
    queue = client.get("/good-practice/moderation/").content.decode()
    assert "Running a lunch club" in queue
    assert client.get(f"/good-practice/moderation/{entry.slug}/").status_code == 200
    response = client.post(f"/good-practice/{entry.slug}/publish/")
    assert response["Location"] == "/good-practice/moderation/"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and entry.moderated_by == cast.commissioner
    assert entry.published_at is not None
    event = AuditEvent.objects.get(action="knowledge_entry.publish")
    assert event.actor == cast.commissioner and event.object_id == str(entry.pk)
    client.logout()
    assert client.get(f"/good-practice/{entry.slug}/").status_code == 200


def test_the_author_cannot_publish_their_own_entry(client, cast):
    entry = write(cast.commissioner, cast.council, title="Our commissioning lessons")
    services.entry_submit(entry=entry, by=cast.commissioner)
    client.force_login(cast.commissioner)
    assert client.get(f"/good-practice/moderation/{entry.slug}/").status_code == 404
    assert client.post(f"/good-practice/{entry.slug}/publish/").status_code == 404
    assert (
        "another moderator will review it"
        in client.get("/good-practice/moderation/").content.decode()
    )
    with pytest.raises(services.EntryError):
        services.entry_publish(entry=entry, by=cast.commissioner)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    services.entry_publish(entry=entry, by=cast.admin)  # another moderator may
    entry.refresh_from_db()
    assert entry.is_published


def test_a_returned_entry_shows_the_reason_and_can_be_changed_and_sent_again(client, cast):
    entry = write(cast.provider, cast.charity)
    services.entry_submit(entry=entry, by=cast.provider)
    client.force_login(cast.commissioner)
    response = client.post(
        f"/good-practice/{entry.slug}/return/", {"reason": "Say what the club costs."}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (
        entry.status == EntryStatus.RETURNED and entry.return_reason == "Say what the club costs."
    )
    assert AuditEvent.objects.get(action="knowledge_entry.return").summary == {
        "reason": "Say what the club costs."
    }
    client.force_login(cast.provider)
    assert (
        "Say what the club costs." in client.get(f"/good-practice/{entry.slug}/").content.decode()
    )
    edit = client.get(f"/good-practice/{entry.slug}/edit/").content.decode()
    assert "Say what the club costs." in edit and "Running a lunch club" in edit
    client.post(
        f"/good-practice/{entry.slug}/edit/",
        {
            **FORM,
            "title": "Running a lunch club for £3 a head",
            "organisation": cast.charity.pk,
            "action": "submit",
        },
    )
    entry.refresh_from_db()
    assert (
        entry.status == EntryStatus.SUBMITTED and entry.slug == "running-a-lunch-club-for-3-a-head"
    )
    update = AuditEvent.objects.get(action="knowledge_entry.update")
    assert update.summary["after"]["title"] == "Running a lunch club for £3 a head"


def test_returning_needs_a_reason(client, cast):
    entry = write(cast.provider, cast.charity)
    services.entry_submit(entry=entry, by=cast.provider)
    client.force_login(cast.commissioner)
    response = client.post(f"/good-practice/{entry.slug}/return/", {"reason": "   "})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "Say why the entry is being returned" in page
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="knowledge_entry.return").exists()


def test_bad_input_shows_the_error_summary_keeps_what_was_typed_and_saves_nothing(client, cast):
    client.force_login(cast.provider)
    events = AuditEvent.objects.count()
    response = client.post(
        "/good-practice/write/",
        {
            "organisation": cast.charity.pk,
            "title": "Half-written idea",
            "summary": "",
            "body": "x" * 20_001,
            "tags": ", ".join(f"tag {i}" for i in range(11)),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    for message in (
        "Choose what kind of entry this is",
        "Write a short summary",
        "The entry must be 20,000 characters or fewer",
        "Choose who the entry is for",
        "Use at most 10 tags",
    ):
        assert message in page
    assert 'value="Half-written idea"' in page and "tag 10" in page
    assert not Entry.objects.exists() and not Tag.objects.exists()
    assert AuditEvent.objects.count() == events


def test_nobody_writes_for_an_organisation_they_do_not_work_for(client, cast):
    client.force_login(cast.provider)
    response = client.post("/good-practice/write/", {**FORM, "organisation": cast.council.pk})
    assert response.status_code == 400 and not Entry.objects.exists()
    assert "Choose one of the organisations you work for" in response.content.decode()
    with pytest.raises(services.EntryError):
        write(cast.provider, cast.council)


def test_only_the_author_changes_an_entry_and_only_before_it_is_sent(client, cast):
    colleague = create_member(Role.PROVIDER, cast.charity)
    entry = write(cast.provider, cast.charity)
    client.force_login(colleague)
    assert client.get(f"/good-practice/{entry.slug}/").status_code == 200  # colleagues may read
    assert client.get(f"/good-practice/{entry.slug}/edit/").status_code == 404
    assert client.post(f"/good-practice/{entry.slug}/submit/").status_code == 404
    services.entry_submit(entry=entry, by=cast.provider)
    client.force_login(cast.provider)
    assert client.get(f"/good-practice/{entry.slug}/edit/").status_code == 404
    with pytest.raises(services.EntryError):
        services.entry_submit(entry=entry, by=cast.provider)


def test_slugs_stay_unique_and_avoid_the_librarys_own_pages(cast):
    first = write(cast.provider, cast.charity, title="Lunch club")
    second = write(cast.provider, cast.charity, title="Lunch club")
    reserved = write(cast.provider, cast.charity, title="Write")
    assert (first.slug, second.slug, reserved.slug) == ("lunch-club", "lunch-club-2", "write-entry")
