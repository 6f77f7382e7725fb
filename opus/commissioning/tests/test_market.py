"""Finding opportunities: search, saved-search alerts by e-mail, clarifications."""

import pytest
from django.core import mail

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import AlertSent, SavedSearch
from opus.commissioning.search import search_opportunities
from opus.commissioning.tests.helpers import open_opportunity, provider
from opus.core.models import Role
from opus.testing import create_member

pytestmark = pytest.mark.django_db


def test_providers_filter_by_words_value_procedure_and_closing_date(cast):
    opportunity = open_opportunity(cast)
    deadline = opportunity.submission_deadline.date()
    assert list(search_opportunities({"q": "befriending older"})) == [opportunity]
    assert not search_opportunities({"q": "gardening"}).exists()
    assert search_opportunities({"max_value": "90000", "procedure": "light_touch"}).exists()
    assert not search_opportunities({"min_value": "90001"}).exists()
    assert search_opportunities({"closing_before": deadline.isoformat()}).exists()
    assert not search_opportunities({"closing_before": "2000-01-01"}).exists()


def test_a_saved_search_is_e_mailed_each_new_match_once(cast, django_capture_on_commit_callbacks):
    watcher = create_member(Role.PROVIDER, cast.charity, email="watcher@example.test")
    services.saved_search_create(user=watcher, name="Befriending", filters={"q": "befriending"})
    other = create_member(Role.PROVIDER, cast.charity, email="other@example.test")
    services.saved_search_create(user=other, name="Gardens", filters={"q": "gardening"})
    with django_capture_on_commit_callbacks() as callbacks:
        opportunity = open_opportunity(cast)  # enqueues the alert task (immediate here)
    assert not [m for m in mail.outbox if "New opportunity" in m.subject]  # not inside it
    for callback in callbacks:
        callback()
    sent = [m for m in mail.outbox if "New opportunity" in m.subject]
    assert [m.to for m in sent] == [["watcher@example.test"]]
    assert f"/commissioning/opportunities/{opportunity.pk}/" in sent[0].body
    assert services.alerts_send(opportunity_id=opportunity.pk) == 0  # not twice
    assert AlertSent.objects.count() == 1
    assert SavedSearch.objects.get(user=watcher).last_alerted_at == opportunity.published_at


def test_bad_filters_are_refused_and_nothing_is_saved(cast):
    with pytest.raises(CommissioningError) as caught:
        services.saved_search_create(user=cast.provider, name="x", filters={"min_value": "lots"})
    assert caught.value.field == "min_value"
    assert not SavedSearch.objects.exists()


def test_answers_are_published_without_the_askers_name(cast, client):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Curious Trust")
    question = services.clarification_ask(
        opportunity=opportunity, question="Can volunteers drive?", organisation=organisation,
        by=user,
    )  # fmt: skip
    services.clarification_answer(clarification=question, answer="Yes, with checks.",
                                  by=cast.commissioner)  # fmt: skip
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Can volunteers drive?" in page and "Yes, with checks." in page
    assert "Curious Trust" not in page and user.full_name not in page


def test_questions_close_at_their_deadline(cast):
    opportunity = open_opportunity(cast)
    _, user = provider("Late Asker")
    with pytest.raises(CommissioningError, match="deadline for questions"):
        services.clarification_ask(opportunity=opportunity, question="Too late?", organisation=None,
                                   by=user, now=opportunity.clarification_deadline)  # fmt: skip
