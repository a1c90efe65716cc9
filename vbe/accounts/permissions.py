"""Every permission rule of the portal, gathered in RULES here. docs/permissions.md explains them. The
role facts the rules read (memberships, roles, signed in) are in ``role_facts.py`` and the competence
rules in ``training_rules.py``; this module re-exports what callers use, so ask it, not them.

Deny by default: an action not in RULES is refused. Views ask ``require(request.user, action, obj)``
once per object; lists use scoped querysets built from the same role facts (``org_ids_with``).
Roles are read from the database on every request, so a role change or deactivation takes effect
at once, in open sessions too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from django.core.exceptions import PermissionDenied
from django.db.models import ForeignObjectRel, Model, OuterRef, Q, QuerySet
from typing_extensions import TypeIs

from vbe.accounts.actions import Action as Action
from vbe.accounts.collaboration_rules import assessing_organisation_ids as assessing_organisation_ids
from vbe.accounts.collaboration_rules import (
    assessor,
    is_forum,
    meeting_reader,
    meeting_writer,
    register_keeper,
    register_reader,
)
from vbe.accounts.guarded import (
    ConcernFacts,
    IncidentFacts,
    M,
    P,
    Person,
    PlanFacts,
    ProposalFacts,
    Routed,
    Rule,
    Submission,
    about,
    is_concern,
    is_incident,
    is_model,
    is_organisation,
    is_organisation_or_none,
    is_plan,
    is_proposal_or_none,
    is_submission,
)
from vbe.accounts.knowledge_rules import resource_keeper
from vbe.accounts.knowledge_rules import resource_organisation_ids as resource_organisation_ids
from vbe.accounts.models import Membership, Role
from vbe.accounts.role_facts import has_role as has_role
from vbe.accounts.role_facts import is_central as _central
from vbe.accounts.role_facts import memberships as memberships
from vbe.accounts.role_facts import org_ids_with as org_ids_with
from vbe.accounts.role_facts import primary_membership as primary_membership
from vbe.accounts.role_facts import roles as roles
from vbe.accounts.role_facts import signed_in as _signed_in
from vbe.accounts.role_facts import unit_ids_with as unit_ids_with
from vbe.accounts.training_rules import TRAINING_KEEPER_ROLES as TRAINING_KEEPER_ROLES
from vbe.accounts.training_rules import reminder_keeper, training_keeper, training_reader
from vbe.accounts.training_rules import training_organisation_ids as training_organisation_ids
from vbe.accounts.training_rules import training_unit_scope as training_unit_scope
from vbe.core.expressions import PkAmong

CITY_WIDE_ROLES = frozenset({Role.CENTRAL_COORDINATOR, Role.AUDITOR, Role.ADMIN})
# Roles that can see personal data somewhere in the portal: they need a second factor in production.
PERSONAL_DATA_ROLES = frozenset(
    {Role.UNIT_MANAGER, Role.COORDINATOR, Role.CASEWORKER, Role.CENTRAL_COORDINATOR, Role.AUDITOR, Role.ADMIN}
)


def needs_second_factor(user: Person) -> bool:
    return has_role(user, *PERSONAL_DATA_ROLES)


# --- Rules: action -> predicate(user, obj) ------------------------------------------------------


def _any_role(*wanted: str) -> Rule:
    def rule(user: Person, obj: Model | None = None) -> bool:
        return _signed_in(user) and has_role(user, *wanted)

    return rule


# --- Organisations without an active coordinator: the central queue, and what waits unread -----------
# Nothing sent to an organisation without an active coordinator (an active user with the coordinator
# role there) is left with nobody, and nobody's caseload is opened by taking its coordinators away:
#
# * The central queue: an open concern or incident that ARRIVED without a coordinator
#   (``without_coordinator``, set at intake or hand-over from the receiving organisation's coordinators
#   at that moment) and whose organisation still has none. The central coordinators read it and hand it
#   on; the moment a coordinator is appointed there their access ends.
# * Waiting for a new coordinator: an open item whose coordinators left after it arrived (not flagged).
#   Removing or deactivating a coordinator needs one administrator alone, so it must not open the
#   organisation's caseload to anyone: the central coordinators see only its reference, organisation,
#   date and step (``*_awaiting_coordinator``) and may hand it on to an organisation that has a
#   coordinator, never read it.
#
# Both are decided when asked (the flag says only how the item arrived): the object rules and the
# selectors below ask the same facts, one row at a time and as subqueries.

CLOSED = "closed"  # the closed state of both concerns (State.CLOSED) and incidents (Status.CLOSED)


def active_coordinator_memberships() -> QuerySet[Membership]:
    """The one definition of who coordinates: a coordinator membership of an active account. Routing,
    the central queue, the coordinator overview and the notices all ask it."""
    return Membership.objects.filter(role=Role.COORDINATOR, user__is_active=True)


def _active_coordinators(organisation: int | OuterRef) -> QuerySet[Membership]:
    """Memberships that make ``organisation`` (an id, or ``OuterRef``) able to receive."""
    return active_coordinator_memberships().filter(organisation=organisation)


def has_active_coordinator(organisation_id: int) -> bool:
    return _active_coordinators(organisation_id).exists()


def _without_coordinator_q(state_field: str, *, arrived_without: bool) -> Q:
    """Open items (``state`` of concerns, ``status`` of incidents) at an organisation without an active
    coordinator now, that arrived without one (the central queue) or not (waiting for a new one).
    The organisations with one are a subquery of their own, computed once per query: a correlated
    ``NOT EXISTS`` inside the lists' OR is priced as one probe per row (see ``_PkAmong``)."""
    return (
        ~Q(**{state_field: CLOSED})
        & Q(without_coordinator=arrived_without)
        & ~Q(organisation_id__in=active_coordinator_memberships().values("organisation_id"))
    )


