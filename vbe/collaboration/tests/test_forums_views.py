"""The forum pages: the list grouped by kind with its district filter, and the central coordinator's
forms to create, change and retire a forum (a stale form or bad text is a form error that keeps what
was typed). The list shows a forum's number of meetings only to those who read its meetings."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from vbe.collaboration.models import Forum, ForumKind, Meeting
from vbe.collaboration.tests.meetings_fixtures import forum, org, partner

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    return {
        "lock_version": "0",
        "name": "Nätverk för fritidsledare",
        "kind": ForumKind.OTHER,
        "district": "",
        "description": "Fritidsgårdarna delar erfarenheter.",
        "member_organisations": [str(org("jarva").pk), str(org("sodermalm").pk)],
        "member_partners": [],
        "focus_areas": [],
        **overrides,
    }


def test_the_list_is_grouped_by_kind_and_filtered_by_district(cast):
    client = cast.client("caseworker")
    page = client.get(reverse("collaboration:forums")).content.decode()
    assert page.index("SSPF (skola, socialtjänst, polis, fritid)") < page.index("BUS (barn och unga i samverkan)")
    assert "SSPF Södermalm" in page and "Redex via socialjouren" in page
    assert reverse("collaboration:forum_create") not in page
    jarva = client.get(reverse("collaboration:forums"), {"omrade": "80132"}).content.decode()
    assert "SSPF Järva" in jarva and "SSPF Södermalm" not in jarva and "Redex via socialjouren" not in jarva
    city = client.get(reverse("collaboration:forums"), {"omrade": "stad"}).content.decode()
    assert "Redex via socialjouren" in city and "SSPF Järva" not in city
    # An unknown district is not an error: every forum is shown.
    assert "SSPF Järva" in client.get(reverse("collaboration:forums"), {"omrade": "nope"}).content.decode()


def test_the_central_coordinator_creates_a_forum_through_the_form(cast):
    client = cast.client("central_coordinator")
    assert reverse("collaboration:forum_create") in client.get(reverse("collaboration:forums")).content.decode()
    response = client.post(reverse("collaboration:forum_create"), _data())
    created = Forum.objects.get(name="Nätverk för fritidsledare")
    assert response.status_code == 302 and response["Location"] == reverse("collaboration:forum", args=[created.pk])
    assert created.member_organisations.count() == 2 and created.district is None


def test_a_forum_without_members_or_with_a_phone_number_is_a_form_error(cast):
    client = cast.client("central_coordinator")
    response = client.post(
        reverse("collaboration:forum_create"),
        _data(member_organisations=[], description="Ring 08-123 456 78"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "minst en deltagare" in page and "telefonnummer" in page and "Nätverk för fritidsledare" in page
    assert not Forum.objects.filter(name="Nätverk för fritidsledare").exists()


def test_editing_retires_a_forum_and_a_stale_form_says_so(cast):
    sspf = forum()
    client = cast.client("central_coordinator")
    path = reverse("collaboration:forum_edit", args=[sspf.pk])
    form = client.get(path).content.decode()
    assert 'name="is_active"' in form and "checked" in form
    data = _data(
        lock_version=str(sspf.lock_version),
        name="SSPF Järva",
        kind=ForumKind.SSPF,
        member_organisations=[str(org("jarva").pk)],
        member_partners=[str(partner().pk)],
    )
    assert client.post(path, data).status_code == 302  # no is_active: retired
    sspf.refresh_from_db()
    assert not sspf.is_active and sspf.lock_version == 2
    stale = client.post(path, {**data, "is_active": "on"})
    assert stale.status_code == 400 and "ändrats av någon annan" in stale.content.decode()
    # A retired forum offers no new meeting.
    page = cast.client("coordinator").get(reverse("collaboration:forum", args=[sspf.pk])).content.decode()
    assert "Avslutat" in page and reverse("collaboration:meeting_create", args=[sspf.pk]) not in page
    assert cast.client("coordinator").get(reverse("collaboration:meeting_create", args=[sspf.pk])).status_code == 404


def _meetings_cell(page: str, name: str) -> str:
    """The text of the meetings column in the row of the forum ``name``."""
    row = re.search(rf">{re.escape(name)}</a>.*?</tr>", page, re.S)
    assert row is not None, name
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    return cells[-1].strip()


def test_the_list_shows_meeting_counts_only_for_forums_whose_meetings_the_user_reads(cast):
    rinkeby = "Samverkansmöte Lokalpolisområde Rinkeby"
    for name in ("SSPF Järva", "SSPF Södermalm", rinkeby, rinkeby):
        Meeting.objects.create(forum=forum(name), held_on=timezone.localdate(), created_by=cast["coordinator"])
    board = cast.client("board_reader").get(reverse("collaboration:forums")).content.decode()
    assert _meetings_cell(board, "SSPF Järva") == "1" and _meetings_cell(board, "SSPF Södermalm") == "1"
    hidden = _meetings_cell(board, rinkeby)
    assert "2" not in hidden and "Visas bara för forumets deltagare" in hidden and "–" in hidden
    assert "Antalet möten visas bara för de forum vars möten du kan läsa" in board
    central = cast.client("central_coordinator").get(reverse("collaboration:forums")).content.decode()
    assert _meetings_cell(central, rinkeby) == "2" and _meetings_cell(central, "SSPF Järva") == "1"
    assert "Visas bara för forumets deltagare" not in central and "Antalet möten visas bara" not in central
