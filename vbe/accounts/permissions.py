"""Every permission rule of the portal, in one place. docs/permissions.md explains them.

Deny by default: an action not in RULES is refused. Views ask ``require(request.user, action, obj)``
once per object; lists use scoped querysets built from the same role facts (``org_ids_with``).
Roles are read from the database on every request, so a role change or deactivation takes effect
at once, in open sessions too.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from vbe.accounts.models import ROLE_PRECEDENCE, Membership, Role

CITY_WIDE_ROLES = frozenset({Role.CENTRAL_COORDINATOR, Role.AUDITOR, Role.ADMIN})
# Roles that can see personal data somewhere in the portal: they need a second factor in production.
PERSONAL_DATA_ROLES = frozenset(
    {Role.UNIT_MANAGER, Role.COORDINATOR, Role.CASEWORKER, Role.CENTRAL_COORDINATOR, Role.AUDITOR, Role.ADMIN}
)


class Action(StrEnum):
    VIEW_GUIDELINE = "view_guideline"
    VIEW_ORGANISATIONS = "view_organisations"
    VIEW_COORDINATORS = "view_coordinators"
    VIEW_OWN_MISSION = "view_own_mission"
    VIEW_ACCESS_LOG = "view_access_log"
    USE_ADMIN_SITE = "use_admin_site"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_USERS = "manage_users"
    MANAGE_GUIDELINE = "manage_guideline"
    # The event track (vbe.incidents)
    REPORT_INCIDENT = "report_incident"
    VIEW_INCIDENT_RECEIPT = "view_incident_receipt"
    LIST_INCIDENTS = "list_incidents"
    VIEW_INCIDENT = "view_incident"
    HANDLE_INCIDENT = "handle_incident"
    REROUTE_INCIDENT = "reroute_incident"
    VIEW_STATISTICS = "view_statistics"
    # The concern routine (vbe.concerns)
    REPORT_CONCERN = "report_concern"
    VIEW_CONCERN_RECEIPT = "view_concern_receipt"
    LIST_CONCERNS = "list_concerns"
    VIEW_CONCERN = "view_concern"
    HANDLE_CONCERN = "handle_concern"
    COORDINATE_CONCERN = "coordinate_concern"
    HAND_OVER_CONCERN = "hand_over_concern"
    # The plan cycle (vbe.plans, vbe.reports)
    LIST_PLANS = "list_plans"
    VIEW_PLAN = "view_plan"
    EDIT_PLAN = "edit_plan"
    REPORT_DUTIES = "report_duties"
    VIEW_CALENDAR = "view_calendar"
    VIEW_COMPLIANCE = "view_compliance"
    MANAGE_STATUS_REPORT = "manage_status_report"
    # Four eyes on power (vbe.accounts.four_eyes)
    DECIDE_ACCESS_CHANGE = "decide_access_change"


# --- Role facts --------------------------------------------------------------------------------


def memberships(user: Any) -> list[Membership]:
    """The user's memberships, read once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_vbe_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation", "unit"))
        user._vbe_memberships = cached
    return cached


def roles(user: Any) -> set[str]:
    return {m.role for m in memberships(user)}


def has_role(user: Any, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted))


def org_ids_with(user: Any, *wanted: str) -> set[int]:
    """Organisations in which the user holds one of ``wanted`` roles: the scope of a role."""
    return {m.organisation_id for m in memberships(user) if m.role in wanted}


def unit_ids_with(user: Any, *wanted: str) -> set[int]:
    return {m.unit_id for m in memberships(user) if m.role in wanted and m.unit_id is not None}


def primary_membership(user: Any) -> Membership | None:
    """The membership shown in the header: the most responsible role, then the first organisation."""
    ms = memberships(user)
    if not ms:
        return None
    return min(ms, key=lambda m: (ROLE_PRECEDENCE.index(m.role), m.organisation.name))


def needs_second_factor(user: Any) -> bool:
    return has_role(user, *PERSONAL_DATA_ROLES)


# --- Rules: action -> predicate(user, obj) ------------------------------------------------------


