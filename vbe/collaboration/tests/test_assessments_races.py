"""What happens at once (PostgreSQL: real locks): two renewals of one decision make one draft, two
starts make one open draft, two decisions on one draft make one, and two workers send each renewal
reminder once."""

from __future__ import annotations

from django.utils import timezone

from tests.races import POSTGRES_RACE, race
from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.collaboration import assessments, renewal
from vbe.collaboration.models import Assessment, Decision
from vbe.collaboration.tests.assessments_fixtures import decide, fill, make_actor, org, start
from vbe.collaboration.tests.test_renewal import TODAY, decided, on
from vbe.notifications.models import Notification

pytestmark = POSTGRES_RACE


def _assessors(cast) -> list[User]:
    return [cast["coordinator"], cast["unit_manager"]]


def test_two_renewals_of_one_decision_make_one_draft(cast):
    first = decide(
        cast["coordinator"],
        fill(cast["coordinator"], start(cast["coordinator"], make_actor(created_by=cast["coordinator"]), "jarva")),
    )
    people = _assessors(cast)

    def renew(i: int) -> Assessment:
        user = User.objects.get(pk=people[i].pk)
        return assessments.renew_assessment(user=user, assessment_id=first.pk, lock_version=first.lock_version)

    results, refused = race(renew)
    assert len(results) == 1 and len(refused) == 1 and "redan förnyad" in refused[0]
    assert Assessment.objects.filter(supersedes=first).count() == 1
    assert AccessLogEntry.objects.filter(action="democracy_assessment_renewed").count() == 1


def test_two_starts_make_one_open_draft(cast):
    actor = make_actor(created_by=cast["coordinator"])
    people = _assessors(cast)

    def begin(i: int) -> Assessment:
        user = User.objects.get(pk=people[i].pk)
        return assessments.create_assessment(user=user, actor_id=actor.pk, organisation=org("jarva"), purpose="grant")

    results, refused = race(begin)
    assert len(results) == 1 and len(refused) == 1 and "redan en påbörjad" in refused[0]
    assert Assessment.objects.filter(actor=actor).count() == 1


def test_two_decisions_on_one_draft_make_one(cast):
    draft = fill(cast["coordinator"], start(cast["coordinator"], make_actor(created_by=cast["coordinator"]), "jarva"))
    people = _assessors(cast)
    today = timezone.localtime(draft.created_at).date()

    def rule(i: int) -> Assessment:
        user = User.objects.get(pk=people[i].pk)
        ruling = assessments.Ruling(Decision.MEETS if i else Decision.INVESTIGATE, "Nämnden", today)
        return assessments.decide(
            user=user, assessment_id=draft.pk, lock_version=draft.lock_version, ruling=ruling, today=today
        )

    results, refused = race(rule)
    assert len(results) == 1 and len(refused) == 1 and "någon annan" in refused[0]
    assert AccessLogEntry.objects.filter(action="democracy_assessment_decided").count() == 1


def test_two_workers_send_each_renewal_reminder_once(cast, settings):
    settings.VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS = 60
    due = [decided(cast, f"Förening {i}", on(10 + i)) for i in range(3)]
    results, _refused = race(lambda _i: renewal.run(today=TODAY))
    assert sum(r.reminded for r in results) == 3
    # Järva's coordinator and unit manager, once each per decision.
    assert Notification.objects.filter(kind="democracy_renewal_reminder").count() == 6
    assert set(Assessment.objects.filter(pk__in=[a.pk for a in due]).values_list("renewal_reminded_on", flat=True)) == {
        TODAY
    }
    assert AccessLogEntry.objects.filter(action="democracy_renewal_reminded").count() == 3
