"""The meeting pages: a meeting or an action of a forum the user may not read is not found (404) on
every page, the same for one that does not exist; the forms record, add, follow up and reopen; a stale
form says so and keeps what was typed; the actions list shows the overdue first."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from vbe.collaboration.models import Meeting, MeetingAction
from vbe.collaboration.tests.meetings_fixtures import add, form_key, forum, org, partner, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def action(cast, today):
    meeting = record(cast["coordinator"], held_on=today - datetime.timedelta(days=10))
    return add(cast["coordinator"], meeting, due_on=today + datetime.timedelta(days=20))


def _paths(action: MeetingAction) -> list[str]:
    return [
        reverse("collaboration:meeting", args=[action.meeting_id]),
        reverse("collaboration:meeting_edit", args=[action.meeting_id]),
        reverse("collaboration:meeting_action_add", args=[action.meeting_id]),
        reverse("collaboration:action_follow_up", args=[action.pk]),
    ]


def test_an_outsider_gets_404_for_every_page_of_a_meeting_as_for_one_that_does_not_exist(cast, action):
    client = cast.client("coordinator_other")
    for path in _paths(action):
        assert client.get(path).status_code == 404, path
    for path in _paths(action)[1:]:
        assert client.post(path, {"lock_version": "1"}).status_code == 404, path
    missing = MeetingAction(pk=action.pk + 1000, meeting_id=action.meeting_id + 1000)
    for path in _paths(missing):
        assert client.get(path).status_code == 404, path
    action.refresh_from_db()
    assert action.lock_version == 1 and Meeting.objects.count() == 1


@pytest.mark.parametrize("role", ["unit_manager", "board_reader"])
def test_a_member_who_only_reads_sees_the_meeting_but_gets_no_forms(cast, action, role):
    client = cast.client(role)
    page = client.get(_paths(action)[0])
    assert page.status_code == 200
    assert "Kartlägga lovaktiviteter" in page.content.decode()
    assert reverse("collaboration:action_follow_up", args=[action.pk]) not in page.content.decode()
    for path in _paths(action)[1:]:
        assert client.get(path).status_code == 403, path


def test_the_coordinator_records_a_meeting_adds_an_action_and_follows_it_up(cast, today):
    client = cast.client("coordinator")
    path = reverse("collaboration:meeting_create", args=[forum().pk])
    created = client.post(
        path,
        {
            "submission_key": form_key(client, path),
            "lock_version": "0",
            "held_on": today.isoformat(),
            "participant_organisations": [str(org("jarva").pk), str(org("utbildningsnamnden").pk)],
            "participant_partners": [str(partner().pk)],
            "agenda": "Lägesbild",
            "decisions": "Kartlägga lovet",
        },
    )
    meeting = Meeting.objects.get()
    assert created.status_code == 302 and meeting.participant_organisations.count() == 2
    path = reverse("collaboration:meeting_action_add", args=[meeting.pk])
    added = client.post(
        path,
        {
            "submission_key": form_key(client, path),
            "description": "Kartlägga lovaktiviteter",
            "owner": f"p{partner().pk}",
            "due_on": today.isoformat(),
        },
    )
    assert added.status_code == 302
    action = MeetingAction.objects.get()
    assert action.owner_partner == partner() and action.owner_organisation is None
    followed = client.post(
        reverse("collaboration:action_follow_up", args=[action.pk]),
        {"lock_version": "1", "done_on": today.isoformat(), "follow_up": "Gjort"},
    )
    assert followed.status_code == 302
    action.refresh_from_db()
    assert action.done_on == today and action.follow_up == "Gjort"
    reopened = client.post(
        reverse("collaboration:action_follow_up", args=[action.pk]), {"lock_version": "2", "reopen": "1"}
    )
    assert reopened.status_code == 302
    action.refresh_from_db()
    assert action.done_on is None and action.lock_version == 3


def test_the_owner_offered_is_a_member_and_an_outsider_is_a_form_error(cast, action):
    client = cast.client("coordinator")
    path = reverse("collaboration:meeting_action_add", args=[action.meeting_id])
    page = client.get(path).content.decode()
    assert f'value="o{org("jarva").pk}"' in page and f'value="o{org("sodermalm").pk}"' not in page
    response = client.post(path, {"description": "Något", "owner": f"o{org('sodermalm').pk}", "due_on": "2026-12-01"})
    assert response.status_code == 400
    assert "Välj bland forumets deltagare" in response.content.decode()


def test_a_stale_follow_up_says_so_and_keeps_what_was_typed(cast, action, today):
    client = cast.client("caseworker")
    path = reverse("collaboration:action_follow_up", args=[action.pk])
    client.post(path, {"lock_version": "1", "done_on": today.isoformat(), "follow_up": "Först"})
    stale = client.post(path, {"lock_version": "1", "done_on": today.isoformat(), "follow_up": "Min text"})
    assert stale.status_code == 400
    page = stale.content.decode()
    assert "ändrats av någon annan" in page and "Min text" in page


def test_bad_dates_are_form_errors_not_500(cast, action):
    client = cast.client("coordinator")
    response = client.post(
        reverse("collaboration:action_follow_up", args=[action.pk]),
        {"lock_version": "1", "done_on": "2026-13-45", "follow_up": "Gjort"},
    )
    assert response.status_code == 400 and "ÅÅÅÅ-MM-DD" in response.content.decode()
    response = client.post(reverse("collaboration:meeting_edit", args=[action.meeting_id]), {"lock_version": "x"})
    assert response.status_code == 400 and "Ladda om sidan" in response.content.decode()


def test_the_actions_list_shows_overdue_first_and_only_the_users_organisations(cast, today):
    meeting = record(cast["coordinator"], held_on=today - datetime.timedelta(days=60))
    later = add(cast["coordinator"], meeting, description="Senare", due_on=today + datetime.timedelta(days=30))
    overdue = add(cast["coordinator"], meeting, description="Försenad sak", due_on=today - datetime.timedelta(days=5))
    add(cast["coordinator"], meeting, description="Skolans", owner_organisation=org("utbildningsnamnden"), due_on=today)
    page = cast.client("coordinator").get(reverse("collaboration:actions")).content.decode()
    assert page.index("Försenad sak") < page.index("Senare") and "Skolans" not in page
    assert "Försenad</strong>" in page
    assert reverse("collaboration:action_follow_up", args=[overdue.pk]) in page
    assert reverse("collaboration:action_follow_up", args=[later.pk]) in page
    # The unit manager reads them, without a link to follow up.
    manager = cast.client("unit_manager").get(reverse("collaboration:actions")).content.decode()
    assert "Försenad sak" in manager and reverse("collaboration:action_follow_up", args=[overdue.pk]) not in manager
    central = cast.client("central_coordinator").get(reverse("collaboration:actions")).content.decode()
    assert "Skolans" in central


def test_the_actions_list_pages_by_due_date(cast, today):
    meeting = record(cast["coordinator"], held_on=today - datetime.timedelta(days=60))
    for i in range(30):
        add(
            cast["coordinator"],
            meeting,
            description=f"Åtgärd nummer {i:02d}",
            due_on=today + datetime.timedelta(days=i),
        )
    client = cast.client("coordinator")
    first = client.get(reverse("collaboration:actions"))
    assert "Åtgärd nummer 24" in first.content.decode() and "Åtgärd nummer 25" not in first.content.decode()
    after = first.context["page"].after
    second = client.get(reverse("collaboration:actions"), {"efter": str(after)}).content.decode()
    assert "Åtgärd nummer 25" in second and "Åtgärd nummer 29" in second and "Åtgärd nummer 24" not in second
    # A position that does not parse shows the first page.
    assert (
        "Åtgärd nummer 00" in client.get(reverse("collaboration:actions"), {"efter": "2026-02-31.x"}).content.decode()
    )


def test_the_forum_page_shows_meetings_and_open_actions_only_to_its_readers(cast, action):
    path = reverse("collaboration:forum", args=[forum().pk])
    member = cast.client("board_reader").get(path).content.decode()
    assert reverse("collaboration:meeting", args=[action.meeting_id]) in member and "Kartlägga lovaktiviteter" in member
    assert reverse("collaboration:meeting_create", args=[forum().pk]) not in member
    outsider = cast.client("coordinator_other").get(path).content.decode()
    assert "Lokalpolisområde Rinkeby" in outsider  # members and description are for every forum reader
    assert reverse("collaboration:meeting", args=[action.meeting_id]) not in outsider
    assert "Kartlägga lovaktiviteter" not in outsider
    writer = cast.client("caseworker").get(path).content.decode()
    assert reverse("collaboration:meeting_create", args=[forum().pk]) in writer
