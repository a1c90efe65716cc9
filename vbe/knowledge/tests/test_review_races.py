"""Two workers running the daily review reminders at the same moment, and two keepers marking one
resource reviewed at once (PostgreSQL: real locks). Each reminder is sent once; one review wins."""

from __future__ import annotations

from tests.races import POSTGRES_RACE, race
from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.knowledge import review, review_reminders
from vbe.knowledge.models import ReviewReminderSent
from vbe.knowledge.tests.test_attachments import make_resource
from vbe.knowledge.tests.test_review_reminders import TODAY, on
from vbe.notifications.models import Notification

pytestmark = POSTGRES_RACE


def test_two_workers_send_each_reminder_once(cast, settings):
    settings.VBE_RESOURCE_REVIEW_NOTICE_DAYS = 30
    late = make_resource(title="Rutin sen", next_review_on=on(-1))
    soon = make_resource(title="Rutin snart", next_review_on=on(10))
    results, _refused = race(lambda _i: review_reminders.run(today=TODAY))
    assert sum(r.overdue for r in results) == 1 and sum(r.before for r in results) == 1
    assert Notification.objects.filter(kind="resource_review_reminder").count() == 2
    assert set(ReviewReminderSent.objects.values_list("resource_id", "reminder")) == {
        (late.pk, "overdue"),
        (soon.pk, "before"),
    }


def test_two_keepers_marking_one_resource_reviewed_at_once_make_one_review(cast):
    resource = make_resource(next_review_on=on(-1))
    actors = [cast["coordinator"], cast["central_coordinator"]]

    def mark(i: int):
        return review.record_review(actor=User.objects.get(pk=actors[i].pk), resource_id=resource.pk, lock_version=0)

    results, refused = race(mark)
    assert len(results) == 1 and len(refused) == 1 and "någon annan" in refused[0]
    resource.refresh_from_db()
    assert resource.lock_version == 1
    assert AccessLogEntry.objects.filter(action="resource_reviewed").count() == 1
