"""Done-when for people and organisations: from a bootstrapped administrator to a working
commissioner, provider, resident and a verified self-registered charity, through the pages."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from opus.core.models import Organisation, OrganisationKind, Role, User, VerificationStatus
from opus.core.tests.people_helpers import last_notice, link_in
from opus.directory import services as directory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _signed_in(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/sign-in/", {"username": email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/dashboard/", email
    return client


def _invite_and_accept(admin: Client, email: str, organisation: Organisation, role: str) -> None:
    response = admin.post(
        "/invitations/new/", {"email": email, "organisation": organisation.slug, "role": role}
    )
    assert response.status_code == 302
    path = link_in(last_notice(email, "invitation"), "/invitation/")
    stranger = Client()
    page = stranger.get(path)
    assert page.status_code == 200 and "Create my account" in page.content.decode()
    response = stranger.post(
        path, {"full_name": email.split("@")[0].title(), "password": PASSWORD,
               "password_again": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    person = _signed_in(email)
    dashboard = person.get("/dashboard/", follow=True)
    assert dashboard.status_code == 200
    assert dashboard.redirect_chain[-1][0] == f"/dashboard/{role}/"


def test_from_bootstrap_to_every_kind_of_person(monkeypatch):
    monkeypatch.setenv("OPUS_NEW_PASSWORD", PASSWORD)
    call_command("bootstrap", "--email", "ada@council.test", "--organisation", "Vale Council",
                 "--full-name", "Ada Admin", stdout=io.StringIO())  # fmt: skip
    council = Organisation.objects.get(name="Vale Council")
    admin = _signed_in("ada@council.test")
    assert "Invitations" in admin.get("/dashboard/admin/").content.decode()

    # The administrator invites a commissioner (at the council) and a provider (at a charity).
    carers = Organisation.objects.create(
        name="Vale Carers", slug="vale-carers", kind=OrganisationKind.CHARITY
    )
    _invite_and_accept(admin, "cora@council.test", council, Role.COMMISSIONER)
    _invite_and_accept(admin, "priya@carers.test", carers, Role.PROVIDER)

    # A resident signs up, cannot sign in until they confirm, then holds the resident role.
    visitor = Client()
    assert "Create an account" in visitor.get("/sign-in/").content.decode()
    rosa_form = {"full_name": "Rosa Resident", "email": "rosa@home.test", "password": PASSWORD,
                 "password_again": PASSWORD}  # fmt: skip
    response = visitor.post("/sign-up/", rosa_form)
    assert response.status_code == 302 and response["Location"] == "/sign-up/sent/"
    refused = visitor.post("/sign-in/", {"username": "rosa@home.test", "password": PASSWORD})
    assert refused.status_code == 200  # the form again: not signed in
    path = link_in(last_notice("rosa@home.test", "email_verification"), "/sign-up/confirm/")
    assert visitor.get(path).status_code == 200
    assert visitor.post(path).status_code == 302
    rosa = _signed_in("rosa@home.test")
    assert rosa.get("/dashboard/", follow=True).redirect_chain[-1][0] == "/dashboard/resident/"
    assert User.objects.get(email="rosa@home.test").memberships.get().organisation == council

    # A charity registers itself (with a new account) and cannot list a service until verified.
    registrant = Client()
    response = registrant.post("/register-organisation/", {
        "full_name": "Tom Trustee", "your_email": "tom@friends.test", "password": PASSWORD,
        "password_again": PASSWORD, "name": "Friends of the Vale", "kind": "charity",
        "charity_number": "1234567", "address": "1 High Street, Vale", "postcode": "ne1 4st",
        "email": "hello@friends.test", "website": "friends.test",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    friends = Organisation.objects.get(name="Friends of the Vale")
    assert friends.verification_status == VerificationStatus.PENDING
    assert last_notice("ada@council.test", "organisation_registered")
    path = link_in(last_notice("tom@friends.test", "email_verification"), "/sign-up/confirm/")
    registrant.post(path)
    tom = _signed_in("tom@friends.test")
    dashboard = tom.get("/dashboard/provider/").content.decode()
    assert "waiting for an administrator to verify it" in dashboard
    tom_user = User.objects.get(email="tom@friends.test")
    new_service = {"name": "Tea and talk", "description": "A weekly cup of tea"}
    with pytest.raises(ValidationError, match="waiting for an administrator"):
        directory.service_create(organisation=friends, by=tom_user, **new_service)
    assert not friends.services.exists()

    queue = admin.get("/organisation-verification/").content.decode()
    assert "Friends of the Vale" in queue
    response = admin.post(f"/organisation-verification/{friends.slug}/", {"decision": "verify"})
    assert response.status_code == 302
    friends.refresh_from_db()
    assert friends.verification_status == VerificationStatus.VERIFIED
    assert "verified" in last_notice("tom@friends.test", "organisation_verified").subject
    assert "waiting for an administrator" not in tom.get("/dashboard/provider/").content.decode()
    friends.refresh_from_db()
    directory.service_create(organisation=friends, by=tom_user, **new_service)
    assert friends.services.count() == 1
