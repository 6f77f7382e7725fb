"""Every link a person is shown in the menu or on their dashboard opens for them (issue 12):
no link to a page their role cannot see (a 404, 403 or the sign-in page)."""

import re
from html import unescape

import pytest

from opus.core.models import Role

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a [^>]*href="([^"#]+)[^"]*"')


def _main_and_menu(page: str) -> str:
    menu = page.split('id="navigation"', 1)[1].split("</nav>", 1)[0]
    main = page.split('id="main-content"', 1)[1].split("</main>", 1)[0]
    return menu + main


def _links(page: str) -> set[str]:
    return {
        unescape(h)
        for h in HREF.findall(_main_and_menu(page))
        if h.startswith("/") and not h.startswith("/api/")
    }


def refused_links(client, pages: list[str]) -> dict[str, tuple[int, str]]:
    """Every link in the menu and main content of `pages` that does not open: a redirect may
    lead on (the dashboard to the person's own), but must end in a 200 that is not sign-in."""
    refused = {}
    links = set()
    for where in pages:
        response = client.get(where)
        assert response.status_code == 200, where
        links |= _links(response.content.decode())
    for link in sorted(links):
        answer = client.get(link, follow=True)
        end = answer.request["PATH_INFO"]
        if answer.status_code != 200 or end.startswith("/sign-in"):
            refused[link] = (answer.status_code, end)
    return refused


@pytest.mark.parametrize("role", [*Role.values, "stranger"])
def test_every_link_on_the_menu_and_dashboard_opens_for_that_role(client, cast, role):
    client.force_login(getattr(cast, role))
    where = "/dashboard/" if role == "stranger" else f"/dashboard/{role}/"
    refused = refused_links(client, [where, "/choose/"])
    assert not refused, (role, refused)
