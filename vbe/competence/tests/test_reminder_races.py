"""Two workers running the daily reminders at the same moment, and two first saves of an
organisation's choice (PostgreSQL: real locks). Each reminder and summary is sent once."""

from __future__ import annotations

from tests.races import POSTGRES_RACE, race
from vbe.accounts.models import User
from vbe.competence import reminders
from vbe.competence.models import CoverageSummarySent, ReminderSetting, TrainingReminderSent
from vbe.competence.tests.test_reminders import TODAY, build_world
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation

pytestmark = POSTGRES_RACE


def test_two_workers_remind_each_learner_once(cast, settings):
    settings.VBE_TRAINING_EXPIRY_NOTICE_DAYS = 60
    build_world(cast)
    results, _refused = race(lambda _i: reminders.run(today=TODAY))
    assert sum(r.reminded for r in results) == 3 and sum(r.summaries for r in results) == 2
    staff = Notification.objects.filter(kind="training_reminder")
    assert sorted(n.address or n.recipient.email for n in staff) == [
        "anna@staff.example",
        "dan@staff.example",
        "staff@test.example",
    ]
    assert TrainingReminderSent.objects.count() == 5
    summaries = Notification.objects.filter(kind="training_summary").select_related("recipient")
    assert sorted(n.recipient.email for n in summaries) == [
        "coordinator@test.example",
        "coordinator_other@test.example",
    ]
    assert CoverageSummarySent.objects.count() == 2


def test_two_first_saves_of_the_choice_keep_one(cast):
    jarva = Organisation.objects.get(slug="jarva")
    actors = [cast["coordinator"], cast["central_coordinator"]]

    def save(i: int) -> ReminderSetting:
        actor = User.objects.get(pk=actors[i].pk)
        return reminders.set_staff_reminders(actor=actor, organisation=jarva, enabled=bool(i), version="")

    results, refused = race(save)
    assert len(results) == 1 and len(refused) == 1 and "Någon annan" in refused[0]
    setting = ReminderSetting.objects.get(organisation=jarva)
    assert setting.staff_reminders == results[0].staff_reminders
