"""Raising a concern in SSPF or BUS (vbe.collaboration.raising): exactly one ground, the right forum, the
concern routine's own checks; every refusal in Swedish with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from vbe.audit.models import AccessLogEntry
from vbe.collaboration.models import Forum, ForumKind, ForumRaising, Meeting, MeetingAction
from vbe.collaboration.raising import forums_for, raise_in_forum
from vbe.collaboration.tests.raising_fixtures import (
    LEGAL_GROUND,
    RAISED_ON,
    consent,
    forum,
    jarva_concern,
    version,
)
from vbe.concerns import closure, services, sharing
from vbe.concerns.models import ActionKind, ActionTaken, Concern, Event, Outcome
from vbe.organisations.models import Organisation

SSPF, BUS = ActionKind.RAISED_IN_SSPF, ActionKind.RAISED_IN_BUS


def _raise(actor, concern, **overrides):
    values = {
        "kind": SSPF,
        "forum_id": forum("SSPF Järva").pk,
        "done_on": RAISED_ON,
        "consent_id": None,
        "legal_ground": "",
        "lock_version": version(concern),
        **overrides,
    }
    return raise_in_forum(actor=actor, concern_id=concern.pk, **values)


def _written(concern) -> tuple:
    """Everything a raising writes, to compare before and after a refusal."""
    return (
        ForumRaising.objects.filter(action__concern=concern).count(),
        ActionTaken.objects.filter(concern=concern).count(),
        Event.objects.filter(concern=concern).count(),
        AccessLogEntry.objects.filter(action="concern_raised_in_forum").count(),
        version(concern),
    )


def test_raising_with_consent_records_the_action_the_forum_and_the_ground(cast):
    concern = jarva_concern(cast)
    given = consent(cast, concern)
    before = version(concern)
    raising = _raise(cast["caseworker"], concern, consent_id=given.pk)
    assert raising.forum == forum("SSPF Järva") and raising.consent == given and raising.legal_ground == ""
    action = raising.action
    assert (action.concern_id, action.kind, action.done_on) == (concern.pk, SSPF, RAISED_ON)
    assert action.note == "" and action.made_by == ""  # nothing about the person in the forum's record
    assert version(concern) == before + 1
    event = Event.objects.filter(concern=concern).latest("pk")
    assert (event.kind, event.summary) == ("action", "Lyft i SSPF: SSPF Järva")
    log = AccessLogEntry.objects.get(action="concern_raised_in_forum")
    assert log.subject_ref == concern.reference and log.actor_id == cast["caseworker"].pk
    assert log.detail == f"raised_in_sspf forum:{raising.forum_id} consent:{given.pk}"


def test_raising_in_bus_on_a_legal_ground(cast):
    concern = jarva_concern(cast)
    raising = _raise(
        cast["coordinator"],
        concern,
        kind=BUS,
        forum_id=forum("BUS-gruppen Järva").pk,
        legal_ground=f"  {LEGAL_GROUND} ",
    )
    assert raising.consent is None and raising.legal_ground == LEGAL_GROUND
    assert raising.action.kind == BUS
    assert Event.objects.filter(concern=concern).latest("pk").summary == "Lyft i BUS: BUS-gruppen Järva"
    # The log names ids only, never the ground's text.
    assert LEGAL_GROUND not in AccessLogEntry.objects.get(action="concern_raised_in_forum").detail


def _withdrawn(cast, concern):
    given = consent(cast, concern)
    sharing.withdraw_consent(
        actor=cast["coordinator"], concern_id=concern.pk, lock_version=version(concern), consent_id=given.pk
    )
    return {"consent_id": given.pk}


def _other_concerns_consent(cast, concern):
    other = jarva_concern(cast, key="annan")
    return {"consent_id": consent(cast, other).pk}


def _inactive_forum(cast, concern):
    inactive = Forum.objects.create(name="SSPF Järva (nedlagd)", kind=ForumKind.SSPF, is_active=False)
    inactive.member_organisations.add(concern.organisation)
    return {"forum_id": inactive.pk, "legal_ground": LEGAL_GROUND}


def _closed(cast, concern):
    closure.close(
        actor=cast["coordinator"], concern_id=concern.pk, lock_version=version(concern), outcome=Outcome.HANDED_OVER
    )
    return {"legal_ground": LEGAL_GROUND}


REFUSALS = {
    "no ground": (lambda cast, c: {}, "bara med samtycke eller annat rättsligt stöd"),
    "two grounds": (lambda cast, c: {"consent_id": consent(cast, c).pk, "legal_ground": LEGAL_GROUND}, "inte båda"),
    "withdrawn consent": (_withdrawn, "Samtycket är återkallat"),
    "consent of another concern": (_other_concerns_consent, "registrerat i det här ärendet"),
    "consent given after the day": (
        lambda cast, c: {"consent_id": consent(cast, c, given_on=RAISED_ON + datetime.timedelta(days=1)).pk},
        "efter den dag ärendet lyftes",
    ),
    "a legal ground too short": (lambda cast, c: {"legal_ground": "OSL"}, "Skriv ut den rättsliga grunden"),
    "a personnummer in the legal ground": (
        lambda cast, c: {"legal_ground": "OSL 10 kap. 2 § för 19900101-2385"},
        "liknar ett personnummer",
    ),
    "wrong forum kind": (
        lambda cast, c: {"forum_id": forum("BUS-gruppen Järva").pk, "legal_ground": LEGAL_GROUND},
        "inte ett forum av typen SSPF",
    ),
    "a forum without the organisation": (
        lambda cast, c: {"forum_id": forum("SSPF Södermalm").pk, "legal_ground": LEGAL_GROUND},
        "Järva stadsdelsnämnd deltar inte i SSPF Södermalm",
    ),
    "an inactive forum": (_inactive_forum, "är inte aktivt längre"),
    "no forum": (lambda cast, c: {"forum_id": None, "legal_ground": LEGAL_GROUND}, "Välj ett forum i listan"),
    "another kind of action": (
        lambda cast, c: {"kind": ActionKind.SIP, "legal_ground": LEGAL_GROUND},
        "SSPF eller i BUS",
    ),
    "a day in the future": (
        lambda cast, c: {"done_on": RAISED_ON + datetime.timedelta(days=40), "legal_ground": LEGAL_GROUND},
        "framtiden",
    ),
    "a closed concern": (_closed, "Ärendet är avslutat"),
    "a stale version": (lambda cast, c: {"lock_version": version(c) - 1, "legal_ground": LEGAL_GROUND}, "någon annan"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_every_rule_refuses_in_swedish_and_writes_nothing(cast, case):
    concern = jarva_concern(cast)
    consent(cast, concern, purpose="Ett första samtycke")  # so that "stale" is a real older version
    prepare, message = REFUSALS[case]
    overrides = prepare(cast, concern)
    before = _written(concern)
    with pytest.raises(ValidationError) as refused:
        _raise(cast["caseworker"], concern, **overrides)
    assert message in " ".join(refused.value.messages)
    assert _written(concern) == before


@pytest.mark.parametrize("name", ["staff", "unit_manager", "coordinator_other", "central_coordinator", "admin"])
def test_only_the_concerns_handlers_may_raise_it(cast, name):
    concern = jarva_concern(cast)
    before = _written(concern)
    with pytest.raises(PermissionDenied):
        _raise(cast[name], concern, legal_ground=LEGAL_GROUND)
    assert _written(concern) == before


def test_a_disclosure_lets_another_organisation_read_but_not_raise(cast):
    concern = jarva_concern(cast)
    sharing.disclose(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 2 §",
        decided_by="Enhetschef",
    )
    with pytest.raises(PermissionDenied):
        _raise(cast["coordinator_board"], concern, legal_ground=LEGAL_GROUND)
    assert not ForumRaising.objects.exists()


def test_the_plain_action_refuses_the_raised_kinds(cast):
    concern = jarva_concern(cast)
    for kind in (SSPF, BUS):
        with pytest.raises(ValidationError, match="Lyft i SSPF eller BUS registreras"):
            services.record_action(
                actor=cast["coordinator"],
                concern_id=concern.pk,
                lock_version=version(concern),
                kind=kind,
                done_on=RAISED_ON,
            )
    assert not ActionTaken.objects.filter(concern=concern).exists()


def test_the_forums_offered_are_active_of_the_two_kinds_and_have_the_organisation(cast):
    concern = jarva_concern(cast)
    Forum.objects.create(name="SSPF Järva (nedlagd)", kind=ForumKind.SSPF, is_active=False).member_organisations.add(
        concern.organisation
    )
    assert [f.name for f in forums_for(concern)] == ["BUS-gruppen Järva", "SSPF Järva"]
    assert [f.name for f in forums_for(concern, BUS)] == ["BUS-gruppen Järva"]


def _relations(model: type[models.Model]) -> set[str]:
    """The app labels of every model ``model`` is related to, forward and reverse."""
    return {f.related_model._meta.app_label for f in model._meta.get_fields() if f.is_relation and f.related_model}


def test_meetings_and_their_actions_know_nothing_of_concerns():
    assert "concerns" not in _relations(Meeting)
    assert "concerns" not in _relations(MeetingAction)
    # A raising points at the forum, never at a meeting.
    raising_targets = {f.related_model for f in ForumRaising._meta.get_fields() if f.is_relation}
    assert Meeting not in raising_targets and MeetingAction not in raising_targets
    assert Forum in raising_targets


def test_the_concern_stays_with_its_organisation_after_a_raising(cast):
    # Raising shares nothing: the forum's members get no access to the concern.
    concern = jarva_concern(cast)
    _raise(cast["caseworker"], concern, legal_ground=LEGAL_GROUND)
    board = cast.client("coordinator_board")  # Utbildningsnämnden is a member of SSPF Järva
    assert board.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "jarva"
