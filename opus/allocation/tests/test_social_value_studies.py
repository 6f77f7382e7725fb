"""Measured change: consented answers before and after, beside a comparison group."""

import pytest
from django.core.exceptions import PermissionDenied

from opus.allocation import social_value as services
from opus.allocation.models import WellbeingAnswer
from opus.allocation.social_value import SocialValueError
from opus.allocation.social_value_read import study_result
from opus.allocation.tests.social_value_helpers import contract_ledger, signed_contract

pytestmark = pytest.mark.django_db

TREATED = [(4, 6), (5, 7), (3, 6), (6, 7), (5, 6)]
CONTROL = [(5, 5), (4, 5), (6, 6), (5, 4)]


@pytest.fixture
def study(cast):
    contract, _ = signed_contract(cast)
    ledger = contract_ledger(cast, contract)
    return services.study_create(
        ledger=ledger,
        title="Befriending study",
        comparison="waiting_list",
        people=100,
        years=1,
        by=cast.commissioner,
    )


def _answer(study, by, group, n, before, after):
    for wave, score in (("before", before), ("after", after)):
        services.answer_record(study=study, group=group, wave=wave, respondent=f"{group}{n}",
                               score=score, consent=True, by=by)  # fmt: skip


def _fill(study, by):
    for n, (b, a) in enumerate(TREATED):
        _answer(study, by, "participant", n, b, a)
    for n, (b, a) in enumerate(CONTROL):
        _answer(study, by, "comparison", n, b, a)


def test_the_measured_change_and_the_wellbys_it_implies(cast, study):
    _fill(study, cast.commissioner)
    result = study_result(study)
    assert result.pairs == {"participant": 5, "comparison": 4}
    assert result.change.difference == pytest.approx(1.8)
    assert result.change.lower < 1.8 < result.change.upper
    assert result.implied.value == pytest.approx(180)  # 100 people × 1.8 × 1 year
    assert result.implied_pence[0] == 180 * 1_300_000


def test_the_study_page_shows_the_interval_and_never_an_answer(client, cast, study):
    _fill(study, cast.commissioner)
    page = client.get(f"/allocation/social-value/studies/{study.pk}/").content.decode()
    assert "1.80" in page and "£2,340,000" in page and "Welch" in page
    assert "participant0" not in page and "/answer/" not in page


def test_too_few_answers_say_so(client, cast, study):
    _answer(study, cast.commissioner, "participant", 1, 5, 6)
    result = study_result(study)
    assert result.change is None and "at least 2" in result.reason
    page = client.get(f"/allocation/social-value/studies/{study.pk}/").content.decode()
    assert "not enough answers" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"consent": False}, "consent"), ({"score": 11}, "score"), ({"score": -1}, "score"),
     ({"group": "other"}, "group"), ({"respondent": ""}, "respondent")],
)  # fmt: skip
def test_a_bad_answer_is_refused_and_nothing_kept(cast, study, changes, field):
    answer = {"group": "participant", "wave": "before", "respondent": "P1", "score": 5,
              "consent": True, **changes}  # fmt: skip
    with pytest.raises(SocialValueError) as refused:
        services.answer_record(study=study, by=cast.commissioner, **answer)
    assert refused.value.field == field and not WellbeingAnswer.objects.exists()


def test_a_participant_answers_through_the_link_without_an_account(client, study):
    url = f"/allocation/social-value/answer/{study.token}/"
    page = client.get(url).content.decode()
    assert "Overall, how satisfied are you with your life nowadays?" in page
    refused = client.post(url, {"group": "participant", "wave": "before", "respondent": "P7",
                                "score": "6"})  # fmt: skip
    assert (
        "govuk-error-summary" in refused.content.decode() and not WellbeingAnswer.objects.exists()
    )
    response = client.post(url, {"group": "participant", "wave": "before", "respondent": "P7",
                                 "score": "6", "consent": "on"})  # fmt: skip
    assert "Thank you" in response.content.decode()
    assert WellbeingAnswer.objects.get().entered_by is None


def test_the_supplier_enters_answers_and_outsiders_cannot(client, cast, study):
    supplier = study.ledger.contract.award.bid.submitted_by
    client.force_login(supplier)
    response = client.post(f"/allocation/social-value/studies/{study.pk}/answers/new/", {
        "group": "comparison", "wave": "after", "respondent": "C1", "score": "7", "consent": "on",
    })  # fmt: skip
    assert response.status_code == 302 and WellbeingAnswer.objects.count() == 1
    for outsider in (cast.provider, cast.resident, cast.stranger):
        with pytest.raises(PermissionDenied):
            services.answer_record(study=study, group="comparison", wave="before",
                                   respondent="C9", score=3, consent=True, by=outsider)  # fmt: skip
        client.force_login(outsider)
        url = f"/allocation/social-value/studies/{study.pk}/answers/new/"
        assert client.get(url).status_code == 404
    assert WellbeingAnswer.objects.count() == 1
