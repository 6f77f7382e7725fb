"""The asset register's pages and downloads, as the public, groups and officers use them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opus.core.models import Role
from opus.neighbourhoods import assets as services
from opus.neighbourhoods.models.assets import AcvStatus, CommunityAsset, DisposalNotice
from opus.neighbourhoods.views_assets import PLANNING_DATA_FIELDS
from opus.testing import create_member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def make_listed(cast, name="The Red Lion", notice_days_ago=None):
    asset = services.acv_nominate(
        nominator=cast.charity,
        name=name,
        address_text="1 High Street, Vale",
        uprn="100012345678",
        owner_name="Brewery Ltd",
        listing_authority=cast.council,
        neighbourhood_council=cast.parish,
        reasons="The only meeting place",
        nominated_on=TODAY - dt.timedelta(days=200),
        by=cast.provider,
    )
    services.acv_decide(
        asset=asset,
        listed=True,
        reasons="Meets the test",
        decided_on=TODAY - dt.timedelta(days=150),
        by=cast.commissioner,
    )
    if notice_days_ago is not None:
        services.disposal_notice_record(
            asset=asset,
            notice_date=TODAY - dt.timedelta(days=notice_days_ago),
            by=cast.commissioner,
        )
    return CommunityAsset.objects.get(pk=asset.pk)


def test_the_public_register_lists_and_filters_assets(cast):
    make_listed(cast, "The Red Lion")
    make_listed(cast, "Vale Library")
    response = Client().get(reverse("neighbourhoods:asset_register"), {"q": "library"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vale Library" in page and "The Red Lion" not in page
    assert "How dates are counted" in page
    make_listed(cast, "The Plough", notice_days_ago=2)
    page = Client().get(reverse("neighbourhoods:asset_register")).content.decode()
    assert "Interim moratorium" in page  # the Plough's, with the day it ends
    response = Client().get(reverse("neighbourhoods:asset_register"), {"status": "nominated"})
    assert "Vale Library" not in response.content.decode()


def test_an_assets_page_shows_its_clocks_and_the_counting_convention(cast):
    asset = make_listed(cast, notice_days_ago=3)
    notice = asset.notices.get()
    page = Client().get(asset.get_absolute_url()).content.decode()
    assert "Interim moratorium" in page
    assert notice.interim_end.strftime("%-d %B %Y") in page
    assert notice.protected_end.strftime("%-d %B %Y") in page
    assert "the day after" in page
    assert "For officers" not in page


def test_a_group_asks_to_bid_through_the_page_and_the_full_moratorium_starts(cast):
    asset = make_listed(cast, notice_days_ago=3)
    client = signed_in(cast.provider)
    assert (
        "Ask to be treated as a potential bidder"
        in client.get(asset.get_absolute_url()).content.decode()
    )
    url = reverse("neighbourhoods:asset_bidder", args=[asset.reference])
    response = client.post(
        url,
        {
            "group": cast.charity.pk,
            "made_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert DisposalNotice.objects.get().full_end is not None


def test_a_late_bidder_request_is_shown_in_the_error_summary_and_nothing_changes(cast):
    asset = make_listed(cast, notice_days_ago=60)
    response = signed_in(cast.provider).post(
        reverse("neighbourhoods:asset_bidder", args=[asset.reference]),
        {"group": cast.charity.pk, "made_on": TODAY.isoformat()},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "end of the interim moratorium" in page
    assert DisposalNotice.objects.get().full_end is None


def test_a_nomination_with_mistakes_keeps_what_was_typed(cast):
    response = signed_in(cast.councillor).post(
        reverse("neighbourhoods:asset_nominate"),
        {"nominator": cast.parish.pk, "name": "Vale Green", "uprn": "not-a-number"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "The UPRN must be a number" in page
    assert 'value="Vale Green"' in page
    assert not CommunityAsset.objects.exists()


def test_a_councillor_nominates_through_the_page(cast):
    response = signed_in(cast.councillor).post(
        reverse("neighbourhoods:asset_nominate"),
        {
            "nominator": cast.parish.pk,
            "name": "Vale Green",
            "address_text": "The Green, Vale",
            "owner_name": "Vale Estates",
            "listing_authority": cast.council.pk,
            "neighbourhood_council": cast.parish.pk,
            "reasons": "Fairs and football",
            "nominated_on": TODAY.isoformat(),
        },
    )
    asset = CommunityAsset.objects.get()
    assert response.status_code == 302 and response["Location"] == asset.get_absolute_url()
    assert asset.nominated_by == cast.councillor


def test_an_officer_decides_and_records_a_notice_through_the_pages(cast):
    asset = services.acv_nominate(
        nominator=cast.charity, name="Vale Library", address_text="2 High Street",
        owner_name="Testshire Council", listing_authority=cast.council,
        neighbourhood_council=cast.parish, reasons="Books", nominated_on=TODAY,
        by=cast.provider,
    )  # fmt: skip
    client = signed_in(cast.commissioner)
    assert "For officers" in client.get(asset.get_absolute_url()).content.decode()
    response = client.post(
        reverse("neighbourhoods:asset_decide", args=[asset.reference]),
        {"decision": "listed", "reasons": "Meets the test", "decided_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("neighbourhoods:asset_notice", args=[asset.reference]),
        {"notice_date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.status == AcvStatus.LISTED and asset.notices.count() == 1
    # The council's page shows the small-grant offer.
    page = Client().get(reverse("neighbourhoods:asset_council", args=[cast.parish.slug]))
    assert "Vale Library" in page.content.decode()
    assert "small-grant round" in page.content.decode()


def test_officers_of_other_bodies_and_the_public_cannot_reach_the_officer_pages(cast):
    asset = make_listed(cast)
    for user in (cast.resident, cast.provider, create_member(Role.COMMISSIONER)):
        response = signed_in(user).get(
            reverse("neighbourhoods:asset_notice", args=[asset.reference])
        )
        assert response.status_code == 404


def test_downloads_use_the_planning_data_field_names(cast):
    asset = make_listed(cast)
    services.acv_nominate(
        nominator=cast.charity, name="Undecided", address_text="3 High Street",
        owner_name="X", listing_authority=cast.council, reasons="=HYPERLINK(1)",
        nominated_on=TODAY, by=cast.provider,
    )  # fmt: skip
    response = Client().get(reverse("neighbourhoods:asset_csv"))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0].keys()) == PLANNING_DATA_FIELDS
    assert [r["reference"] for r in rows] == [asset.reference]  # only listed assets
    assert rows[0]["uprn"] == "100012345678"
    assert rows[0]["start-date"] == asset.decided_on.isoformat()
    data = json.loads(Client().get(reverse("neighbourhoods:asset_json")).content)
    assert data["count"] == 1
    assert data["entities"][0]["address-text"] == "1 High Street, Vale"
    assert set(data["entities"][0]) == set(PLANNING_DATA_FIELDS)


def test_the_land_register_lists_public_land(cast):
    from opus.neighbourhoods.models.assets import PublicAsset

    PublicAsset.objects.create(owner=cast.council, reference="A1", name="Old Depot", surplus=True)
    PublicAsset.objects.create(owner=cast.council, reference="A2", name="Town Hall", surplus=False)
    page = (
        Client().get(reverse("neighbourhoods:land_register"), {"surplus": "yes"}).content.decode()
    )
    assert "Old Depot" in page and "Town Hall" not in page


def test_a_private_owner_is_named_to_officers_only(cast):
    asset = make_listed(cast)
    assert "Brewery Ltd" not in Client().get(asset.get_absolute_url()).content.decode()
    officer_page = signed_in(cast.commissioner).get(asset.get_absolute_url()).content.decode()
    assert "Brewery Ltd" in officer_page
