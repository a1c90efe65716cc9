"""Handling a concern: the process steps, the assessment, the actions taken (the orosanmälan among
them) and who handles it. Every write goes through vbe.concerns.writes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.concerns.models import ActionKind, ActionTaken, Concern, State, YesNoUnknown
from vbe.concerns.writes import STALE, _check_date, _locked, _log, _open, _save


def _transition(from_state: State, to_state: State, name: str):
    """Builds the named service for one step of the process: it locks the row, checks that the
    concern is still in ``from_state`` at the version the user saw, moves it, and logs."""

    @transaction.atomic
    def service(*, request: Any, concern_id: int, actor: User, version: int, note: str = "") -> Concern:
        concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
        if concern.state != from_state:
            raise ValidationError(STALE)
        concern.state = to_state
        _save(
            concern,
            actor=actor,
            kind="advanced",
            from_state=from_state,
            note=note,
            summary=f"Från {from_state.label.lower()} till {to_state.label.lower()}",
        )
        _log(request, actor, "concern_advanced", concern, detail=f"{from_state} → {to_state}")
        return concern

    service.__name__ = service.__qualname__ = name
    service.to_state = to_state
    return service


begin_initial_assessment = _transition(State.RECEIVED, State.INITIAL_ASSESSMENT, "begin_initial_assessment")
begin_gathering_information = _transition(
    State.INITIAL_ASSESSMENT, State.GATHERING_INFORMATION, "begin_gathering_information"
)
begin_assessment = _transition(State.GATHERING_INFORMATION, State.ASSESSMENT, "begin_assessment")
begin_measures = _transition(State.ASSESSMENT, State.MEASURES, "begin_measures")
begin_follow_up = _transition(State.MEASURES, State.FOLLOW_UP, "begin_follow_up")
# The next step from each state; closing (``close``) is possible from every open step.
TRANSITIONS = {
    State.RECEIVED: begin_initial_assessment,
    State.INITIAL_ASSESSMENT: begin_gathering_information,
    State.GATHERING_INFORMATION: begin_assessment,
    State.ASSESSMENT: begin_measures,
    State.MEASURES: begin_follow_up,
}
NEXT_STATE = {state: service.to_state for state, service in TRANSITIONS.items()}


@transaction.atomic
def advance(*, request: Any, concern_id: int, actor: User, version: int, note: str = "") -> Concern:
    """Moves the concern to the next step, through that step's named service (which checks it all
    again under the same lock). The right first: the state is no business of someone without it."""
    state = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=None).state
    if state == State.CLOSED:
        raise ValidationError("Ärendet är avslutat och kan inte ändras.")
    if state not in TRANSITIONS:
        raise ValidationError("Ärendet är i sista steget. Avsluta det när uppföljningen är klar.")
    return TRANSITIONS[state](request=request, concern_id=concern_id, actor=actor, version=version, note=note)


@transaction.atomic
def record_assessment(
    *, request: Any, concern_id: int, actor: User, version: int, areas: list[str], text: str
) -> Concern:
    """The professional's own written assessment and which areas were considered. No score, ever."""
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    _open(concern)
    if not text.strip():
        raise ValidationError("Skriv din bedömning.")
    concern.assessment_areas, concern.assessment = sorted(set(areas)), text.strip()
    _save(concern, actor=actor, kind="assessment", summary="Bedömningen uppdaterades")
    _log(request, actor, "concern_assessed", concern)
    return concern


@transaction.atomic
def record_action(
    *,
    request: Any,
    concern_id: int,
    actor: User,
    version: int,
    kind: str,
    done_on: datetime.date,
    district_id: int | None = None,
    made_by: str = "",
    note: str = "",
) -> ActionTaken:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    _open(concern)
    return _record_action(
        request=request,
        concern=concern,
        actor=actor,
        kind=kind,
        done_on=done_on,
        district_id=district_id,
        made_by=made_by,
        note=note,
    )


def _record_action(
    *,
    request: Any,
    concern: Concern,
    actor: User,
    kind: str,
    done_on: datetime.date | None,
    district_id: int | None,
    made_by: str,
    note: str,
) -> ActionTaken:
    """Records an action on a concern already locked by the caller."""
    if kind == ActionKind.CHILD_WELFARE_REPORT:
        # By whom and when: without both it is no record that a child concern can be closed on.
        if not made_by.strip():
            raise ValidationError("Ange vem som gjorde orosanmälan (namn eller befattning).")
        if district_id is None:
            raise ValidationError("Ange vilket stadsdelsområdes socialtjänst orosanmälan skickades till.")
    _check_date(concern, done_on)
    action = ActionTaken.objects.create(
        concern=concern,
        kind=kind,
        done_on=done_on,
        district_id=district_id,
        made_by=made_by.strip(),
        note=note,
        recorded_by=actor,
    )
    _save(concern, actor=actor, kind="action", summary=ActionKind(kind).label)
    _log(request, actor, "concern_action_recorded", concern, detail=kind)
    return action


# "Vet inte" counts: a concern that may be about a child is handled as one until the handler records an
# orosanmälan or writes why none was made (for instance that the person is an adult).
CHILD_ANSWERS = (YesNoUnknown.YES, YesNoUnknown.UNKNOWN)


def needs_child_report(concern: Concern) -> bool:
    """A concern about a child, or perhaps about one, with neither an orosanmälan on record (by whom and
    when) nor a written reason why none was made: the case view warns, and it cannot be closed until
    one is given."""
    if concern.concerns_child not in CHILD_ANSWERS or concern.child_report_not_made_reason:
        return False
    # An empty encrypted value is stored empty, so "made_by is not empty" can be asked of the database.
    return not concern.actions.filter(kind=ActionKind.CHILD_WELFARE_REPORT).exclude(made_by="").exists()


@transaction.atomic
def assign(*, request: Any, concern_id: int, actor: User, version: int, caseworker: User | None) -> Concern:
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, version=version)
    _open(concern)
    if (
        caseworker is not None
        and not Membership.objects.filter(
            user=caseworker, organisation=concern.organisation_id, role=Role.CASEWORKER, user__is_active=True
        ).exists()
    ):
        raise ValidationError("Välj en handläggare i den ansvariga organisationen.")
    concern.assigned_to = caseworker
    _save(
        concern,
        actor=actor,
        kind="assigned",
        summary="Handläggare tilldelad" if caseworker else "Tilldelning borttagen",
    )
    _log(request, actor, "concern_assigned", concern, detail=str(caseworker.pk) if caseworker else "")
    return concern