def _waits(item: Routed, state: str, *, arrived_without: bool) -> bool:
    return (
        state != CLOSED
        and bool(item.without_coordinator) is arrived_without
        and not has_active_coordinator(item.organisation_id)
    )


def concern_in_central_queue(concern: ConcernFacts) -> bool:
    return _waits(concern, concern.state, arrived_without=True)


def concern_awaiting_coordinator(concern: ConcernFacts) -> bool:
    return _waits(concern, concern.state, arrived_without=False)


def incident_in_central_queue(incident: IncidentFacts) -> bool:
    return _waits(incident, incident.status, arrived_without=True)


def incident_awaiting_coordinator(incident: IncidentFacts) -> bool:
    return _waits(incident, incident.status, arrived_without=False)


def concerns_in_central_queue() -> Q:
    """Filter for concerns in the central queue (also to mark them in a list: ``annotate``)."""
    return _without_coordinator_q("state", arrived_without=True)


def incidents_in_central_queue() -> Q:
    return _without_coordinator_q("status", arrived_without=True)


def _awaiting(
    user: Person, queryset: QuerySet[M], state_field: str, visible_to: Callable[[Person, QuerySet[M]], QuerySet[M]]
) -> QuerySet[M]:
    if not _central(user):
        return queryset.none()
    # What the user may read some other way (a disclosure to their organisation, say) is not "unread":
    # it is in their own list, and handed over from its page.
    readable = visible_to(user, queryset.model._default_manager.all()).values("pk")
    return queryset.filter(_without_coordinator_q(state_field, arrived_without=False)).exclude(pk__in=readable)


def concerns_awaiting_coordinator(user: Person, queryset: QuerySet[M]) -> QuerySet[M]:
    """For the central coordinators: open concerns whose coordinators left after they arrived, which they
    may hand over but not read (``can(HAND_OVER_CONCERN)`` and not ``can(VIEW_CONCERN)``). Not a
    ``*_visible_to`` selector: only the reference, the organisation, the date and the step may be shown."""
    return _awaiting(user, queryset, "state", concerns_visible_to)


def incidents_awaiting_coordinator(user: Person, queryset: QuerySet[M]) -> QuerySet[M]:
    """The same for incidents (``REROUTE_INCIDENT``): reference, district, date and category may be shown."""
    return _awaiting(user, queryset, "status", incidents_visible_to)


# --- Incidents: routed to the district council where they happened --------------------------------
# The content of an incident is for the coordinators of the district council it is routed to and of
# the reporting organisation, and the managers of the unit where it happened. The reporter sees the
# receipt and the status (``VIEW_INCIDENT_RECEIPT``), like a concern's reporter. An open incident that
# arrived at a council without an active coordinator waits with the central coordinators, who handle
# or re-route it; one whose council's coordinators left after it arrived they may only re-route.


