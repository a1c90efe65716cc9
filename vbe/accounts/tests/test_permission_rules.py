"""Every rule of vbe.accounts.permissions asked directly (``can``), for every member of the test cast,
an anonymous visitor and a deactivated coordinator: exactly who may do what, on objects in each state
that matters to the rule (open or closed, assigned or not, disclosed or withdrawn, in the central queue
or waiting for a new coordinator). The pages are tested by tests/test_url_role_matrix.py; these pin the
rules themselves, so a rule loosened or turned around fails here whatever page asks it."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import CAST
from vbe.accounts import permissions
from vbe.accounts.models import AccessChangeRequest, ChangeKind, Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.concerns.models import Concern, Disclosure, State
from vbe.incidents.models import Status
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.organisations.models import District, Organisation, Unit

EVERYONE = set(CAST)
COORDINATORS = {"coordinator", "coordinator_other", "coordinator_board"}


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


@pytest.fixture
def people(cast) -> dict[str, object]:
    """The cast (fresh objects: no roles cached), an anonymous visitor, a deactivated coordinator."""
    inactive = User.objects.create_user(email="inaktiv@test.example", password="x-losenord-123", is_active=False)
    Membership.objects.create(user=inactive, organisation=_org("jarva"), role=Role.COORDINATOR)
    return {
        **{name: User.objects.get(pk=cast[name].pk) for name in CAST},
        "anonymous": AnonymousUser(),
        "inactive": inactive,
    }


def allowed(people, action: Action, obj=None) -> set[str]:
    return {name for name, user in people.items() if permissions.can(user, action, obj)}


# --- Rules without an object ------------------------------------------------------------------------

WITHOUT_OBJECT = {
    Action.VIEW_GUIDELINE: EVERYONE,
    Action.VIEW_ORGANISATIONS: EVERYONE,
    Action.VIEW_COORDINATORS: EVERYONE,
    Action.VIEW_OWN_MISSION: EVERYONE,
    Action.REPORT_INCIDENT: EVERYONE,
    Action.VIEW_STATISTICS: EVERYONE,
    Action.REPORT_CONCERN: EVERYONE,
    Action.VIEW_CALENDAR: EVERYONE,
    Action.VIEW_ACCESS_LOG: {"auditor"},
    Action.USE_ADMIN_SITE: {"admin", "central_coordinator"},
    Action.MANAGE_ORGANISATIONS: {"admin"},
    Action.MANAGE_USERS: {"admin"},
    Action.MANAGE_GUIDELINE: {"admin", "central_coordinator"},
    Action.LIST_INCIDENTS: COORDINATORS | {"unit_manager", "central_coordinator"},
    Action.LIST_CONCERNS: COORDINATORS | {"caseworker", "central_coordinator"},
    Action.LIST_PLANS: COORDINATORS | {"central_coordinator", "board_reader"},
    Action.VIEW_COMPLIANCE: {"central_coordinator"},
    Action.MANAGE_STATUS_REPORT: {"central_coordinator"},
    Action.DECIDE_ACCESS_CHANGE: {"admin", "central_coordinator"},
}


@pytest.mark.parametrize("action", list(WITHOUT_OBJECT))
def test_who_may_without_an_object(people, action):
    assert allowed(people, action) == WITHOUT_OBJECT[action]


def test_require_refuses_what_can_refuses_and_passes_what_it_allows(people):
    permissions.require(people["auditor"], Action.VIEW_ACCESS_LOG)
    with pytest.raises(PermissionDenied, match="view_access_log"):
        permissions.require(people["admin"], Action.VIEW_ACCESS_LOG)


def test_an_action_without_a_rule_is_refused_to_everyone(people, monkeypatch):
    monkeypatch.delitem(permissions.RULES, Action.VIEW_GUIDELINE)
    assert allowed(people, Action.VIEW_GUIDELINE) == set()


def test_roles_are_read_again_for_every_new_user_object(people):
    """A role taken away counts at once: the next request's user object reads the memberships anew."""
    assert permissions.can(people["auditor"], Action.VIEW_ACCESS_LOG)
    Membership.objects.filter(user=people["auditor"]).delete()
    assert not permissions.can(User.objects.get(pk=people["auditor"].pk), Action.VIEW_ACCESS_LOG)


def test_the_second_factor_is_for_roles_that_see_personal_data(people):
    needs = {name for name, user in people.items() if permissions.needs_second_factor(user)}
    assert needs == EVERYONE - {"staff", "board_reader"}


def test_the_header_shows_the_most_responsible_role(people):
    user = people["caseworker"]
    Membership.objects.create(user=user, organisation=_org("jarva"), role=Role.COORDINATOR)
    assert permissions.primary_membership(User.objects.get(pk=user.pk)).role == Role.COORDINATOR
    assert permissions.primary_membership(people["anonymous"]) is None
    assert permissions.primary_membership(people["inactive"]) is None


