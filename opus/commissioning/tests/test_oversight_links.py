"""The oversight page links the audit log only for those who may open it."""

from django.test import Client
from django.urls import reverse


def _oversight(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("commissioning:oversight"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_audit_log_is_linked_for_the_auditor_and_named_without_a_link_for_commissioners(cast):
    audit = reverse("core:audit_list")
    assert f'href="{audit}"' in _oversight(cast.auditor)
    page = _oversight(cast.commissioner)
    assert f'href="{audit}"' not in page and "tamper-evident audit log" in page
    assert Client().get(audit).status_code != 200  # and it is indeed not for everyone
