from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from vbe.accounts.models import User
from vbe.guidelines.calendar import due_between, feed_token, icalendar, send_reminders
from vbe.guidelines.models import Document, ReminderSent, ReportingDuty
from vbe.organisations.models import Organisation


def test_due_between_spans_a_year_end(db):
    items = due_between(datetime.date(2026, 12, 1), datetime.date(2027, 1, 31))
    documents = {(o.slug, d.duty.document, d.due) for o, d in items}
    assert ("socialnamnden", Document.BOARD_FOLLOW_UP, datetime.date(2026, 12, 15)) in documents
    assert ("jarva", Document.SITUATION_PICTURE, datetime.date(2027, 3, 31)) not in documents
    assert all(datetime.date(2026, 12, 1) <= d.due <= datetime.date(2027, 1, 31) for _, d in items)
    assert [d.due for _, d in items] == sorted(d.due for _, d in items)


def test_odd_and_even_years_in_the_calendar(db):
    ks = Organisation.objects.get(slug="ks")
    in_2026 = [d.duty.document for _, d in due_between(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), [ks])]
    in_2027 = [d.duty.document for _, d in due_between(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31), [ks])]
    assert in_2026 == [] and in_2027 == [Document.STATUS_REPORT]


def test_icalendar_is_well_formed(db):
    jarva = Organisation.objects.get(slug="jarva")
    text = icalendar(
        due_between(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), [jarva]),
        now=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2  # lägesbild and åtgärdsplan
    assert "DTSTART;VALUE=DATE:20260331" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_feed_is_personal_and_revoked_by_ending_sessions(cast):
    user = cast["coordinator"]
    url = f"/riktlinjer/kalender/{feed_token(user)}.ics"
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "Åtgärdsplan (Järva)" in response.content.decode()
    User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
    assert Client().get(url).status_code == 404
    assert Client().get("/riktlinjer/kalender/forfalskad.ics").status_code == 404


def test_calendar_page_shows_own_and_city(cast):
    page = cast.client("coordinator").get("/riktlinjer/kalender/").content.decode()
    assert "Dina organisationer" in page and "Hela staden" in page and ".ics" in page


@pytest.mark.parametrize(
    "today, expected",
    [
        # 30 days before 31 March: the district councils with a coordinator (the cast's Järva and Södermalm)
        (datetime.date(2026, 3, 1), {("jarva", Document.SITUATION_PICTURE), ("sodermalm", Document.SITUATION_PICTURE)}),
        # 30 days before 15 December: the boards' follow-up (Utbildningsnämnden has the cast's coordinator)
        (datetime.date(2026, 11, 15), {("utbildningsnamnden", Document.BOARD_FOLLOW_UP)}),
        # 7 days before 30 November: no status report in an even year, and nothing else is due then
        (datetime.date(2026, 11, 23), set()),
    ],
)
def test_reminders_with_a_frozen_clock(cast, today, expected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders(today=today, days_before=[30, 7])
    got = {(r.organisation.slug, r.duty.document) for r in ReminderSent.objects.select_related("organisation", "duty")}
    assert got == expected
    assert sent == len(got) == len(mail.outbox)
    for message in mail.outbox:
        assert "Påminnelse" in message.subject


def test_reminders_across_the_year_end_and_only_once(cast, django_capture_on_commit_callbacks):
    duty = ReportingDuty.objects.get(document=Document.DISTRICT_PLAN)
    duty.due_month, duty.due_day = 1, 15
    duty.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=datetime.date(2026, 12, 16), days_before=[30]) == 2  # for 15 January 2027
    assert set(ReminderSent.objects.values_list("year", flat=True)) == {2027}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=datetime.date(2026, 12, 16), days_before=[30]) == 0  # never twice
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@test.example", "coordinator_other@test.example"]


def test_reminder_command(cast, capsys):
    call_command("send_reminders", "--date", "2026-03-01")
    assert "påminnelser skickade för 2026-03-01" in capsys.readouterr().out


def test_reminders_go_one_per_coordinator_with_an_absolute_link(cast, django_capture_on_commit_callbacks, settings):
    """Each coordinator gets a message of their own (no shared To: list), linking to the portal itself."""
    from vbe.accounts.models import Membership, Role
    from vbe.organisations.models import Organisation

    settings.SITE_URL = "https://vbe.example"
    extra = cast["coordinator_other"]
    Membership.objects.create(user=extra, organisation=Organisation.objects.get(slug="jarva"), role=Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=datetime.date(2026, 3, 1), days_before=[30])
    jarva = [m for m in mail.outbox if "Järva" in m.body]
    assert sorted(m.to[0] for m in jarva) == ["coordinator@test.example", "coordinator_other@test.example"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    assert all("https://vbe.example/" in m.body for m in mail.outbox)


def test_a_reminder_is_not_lost_when_the_mail_server_is_down(cast, django_capture_on_commit_callbacks, settings):
    """The reminder is recorded with its messages; the failed ones wait for the daily retry."""
    from vbe.notifications.models import Notification

    settings.EMAIL_BACKEND = "vbe.notifications.tests.backends.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=datetime.date(2026, 3, 1), days_before=[30]) == 2
    assert not mail.outbox
    pending = Notification.objects.filter(kind="reminder", sent_at=None)
    assert pending.count() == 2 and all(n.attempts == 1 and n.last_error for n in pending)