def _signed_in(user: Any, obj: Any = None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _any_role(*wanted: str) -> Callable[[Any, Any], bool]:
    def rule(user: Any, obj: Any = None) -> bool:
        return _signed_in(user) and has_role(user, *wanted)

    return rule


# --- The central queue: what waits for the central coordinators --------------------------------------
# An open concern or incident whose organisation has no active coordinator *right now* (an active user
# with the coordinator role there) waits with the central coordinators. It is decided when asked,
# never from a stored flag: the moment a coordinator is appointed the central coordinators' access
# ends, and the moment the last one goes (removed or deactivated) they see what is open there. The
# object rules and the selectors below ask the same fact, one row at a time and as a subquery.

CLOSED = "closed"  # the closed state of both concerns (State.CLOSED) and incidents (Status.CLOSED)


def _active_coordinators(organisation: Any) -> Any:
    """Memberships that make ``organisation`` (an id, or ``OuterRef``) able to receive."""
    return Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR, user__is_active=True)


def has_active_coordinator(organisation_id: int) -> bool:
    return _active_coordinators(organisation_id).exists()


def _queue_q(state_field: str) -> Any:
    """The central queue as a filter on a queryset of concerns (``state``) or incidents (``status``)."""
    from django.db.models import Exists, OuterRef, Q

    return ~Q(**{state_field: CLOSED}) & ~Q(Exists(_active_coordinators(OuterRef("organisation_id"))))


def concern_in_central_queue(concern: Any) -> bool:
    return concern.state != CLOSED and not has_active_coordinator(concern.organisation_id)


def incident_in_central_queue(incident: Any) -> bool:
    return incident.status != CLOSED and not has_active_coordinator(incident.organisation_id)


def concerns_in_central_queue() -> Any:
    """Filter for concerns in the central queue (also to mark them in a list: ``annotate``)."""
    return _queue_q("state")


def incidents_in_central_queue() -> Any:
    return _queue_q("status")


# --- Incidents: routed to the district council where they happened --------------------------------
# The content of an incident is for the coordinators of the district council it is routed to and of
# the reporting organisation, and the managers of the unit where it happened. The reporter sees the
# receipt and the status (``VIEW_INCIDENT_RECEIPT``), like a concern's reporter. An open incident whose
# organisation has no active coordinator waits with the central coordinators, who handle or re-route it.


def _incident_central_queue(user: Any, incident: Any) -> bool:
    # The role first: only a central coordinator costs the look-up.
    return _signed_in(user) and has_role(user, Role.CENTRAL_COORDINATOR) and incident_in_central_queue(incident)


def _incident_viewer(user: Any, incident: Any) -> bool:
    if not _signed_in(user):
        return False
    coordinating = org_ids_with(user, Role.COORDINATOR)
    if incident.organisation_id in coordinating or incident.reporter_organisation_id in coordinating:
        return True
    if incident.unit_id is not None and incident.unit_id in unit_ids_with(user, Role.UNIT_MANAGER):
        return True
    return _incident_central_queue(user, incident)


def _incident_handler(user: Any, incident: Any) -> bool:
    if _signed_in(user) and incident.organisation_id in org_ids_with(user, Role.COORDINATOR):
        return True
    return _incident_central_queue(user, incident)


def incidents_visible_to(user: Any, queryset: Any) -> Any:
    """The scoped queryset matching ``_incident_viewer``: use it for every list of incidents."""
    from django.db.models import Q

    if not _signed_in(user):
        return queryset.none()
    coordinating = org_ids_with(user, Role.COORDINATOR)
    central_queue = incidents_in_central_queue() if has_role(user, Role.CENTRAL_COORDINATOR) else Q(pk__in=[])
    return queryset.filter(
        Q(organisation_id__in=coordinating)
        | Q(reporter_organisation_id__in=coordinating)
        | Q(unit_id__in=unit_ids_with(user, Role.UNIT_MANAGER))
        | central_queue
    )


