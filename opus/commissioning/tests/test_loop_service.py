"""The loop closed: a signed contract is linked to the winning provider's directory service,
one it lists or a draft Opus makes from the lot; each page names the other."""

import pytest

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.tests.test_first_day import signed_contract
from opus.core.models import AuditEvent
from opus.directory.models import Service, ServiceStatus
from opus.testing import create_area, create_organisation, create_service

pytestmark = pytest.mark.django_db


def test_the_commissioner_links_one_of_the_winners_services(client, cast):
    _, bids, contract = signed_contract(cast)
    winner = contract.supplier
    theirs = create_service(name="Good company visits", organisation=winner)
    elsewhere = create_service(name="Someone else's", organisation=create_organisation())
    client.force_login(cast.commissioner)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Good company visits" in page and "Someone else&#x27;s" not in page
    url = f"/commissioning/contracts/{contract.pk}/service/"
    refused = client.post(url, {"service": str(elsewhere.pk)})
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    assert client.post(url, {"service": str(theirs.pk)}).status_code == 302
    contract.refresh_from_db()
    assert contract.service == theirs
    assert AuditEvent.objects.filter(action="contract.link_service").count() == 1
    public = client.get(contract.get_absolute_url()).content.decode()
    assert theirs.get_absolute_url() in public
    client.logout()
    service_page = client.get(theirs.get_absolute_url()).content.decode()
    assert "Commissioned under the contract" in service_page
    assert contract.get_absolute_url() in service_page


def test_opus_drafts_a_service_from_the_lot_for_the_provider_to_complete(client, cast):
    _, bids, contract = signed_contract(cast)
    lot = contract.award.lot
    ward = create_area()
    type(lot).objects.filter(pk=lot.pk).update(area=ward)
    client.force_login(cast.commissioner)
    response = client.post(f"/commissioning/contracts/{contract.pk}/service/", {"service": "new"})
    assert response.status_code == 302
    contract.refresh_from_db()
    draft = contract.service
    assert draft.organisation == contract.supplier and draft.name == lot.title
    assert draft.status == ServiceStatus.INACTIVE and draft.residency_area == ward
    client.force_login(bids[0].submitted_by)  # the provider completes it on the usual pages
    manage = client.get("/directory/manage/").content.decode()
    assert lot.title in manage


def test_only_the_commissioner_links_and_only_an_active_contract(client, cast):
    _, bids, contract = signed_contract(cast)
    url = f"/commissioning/contracts/{contract.pk}/service/"
    for someone in (bids[0].submitted_by, cast.resident, cast.provider):
        client.force_login(someone)
        assert client.post(url, {"service": "new"}).status_code in (403, 404)
    assert not Service.objects.exists() and Service.objects.count() == 0
    services.award_reverse(award=contract.award, reason="Error", by=cast.commissioner)
    with pytest.raises(CommissioningError, match="active contract"):
        services.contracts.contract_link_service(
            contract=contract, create=True, by=cast.commissioner
        )
