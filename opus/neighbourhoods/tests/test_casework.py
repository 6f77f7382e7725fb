"""Councillors' casework: raising, moving on, referring, answering; private to its people."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from opus.core.models import AuditEvent, Role
from opus.neighbourhoods import casework
from opus.neighbourhoods.models import Case, CaseStatus, Clerk
from opus.neighbourhoods.tests.conftest import make_hood
from opus.notifications.models import Notification
from opus.testing import create_consent, create_member, create_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return casework.case_raise(
        council=cast.parish, resident=cast.resident, subject="Broken lamp",
        details="The lamp by the park has been out for weeks", by=cast.resident,
    )  # fmt: skip


def test_a_resident_raises_a_case_and_the_councillors_are_told(cast, case):
    assert case.status == CaseStatus.NEW
    assert case.council == cast.parish
    notice = Notification.objects.get(recipient=cast.councillor, template="case_raised")
    assert "Broken lamp" in notice.body
    assert AuditEvent.objects.filter(action="case.raise").count() == 1


def test_a_case_without_its_subject_is_refused_and_nothing_saved(cast):
    with pytest.raises(casework.CaseError) as error:
        casework.case_raise(
            council=cast.parish, resident=cast.resident, subject=" ", details="x", by=cast.resident
        )
    assert error.value.field == "subject"
    assert not Case.objects.exists()


def test_a_case_goes_only_to_a_neighbourhood_council(cast):
    with pytest.raises(casework.CaseError):
        casework.case_raise(
            council=cast.charity, resident=cast.resident, subject="x", details="y",
            by=cast.resident,
        )  # fmt: skip


def test_a_champion_raises_a_case_only_with_consent(cast):
    with pytest.raises(PermissionDenied):
        casework.case_raise(
            council=cast.parish, resident=cast.resident, subject="x", details="y", by=cast.champion
        )
    create_consent(person=cast.resident, champion=cast.champion)
    made = casework.case_raise(
        council=cast.parish, resident=cast.resident, subject="x", details="y", by=cast.champion
    )
    assert made.raised_by == cast.champion and made.resident == cast.resident


def test_the_council_is_found_from_the_postcode(cast):
    make_hood(cast)
    assert casework.council_for("NV1 1AA") == cast.parish
    assert casework.council_for("ZZ1 1ZZ") is None
    assert casework.council_for("AB1 2CD") is None


def test_the_councillor_starts_refers_answers_and_the_resident_is_told(cast, case):
    body = create_organisation(name="Highways Agency")
    staff = create_member(Role.PROVIDER, body, full_name="Hal")
    casework.case_start(case=case, by=cast.councillor)
    case = casework.case_refer(case=case, body=body, note="Please fix the lamp", by=cast.councillor)
    assert case.status == CaseStatus.REFERRED and case.referred_to == body
    assert Notification.objects.filter(recipient=staff, template="case_referred").exists()
    case = casework.case_answer(case=case, answer="Fixed on Monday", by=cast.councillor)
    assert case.status == CaseStatus.ANSWERED
    answered = Notification.objects.get(recipient=cast.resident, template="case_answered")
    assert "Fixed on Monday" in answered.body
    casework.case_close(case=case, by=cast.resident)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.start", "case.refer", "case.answer", "case.close"} <= actions


def test_a_closed_case_takes_no_more_steps(cast, case):
    casework.case_close(case=case, by=cast.councillor)
    with pytest.raises(casework.CaseError):
        casework.case_answer(case=case, answer="Late", by=cast.councillor)


def test_only_the_councils_councillors_and_clerk_work_a_case(cast, case):
    other_council = create_organisation(name="Hill Council", kind="neighbourhood_council")
    other = create_member(Role.COUNCILLOR, other_council)
    for user in (other, cast.admin, cast.auditor, cast.resident, cast.commissioner):
        with pytest.raises(PermissionDenied):
            casework.case_answer(case=case, answer="x", by=user)
    clerk = create_member(Role.RESIDENT, cast.council, full_name="Clara Clerk")
    Clerk.objects.create(council=cast.parish, user=clerk)
    assert casework.case_answer(case=case, answer="Done", by=clerk).status == CaseStatus.ANSWERED


def test_an_answer_must_be_written(cast, case):
    with pytest.raises(casework.CaseError) as error:
        casework.case_answer(case=case, answer="", by=cast.councillor)
    assert error.value.field == "answer"
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_every_role_sees_a_case_or_gets_404(cast, client, case):
    clerk = create_member(Role.RESIDENT, cast.council, full_name="Clara Clerk")
    Clerk.objects.create(council=cast.parish, user=clerk)
    other_council = create_organisation(name="Hill Council", kind="neighbourhood_council")
    seers = {
        "resident": cast.resident,
        "councillor": cast.councillor,
        "clerk": clerk,
        "auditor": cast.auditor,
    }
    others = {
        "champion without consent": cast.champion,
        "provider": cast.provider,
        "commissioner": cast.commissioner,
        "admin": cast.admin,
        "stranger": cast.stranger,
        "other councillor": create_member(Role.COUNCILLOR, other_council),
    }
    url = reverse("neighbourhoods:case_detail", args=[case.pk])
    for who, user in seers.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, who
        assert "Broken lamp" in response.content.decode()
    for who, user in others.items():
        client.force_login(user)
        assert client.get(url).status_code == 404, who
        assert "Broken lamp" not in client.get(reverse("neighbourhoods:case_list")).content.decode()
    client.logout()
    assert client.get(url).status_code == 404
    create_consent(person=cast.resident, champion=cast.champion, scope="find")
    client.force_login(cast.champion)
    assert client.get(url).status_code == 200
