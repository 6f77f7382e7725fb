"""Consultations: opened by a public body's staff, answered by anyone on question pages,
summarised with counts, themes and suppressed equality groups, closed by "you said, we did"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opus.core.models import AuditEvent
from opus.notifications.models import Notification
from opus.voice import consultation_results as results
from opus.voice import consultations as services
from opus.voice.models import Answer, Consultation, ConsultationStatus, Response

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def make(cast, body=None, by=None, publish=True):
    c = services.consultation_create(
        body=body or cast.council, title="Library opening hours", summary="Should we open later?",
        opens_on=TODAY, closes_on=TODAY + timedelta(days=30), by=by or cast.commissioner,
    )  # fmt: skip
    services.question_add(
        consultation=c, text="Which days suit you?", kind="multiple",
        options=["Saturday", "Sunday", "Weekday evenings"], by=by or cast.commissioner,
    )  # fmt: skip
    services.question_add(
        consultation=c, text="Later opening is a good idea", kind="agree", options=[],
        required=True, by=by or cast.commissioner,
    )  # fmt: skip
    services.question_add(
        consultation=c, text="Anything else?", kind="text", options=[], by=by or cast.commissioner
    )
    if publish:
        c = services.consultation_publish(consultation=c, by=by or cast.commissioner)
    return c


def respond(c, n=1, **more):
    q1, q2, q3 = c.questions.all()
    answers = {q1.pk: ["Saturday"], q2.pk: "Agree", q3.pk: "More books please"}
    return services.response_submit(
        consultation=c, answers=answers, session_key=f"s{n}", address=f"10.0.0.{n}", **more
    )


def close(c):
    Consultation.objects.filter(pk=c.pk).update(
        opens_on=TODAY - timedelta(days=40), closes_on=TODAY - timedelta(days=1)
    )
    c.refresh_from_db()


# --- Running a consultation ----------------------------------------------------------------


def test_a_commissioner_opens_and_publishes_a_consultation_and_it_is_audited(cast):
    c = make(cast)
    assert c.status == ConsultationStatus.PUBLISHED and c.is_open()
    assert [q.position for q in c.questions.all()] == [1, 2, 3]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"consultation.create", "consultation.question_add", "consultation.publish"} <= actions


def test_a_neighbourhood_councillor_consults_for_their_council_only(cast):
    assert make(cast, body=cast.parish, by=cast.councillor).body == cast.parish
    with pytest.raises(PermissionDenied):
        make(cast, body=cast.council, by=cast.councillor)


@pytest.mark.parametrize("who", ["provider", "resident", "auditor", "stranger", "champion"])
def test_nobody_else_opens_or_changes_a_consultation(cast, who):
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        make(cast, by=user)
    c = make(cast, publish=False)
    with pytest.raises(PermissionDenied):
        services.consultation_publish(consultation=c, by=user)


def test_a_draft_is_hidden_from_everyone_but_its_staff(cast, client):
    c = make(cast, publish=False)
    url = reverse("voice:consultation_detail", args=[c.pk])
    assert client.get(url).status_code == 404
    client.force_login(cast.provider)
    assert client.get(url).status_code == 404
    client.force_login(cast.commissioner)
    assert client.get(url).status_code == 200


def test_a_closing_date_before_the_opening_date_is_refused_on_the_form(cast, client):
    client.force_login(cast.commissioner)
    page = client.post(reverse("voice:consultation_new"), {
        "body": cast.council.pk, "title": "Parks", "summary": "Parks",
        "opens_on": TODAY.isoformat(), "closes_on": (TODAY - timedelta(days=1)).isoformat(),
    })  # fmt: skip
    assert page.status_code == 400
    assert "govuk-error-summary" in page.content.decode()
    assert not Consultation.objects.exists()


def test_a_choice_question_needs_two_options(cast):
    c = make(cast, publish=False)
    with pytest.raises(services.ConsultationError) as error:
        services.question_add(
            consultation=c, text="Pick", kind="single", options=["Only"], by=cast.commissioner
        )
    assert error.value.field == "options"


# --- Responding ---------------------------------------------------------------------------


def test_anyone_responds_on_question_pages_and_checks_before_sending(cast):
    c = make(cast)
    q1, q2, q3 = c.questions.all()
    anon = Client()
    base = f"/voice/consultations/{c.pk}/respond/"
    assert anon.post(base + "1/", {"answer": ["Saturday", "Sunday"]}).status_code == 302
    assert anon.post(base + "2/", {"answer": "Strongly agree"}).status_code == 302
    assert anon.post(base + "3/", {"answer": "Open on Sundays"}).status_code == 302
    page = anon.post(base + "about-you/", {"email": "ann@example.test"})
    assert page["Location"] == base + "check/"
    check = anon.get(base + "check/").content.decode()
    assert "Check your answers" in check and "Open on Sundays" in check
    assert not Response.objects.exists()  # nothing saved before confirming
    sent = anon.post(base + "check/", {"confirm": "yes"})
    assert "Response sent" in sent.content.decode()
    response = Response.objects.get()
    assert response.respondent is None and response.email == "ann@example.test"
    assert sorted(Answer.objects.get(question=q1).chosen) == ["Saturday", "Sunday"]
    assert Answer.objects.get(question=q2).chosen == ["Strongly agree"]


def test_a_required_question_left_blank_shows_the_error_summary(cast):
    c = make(cast)
    page = Client().post(f"/voice/consultations/{c.pk}/respond/2/", {})
    assert page.status_code == 400 and "govuk-error-summary" in page.content.decode()


def test_an_answer_over_the_limit_or_off_the_list_is_refused(cast):
    c = make(cast)
    q1, q2, q3 = c.questions.all()
    with pytest.raises(services.ConsultationError):
        services.check_answer(q3, "x" * 2001)
    with pytest.raises(services.ConsultationError):
        services.check_answer(q1, ["Monday"])
    with pytest.raises(services.ConsultationError):
        services.check_answer(q2, ["Agree", "Disagree"])


def test_one_response_a_person_a_browser_and_an_anonymous_address(cast):
    c = make(cast)
    respond(c, 1)
    with pytest.raises(services.ConsultationError):  # the same browser session
        services.response_submit(consultation=c, answers={}, session_key="s1", address="x")
    with pytest.raises(services.ConsultationError):  # another session, same address
        services.response_submit(consultation=c, answers={}, session_key="s9", address="10.0.0.1")
    respond(c, 2, user=cast.resident)
    with pytest.raises(services.ConsultationError):  # signed in: once a person
        respond(c, 3, user=cast.resident)
    assert Response.objects.count() == 2


def test_no_response_once_closed(cast):
    c = make(cast)
    close(c)
    with pytest.raises(services.ConsultationError):
        respond(c)
    assert Client().get(f"/voice/consultations/{c.pk}/respond/1/").status_code == 404


def test_equality_answers_are_kept_only_with_consent(cast):
    c = make(cast)
    with pytest.raises(services.ConsultationError) as error:
        respond(c, 1, equality={"sex": "female"}, consent=False)
    assert error.value.field == "consent"
    saved = respond(c, 2, equality={"sex": "female", "age_band": "prefer_not"}, consent=True)
    assert saved.equality_consent and saved.sex == "female"


# --- Results ------------------------------------------------------------------------------


def test_results_count_each_option_and_hide_equality_groups_under_ten(cast):
    c = make(cast)
    for n in range(11):
        respond(c, n, equality={"sex": "female"}, consent=True)
    for n in range(11, 21):
        respond(c, n, equality={"sex": "male"}, consent=True)
    respond(c, 21, equality={"sex": "prefer_not"}, consent=True)
    found = results.results(c)
    assert found["responses"] == 22
    assert dict(found["options"][0]["rows"])["Saturday"] == 22
    sex = next(t for t in found["equality"] if t["key"] == "sex")
    shown = dict(sex["rows"])
    assert shown["Female"] == 11
    assert shown["Prefer not to say"] is None  # one person: hidden
    assert shown["Male"] is None  # hidden too, or the one could be worked out from the total


def test_officers_tag_written_answers_with_themes_and_the_counts_show(cast, client):
    c = make(cast)
    respond(c, 1)
    respond(c, 2)
    books = services.theme_add(consultation=c, name="Books", by=cast.commissioner)
    client.force_login(cast.commissioner)
    for answer in Answer.objects.filter(question__kind="text"):
        page = client.post(
            reverse("voice:answer_tag", args=[answer.pk]), {f"a{answer.pk}-themes": [books.pk]}
        )
        assert page.status_code == 302
    assert results.theme_counts(c) == [("Books", 2)]


def test_a_stranger_cannot_tag_answers(cast, client):
    c = make(cast)
    respond(c, 1)
    theme = services.theme_add(consultation=c, name="Books", by=cast.commissioner)
    answer = Answer.objects.filter(question__kind="text").get()
    client.force_login(cast.provider)
    page = client.post(
        reverse("voice:answer_tag", args=[answer.pk]), {f"a{answer.pk}-themes": [theme.pk]}
    )
    assert page.status_code == 404 and not answer.themes.exists()


def test_the_results_page_has_chart_table_and_csv_once_closed(cast, client):
    c = make(cast)
    respond(c, 1)
    url = reverse("voice:consultation_results", args=[c.pk])
    assert client.get(url).status_code == 404  # still open: staff only
    close(c)
    page = client.get(url).content.decode()
    assert "<svg" in page and "opus-table-scroll" in page and "Saturday" in page
    csv = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert "Which days suit you?,Saturday,1" in csv


# --- You said, we did ---------------------------------------------------------------------


def test_you_said_we_did_closes_it_and_tells_those_who_left_an_address(cast, client):
    c = make(cast)
    respond(c, 1, email="ann@example.test")
    respond(c, 2, user=cast.resident)
    respond(c, 3)  # no address: not told
    with pytest.raises(services.ConsultationError):  # not before it has closed
        services.consultation_conclude(consultation=c, text="We will", by=cast.commissioner)
    close(c)
    client.force_login(cast.commissioner)
    url = reverse("voice:consultation_manage", args=[c.pk, "conclude"])
    check = client.post(url, {"text": "You asked for Sundays: we open on Sundays from May."})
    assert "Check" in check.content.decode()
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.PUBLISHED
    client.post(
        url, {"text": "You asked for Sundays: we open on Sundays from May.", "confirm": "yes"}
    )
    c.refresh_from_db()
    assert c.status == ConsultationStatus.CONCLUDED
    told = Notification.objects.filter(template="consultation_concluded")
    assert {n.address for n in told} == {"ann@example.test", cast.resident.email}
    assert (
        "we open on Sundays"
        in client.get(reverse("voice:consultation_detail", args=[c.pk])).content.decode()
    )


def test_an_empty_you_said_we_did_is_refused_and_nothing_changes(cast, client):
    c = make(cast)
    close(c)
    client.force_login(cast.commissioner)
    page = client.post(reverse("voice:consultation_manage", args=[c.pk, "conclude"]), {"text": " "})
    assert page.status_code == 400
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.PUBLISHED
