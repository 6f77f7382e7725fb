"""The review queue of suggested needs: who sees and decides what, one by one and in bulk."""

from __future__ import annotations

import pytest

from opus.core.models import AuditEvent, Role
from opus.directory import services
from opus.directory.models import SuggestedNeed, SuggestionStatus, TaxonomyTerm
from opus.directory.needs_mapping import suggested_need_decide, suggestions_for_user
from opus.testing import create_member, create_organisation, create_service

pytestmark = pytest.mark.django_db

QUEUE = "/directory/needs-review/"


def _service(organisation, name):
    service = create_service(name=name, organisation=organisation)
    services.service_set_terms(service=service, terms=[], by=None)  # imported without needs
    return service


def _suggest(service, code, score=0.9, words=("walks",)):
    return SuggestedNeed.objects.create(
        service=service,
        term=TaxonomyTerm.objects.get(code=code),
        score=score,
        words=list(words),
        source="feed",
    )


@pytest.fixture
def world(cast):
    ours = _service(cast.charity, "Riverside walks")
    theirs = _service(create_organisation(name="Other Org"), "Hilltop walks")
    return {
        "ours": _suggest(ours, "walking-groups"),
        "ours_too": _suggest(ours, "falls-prevention", 0.5, ("balance",)),
        "theirs": _suggest(theirs, "walking-groups"),
    }


def _matches(client, need):
    """The services matching considers for a need: its results and its near misses."""
    body = client.post("/api/v1/matches", {"needs": [need]}, content_type="application/json")
    found = body.json()
    return {r["name"] for r in found["results"] + found["near_misses"]}


def test_a_suggested_need_is_not_used_by_matching_until_it_is_confirmed(client, cast, world):
    assert "Riverside walks" not in _matches(client, "walking-groups")

    suggested_need_decide(suggestion=world["ours"], confirm=True, by=cast.provider)

    assert "Riverside walks" in _matches(client, "walking-groups")
    assert "Riverside walks" not in _matches(client, "falls-prevention")  # still only suggested


def test_provider_staff_see_their_own_services_suggestions_and_administrators_all(cast, world):
    assert set(suggestions_for_user(cast.provider)) == {world["ours"], world["ours_too"]}
    assert set(suggestions_for_user(cast.admin)) == set(world.values())
    for role in ("resident", "champion", "commissioner", "councillor", "auditor", "stranger"):
        assert not suggestions_for_user(getattr(cast, role)).exists(), role


@pytest.mark.parametrize(
    "role, status",
    [
        ("provider", 200),
        ("admin", 200),
        ("resident", 404),
        ("champion", 404),
        ("commissioner", 404),
        ("councillor", 404),
        ("auditor", 404),
        ("stranger", 404),
    ],
)
def test_the_queue_page_role_by_role(client, cast, world, role, status):
    client.force_login(getattr(cast, role))
    response = client.get(QUEUE)
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Riverside walks" in page and "Walking groups" in page and "“walks”" in page
        assert ("Hilltop walks" in page) == (role == "admin")


def test_signed_out_people_are_sent_to_sign_in(client, world):
    assert client.get(QUEUE)["Location"].startswith("/sign-in/")


def test_confirming_one_attaches_the_need_and_is_audited(client, cast, world):
    client.force_login(cast.provider)
    response = client.post(f"{QUEUE}{world['ours'].pk}/", {"decision": "confirm"})

    assert response.status_code == 302
    suggestion = SuggestedNeed.objects.get(pk=world["ours"].pk)
    assert (suggestion.status, suggestion.decided_by) == (SuggestionStatus.CONFIRMED, cast.provider)
    assert suggestion.service.terms.filter(code="walking-groups").exists()
    event = AuditEvent.objects.get(action="service.need_suggestion.confirm")
    assert event.summary["need"] == "walking-groups" and event.actor == cast.provider
    assert AuditEvent.objects.filter(action="service.terms").exists()  # through service_set_terms


def test_rejecting_one_attaches_nothing_and_deciding_again_changes_nothing(client, cast, world):
    client.force_login(cast.admin)
    client.post(f"{QUEUE}{world['theirs'].pk}/", {"decision": "reject"})
    service = world["theirs"].service
    assert SuggestedNeed.objects.get(pk=world["theirs"].pk).status == SuggestionStatus.REJECTED
    assert not service.terms.exists()
    assert AuditEvent.objects.filter(action="service.need_suggestion.reject").count() == 1

    response = client.post(f"{QUEUE}{world['theirs'].pk}/", {"decision": "confirm"}, follow=True)
    assert "already been decided" in response.content.decode()
    assert not service.terms.exists()


def test_a_provider_cannot_decide_another_providers_suggestion(client, cast, world):
    client.force_login(cast.provider)
    response = client.post(f"{QUEUE}{world['theirs'].pk}/", {"decision": "confirm"})
    assert response.status_code == 404
    assert SuggestedNeed.objects.get(pk=world["theirs"].pk).status == SuggestionStatus.SUGGESTED

    other = create_member(Role.PROVIDER, create_organisation(name="Third Org"))
    client.force_login(other)
    assert client.get(QUEUE).status_code == 200
    assert "Riverside walks" not in client.get(QUEUE).content.decode()


def test_a_decision_missing_is_a_problem_and_changes_nothing(client, cast, world):
    client.force_login(cast.provider)
    response = client.post(f"{QUEUE}{world['ours'].pk}/", {"decision": "maybe"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert SuggestedNeed.objects.get(pk=world["ours"].pk).status == SuggestionStatus.SUGGESTED


def test_bulk_confirm_checks_answers_first_then_confirms_each_with_its_own_event(
    client, cast, world
):
    client.force_login(cast.provider)
    chosen = [world["ours"].pk, world["ours_too"].pk]

    check = client.post(f"{QUEUE}check/", {"suggestion": chosen, "decision": "confirm"})

    page = check.content.decode()
    assert check.status_code == 200 and "Confirm 2 suggested needs?" in page
    assert "Walking groups" in page and "Falls prevention" in page
    assert not SuggestedNeed.objects.exclude(status=SuggestionStatus.SUGGESTED).exists()

    done = client.post(
        f"{QUEUE}decide/", {"suggestion": chosen, "decision": "confirm", "confirm": "yes"}
    )

    assert done.status_code == 302
    service = world["ours"].service
    assert set(service.terms.values_list("code", flat=True)) == {
        "walking-groups",
        "falls-prevention",
    }
    assert AuditEvent.objects.filter(action="service.need_suggestion.confirm").count() == 2
    assert AuditEvent.objects.filter(action="service.terms", actor=cast.provider).count() == 1


def test_bulk_with_nothing_selected_or_anothers_suggestion_is_a_problem(client, cast, world):
    client.force_login(cast.provider)
    response = client.post(f"{QUEUE}check/", {"decision": "confirm"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Select at least one suggestion" in page

    response = client.post(
        f"{QUEUE}decide/",
        {
            "suggestion": [world["ours"].pk, world["theirs"].pk],
            "decision": "reject",
            "confirm": "yes",
        },
    )
    assert response.status_code == 400
    assert "Select suggestions from the list" in response.content.decode()
    assert not SuggestedNeed.objects.exclude(status=SuggestionStatus.SUGGESTED).exists()
