"""Handling a concern: the process steps, the assessment, the actions taken (the orosanmälan among
them) and who handles it. Every write goes through vbe.concerns.writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.concerns.models import ActionKind, ActionTaken, Concern, State, YesNoUnknown
from vbe.concerns.writes import STALE, _check_date, _locked, _log, _open, _save
from vbe.guidelines.vocabulary import Environment


@dataclass(frozen=True)
class Step:
    """The service of one step of the process: it locks the row, checks that the concern is still in
    ``from_state`` at the version the user saw, moves it, and logs."""

    from_state: State
    to_state: State

    def __call__(self, *, actor: User, concern_id: int, lock_version: int, note: str = "") -> Concern:
        with transaction.atomic():
            concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
            if concern.state != self.from_state:
                raise ValidationError(STALE)
            concern.state = self.to_state
            _save(
                concern,
                actor=actor,
                kind="advanced",
                from_state=self.from_state,
                note=note,
                summary=_("Från %(before)s till %(after)s")
                % {"before": self.from_state.label.lower(), "after": self.to_state.label.lower()},
            )
            _log(
                actor=actor,
                action="concern_advanced",
                concern=concern,
                detail=f"{self.from_state} → {self.to_state}",
            )
            return concern


begin_initial_assessment = Step(State.RECEIVED, State.INITIAL_ASSESSMENT)
begin_gathering_information = Step(State.INITIAL_ASSESSMENT, State.GATHERING_INFORMATION)
begin_assessment = Step(State.GATHERING_INFORMATION, State.ASSESSMENT)
begin_measures = Step(State.ASSESSMENT, State.MEASURES)
begin_follow_up = Step(State.MEASURES, State.FOLLOW_UP)
# The next step from each state; closing (``close``) is possible from every open step.
TRANSITIONS = {
    step.from_state: step
    for step in (
        begin_initial_assessment,
        begin_gathering_information,
        begin_assessment,
        begin_measures,
        begin_follow_up,
    )
}
NEXT_STATE = {state: step.to_state for state, step in TRANSITIONS.items()}


@transaction.atomic
def advance(*, actor: User, concern_id: int, lock_version: int, note: str = "") -> Concern:
    """Moves the concern to the next step, through that step's named service (which checks it all
    again under the same lock). The right first: the state is no business of someone without it."""
    state = State(_locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=None).state)
    if state == State.CLOSED:
        raise ValidationError(_("Ärendet är avslutat och kan inte ändras."))
    if state not in TRANSITIONS:
        raise ValidationError(_("Ärendet är i sista steget. Avsluta det när uppföljningen är klar."))
    return TRANSITIONS[state](actor=actor, concern_id=concern_id, lock_version=lock_version, note=note)


# Later steps a concern can be moved to in one decision, from each step (closing has its own service).
STEPS_IN_ORDER: list[State] = [State(state) for state in State.values if state != State.CLOSED]


def later_steps(state: str) -> list[State]:
    """The steps after ``state`` (none from a closed concern)."""
    if state not in STEPS_IN_ORDER:
        return []
    return STEPS_IN_ORDER[STEPS_IN_ORDER.index(State(state)) + 1 :]


@transaction.atomic
def advance_to(*, actor: User, concern_id: int, lock_version: int, to_state: str, note: str = "") -> Concern:
    """Moves the concern forward to ``to_state`` in one decision with one note, past the steps between
    when they happened together (received, first assessment and information gathering in one meeting,
    say): one version check, one chronology entry naming where it came from and where it went (which
    the readers of a disclosure see as one process step), one row in the access log."""
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    _open(concern)
    before = State(concern.state)
    if to_state not in later_steps(before):
        raise ValidationError(
            _("Välj ett senare steg än %(step)s. Ärendet avslutas med ”Avsluta ärendet”.")
            % {"step": before.label.lower()}
        )
    after = State(to_state)
    concern.state = after
    _save(
        concern,
        actor=actor,
        kind="advanced",
        from_state=before,
        note=note.strip(),
        summary=_("Från %(before)s till %(after)s") % {"before": before.label.lower(), "after": after.label.lower()},
    )
    _log(actor=actor, action="concern_advanced", concern=concern, detail=f"{before} → {after}")
    return concern


@transaction.atomic
def record_assessment(
    *, actor: User, concern_id: int, lock_version: int, areas: list[str], text: str, environment: str | None = None
) -> Concern:
    """The professional's own written assessment, which areas were considered and (``environment``, None
    for unchanged) the violent extremist environment the handler assesses it to be about, in the
    guideline's terms: that, not the reporter's impression, is what the statistics count. No score, ever."""
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    _open(concern)
    if not text.strip():
        raise ValidationError(_("Skriv din bedömning."))
    if environment is not None and environment not in Environment.values:
        raise ValidationError(_("Välj en av miljöerna i listan."))
    changed = environment is not None and environment != concern.environment
    concern.assessment_areas, concern.assessment = sorted(set(areas)), text.strip()
    if environment is not None and changed:
        concern.environment = environment
    # The summary never names the environment: it is special-category data, kept on the concern only.
    summary = _("Bedömningen och den bedömda miljön uppdaterades") if changed else _("Bedömningen uppdaterades")
    _save(concern, actor=actor, kind="assessment", summary=summary)
    _log(actor=actor, action="concern_assessed", concern=concern)
    return concern


# Raising a concern in SSPF or BUS is recorded by vbe.collaboration.raising (with its ground and forum),
# through ``locked_for_handling`` and ``record_raised_in_forum`` below; the plain action refuses these kinds.
RAISED_IN_FORUM = frozenset({ActionKind.RAISED_IN_SSPF, ActionKind.RAISED_IN_BUS})
RAISED_ELSEWHERE = gettext_lazy(
    "Lyft i SSPF eller BUS registreras på sidan ”Lyft i SSPF eller BUS”, med samtycke eller rättslig grund."
)


@transaction.atomic
def record_action(
    *,
    actor: User,
    concern_id: int,
    lock_version: int,
    kind: str,
    done_on: datetime.date,
    district_id: int | None = None,
    made_by: str = "",
    note: str = "",
) -> ActionTaken:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    _open(concern)
    if kind in RAISED_IN_FORUM:
        # Never a plain action: only with the person's consent or a legal ground, and the forum.
        raise ValidationError(RAISED_ELSEWHERE)
    return _record_action(
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
            raise ValidationError(_("Ange vem som gjorde orosanmälan (namn eller befattning)."))
        if district_id is None:
            raise ValidationError(_("Ange vilket stadsdelsområdes socialtjänst orosanmälan skickades till."))
    action = ActionTaken.objects.create(
        concern=concern,
        kind=kind,
        done_on=_check_date(concern, done_on),
        district_id=district_id,
        made_by=made_by.strip(),
        note=note,
        recorded_by=actor,
    )
    _save(concern, actor=actor, kind="action", summary=str(ActionKind(kind).label))
    _log(actor=actor, action="concern_action_recorded", concern=concern, detail=kind)
    return action


def locked_for_handling(*, actor: User, concern_id: int, lock_version: int) -> Concern:
    """The concern locked for a handler's write made in another app (vbe.collaboration.raising): the
    right (HANDLE_CONCERN), not purged, not closed, at the version the user saw. Call it inside the
    caller's ``transaction.atomic``: the lock lasts as long as that transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_for_handling needs the caller's transaction")
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    _open(concern)
    return concern