# --- Concerns: secret to all but the handlers of the receiving organisation ------------------------
# Handlers are the receiving organisation's coordinators and the caseworker assigned to the concern.
# Another organisation sees it only through a recorded disclosure. The central coordinator,
# administrator and auditor see no concern content unless a disclosure names their organisation, with
# one exception: an open concern whose organisation has no active coordinator right now waits in the
# central queue (above), where central coordinators read it and hand it over.

DISCLOSURE_READER_ROLES = (Role.COORDINATOR, Role.CASEWORKER, Role.CENTRAL_COORDINATOR)


def _concern_handler(user: Any, concern: Any) -> bool:
    if not _signed_in(user):
        return False
    if concern.organisation_id in org_ids_with(user, Role.COORDINATOR):
        return True
    return concern.assigned_to_id == user.pk and concern.organisation_id in org_ids_with(user, Role.CASEWORKER)


def _concern_coordinator(user: Any, concern: Any) -> bool:
    return _signed_in(user) and concern.organisation_id in org_ids_with(user, Role.COORDINATOR)


def _central_queue(user: Any, concern: Any) -> bool:
    # The role first: only a central coordinator costs the look-up.
    return _signed_in(user) and has_role(user, Role.CENTRAL_COORDINATOR) and concern_in_central_queue(concern)


def _concern_hand_over(user: Any, concern: Any) -> bool:
    return _concern_coordinator(user, concern) or _central_queue(user, concern)


def _concern_reader(user: Any, concern: Any) -> bool:
    if _concern_handler(user, concern) or _central_queue(user, concern):
        return True
    readers = org_ids_with(user, *DISCLOSURE_READER_ROLES)
    return bool(readers) and concern.disclosures.filter(to_organisation_id__in=readers, revoked_at=None).exists()


def concerns_visible_to(user: Any, queryset: Any) -> Any:
    """The scoped queryset matching ``_concern_reader``: use it for every list or look-up of concerns."""
    from django.db.models import Q

    if not _signed_in(user):
        return queryset.none()
    readers = org_ids_with(user, *DISCLOSURE_READER_ROLES)
    central_queue = concerns_in_central_queue() if has_role(user, Role.CENTRAL_COORDINATOR) else Q(pk__in=[])
    return queryset.filter(
        Q(organisation_id__in=org_ids_with(user, Role.COORDINATOR))
        | Q(assigned_to_id=user.pk, organisation_id__in=org_ids_with(user, Role.CASEWORKER))
        | Q(disclosures__to_organisation_id__in=readers, disclosures__revoked_at=None)
        | central_queue
    ).distinct()


def _own_submission(user: Any, obj: Any) -> bool:
    return _signed_in(user) and obj.reporter_id == user.pk


# --- Plans: the organisation's coordinators write them; the board reads decided ones -----------------
# The central coordinator reads every plan (compliance and the status report are built from them).


def _plan_reader(user: Any, plan: Any) -> bool:
    if not _signed_in(user):
        return False
    if has_role(user, Role.CENTRAL_COORDINATOR) or plan.organisation_id in org_ids_with(user, Role.COORDINATOR):
        return True
    return plan.organisation_id in org_ids_with(user, Role.BOARD_READER) and plan.state in ("decided", "followed_up")


def _plan_editor(user: Any, plan: Any) -> bool:
    return _signed_in(user) and plan.organisation_id in org_ids_with(user, Role.COORDINATOR)


def plans_visible_to(user: Any, queryset: Any) -> Any:
    """The scoped queryset matching ``_plan_reader``."""
    from django.db.models import Q

    if not _signed_in(user):
        return queryset.none()
    if has_role(user, Role.CENTRAL_COORDINATOR):
        return queryset
    return queryset.filter(
        Q(organisation_id__in=org_ids_with(user, Role.COORDINATOR))
        | Q(organisation_id__in=org_ids_with(user, Role.BOARD_READER), state__in=["decided", "followed_up"])
    )


# --- Four eyes: a second person decides grants of roles with personal data and credential resets ----


