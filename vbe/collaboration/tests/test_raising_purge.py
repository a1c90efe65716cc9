"""A purged concern keeps its raisings as it keeps its actions (the kind, the day and the forum count in
statistics) but loses their written legal ground, as the action loses its note."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vbe.collaboration.models import ForumRaising
from vbe.collaboration.raising import raise_in_forum
from vbe.collaboration.tests.raising_fixtures import LEGAL_GROUND, RAISED_ON, consent, forum, jarva_concern, version
from vbe.concerns import closure
from vbe.concerns.models import ActionKind, Concern, Outcome
from vbe.concerns.retention import purge_expired


def _raised_and_closed(cast):
    concern = jarva_concern(cast)
    on_ground = raise_in_forum(
        actor=cast["caseworker"],
        concern_id=concern.pk,
        lock_version=version(concern),
        kind=ActionKind.RAISED_IN_SSPF,
        forum_id=forum("SSPF Järva").pk,
        done_on=RAISED_ON,
        legal_ground=LEGAL_GROUND,
    )
    given = consent(cast, concern)
    on_consent = raise_in_forum(
        actor=cast["caseworker"],
        concern_id=concern.pk,
        lock_version=version(concern),
        kind=ActionKind.RAISED_IN_BUS,
        forum_id=forum("BUS-gruppen Järva").pk,
        done_on=RAISED_ON,
        consent_id=given.pk,
    )
    closure.close(
        actor=cast["coordinator"], concern_id=concern.pk, lock_version=version(concern), outcome=Outcome.HANDED_OVER
    )
    Concern.objects.filter(pk=concern.pk).update(retain_until=timezone.localdate())
    return concern, on_ground, on_consent


def test_the_purge_clears_the_legal_ground_and_keeps_the_forum(cast):
    concern, on_ground, on_consent = _raised_and_closed(cast)
    other = jarva_concern(cast, key="behalls")
    kept = raise_in_forum(
        actor=cast["caseworker"],
        concern_id=other.pk,
        lock_version=version(other),
        kind=ActionKind.RAISED_IN_SSPF,
        forum_id=forum("SSPF Järva").pk,
        done_on=RAISED_ON,
        legal_ground=LEGAL_GROUND,
    )
    assert purge_expired(today=timezone.localdate() + datetime.timedelta(days=1)).purged == 1
    rows = {r.pk: r for r in ForumRaising.objects.select_related("action", "forum")}
    assert rows[on_ground.pk].legal_ground == "" and rows[on_ground.pk].forum.name == "SSPF Järva"
    assert (
        rows[on_ground.pk].action.kind == ActionKind.RAISED_IN_SSPF and rows[on_ground.pk].action.done_on == RAISED_ON
    )
    assert rows[on_consent.pk].consent_id == on_consent.consent_id  # the consent row stays, emptied itself
    assert rows[kept.pk].legal_ground == LEGAL_GROUND  # another concern's is untouched
    assert Concern.objects.get(pk=concern.pk).purged_at is not None


def test_a_dry_run_clears_nothing(cast):
    _concern, on_ground, _on_consent = _raised_and_closed(cast)
    assert purge_expired(today=timezone.localdate() + datetime.timedelta(days=1), dry_run=True).purged == 1
    assert ForumRaising.objects.get(pk=on_ground.pk).legal_ground == LEGAL_GROUND