def record_raised_in_forum(
    *, concern: Concern, actor: User, kind: str, done_on: datetime.date | None, forum_name: str, detail: str
) -> ActionTaken:
    """The action "Lyft i SSPF" / "Lyft i BUS" on a concern locked by ``locked_for_handling``, with no
    note (what was said about the person is not the forum's record). The chronology names the forum
    (a forum's name is not about the person); the access log gets ``detail`` (ids, never the ground's
    text). The caller keeps the ground and the forum (vbe.collaboration's ForumRaising)."""
    if kind not in RAISED_IN_FORUM:
        raise ValidationError(_("Välj om ärendet lyfts i SSPF eller i BUS."))
    action = ActionTaken.objects.create(
        concern=concern, kind=kind, done_on=_check_date(concern, done_on), recorded_by=actor
    )
    _save(
        concern,
        actor=actor,
        kind="action",
        summary=_("%(action)s: %(forum)s") % {"action": ActionKind(kind).label, "forum": forum_name},
    )
    _log(actor=actor, action="concern_raised_in_forum", concern=concern, detail=detail)
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
def assign(*, actor: User, concern_id: int, lock_version: int, caseworker: User | None) -> Concern:
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, lock_version=lock_version)
    _open(concern)
    if (
        caseworker is not None
        and not Membership.objects.filter(
            user=caseworker, organisation=concern.organisation_id, role=Role.CASEWORKER, user__is_active=True
        ).exists()
    ):
        raise ValidationError(_("Välj en handläggare i den ansvariga organisationen."))
    concern.assigned_to = caseworker
    _save(
        concern,
        actor=actor,
        kind="assigned",
        summary=_("Handläggare tilldelad") if caseworker else _("Tilldelning borttagen"),
    )
    _log(actor=actor, action="concern_assigned", concern=concern, detail=str(caseworker.pk) if caseworker else "")
    return concern
