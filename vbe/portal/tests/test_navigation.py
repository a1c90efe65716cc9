"""The header's menu (issue 10, item 9): a few headings that fit one line, the pages under the current
heading as a second row, the right heading marked on every page, and nothing shown that the role
cannot open."""

from __future__ import annotations

import re

import pytest

from conftest import CAST
from vbe.concerns.tests.conftest import submit_test_concern


def _menu(page: str, list_id: str = "navigation") -> list[tuple[str, str, bool]]:
    """(label, href, current) of each link in one of the menu's lists."""
    if f'id="{list_id}"' not in page:
        return []
    block = page.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)"([^>]*)>(.*?)</a>', block)
    return [(re.sub(r"<[^>]+>", "", text).strip(), href, "aria-current" in attrs) for href, attrs, text in links]


def test_the_central_coordinator_has_seven_headings_instead_of_thirteen_items(cast):
    page = cast.client("central_coordinator").get("/").content.decode()
    assert [label for label, _, _ in _menu(page)] == [
        "Start",
        "Vid oro",
        "Ärenden",
        "Händelser",
        "Planer och lägesbild",
        "Riktlinjer och stöd",
        "Administration",
    ]
    assert _menu(page)[0][2]  # Start is the current page
    assert _menu(page, "section-navigation") == []  # Start holds one page: no second row


def test_a_heading_with_one_reachable_page_takes_that_pages_name(cast):
    """The auditor reaches only the access log under "Administration", and the staff member only the
    statistics under "Planer och lägesbild": the heading names what it opens."""
    auditor = [label for label, _, _ in _menu(cast.client("auditor").get("/").content.decode())]
    assert "Loggkontroll" in auditor and "Administration" not in auditor
    staff = [label for label, _, _ in _menu(cast.client("staff").get("/").content.decode())]
    assert "Lägesbild" in staff and "Planer och lägesbild" not in staff and "Planer" not in staff


@pytest.mark.parametrize(
    "role, path, heading, section",
    [
        ("staff", "/oro/rapportera/", "Vid oro", None),
        ("staff", "/oro/mina/", "Vid oro", None),
        ("staff", "/handelser/rapportera/", "Vid oro", None),
        ("coordinator", "/oro/arenden/", "Ärenden", None),
        ("coordinator", "CASE", "Ärenden", None),
        ("coordinator", "/handelser/", "Händelser", None),
        ("coordinator", "/planer/", "Planer och lägesbild", "Planer"),
        ("coordinator", "/handelser/statistik/", "Planer och lägesbild", "Lägesbild"),
        ("central_coordinator", "/rapporter/", "Planer och lägesbild", "Uppföljning"),
        ("board_reader", "/rapporter/", "Planer och lägesbild", "Uppföljning"),  # the final status reports
        ("coordinator", "/riktlinjer/mitt-uppdrag/", "Riktlinjer och stöd", "Mitt uppdrag"),
        ("coordinator", "/riktlinjer/kalender/", "Riktlinjer och stöd", "Mitt uppdrag"),
        ("coordinator", "/organisationer/jarva/", "Riktlinjer och stöd", "Organisationer"),
        ("staff", "/utbildning/mina/", "Riktlinjer och stöd", "Utbildning"),
        ("coordinator", "/utbildning/tackning/jarva/", "Riktlinjer och stöd", "Utbildning"),
        ("staff", "/stod/?q=rutin", "Riktlinjer och stöd", "Stödmaterial"),
        ("central_coordinator", "/stod/granskning/", "Riktlinjer och stöd", "Stödmaterial"),
        ("staff", "/stod/symboler/", "Riktlinjer och stöd", "Symbolguide"),
        ("staff", "/stod/kontakter/", "Riktlinjer och stöd", "Kontakter"),
        ("board_reader", "/stod/samverkanspartner/", "Riktlinjer och stöd", "Kontakter"),
        ("coordinator", "/samverkan/aktorer/", "Riktlinjer och stöd", "Demokrativillkor"),
        ("coordinator", "/samverkan/forum/", "Riktlinjer och stöd", "Samverkansforum"),
        ("board_reader", "/samverkan/bedomningar/", "Riktlinjer och stöd", "Demokrativillkor"),
        ("caseworker", "/samverkan/atgarder/", "Riktlinjer och stöd", "Samverkansforum"),
        ("central_coordinator", "/behorighetsforslag/", "Administration", "Behörighetsförslag"),
        ("auditor", "/loggkontroll/", "Loggkontroll", None),
    ],
)
def test_every_page_marks_its_heading_and_its_place_under_it(cast, role, path, heading, section):
    if path == "CASE":
        path = f"/oro/arenden/{submit_test_concern(cast).reference}/"
    page = cast.client(role).get(path).content.decode()
    assert [label for label, _, current in _menu(page) if current] == [heading]
    current_in_section = [label for label, _, current in _menu(page, "section-navigation") if current]
    assert current_in_section == ([section] if section else [])


@pytest.mark.parametrize("role", list(CAST))
def test_every_heading_and_every_page_under_it_opens_for_the_role(cast, role):
    """No promise of anything the role cannot reach: every link of the menu, on both rows, answers 200."""
    client = cast.client(role)
    headings = _menu(client.get("/").content.decode())
    assert 4 <= len(headings) <= 7, headings
    seen = set()
    for _, href, _ in headings:
        response = client.get(href)
        assert response.status_code == 200, (role, href, response.status_code)
        for _, sub, _ in _menu(response.content.decode(), "section-navigation"):
            if sub not in seen:
                seen.add(sub)
                assert client.get(sub).status_code == 200, (role, sub)
