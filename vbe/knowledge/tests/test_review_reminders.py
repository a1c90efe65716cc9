"""Review reminders, on a frozen day: who is written to, when, and only once per resource, due date and
kind."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.jobs.schedule import PERIODIC
from vbe.knowledge import review_reminders, tasks
from vbe.knowledge.models import Resource, ReviewReminderSent
from vbe.knowledge.tests.test_attachments import make_resource
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def on(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def world(cast, settings):
    settings.SITE_URL = "https://vbe.example"
    settings.VBE_RESOURCE_REVIEW_NOTICE_DAYS = 30
    responsible = User.objects.create_user(email="ansvarig@test.example", password="x-123456789", full_name="Ansvarig")
    Membership.objects.create(
        user=responsible, organisation=Organisation.objects.get(slug="jarva"), role=Role.COORDINATOR
    )
    return {
        "soon": make_resource(title="Rutin snart", next_review_on=on(30), responsible=responsible),
        "late": make_resource(title="Rutin sen", next_review_on=on(-1)),
        "far": make_resource(title="Rutin långt fram", next_review_on=on(31)),
        "archived": make_resource(title="Arkiverad", next_review_on=on(-5), is_active=False),
        "nobody": make_resource("skarholmen", title="Utan samordnare", next_review_on=on(-2)),
        "responsible": responsible,
    }


def told() -> dict[str, list[str]]:
    """Subject -> recipients' addresses, of the review reminders sent."""
    found: dict[str, list[str]] = {}
    for message in mail.outbox:
        found.setdefault(message.subject, []).extend(message.to)
    return found


def test_the_responsible_is_told_before_and_the_coordinators_when_overdue(world):
    result = review_reminders.run(today=TODAY)
    assert (result.before, result.overdue) == (1, 2)
    assert told() == {
        "Dags att granska ”Rutin snart” senast 1 april 2026": ["ansvarig@test.example"],
        "Granskningen av ”Rutin sen” är försenad": ["coordinator@test.example", "ansvarig@test.example"],
        # Skärholmen has no coordinator: the central coordinators keep every resource.
        "Granskningen av ”Utan samordnare” är försenad": ["central_coordinator@test.example"],
    }
    late = next(m for m in mail.outbox if "Rutin sen" in m.subject)
    assert f"https://vbe.example/stod/{world['late'].pk}/" in late.body
    assert "https://vbe.example/stod/granskning/" in late.body and "skulle ha granskats senast 1 mars 2026" in late.body
    assert late.alternatives and "<a href" in late.alternatives[0][0]
    assert set(ReviewReminderSent.objects.values_list("resource__title", "due_on", "reminder")) == {
        ("Rutin snart", on(30), "before"),
        ("Rutin sen", on(-1), "overdue"),
        ("Utan samordnare", on(-2), "overdue"),
    }


def test_each_reminder_is_sent_once_and_a_new_due_date_is_news_again(world):
    review_reminders.run(today=TODAY)
    mail.outbox.clear()
    again = review_reminders.run(today=TODAY + datetime.timedelta(days=1))
    # "Rutin snart" is still in its notice period, "Rutin sen" still overdue: nothing new of them; "Rutin
    # långt fram" has come within the notice period.
    assert (again.before, again.overdue) == (1, 0) and list(told()) == [
        "Dags att granska ”Rutin långt fram” senast 2 april 2026"
    ]
    Resource.objects.filter(pk=world["late"].pk).update(next_review_on=on(20))
    once_more = review_reminders.run(today=TODAY + datetime.timedelta(days=1))
    assert (once_more.before, once_more.overdue) == (1, 0)
    # The day after its due date, "Rutin snart" is overdue: told once more, as overdue.
    late = review_reminders.run(today=on(31))
    assert late.overdue == 2 and ReviewReminderSent.objects.filter(reminder="overdue").count() == 4


def test_a_responsible_whose_account_ended_is_replaced_by_the_coordinators(world):
    world["responsible"].is_active = False
    world["responsible"].save(update_fields=["is_active"])
    review_reminders.run(today=TODAY)
    assert told()["Dags att granska ”Rutin snart” senast 1 april 2026"] == ["coordinator@test.example"]


def test_a_responsible_who_no_longer_keeps_the_resource_is_replaced_by_the_coordinators(world):
    Membership.objects.filter(user=world["responsible"]).delete()  # moved on to another organisation
    review_reminders.run(today=TODAY)
    assert told()["Dags att granska ”Rutin snart” senast 1 april 2026"] == ["coordinator@test.example"]


def test_a_coordinator_who_joins_is_told_of_what_waited_when_nobody_could_be(world, cast):
    User.objects.filter(pk=cast["central_coordinator"].pk).update(is_active=False)
    review_reminders.run(today=TODAY)
    # Nobody to tell of Skärholmen's resource: nothing recorded, so a coordinator who joins later is told.
    assert not ReviewReminderSent.objects.filter(resource=world["nobody"]).exists()
    newcomer = User.objects.create_user(email="ny@test.example", password="x-123456789", full_name="Ny")
    Membership.objects.create(
        user=newcomer, organisation=Organisation.objects.get(slug="skarholmen"), role=Role.COORDINATOR
    )
    mail.outbox.clear()
    result = review_reminders.run(today=TODAY)
    assert result.overdue == 1 and told() == {"Granskningen av ”Utan samordnare” är försenad": ["ny@test.example"]}


def test_the_daily_job_runs_on_todays_date_and_is_registered(world, monkeypatch):
    assert PERIODIC["knowledge.review_reminders"].task is tasks.send_review_reminders
    assert PERIODIC["knowledge.review_reminders"].interval == datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    assert tasks.send_review_reminders.call() == {"before": 1, "overdue": 2}
    assert Notification.objects.filter(kind="resource_review_reminder").count() == 4  # one per recipient