# --- Concerns -----------------------------------------------------------------------------------------


def _concern(n: int, slug: str, **fields) -> Concern:
    return Concern.objects.create(
        reference=f"ORO-2026-{90000 + n}",
        reporter=User.objects.get(email="staff@test.example"),
        reporter_organisation=_org("jarva"),
        reported_to=_org(slug),
        organisation=_org(slug),
        idempotency_key=f"rule-{n}",
        observation="Test",
        observed_on=timezone.localdate(),
        concerns_child="no",
        **fields,
    )


def _disclose(concern: Concern, slug: str, *, withdrawn: bool = False) -> None:
    now = timezone.now()
    Disclosure.objects.create(
        concern=concern,
        to_organisation=_org(slug),
        legal_ground="Test",
        decided_by="Test",
        decided_at=now,
        recorded_by=User.objects.get(email="coordinator@test.example"),
        revoked_at=now if withdrawn else None,
    )


def _concerns(cast) -> dict[str, Concern]:
    caseworker = cast["caseworker"]
    made = {
        "open": _concern(1, "jarva"),
        "assigned": _concern(2, "jarva", assigned_to=caseworker),
        "assigned_elsewhere": _concern(3, "sodermalm", assigned_to=caseworker),  # not a caseworker there
        "disclosed": _concern(4, "jarva"),
        "queue": _concern(5, "skarholmen", without_coordinator=True),  # Skärholmen has no coordinator
        "awaiting": _concern(6, "skarholmen", without_coordinator=False),  # its coordinators left since
        "queue_closed": _concern(7, "skarholmen", without_coordinator=True, state=State.CLOSED),
        "closed": _concern(8, "jarva", state=State.CLOSED),
    }
    _disclose(made["disclosed"], "utbildningsnamnden")
    _disclose(made["disclosed"], "sodermalm", withdrawn=True)
    _disclose(made["disclosed"], "ks")  # the central coordinator's organisation
    return made


# concern -> (read, handle, coordinate, hand over)
CONCERN_RULES = {
    "open": ({"coordinator"}, {"coordinator"}, {"coordinator"}, {"coordinator"}),
    "assigned": ({"coordinator", "caseworker"}, {"coordinator", "caseworker"}, {"coordinator"}, {"coordinator"}),
    "assigned_elsewhere": (
        {"coordinator_other"},
        {"coordinator_other"},
        {"coordinator_other"},
        {"coordinator_other"},
    ),
    # The board's coordinator and the central coordinator read through the disclosures (the board
    # reader's role reads no concern); Södermalm's was withdrawn.
    "disclosed": (
        {"coordinator", "coordinator_board", "central_coordinator"},
        {"coordinator"},
        {"coordinator"},
        {"coordinator"},
    ),
    "queue": ({"central_coordinator"}, set(), set(), {"central_coordinator"}),
    "awaiting": (set(), set(), set(), {"central_coordinator"}),
    "queue_closed": (set(), set(), set(), set()),
    # The right stays with the state; the services refuse changes to a closed concern.
    "closed": ({"coordinator"}, {"coordinator"}, {"coordinator"}, {"coordinator"}),
}
CONCERN_ACTIONS = (Action.VIEW_CONCERN, Action.HANDLE_CONCERN, Action.COORDINATE_CONCERN, Action.HAND_OVER_CONCERN)


@pytest.mark.parametrize(("which", "index"), list(itertools.product(CONCERN_RULES, range(4))))
def test_who_may_read_handle_coordinate_and_hand_over_a_concern(cast, people, which, index):
    concern = _concerns(cast)[which]
    action = CONCERN_ACTIONS[index]
    assert allowed(people, action, concern) == CONCERN_RULES[which][index], action


def test_the_reporter_sees_the_receipt_of_their_own_concern_only(cast, people):
    concern = _concerns(cast)["open"]
    assert allowed(people, Action.VIEW_CONCERN_RECEIPT, concern) == {"staff"}


def test_the_central_queue_and_the_waiting_list_are_told_apart(cast):
    concerns = _concerns(cast)
    assert permissions.concern_in_central_queue(concerns["queue"])
    assert not permissions.concern_in_central_queue(concerns["awaiting"])
    assert not permissions.concern_in_central_queue(concerns["queue_closed"])
    assert not permissions.concern_in_central_queue(concerns["open"])
    assert permissions.concern_awaiting_coordinator(concerns["awaiting"])
    assert not permissions.concern_awaiting_coordinator(concerns["queue"])
    assert not permissions.concern_awaiting_coordinator(concerns["open"])
    Concern.objects.filter(pk=concerns["awaiting"].pk).update(state=State.CLOSED)
    assert not permissions.concern_awaiting_coordinator(Concern.objects.get(pk=concerns["awaiting"].pk))


