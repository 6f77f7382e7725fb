"""Assets of community value: who may record what, the clocks stored, and who is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opus.core.models import AuditEvent, OrganisationKind, Role
from opus.neighbourhoods import assets as services
from opus.neighbourhoods.models.assets import (
    AcvStatus,
    BidderRequest,
    CommunityAsset,
    DisposalNotice,
    GrantRoundOffer,
)
from opus.notifications.models import Notification
from opus.testing import create_member, create_organisation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def nominate(cast, *, on=None, **extra):
    fields = {
        "nominator": cast.charity,
        "name": "The Red Lion",
        "address_text": "1 High Street, Vale",
        "owner_name": "Brewery Ltd",
        "owner_email": "estates@brewery.example",
        "listing_authority": cast.council,
        "neighbourhood_council": cast.parish,
        "reasons": "The only meeting place in the village",
        "nominated_on": on or TODAY - dt.timedelta(days=100),
        "by": cast.provider,
    }
    fields.update(extra)
    return services.acv_nominate(**fields)


def listed(cast, days_ago=90):
    asset = nominate(cast, on=TODAY - dt.timedelta(days=days_ago + 10))
    return services.acv_decide(
        asset=asset,
        listed=True,
        reasons="Meets the test",
        decided_on=TODAY - dt.timedelta(days=days_ago),
        by=cast.commissioner,
    )


def recipients(template):
    return sorted(n.address for n in Notification.objects.filter(template=template))


def test_a_community_group_nominates_and_the_decision_is_due_in_eight_weeks(cast):
    asset = nominate(cast, on=dt.date(2026, 1, 5))
    assert asset.reference.startswith("ACV-")
    assert asset.decision_due == dt.date(2026, 3, 2)
    assert asset.status == AcvStatus.NOMINATED
    assert AuditEvent.objects.filter(action="acv.nominate").count() == 1
    # The nominator, the owner and the neighbourhood council's councillors are told.
    assert recipients("acv_nominated") == sorted(
        ["priya@example.test", "estates@brewery.example", "colin@example.test"]
    )


def test_a_neighbourhood_councillor_nominates_for_the_council(cast):
    asset = nominate(cast, nominator=cast.parish, by=cast.councillor)
    assert asset.nominator == cast.parish


@pytest.mark.parametrize("role", ["resident", "champion", "commissioner", "auditor", "stranger"])
def test_others_may_not_nominate_for_the_group(cast, role):
    with pytest.raises(PermissionDenied):
        nominate(cast, by=getattr(cast, role))
    assert not CommunityAsset.objects.exists()
    assert not AuditEvent.objects.filter(action="acv.nominate").exists()


def test_a_nomination_dated_in_the_future_is_refused(cast):
    with pytest.raises(services.AssetError, match="future"):
        nominate(cast, on=TODAY + dt.timedelta(days=1))
    assert not CommunityAsset.objects.exists()


def test_the_listing_lasts_five_years_and_everyone_is_told(cast):
    asset = listed(cast, days_ago=90)
    decided = TODAY - dt.timedelta(days=90)
    assert asset.status == AcvStatus.LISTED
    assert asset.listed_until.year == decided.year + 5
    assert asset.review_request_end == decided + dt.timedelta(weeks=8)
    assert len(recipients("acv_decided")) == 3
    body = Notification.objects.get(template="acv_decided", address="estates@brewery.example").body
    assert "ask the council to review" in body


@pytest.mark.parametrize("role", ["resident", "provider", "councillor", "auditor", "stranger"])
def test_only_the_listing_authority_decides(cast, role):
    asset = nominate(cast)
    with pytest.raises(PermissionDenied):
        services.acv_decide(
            asset=asset, listed=True, reasons="x", decided_on=TODAY, by=getattr(cast, role)
        )
    asset.refresh_from_db()
    assert asset.status == AcvStatus.NOMINATED


def test_a_commissioner_of_another_council_may_not_decide_but_an_administrator_may(cast):
    asset = nominate(cast)
    elsewhere = create_member(
        Role.COMMISSIONER, create_organisation(kind=OrganisationKind.LOCAL_AUTHORITY)
    )
    with pytest.raises(PermissionDenied):
        services.acv_decide(asset=asset, listed=True, reasons="x", decided_on=TODAY, by=elsewhere)
    services.acv_decide(asset=asset, listed=False, reasons="No", decided_on=TODAY, by=cast.admin)
    asset.refresh_from_db()
    assert asset.status == AcvStatus.NOT_LISTED


def test_the_owners_review_must_be_asked_for_in_time_and_can_remove_the_listing(cast):
    asset = listed(cast, days_ago=90)
    with pytest.raises(services.AssetError, match="had until"):
        services.acv_review_request(asset=asset, requested_on=TODAY, by=cast.commissioner)
    asset = services.acv_review_request(
        asset=asset, requested_on=asset.decided_on + dt.timedelta(days=10), by=cast.commissioner
    )
    assert asset.review_due == asset.review_requested_on + dt.timedelta(weeks=8)
    asset = services.acv_review_decide(
        asset=asset, upheld=False, reasons="Not used", decided_on=TODAY, by=cast.commissioner
    )
    assert asset.status == AcvStatus.REMOVED
    assert len(recipients("acv_reviewed")) == 3


def test_a_disposal_notice_starts_the_clocks_and_offers_the_council_a_grant_round(cast):
    asset = listed(cast)
    notice = services.disposal_notice_record(
        asset=asset, notice_date=TODAY - dt.timedelta(days=3), by=cast.commissioner
    )
    assert notice.interim_end == notice.notice_date + dt.timedelta(weeks=6)
    assert notice.full_end is None
    offer = GrantRoundOffer.objects.get(notice=notice)
    assert offer.neighbourhood_council == cast.parish
    assert len(recipients("acv_disposal_notice")) == 3
    council = Notification.objects.get(template="acv_disposal_notice", address="colin@example.test")
    assert "small-grant round" in council.body
    assert "feasibility" in council.body
    owner = Notification.objects.get(
        template="acv_disposal_notice", address="estates@brewery.example"
    )
    assert "small-grant" not in owner.body
    assert "How dates are counted" in owner.body


def test_a_bidder_request_in_time_starts_the_full_moratorium(cast):
    asset = listed(cast)
    notice = services.disposal_notice_record(
        asset=asset, notice_date=TODAY - dt.timedelta(days=10), by=cast.commissioner
    )
    group = create_organisation(name="Save the Lion", kind=OrganisationKind.COMMUNITY_GROUP)
    member = create_member(Role.PROVIDER, group)
    services.bidder_request_record(notice=notice, group=group, made_on=TODAY, by=member)
    notice.refresh_from_db()
    months = (notice.full_end.year - notice.notice_date.year) * 12 + (
        notice.full_end.month - notice.notice_date.month
    )
    assert months == 6
    assert len(recipients("acv_bidder_request")) == 3
    # The same group again: refused, nothing added.
    with pytest.raises(services.AssetError, match="already"):
        services.bidder_request_record(notice=notice, group=group, made_on=TODAY, by=member)
    assert BidderRequest.objects.count() == 1


def test_a_bidder_request_after_the_interim_moratorium_is_refused(cast):
    asset = listed(cast, days_ago=80)
    notice = services.disposal_notice_record(
        asset=asset, notice_date=TODAY - dt.timedelta(weeks=7), by=cast.commissioner
    )
    with pytest.raises(services.AssetError, match="interim moratorium"):
        services.bidder_request_record(
            notice=notice, group=cast.charity, made_on=TODAY, by=cast.provider
        )
    notice.refresh_from_db()
    assert notice.full_end is None
    assert not BidderRequest.objects.exists()


@pytest.mark.parametrize("role", ["resident", "champion", "auditor", "stranger"])
def test_only_groups_and_officers_record_bidder_requests(cast, role):
    asset = listed(cast)
    notice = services.disposal_notice_record(asset=asset, notice_date=TODAY, by=cast.commissioner)
    with pytest.raises(PermissionDenied):
        services.bidder_request_record(
            notice=notice, group=cast.charity, made_on=TODAY, by=getattr(cast, role)
        )


@pytest.mark.parametrize("role", ["resident", "provider", "councillor", "auditor", "stranger"])
def test_only_officers_record_notices_and_exempt_disposals(cast, role):
    asset = listed(cast)
    with pytest.raises(PermissionDenied):
        services.disposal_notice_record(asset=asset, notice_date=TODAY, by=getattr(cast, role))
    with pytest.raises(PermissionDenied):
        services.exempt_disposal_record(
            asset=asset, exemption="gift", reason="x", disposal_date=TODAY, by=getattr(cast, role)
        )
    assert not DisposalNotice.objects.exists()


def test_a_second_notice_inside_the_protected_period_is_refused(cast):
    asset = listed(cast, days_ago=200)
    services.disposal_notice_record(
        asset=asset, notice_date=TODAY - dt.timedelta(days=100), by=cast.commissioner
    )
    with pytest.raises(services.AssetError, match="protected period"):
        services.disposal_notice_record(asset=asset, notice_date=TODAY, by=cast.commissioner)
    assert DisposalNotice.objects.count() == 1


def test_a_notice_on_an_unlisted_asset_is_refused(cast):
    asset = nominate(cast)
    with pytest.raises(services.AssetError, match="listed"):
        services.disposal_notice_record(asset=asset, notice_date=TODAY, by=cast.commissioner)


def test_an_exempt_disposal_names_its_exemption(cast):
    asset = listed(cast)
    record = services.exempt_disposal_record(
        asset=asset,
        exemption="family",
        reason="Sold to the owner's daughter",
        disposal_date=TODAY,
        by=cast.commissioner,
    )
    assert record.exemption == "family"
    assert (
        "Between members of the same family"
        in Notification.objects.filter(template="acv_exempt_disposal").first().body
    )
    with pytest.raises(services.AssetError, match="exemption"):
        services.exempt_disposal_record(
            asset=asset, exemption="because", reason="x", disposal_date=TODAY, by=cast.commissioner
        )


RIGHT_TO_BUY = [
    {
        "code": "community-right-to-buy",
        "name": "Community Right to Buy",
        "effective_from": "2020-01-01",
        "full": "12 months",
    }
]


def test_a_twelve_month_right_to_buy_set_in_settings_runs_through_the_services(cast, settings):
    settings.OPUS_ACV_REGIMES = RIGHT_TO_BUY
    asset = nominate(cast, on=TODAY - dt.timedelta(days=100), regime="community-right-to-buy")
    asset = services.acv_decide(
        asset=asset, listed=True, reasons="Yes", decided_on=TODAY - dt.timedelta(days=90),
        by=cast.commissioner,
    )  # fmt: skip
    notice = services.disposal_notice_record(
        asset=asset, notice_date=TODAY - dt.timedelta(days=5), by=cast.commissioner
    )
    services.bidder_request_record(
        notice=notice, group=cast.charity, made_on=notice.notice_date, by=cast.provider
    )
    notice.refresh_from_db()
    assert notice.regime == "community-right-to-buy"
    day = notice.notice_date
    assert notice.full_end == (
        day.replace(year=day.year + 1)
        if (day.month, day.day) != (2, 29)
        else dt.date(day.year + 1, 2, 28)
    )
    from django.test import Client

    page = Client().get(asset.get_absolute_url()).content.decode()
    assert "12 months from the notice" in page


def test_an_unknown_regime_is_refused(cast):
    with pytest.raises(services.AssetError, match="no regime"):
        nominate(cast, regime="community-right-to-buy")