def _incident_central_queue(user: Person, incident: IncidentFacts) -> bool:
    # The role first: only a central coordinator costs the look-up.
    return _central(user) and incident_in_central_queue(incident)


def _incident_rerouter(user: Person, incident: IncidentFacts) -> bool:
    if not _central(user) or incident.status == CLOSED:
        return False
    return not has_active_coordinator(incident.organisation_id)  # in the queue, or waiting unread


def _incident_viewer(user: Person, incident: IncidentFacts) -> bool:
    if not _signed_in(user):
        return False
    coordinating = org_ids_with(user, Role.COORDINATOR)
    if incident.organisation_id in coordinating or incident.reporter_organisation_id in coordinating:
        return True
    if incident.unit_id is not None and incident.unit_id in unit_ids_with(user, Role.UNIT_MANAGER):
        return True
    return _incident_central_queue(user, incident)


def _incident_handler(user: Person, incident: IncidentFacts) -> bool:
    if _signed_in(user) and incident.organisation_id in org_ids_with(user, Role.COORDINATOR):
        return True
    return _incident_central_queue(user, incident)


def incidents_visible_to(user: Person, queryset: QuerySet[M]) -> QuerySet[M]:
    """The scoped queryset matching ``_incident_viewer``: use it for every list of incidents."""
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
# one exception: an open concern that arrived at an organisation without an active coordinator, which
# still has none, waits in the central queue (above), where central coordinators read it and hand it
# over. One whose coordinators left after it arrived they may hand over, unread.

DISCLOSURE_READER_ROLES = (Role.COORDINATOR, Role.CASEWORKER, Role.CENTRAL_COORDINATOR)


def _concern_handler(user: Person, concern: ConcernFacts) -> bool:
    if not _signed_in(user):
        return False
    if concern.organisation_id in org_ids_with(user, Role.COORDINATOR):
        return True
    return concern.assigned_to_id == user.pk and concern.organisation_id in org_ids_with(user, Role.CASEWORKER)


def _concern_coordinator(user: Person, concern: ConcernFacts) -> bool:
    return _signed_in(user) and concern.organisation_id in org_ids_with(user, Role.COORDINATOR)


def _central_queue(user: Person, concern: ConcernFacts) -> bool:
    # The role first: only a central coordinator costs the look-up.
    return _central(user) and concern_in_central_queue(concern)


def _concern_hand_over(user: Person, concern: ConcernFacts) -> bool:
    if _concern_coordinator(user, concern):
        return True
    # The central coordinator: any open concern at an organisation without an active coordinator now,
    # read in the central queue or unread while it waits for a new coordinator.
    return _central(user) and concern.state != CLOSED and not has_active_coordinator(concern.organisation_id)


def _concern_reader(user: Person, concern: ConcernFacts) -> bool:
    if _concern_handler(user, concern) or _central_queue(user, concern):
        return True
    readers = org_ids_with(user, *DISCLOSURE_READER_ROLES)
    return bool(readers) and concern.disclosures.filter(to_organisation_id__in=readers, revoked_at=None).exists()


def _disclosed_to(queryset: QuerySet[M], readers: set[int]) -> Q:
    """Concerns with a disclosure in force to one of ``readers``. Not a join, which would repeat a concern
    once per disclosure and need ``DISTINCT`` over every column, encrypted texts included. The disclosure
    model is reached through the relation (accounts does not import concerns)."""
    if not readers:
        return Q(pk__in=[])
    relation = queryset.model._meta.get_field("disclosures")
    assert isinstance(relation, ForeignObjectRel) and relation.related_model is not None
    disclosed = relation.related_model._default_manager.filter(to_organisation_id__in=readers, revoked_at=None)
    return Q(PkAmong(disclosed.order_by().values(relation.field.attname)))


def concerns_visible_to(user: Person, queryset: QuerySet[M]) -> QuerySet[M]:
    """The scoped queryset matching ``_concern_reader``: use it for every list or look-up of concerns.
    One row per concern without ``DISTINCT``: every branch is a condition on the concern's own row."""
    if not _signed_in(user):
        return queryset.none()
    readers = org_ids_with(user, *DISCLOSURE_READER_ROLES)
    central_queue = concerns_in_central_queue() if has_role(user, Role.CENTRAL_COORDINATOR) else Q(pk__in=[])
    return queryset.filter(
        Q(organisation_id__in=org_ids_with(user, Role.COORDINATOR))
        | Q(assigned_to_id=user.pk, organisation_id__in=org_ids_with(user, Role.CASEWORKER))
        | _disclosed_to(queryset, readers)
        | central_queue
    )


