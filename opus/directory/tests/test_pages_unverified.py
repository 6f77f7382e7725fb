"""An organisation waiting for verification is told why it cannot list a service, on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opus.core.models import Organisation, Role, VerificationStatus
from opus.directory.models import Service, ServiceStatus
from opus.testing import create_member, create_organisation, create_service

pytestmark = pytest.mark.django_db


def _pending(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(
        verification_status=VerificationStatus.PENDING
    )


def test_adding_a_service_before_verification_shows_the_refusal_and_adds_nothing(client):
    organisation = create_organisation()
    _pending(organisation)
    client.force_login(create_member(Role.PROVIDER, organisation))
    answer = client.post(
        reverse("directory:service_new"),
        {"name": "Lunch club", "description": "A hot lunch", "status": ServiceStatus.ACTIVE},
    )
    assert answer.status_code == 400
    assert "There is a problem" in answer.text
    assert "verif" in answer.text.lower()
    assert not Service.objects.filter(name="Lunch club").exists()


def test_publishing_a_service_before_verification_shows_the_refusal(client):
    organisation = create_organisation()
    service = create_service(organisation=organisation, status=ServiceStatus.INACTIVE)
    _pending(organisation)
    client.force_login(create_member(Role.PROVIDER, organisation))
    answer = client.post(
        reverse("directory:service_section", args=[service.pk, "details"]),
        {"name": service.name, "description": "Now open", "status": ServiceStatus.ACTIVE},
    )
    assert answer.status_code == 400
    assert "There is a problem" in answer.text
    service.refresh_from_db()
    assert service.status == ServiceStatus.INACTIVE