def _access_change_decider(user: Any, proposal: Any = None) -> bool:
    """Another administrator or the central coordinator; never the proposer, never the person concerned."""
    if not (_signed_in(user) and has_role(user, Role.ADMIN, Role.CENTRAL_COORDINATOR)):
        return False
    return proposal is None or user.pk not in (proposal.proposed_by_id, proposal.target_id)


def _organisation_coordinator(user: Any, organisation: Any) -> bool:
    return _signed_in(user) and organisation.pk in org_ids_with(user, Role.COORDINATOR)


RULES: dict[Action, Callable[[Any, Any], bool]] = {
    Action.VIEW_GUIDELINE: _signed_in,
    Action.VIEW_ORGANISATIONS: _signed_in,
    Action.VIEW_COORDINATORS: _signed_in,
    Action.VIEW_OWN_MISSION: _signed_in,
    Action.VIEW_ACCESS_LOG: _any_role(Role.AUDITOR),
    # The admin site is where the administrator keeps users and the organisation tree, and where the
    # central coordinator keeps the guideline catalogue. Each model admin narrows this further.
    Action.USE_ADMIN_SITE: _any_role(Role.ADMIN, Role.CENTRAL_COORDINATOR),
    Action.MANAGE_ORGANISATIONS: _any_role(Role.ADMIN),
    Action.MANAGE_USERS: _any_role(Role.ADMIN),
    Action.MANAGE_GUIDELINE: _any_role(Role.ADMIN, Role.CENTRAL_COORDINATOR),
    Action.REPORT_INCIDENT: _signed_in,
    Action.VIEW_INCIDENT_RECEIPT: _own_submission,
    # The list itself is scoped; the central coordinator's holds the incidents without a coordinator.
    Action.LIST_INCIDENTS: _any_role(Role.COORDINATOR, Role.UNIT_MANAGER, Role.CENTRAL_COORDINATOR),
    Action.VIEW_INCIDENT: _incident_viewer,
    Action.HANDLE_INCIDENT: _incident_handler,
    Action.REROUTE_INCIDENT: _incident_central_queue,  # send on an incident whose council has no coordinator
    # Aggregates only, small counts suppressed outside the handling organisation.
    Action.VIEW_STATISTICS: _signed_in,
    Action.REPORT_CONCERN: _signed_in,
    Action.VIEW_CONCERN_RECEIPT: _own_submission,  # the reporter sees status only, never the handling
    Action.LIST_CONCERNS: _any_role(*DISCLOSURE_READER_ROLES),  # the list itself is scoped
    Action.VIEW_CONCERN: _concern_reader,
    Action.HANDLE_CONCERN: _concern_handler,
    Action.COORDINATE_CONCERN: _concern_coordinator,  # assign, disclose, hold
    Action.HAND_OVER_CONCERN: _concern_hand_over,  # also the central coordinator, for the central queue
    Action.LIST_PLANS: _any_role(Role.COORDINATOR, Role.CENTRAL_COORDINATOR, Role.BOARD_READER),  # scoped list
    Action.VIEW_PLAN: _plan_reader,
    Action.EDIT_PLAN: _plan_editor,  # the services refuse changes to a decided (locked) plan
    Action.REPORT_DUTIES: _organisation_coordinator,
    Action.VIEW_CALENDAR: _signed_in,
    Action.VIEW_COMPLIANCE: _any_role(Role.CENTRAL_COORDINATOR),
    Action.MANAGE_STATUS_REPORT: _any_role(Role.CENTRAL_COORDINATOR),
    Action.DECIDE_ACCESS_CHANGE: _access_change_decider,  # list and decide; the proposal itself: MANAGE_USERS
}


def can(user: Any, action: Action, obj: Any = None) -> bool:
    rule = RULES.get(action)
    return bool(rule and rule(user, obj))


def require(user: Any, action: Action, obj: Any = None) -> None:
    """Raise PermissionDenied (403, logged by the audit middleware) unless ``user`` may do ``action``."""
    if not can(user, action, obj):
        raise PermissionDenied(action.value)
