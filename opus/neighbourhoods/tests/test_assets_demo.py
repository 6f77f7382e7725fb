"""The demo world's register: public land, ACVs at every stage, one in its interim moratorium."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from opus.core.models import AuditEvent, OrganisationKind
from opus.neighbourhoods.demo_assets import seed_asset_register
from opus.neighbourhoods.models.assets import AcvStatus, CommunityAsset, GrantRoundOffer
from opus.testing import create_area, create_organisation

pytestmark = pytest.mark.django_db


def test_the_demo_register_has_an_asset_in_its_interim_moratorium_today():
    create_area(latitude=52.5, longitude=-1.2)
    create_organisation(name="Northvale Council",
                        kind=OrganisationKind.LOCAL_AUTHORITY)  # fmt: skip
    create_organisation(name="Old Town Neighbourhood Council",
                        kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL)  # fmt: skip
    made = seed_asset_register(3)
    assert made["public_assets"] == 6 and made["acvs"] == 5
    pub = CommunityAsset.objects.get(reference=made["in_interim_moratorium"])
    notice = pub.notices.get()
    today = timezone.localdate()
    assert notice.notice_date < today <= notice.interim_end and notice.full_end is None
    assert GrantRoundOffer.objects.filter(notice=notice).exists()
    assert set(CommunityAsset.objects.values_list("status", flat=True)) == {
        AcvStatus.LISTED, AcvStatus.NOMINATED, AcvStatus.NOT_LISTED
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="demo.assets").count() == 1
    assert "Interim moratorium" in Client().get(pub.get_absolute_url()).content.decode()