def _own_submission(user: Person, obj: Submission) -> bool:
    return _signed_in(user) and obj.reporter_id == user.pk


# --- Plans: the organisation's coordinators write them; the board reads decided ones -----------------
# The central coordinator reads every plan (compliance and the status report are built from them).
# accounts lies below plans and does not import it, so which states count as decided is asked of the
# plan (``Plan.is_decided``) and of its queryset (``PlanQuerySet.decided``): the state values are
# spelled once, in the plans' own ``PlanState``.


def _plan_reader(user: Person, plan: PlanFacts) -> bool:
    if not _signed_in(user):
        return False
    if has_role(user, Role.CENTRAL_COORDINATOR) or plan.organisation_id in org_ids_with(user, Role.COORDINATOR):
        return True
    return plan.organisation_id in org_ids_with(user, Role.BOARD_READER) and plan.is_decided


def _plan_editor(user: Person, plan: PlanFacts) -> bool:
    return _signed_in(user) and plan.organisation_id in org_ids_with(user, Role.COORDINATOR)


def plans_visible_to(user: Person, queryset: P) -> P:
    """The scoped queryset matching ``_plan_reader``."""
    if not _signed_in(user):
        return queryset.none()
    if has_role(user, Role.CENTRAL_COORDINATOR):
        return queryset
    return queryset.filter(organisation_id__in=org_ids_with(user, Role.COORDINATOR)) | queryset.decided().filter(
        organisation_id__in=org_ids_with(user, Role.BOARD_READER)
    )


# --- The status report: the central coordinator writes it; the boards read it once it is final ------
# A board's reader follows what the city reports to the city council about the guideline's work. A
# draft is the central coordinator's work in progress (its figures and texts still change), so it is
# not theirs to read. reports lies above accounts: the report is asked whether it is final.


@runtime_checkable
class StatusReportFacts(Protocol):
    @property
    def is_final(self) -> bool: ...


def is_status_report_or_none(obj: object) -> TypeIs[StatusReportFacts | None]:
    return obj is None or isinstance(obj, StatusReportFacts)


def _status_report_reader(user: Person, report: StatusReportFacts | None = None) -> bool:
    """Asked without a report: may the user read status reports at all (the list)."""
    if not _signed_in(user):
        return False
    if has_role(user, Role.CENTRAL_COORDINATOR):
        return True
    return has_role(user, Role.BOARD_READER) and (report is None or report.is_final)


# --- Four eyes: a second person decides grants of roles with personal data and credential resets ----


def _access_change_decider(user: Person, proposal: ProposalFacts | None = None) -> bool:
    """Another administrator or the central coordinator; never the proposer, never the person concerned."""
    if not (_signed_in(user) and has_role(user, Role.ADMIN, Role.CENTRAL_COORDINATOR)):
        return False
    return proposal is None or user.pk not in (proposal.proposed_by_id, proposal.target_id)


def _organisation_coordinator(user: Person, organisation: Model) -> bool:
    return _signed_in(user) and organisation.pk in org_ids_with(user, Role.COORDINATOR)


