"""The forums' write path and list (vbe.collaboration.forums): the central coordinator creates, changes
and retires forums, never deletes; a stale form or a taken name is refused; free text holding a
personnummer or a phone number is refused; the list counts the meetings of the last twelve months, only
of the forums whose meetings the user reads."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.collaboration import forums
from vbe.collaboration.forums import ForumContent, meeting_forums, twelve_months_before
from vbe.collaboration.models import Forum, ForumKind, Meeting
from vbe.collaboration.tests.meetings_fixtures import forum, log, org, partner
from vbe.organisations.models import District

pytestmark = pytest.mark.django_db


def content(**overrides) -> ForumContent:
    values = {
        "name": "SSPF Testområdet",
        "kind": ForumKind.SSPF,
        "district": District.objects.get(code="80132"),
        "description": "Skola, socialtjänst, polis och fritid.",
        "member_organisations": [org("jarva")],
        "member_partners": [partner()],
    }
    return ForumContent(**{**values, **overrides})


def test_the_central_coordinator_creates_a_forum_with_its_members_and_a_log_row(cast):
    created = forums.create_forum(actor=cast["central_coordinator"], content=content(name="  SSPF Testområdet "))
    created.refresh_from_db()
    assert created.name == "SSPF Testområdet" and created.is_active and created.lock_version == 1
    assert set(created.member_organisations.all()) == {org("jarva")}
    assert set(created.member_partners.all()) == {partner()}
    assert log("forum_created").filter(object_id=str(created.pk)).count() == 1


@pytest.mark.parametrize("role", ["coordinator", "caseworker", "board_reader", "admin", "staff"])
def test_only_the_central_coordinator_creates_forums(cast, role):
    with pytest.raises(PermissionDenied):
        forums.create_forum(actor=cast[role], content=content())
    assert not Forum.objects.filter(name="SSPF Testområdet").exists()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"name": "  "}, "Skriv forumets namn"),
        ({"kind": "nothing"}, "Välj typ"),
        ({"name": "ssPF järva"}, "finns redan"),
        ({"description": "Ring 070-123 45 67"}, "telefonnummer"),
        ({"description": "Gäller 19900101-2385"}, "personnummer"),
        ({"member_organisations": [], "member_partners": []}, "minst en deltagare"),
    ],
)
def test_bad_forums_are_refused_in_swedish(cast, overrides, words):
    count = Forum.objects.count()
    with pytest.raises(ValidationError) as refused:
        forums.create_forum(actor=cast["central_coordinator"], content=content(**overrides))
    assert words in " ".join(refused.value.messages)
    assert Forum.objects.count() == count


def test_a_change_bumps_the_version_and_a_stale_one_changes_nothing(cast):
    sspf = forum()
    central = cast["central_coordinator"]
    changed = forums.update_forum(
        actor=central,
        forum_id=sspf.pk,
        lock_version=sspf.lock_version,
        content=content(name="SSPF Järva", member_organisations=[org("jarva"), org("socialnamnden")]),
    )
    assert changed.lock_version == sspf.lock_version + 1
    assert set(changed.member_organisations.values_list("slug", flat=True)) == {"jarva", "socialnamnden"}
    assert log("forum_changed").count() == 1
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        forums.update_forum(
            actor=central, forum_id=sspf.pk, lock_version=sspf.lock_version, content=content(name="Annat namn")
        )
    assert Forum.objects.get(pk=sspf.pk).name == "SSPF Järva"


def test_retiring_keeps_the_forum_and_its_meetings(cast):
    sspf = forum()
    Meeting.objects.create(forum=sspf, held_on=datetime.date(2026, 1, 1), created_by=cast["coordinator"])
    retired = forums.update_forum(
        actor=cast["central_coordinator"],
        forum_id=sspf.pk,
        lock_version=sspf.lock_version,
        content=content(name="SSPF Järva", is_active=False),
    )
    assert not retired.is_active and retired.meetings.count() == 1
    assert log("forum_retired").count() == 1
    again = forums.update_forum(
        actor=cast["central_coordinator"],
        forum_id=sspf.pk,
        lock_version=retired.lock_version,
        content=content(name="SSPF Järva"),
    )
    assert again.is_active and log("forum_reactivated").count() == 1


def test_the_list_counts_meetings_of_the_last_twelve_months_grouped_by_kind(cast):
    today = datetime.date(2026, 6, 15)
    sspf = forum()
    for held_on in (datetime.date(2025, 6, 15), datetime.date(2025, 6, 16), today, datetime.date(2026, 6, 16)):
        Meeting.objects.create(forum=sspf, held_on=held_on, created_by=cast["coordinator"])
    groups = forums.listed(cast["central_coordinator"], today=today)
    assert [g["kind"] for g in groups] == [k for k in ForumKind.values if any(g["kind"] == k for g in groups)]
    counted = {f.name: f.recent_meetings for g in groups for f in g["forums"]}
    # A year ago to the day is outside, a meeting planned for tomorrow not yet held.
    assert counted["SSPF Järva"] == 2
    assert counted["BUS-gruppen Järva"] == 0
    assert sum(len(g["forums"]) for g in groups) == Forum.objects.count() >= 28


def _counts(user: User, today: datetime.date) -> dict[str, int | None]:
    return {f.name: f.recent_meetings for g in forums.listed(user, today=today) for f in g["forums"]}


def test_the_list_counts_meetings_only_of_forums_whose_meetings_the_user_reads(cast):
    today = datetime.date(2026, 6, 15)
    for name in ("SSPF Järva", "SSPF Södermalm", "Samverkansmöte Lokalpolisområde Rinkeby"):
        Meeting.objects.create(forum=forum(name), held_on=today, created_by=cast["central_coordinator"])
    # Utbildningsnämnden is in every SSPF group, not in the police area's meeting (Järva's alone).
    board = _counts(cast["board_reader"], today)
    assert board["SSPF Järva"] == 1 and board["SSPF Södermalm"] == 1 and board["SSPF Bromma"] == 0
    assert board["Samverkansmöte Lokalpolisområde Rinkeby"] is None
    assert board["Redex via socialjouren"] is None
    central = _counts(cast["central_coordinator"], today)
    assert central["Samverkansmöte Lokalpolisområde Rinkeby"] == 1 and None not in central.values()
    # Every count given agrees with the rule; a user who reads no forum's meetings gets none.
    every = {f.name: f for f in forums.with_members()}
    for user in [cast["board_reader"], cast["coordinator_other"], cast["auditor"]]:
        for name, count in _counts(user, today).items():
            assert (count is not None) == permissions.can(user, Action.VIEW_MEETINGS, every[name]), (user.email, name)
    nobody = User.objects.create_user(email="ingen@test.example")
    assert set(_counts(nobody, today).values()) == {None}


def test_the_list_filters_by_district_or_the_whole_city(cast):
    jarva = District.objects.get(code="80132")
    names = {f.name for g in forums.listed(cast["caseworker"], district=jarva) for f in g["forums"]}
    assert names == {"SSPF Järva", "BUS-gruppen Järva", "Samverkansmöte Lokalpolisområde Rinkeby"}
    citywide = {f.district_id for g in forums.listed(cast["caseworker"], citywide=True) for f in g["forums"]}
    assert citywide == {None}


def test_twelve_months_before_a_leap_day():
    assert twelve_months_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 3, 1)
    assert twelve_months_before(datetime.date(2026, 6, 15)) == datetime.date(2025, 6, 16)


def test_the_meeting_forums_selector_agrees_with_the_rule(cast):
    every = list(forums.with_members())
    for user in [*cast.values(), User.objects.create_user(email="ingen@test.example")]:
        selected = set(Forum.objects.filter(meeting_forums(user)).values_list("pk", flat=True))
        ruled = {f.pk for f in every if permissions.can(user, Action.VIEW_MEETINGS, f)}
        assert selected == ruled, user.email