def test_a_coordinator_appointed_ends_the_central_coordinators_access(cast, people):
    concern = _concerns(cast)["queue"]
    Membership.objects.create(
        user=User.objects.get(email="staff@test.example"), organisation=_org("skarholmen"), role=Role.COORDINATOR
    )
    assert allowed(people, Action.VIEW_CONCERN, concern) == {"staff"}
    assert allowed(people, Action.HAND_OVER_CONCERN, concern) == {"staff"}
    assert not permissions.concern_in_central_queue(concern)


# --- Incidents ----------------------------------------------------------------------------------------


def _incidents(cast) -> dict[str, object]:
    staff, unit = cast["staff"], Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    skarholmen = District.objects.get(council__slug="skarholmen").code
    return {
        "jarva": make_incident(reporter=staff, district_code=JARVA, unit=unit),
        "sodermalm": make_incident(reporter=staff, district_code=SODERMALM),
        "by_another": make_incident(reporter=cast["coordinator_board"], district_code=SODERMALM),
        "queue": make_incident(reporter=staff, district_code=skarholmen, without_coordinator=True),
        "awaiting": make_incident(reporter=staff, district_code=skarholmen, without_coordinator=False),
        "queue_closed": make_incident(
            reporter=staff, district_code=skarholmen, without_coordinator=True, status=Status.CLOSED
        ),
        "awaiting_closed": make_incident(
            reporter=staff, district_code=skarholmen, without_coordinator=False, status=Status.CLOSED
        ),
    }


# incident -> (read, handle, re-route)
INCIDENT_RULES = {
    # The council's coordinators, the reporting organisation's, and the unit's manager.
    "jarva": ({"coordinator", "unit_manager"}, {"coordinator"}, set()),
    "sodermalm": ({"coordinator_other", "coordinator"}, {"coordinator_other"}, set()),
    "by_another": ({"coordinator_other", "coordinator_board"}, {"coordinator_other"}, set()),
    "queue": ({"coordinator", "central_coordinator"}, {"central_coordinator"}, {"central_coordinator"}),
    "awaiting": ({"coordinator"}, set(), {"central_coordinator"}),
    "queue_closed": ({"coordinator"}, set(), set()),
    "awaiting_closed": ({"coordinator"}, set(), set()),
}
INCIDENT_ACTIONS = (Action.VIEW_INCIDENT, Action.HANDLE_INCIDENT, Action.REROUTE_INCIDENT)


@pytest.mark.parametrize(("which", "index"), list(itertools.product(INCIDENT_RULES, range(3))))
def test_who_may_read_handle_and_reroute_an_incident(cast, people, which, index):
    incident = _incidents(cast)[which]
    action = INCIDENT_ACTIONS[index]
    assert allowed(people, action, incident) == INCIDENT_RULES[which][index], action


def test_the_incident_queue_and_the_waiting_list_are_told_apart(cast):
    incidents = _incidents(cast)
    assert permissions.incident_in_central_queue(incidents["queue"])
    assert not permissions.incident_in_central_queue(incidents["awaiting"])
    assert not permissions.incident_in_central_queue(incidents["queue_closed"])
    assert permissions.incident_awaiting_coordinator(incidents["awaiting"])
    assert not permissions.incident_awaiting_coordinator(incidents["queue"])
    assert not permissions.incident_awaiting_coordinator(incidents["jarva"])
    assert not permissions.incident_awaiting_coordinator(incidents["awaiting_closed"])


def test_the_reporter_sees_the_receipt_of_their_own_incident_only(cast, people):
    assert allowed(people, Action.VIEW_INCIDENT_RECEIPT, _incidents(cast)["jarva"]) == {"staff"}


# --- Duties and four eyes -------------------------------------------------------------------------------


def test_only_an_organisations_coordinators_report_its_duties(people):
    assert allowed(people, Action.REPORT_DUTIES, _org("jarva")) == {"coordinator"}
    assert allowed(people, Action.REPORT_DUTIES, _org("utbildningsnamnden")) == {"coordinator_board"}
    assert allowed(people, Action.REPORT_DUTIES, _org("ks")) == set()


@pytest.mark.parametrize(
    ("proposer", "target", "deciders"),
    [
        ("admin", "caseworker", {"central_coordinator"}),  # never the proposer
        ("central_coordinator", "caseworker", {"admin"}),
        ("central_coordinator", "admin", set()),  # never the person concerned
        ("auditor", "staff", {"admin", "central_coordinator"}),
    ],
)
def test_a_second_person_decides_an_access_change(cast, people, proposer, target, deciders):
    proposal = AccessChangeRequest(kind=ChangeKind.RESET_PASSWORD, target=cast[target], proposed_by=cast[proposer])
    assert allowed(people, Action.DECIDE_ACCESS_CHANGE, proposal) == deciders
