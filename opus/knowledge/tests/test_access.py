"""Drafts stay with their organisation and the moderators; everyone else gets 404."""

import pytest

from opus.directory.models import TaxonomyTerm
from opus.knowledge import services
from opus.knowledge.access import published_for_needs

from .conftest import publish, write

pytestmark = pytest.mark.django_db


def test_strangers_residents_and_other_organisations_get_404_on_drafts(client, cast):
    draft = write(cast.provider, cast.charity)
    submitted = write(cast.provider, cast.charity, title="Sent entry")
    services.entry_submit(entry=submitted, by=cast.provider)
    for entry in (draft, submitted):
        assert client.get(f"/good-practice/{entry.slug}/").status_code == 404
        for user in (cast.stranger, cast.resident, cast.councillor, cast.auditor):
            client.force_login(user)
            assert client.get(f"/good-practice/{entry.slug}/").status_code == 404, user
        client.logout()
    for user in (cast.provider, cast.champion, cast.commissioner, cast.admin):
        client.force_login(user)
        assert client.get(f"/good-practice/{draft.slug}/").status_code == 200, user


def test_the_write_your_entries_and_moderation_pages_are_404_to_those_without_the_role(
    client, cast
):
    entry = write(cast.provider, cast.charity)
    services.entry_submit(entry=entry, by=cast.provider)
    for user in (cast.stranger, cast.resident, cast.auditor, cast.councillor):
        client.force_login(user)
        assert client.get("/good-practice/write/").status_code == 404
        assert client.get("/good-practice/yours/").status_code == 404
        assert client.get("/good-practice/moderation/").status_code == 404
        assert client.get(f"/good-practice/moderation/{entry.slug}/").status_code == 404
        assert client.post(f"/good-practice/{entry.slug}/publish/").status_code == 404
        assert (
            client.post(f"/good-practice/{entry.slug}/return/", {"reason": "x"}).status_code == 404
        )
    client.force_login(cast.provider)  # writers are not moderators
    assert client.get("/good-practice/moderation/").status_code == 404
    assert client.post(f"/good-practice/{entry.slug}/publish/").status_code == 404
    entry.refresh_from_db()
    assert entry.status == "submitted"


def test_signed_out_visitors_are_sent_to_sign_in_for_the_write_page(client):
    response = client.get("/good-practice/write/")
    assert response.status_code == 302 and "next=/good-practice/write/" in response["Location"]


def test_published_ideas_can_be_found_by_the_needs_they_help_with(cast):
    befriending = TaxonomyTerm.objects.get(code="befriending")
    entry = publish(cast.provider, cast.charity, cast.commissioner, needs=[befriending])
    write(cast.provider, cast.charity, title="Draft", needs=[befriending])
    assert published_for_needs(["befriending", "meals"]) == [entry]
    assert published_for_needs(["meals"]) == []
