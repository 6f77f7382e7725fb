"""Every role lands on its own dashboard; the stranger sees nothing private."""

import pytest
from django.urls import reverse

from opus.core.models import Role

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = [
    "/audit/",
    "/audit/1/",
    "/organisations/good-neighbours/edit/",
    *(f"/dashboard/{role.value}/" for role in Role),
]
PRIVATE_ENDPOINTS = ["/api/v1/audit/events"]


def test_each_role_lands_on_its_own_dashboard(client, cast):
    for role, user in cast.by_role().items():
        client.force_login(user)
        response = client.get(reverse("core:dashboard"))
        assert response.status_code == 302
        assert response["Location"] == f"/dashboard/{role}/"
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert f"{Role(role).label} dashboard" in page.content.decode()


def test_a_role_cannot_open_another_roles_dashboard(client, cast):
    client.force_login(cast.resident)
    assert client.get("/dashboard/commissioner/").status_code == 404
    assert client.get("/dashboard/not-a-role/").status_code == 404


def test_the_stranger_gets_404_on_every_private_page(client, cast):
    client.force_login(cast.stranger)
    for url in PRIVATE_PAGES:
        assert client.get(url).status_code == 404, url


def test_the_stranger_gets_404_on_every_private_endpoint(client, cast):
    client.force_login(cast.stranger)
    for url in PRIVATE_ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"


def test_the_stranger_is_told_they_have_no_role(client, cast):
    client.force_login(cast.stranger)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert "You do not have a role yet" in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in_for_private_pages(client, cast):
    for url in ["/audit/", "/dashboard/", "/account/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/")


def test_only_auditors_and_administrators_read_the_audit_log(client, cast):
    allowed = {Role.AUDITOR, Role.ADMIN}
    for role, user in cast.by_role().items():
        client.force_login(user)
        expected = 200 if role in allowed else 404
        assert client.get("/audit/").status_code == expected, role
        assert client.get("/api/v1/audit/events").status_code == expected, role


def test_navigation_shows_the_audit_log_only_to_those_who_may_read_it(client, cast):
    client.force_login(cast.resident)
    assert "Audit log" not in client.get("/").content.decode()
    client.force_login(cast.auditor)
    assert "Audit log" in client.get("/").content.decode()
