"""Training reminders (issue 11, item 5), on a frozen day: who is written to, about what, how often,
and the coordinators' monthly summary in figures only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core import mail

from vbe.competence import reminders
from vbe.competence.models import (
    Completion,
    CompletionSource,
    Course,
    CourseFormat,
    CoverageSummarySent,
    Learner,
    Level,
    Placement,
    ReminderKind,
    ReminderSetting,
    StaffGroup,
    TrainingReminderSent,
)
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation, Unit, UnitKind

TODAY = datetime.date(2026, 3, 2)  # a Monday; notice period 60 days: up to 1 May 2026


def completed_for(until: datetime.date, years: int = 3) -> datetime.date:
    """The completion day whose validity of ``years`` ends on ``until`` (valid_until is the day before
    the anniversary)."""
    day = until + datetime.timedelta(days=1)
    return day.replace(year=day.year - years)


@dataclass
class World:
    group: StaffGroup
    other_group: StaffGroup
    basic: Course
    advanced: Course
    optional: Course
    jarva_unit: Unit
    sodermalm_unit: Unit
    anna: Learner  # no account; nothing completed
    bo: Learner  # the staff user's own record; basic expiring in 29 days, advanced done
    cia: Learner  # employee number only: cannot be written to
    dan: Learner  # at Södermalm; nothing completed
    eva: Learner  # everything valid for years


def build_world(cast) -> World:
    group = StaffGroup.objects.create(name="Testpersonal", slug="testpersonal", position=900)
    other_group = StaffGroup.objects.create(name="Övrig testpersonal", slug="ovrig-testpersonal", position=901)
    basic = Course.objects.create(
        title="Grundkurs i testande",
        provider="Staden",
        level=Level.BASIC,
        format=CourseFormat.DIGITAL,
        validity_years=3,
        url="https://lar.example/grund",
    )
    advanced = Course.objects.create(
        title="Fördjupning i testande", provider="CVE", level=Level.ADVANCED, format=CourseFormat.CLASSROOM
    )
    optional = Course.objects.create(title="Valfri testkurs", provider="Staden", level=Level.BASIC, format="digital")
    basic.required_for.set([group])
    advanced.required_for.set([group])
    optional.target_groups.set([group, other_group])
    jarva_unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    sodermalm_unit = Unit.objects.create(
        organisation=Organisation.objects.get(slug="sodermalm"), name="Testbiblioteket", kind=UnitKind.LIBRARY
    )

    def learner(**fields) -> Learner:
        return Learner.objects.create(**fields)

    anna = learner(email="anna@staff.example", name="Anna Andersson")
    bo = learner(email="staff@test.example", name="Bo Berg", user=cast["staff"])
    cia = learner(employee_number="E-1003", name="Cia Carlsson")
    dan = learner(email="dan@staff.example", name="Dan Dahl")
    eva = learner(email="eva@staff.example", name="Eva Ek")
    for person in (anna, bo, cia, eva):
        Placement.objects.create(learner=person, unit=jarva_unit, staff_group=group)
    Placement.objects.create(learner=dan, unit=sodermalm_unit, staff_group=group)
    Placement.objects.create(learner=anna, unit=sodermalm_unit, staff_group=other_group)  # nothing required there

    def done(person: Learner, course: Course, day: datetime.date) -> None:
        Completion.objects.create(learner=person, course=course, completed_on=day, source=CompletionSource.IMPORT)

    done(bo, basic, completed_for(datetime.date(2026, 3, 31)))
    done(bo, advanced, datetime.date(2020, 5, 1))
    done(eva, basic, datetime.date(2025, 9, 1))
    done(eva, advanced, datetime.date(2025, 9, 2))
    done(anna, optional, datetime.date(2025, 1, 1))  # not required: does not help
    return World(group, other_group, basic, advanced, optional, jarva_unit, sodermalm_unit, anna, bo, cia, dan, eva)


@pytest.fixture
def world(cast, settings) -> World:
    settings.SITE_URL = "https://vbe.example"
    settings.VBE_TRAINING_EXPIRY_NOTICE_DAYS = 60
    return build_world(cast)


def staff_mail() -> dict[str, mail.EmailMessage]:
    found = {}
    for message in mail.outbox:
        if Notification.objects.filter(kind="training_reminder", subject=message.subject).exists():
            assert len(message.to) == 1 and not message.cc and not message.bcc
            found[message.to[0]] = message
    return found


def summaries() -> dict[str, mail.EmailMessage]:
    return {m.to[0]: m for m in mail.outbox if "läget i" in m.subject}


# --- Staff --------------------------------------------------------------------------------------


def test_the_staff_to_remind_and_what_each_is_told(world):
    result = reminders.run(today=TODAY)
    told = staff_mail()
    # Anna (missing both), Bo (basic expires 31 March); Dan too (Södermalm has not opted out).
    # Not Cia (no address), not Eva (all valid).
    assert sorted(told) == ["anna@staff.example", "dan@staff.example", "staff@test.example"]
    assert result.reminded == 3
    anna = told["anna@staff.example"]
    assert anna.subject == "Påminnelse om 2 obligatoriska utbildningar"
    assert "- Fördjupning i testande: du har ännu inte genomfört den." in anna.body
    assert "- Grundkurs i testande: du har ännu inte genomfört den." in anna.body
    assert "https://lar.example/grund" in anna.body and "Valfri testkurs" not in anna.body
    assert "https://vbe.example/utbildning/katalog/" in anna.body
    bo = told["staff@test.example"]
    assert bo.subject == "Påminnelse om en obligatorisk utbildning"
    assert "Grundkurs i testande: den gäller till och med 31 mars 2026. Förnya den före dess." in bo.body
    assert "Fördjupning" not in bo.body
    # No names, nobody else's courses, no organisation or unit: the recipient's own course names only.
    for message in told.values():
        for text in (message.body, message.alternatives[0][0]):
            assert not any(name in text for name in ("Anna", "Bo Berg", "Cia", "Dan", "Eva", "Järva", "Testfritids"))
    rows = set(TrainingReminderSent.objects.values_list("kind", "learner__name", "course__title", "key"))
    assert rows == {
        (ReminderKind.MISSING, "Anna Andersson", "Grundkurs i testande", "missing"),
        (ReminderKind.MISSING, "Anna Andersson", "Fördjupning i testande", "missing"),
        (ReminderKind.EXPIRING, "Bo Berg", "Grundkurs i testande", "2026-03-31"),
        (ReminderKind.MISSING, "Dan Dahl", "Grundkurs i testande", "missing"),
        (ReminderKind.MISSING, "Dan Dahl", "Fördjupning i testande", "missing"),
    }


def test_a_learner_without_an_account_is_written_to_by_address_and_one_with_an_account_as_the_account(world):
    reminders.run(today=TODAY)
    by_address = Notification.objects.filter(kind="training_reminder", recipient=None)
    assert sorted(by_address.values_list("address", flat=True)) == ["anna@staff.example", "dan@staff.example"]
    assert Notification.objects.get(kind="training_reminder", recipient=world.bo.user).address == ""


def test_no_mail_to_an_address_outside_the_citys_domains_nor_to_someone_whose_account_ended(world, settings):
    settings.ACCOUNT_EMAIL_DOMAINS = ["staff.example"]
    world.dan.email = "dan@elsewhere.example"  # an address a keeper typed into an import
    world.dan.save(update_fields=["email"])
    world.bo.user.is_active = False  # Bo has left: his account was ended
    world.bo.user.save(update_fields=["is_active"])
    result = reminders.run(today=TODAY)
    assert sorted(staff_mail()) == ["anna@staff.example"]
    assert result.reminded == 1
    assert not Notification.objects.filter(address="dan@elsewhere.example").exists()


def test_each_reminder_is_sent_once_until_the_situation_changes(world):
    reminders.run(today=TODAY)
    assert len(staff_mail()) == 3
    mail.outbox.clear()
    reminders.run(today=TODAY)
    reminders.run(today=TODAY + datetime.timedelta(days=1))
    assert staff_mail() == {}

    # Anna completes the basic course: nothing more about it; the advanced one was already told.
    Completion.objects.create(learner=world.anna, course=world.basic, completed_on=TODAY, source=CompletionSource.SELF)
    reminders.run(today=TODAY + datetime.timedelta(days=2))
    assert staff_mail() == {}

    # Bo's basic course ran out on 31 March: from 1 April it is missing (news: it expired).
    reminders.run(today=datetime.date(2026, 4, 1))
    told = staff_mail()
    assert sorted(told) == ["staff@test.example"]
    assert "Grundkurs i testande: den gällde till och med 31 mars 2026. Gå den igen." in told["staff@test.example"].body
    assert TrainingReminderSent.objects.filter(learner=world.bo, kind=ReminderKind.MISSING, key="2026-03-31").exists()

    # Renewed, and three years on about to expire again: a new expiry date is a new reminder.
    mail.outbox.clear()
    Completion.objects.create(
        learner=world.bo, course=world.basic, completed_on=datetime.date(2026, 4, 2), source=CompletionSource.SELF
    )
    reminders.run(today=datetime.date(2029, 3, 1))  # valid until 1 April 2029: within 60 days
    assert "den gäller till och med 1 april 2029" in staff_mail()["staff@test.example"].body


def test_an_organisation_that_opted_out_gets_no_staff_reminders(world, cast):
    sodermalm = Organisation.objects.get(slug="sodermalm")
    ReminderSetting.objects.create(organisation=sodermalm, staff_reminders=False)
    reminders.run(today=TODAY)
    assert sorted(staff_mail()) == ["anna@staff.example", "staff@test.example"]  # not Dan
    # The choice is per organisation: opting in again reminds Dan the next day.
    ReminderSetting.objects.filter(organisation=sodermalm).update(staff_reminders=True)
    mail.outbox.clear()
    reminders.run(today=TODAY + datetime.timedelta(days=1))
    assert sorted(staff_mail()) == ["dan@staff.example"]


def test_only_posts_at_active_units_and_required_active_courses_count(world):
    Unit.objects.filter(pk=world.sodermalm_unit.pk).update(is_active=False)
    Course.objects.filter(pk=world.advanced.pk).update(is_active=False)
    reminders.run(today=TODAY)
    told = staff_mail()
    assert sorted(told) == ["anna@staff.example", "staff@test.example"]
    assert told["anna@staff.example"].subject == "Påminnelse om en obligatorisk utbildning"


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        (TODAY - datetime.timedelta(days=1), (ReminderKind.MISSING, "2026-03-01")),  # ran out yesterday
        (TODAY, (ReminderKind.EXPIRING, "2026-03-02")),  # today is its last day
        (TODAY + datetime.timedelta(days=60), (ReminderKind.EXPIRING, "2026-05-01")),  # the window's last day
        (TODAY + datetime.timedelta(days=61), None),  # outside the window
    ],
)
def test_the_expiry_window_edges(world, until, expected):
    Completion.objects.filter(learner=world.eva, course=world.basic).update(completed_on=completed_for(until))
    assert world.basic.valid_until(completed_for(until)) == until
    reminders.run(today=TODAY)
    rows = {(k, key) for k, key in TrainingReminderSent.objects.filter(learner=world.eva).values_list("kind", "key")}
    assert rows == ({expected} if expected else set())
    assert ("eva@staff.example" in staff_mail()) == bool(expected)


def test_a_completion_after_today_does_not_count_and_one_without_expiry_never_expires(world):
    Completion.objects.create(
        learner=world.anna, course=world.advanced, completed_on=datetime.date(2026, 3, 10), source="import"
    )
    reminders.run(today=TODAY)
    assert "Fördjupning i testande: du har ännu inte genomfört den." in staff_mail()["anna@staff.example"].body
    # Bo did the advanced course (no validity) in 2020: never reminded of it.
    assert not TrainingReminderSent.objects.filter(learner=world.bo, course=world.advanced).exists()


def test_a_mail_server_that_is_down_loses_no_reminder(world, settings):
    settings.EMAIL_BACKEND = "vbe.notifications.tests.backends.TimingOutBackend"
    from vbe.notifications.tests.backends import TimingOutBackend

    TimingOutBackend.calls = 0
    reminders.run(today=TODAY)
    # One time-out for the whole pass; every message waits in the outbox for the retry job.
    assert TimingOutBackend.calls == 1
    pending = Notification.objects.filter(kind__in=["training_reminder", "training_summary"], sent_at=None)
    assert pending.count() == 3 + 2 and TrainingReminderSent.objects.count() == 5


# --- Coordinators --------------------------------------------------------------------------------


def test_coordinators_get_a_monthly_summary_in_figures(world):
    reminders.run(today=TODAY)
    told = summaries()
    # Järva and Södermalm have staff in the register; Utbildningsnämnden has none.
    assert sorted(told) == ["coordinator@test.example", "coordinator_other@test.example"]
    jarva = told["coordinator@test.example"]
    assert jarva.subject == "Utbildning i Järva stadsdelsnämnd: läget i mars 2026"
    # Järva: Anna and Cia miss a required course, Bo's expires within 60 days; Eva is fine.
    assert "Medarbetare som saknar minst en obligatorisk utbildning: 2." in jarva.body
    assert "Medarbetare med en obligatorisk utbildning som går ut inom 60 dagar: 1." in jarva.body
    assert "- Testpersonal: 2 / 1" in jarva.body
    assert "https://vbe.example/utbildning/tackning/jarva/" in jarva.body
    assert "https://vbe.example/utbildning/jarva/paminnelser/" in jarva.body
    sodermalm = told["coordinator_other@test.example"]
    assert "Medarbetare som saknar minst en obligatorisk utbildning: 1." in sodermalm.body  # Dan
    assert "- Testpersonal: 1 / 0" in sodermalm.body and "Övrig testpersonal" not in sodermalm.body
    for message in told.values():
        for text in (message.body, message.alternatives[0][0]):
            assert not any(name in text for name in ("Anna", "Bo Berg", "Cia", "Dan", "Eva", "@staff.example"))


def test_the_summary_counts_staff_of_an_organisation_that_opted_out(world):
    ReminderSetting.objects.create(organisation=Organisation.objects.get(slug="sodermalm"), staff_reminders=False)
    reminders.run(today=TODAY)
    assert "saknar minst en obligatorisk utbildning: 1." in summaries()["coordinator_other@test.example"].body


def test_the_summary_is_sent_once_a_month_on_the_first_run_on_or_after_the_first(world):
    reminders.run(today=datetime.date(2026, 3, 2))
    assert len(summaries()) == 2
    mail.outbox.clear()
    reminders.run(today=datetime.date(2026, 3, 3))
    reminders.run(today=datetime.date(2026, 3, 31))
    assert summaries() == {}
    reminders.run(today=datetime.date(2026, 4, 1))
    assert sorted(summaries()) == ["coordinator@test.example", "coordinator_other@test.example"]
    months = sorted(set(CoverageSummarySent.objects.values_list("month", flat=True)))
    assert months == [datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)]
    assert CoverageSummarySent.objects.count() == 4


def test_a_coordinator_who_joins_mid_month_gets_that_months_summary(world, cast):
    from vbe.accounts.models import Membership, Role

    reminders.run(today=datetime.date(2026, 3, 2))
    mail.outbox.clear()
    Membership.objects.create(
        user=cast["coordinator_board"], organisation=Organisation.objects.get(slug="jarva"), role=Role.COORDINATOR
    )
    reminders.run(today=datetime.date(2026, 3, 9))
    assert sorted(summaries()) == ["coordinator_board@test.example"]