RULES: dict[Action, Rule] = {
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
    Action.VIEW_INCIDENT_RECEIPT: about(is_submission, _own_submission),
    # The list itself is scoped; the central coordinator's holds the incidents without a coordinator.
    Action.LIST_INCIDENTS: _any_role(Role.COORDINATOR, Role.UNIT_MANAGER, Role.CENTRAL_COORDINATOR),
    Action.VIEW_INCIDENT: about(is_incident, _incident_viewer),
    Action.HANDLE_INCIDENT: about(is_incident, _incident_handler),
    # Send on an incident whose council has no coordinator: from the queue, or unread if it was orphaned.
    Action.REROUTE_INCIDENT: about(is_incident, _incident_rerouter),
    # Aggregates only, small counts suppressed outside the handling organisation.
    Action.VIEW_STATISTICS: _signed_in,
    Action.REPORT_CONCERN: _signed_in,
    # The reporter sees status only, never the handling.
    Action.VIEW_CONCERN_RECEIPT: about(is_submission, _own_submission),
    Action.LIST_CONCERNS: _any_role(*DISCLOSURE_READER_ROLES),  # the list itself is scoped
    Action.VIEW_CONCERN: about(is_concern, _concern_reader),
    Action.HANDLE_CONCERN: about(is_concern, _concern_handler),
    Action.COORDINATE_CONCERN: about(is_concern, _concern_coordinator),  # assign, disclose, hold
    # Also the central coordinator, for an open concern at an organisation without a coordinator (read
    # from the central queue, or unread from "Ärenden som väntar på en ny samordnare").
    Action.HAND_OVER_CONCERN: about(is_concern, _concern_hand_over),
    Action.LIST_PLANS: _any_role(Role.COORDINATOR, Role.CENTRAL_COORDINATOR, Role.BOARD_READER),  # scoped list
    Action.VIEW_PLAN: about(is_plan, _plan_reader),
    Action.EDIT_PLAN: about(is_plan, _plan_editor),  # the services refuse changes to a decided (locked) plan
    Action.REPORT_DUTIES: about(is_model, _organisation_coordinator),
    Action.VIEW_CALENDAR: _signed_in,
    Action.VIEW_COMPLIANCE: _any_role(Role.CENTRAL_COORDINATOR),
    Action.MANAGE_STATUS_REPORT: _any_role(Role.CENTRAL_COORDINATOR),
    Action.READ_STATUS_REPORT: about(is_status_report_or_none, _status_report_reader),  # board: final only
    # List and decide; the proposal itself: MANAGE_USERS.
    Action.DECIDE_ACCESS_CHANGE: about(is_proposal_or_none, _access_change_decider),
    Action.VIEW_TRAINING_CATALOGUE: _signed_in,
    Action.MANAGE_TRAINING_CATALOGUE: _any_role(Role.CENTRAL_COORDINATOR),  # courses, staff groups, targets
    Action.REGISTER_OWN_TRAINING: _signed_in,
    Action.MANAGE_ORGANISATION_TRAINING: about(is_organisation, training_keeper),  # imports, headcounts, reminders
    # Whether the organisation's staff are reminded: its coordinators and the central coordinator.
    Action.MANAGE_TRAINING_REMINDERS: about(is_organisation, reminder_keeper),
    Action.VIEW_TRAINING_COVERAGE: about(is_organisation_or_none, training_reader),  # None: the city view
    # Resources, the symbol guide, contacts and partners: for everyone who works here.
    Action.VIEW_SUPPORT: _signed_in,
    # About the owner organisation; None: every owner's resources (the review overview), central only.
    Action.MANAGE_RESOURCES: about(is_organisation_or_none, resource_keeper),
    Action.MANAGE_SYMBOL_GUIDE: _any_role(Role.CENTRAL_COORDINATOR),
    # The actor register and every organisation's decisions; never another organisation's working notes.
    Action.VIEW_ACTOR_REGISTER: register_reader,
    Action.MANAGE_ACTORS: register_keeper,
    # About the assessing organisation (its working notes too); None: assesses for some organisation.
    Action.ASSESS_DEMOCRACY: about(is_organisation_or_none, assessor),
    Action.MANAGE_DEMOCRACY_CRITERIA: _any_role(Role.CENTRAL_COORDINATOR),
    Action.VIEW_FORUMS: _any_role(
        Role.COORDINATOR, Role.CASEWORKER, Role.UNIT_MANAGER, Role.BOARD_READER, Role.CENTRAL_COORDINATOR
    ),
    Action.MANAGE_FORUMS: _any_role(Role.CENTRAL_COORDINATOR),
    Action.VIEW_MEETINGS: about(is_forum, meeting_reader),
    Action.RECORD_MEETINGS: about(is_forum, meeting_writer),  # meetings, their actions and follow-up
}


def can(user: Person, action: Action, obj: Model | None = None) -> bool:
    rule = RULES.get(action)
    return bool(rule and rule(user, obj))


def require(user: Person, action: Action, obj: Model | None = None) -> None:
    """Raise PermissionDenied (403, logged by the audit middleware) unless ``user`` may do ``action``."""
    if not can(user, action, obj):
        raise PermissionDenied(action.value)
