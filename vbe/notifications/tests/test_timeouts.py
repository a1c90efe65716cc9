"""A slow or hanging mail server never reaches the person who reported (issue 7, item 4, red team):
sends time out (``EMAIL_TIMEOUT``), a claim on a message outlasts any send, the attempt after commit
gives up on a dead server after one time-out, and failed messages are tried again within minutes,
spread out so an outage of a day does not use up every attempt."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.management import call_command
from django.utils import timezone

from tests.test_settings_and_headers import PRODUCTION_ENV, _manage
from vbe.accounts.models import Membership, Role, User
from vbe.concerns.models import Concern
from vbe.notifications import outbox
from vbe.notifications.apps import check_claim_outlasts_a_send
from vbe.notifications.models import Notification
from vbe.notifications.tests.backends import TimingOutBackend
from vbe.organisations.models import Organisation

TIMING_OUT = "vbe.notifications.tests.backends.TimingOutBackend"
FAILING = "vbe.notifications.tests.backends.FailingBackend"
REFUSING = "vbe.notifications.tests.backends.RefusingRecipientBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _second_coordinator() -> User:
    second = User.objects.create_user(email="andra@test.example", password="x", full_name="Andra Samordnaren")
    Membership.objects.create(user=second, organisation=Organisation.objects.get(slug="jarva"), role=Role.COORDINATOR)
    return second


def _retry() -> str:
    out = io.StringIO()
    call_command("retry_notifications", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _as_if_last_tried(notification: Notification, ago: datetime.timedelta) -> None:
    Notification.objects.filter(pk=notification.pk).update(last_attempt_at=timezone.now() - ago)


# --- The time-out and the claim ---------------------------------------------------------------------


def test_sends_time_out_and_a_claim_outlasts_any_send(settings):
    assert isinstance(settings.EMAIL_TIMEOUT, int) and settings.EMAIL_TIMEOUT == 10  # the default
    assert outbox.CLAIM.total_seconds() >= outbox.SOCKET_WAITS_PER_SEND * settings.EMAIL_TIMEOUT
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert get_connection().timeout == settings.EMAIL_TIMEOUT  # the SMTP connection is given it


@pytest.mark.parametrize("timeout", [None, 0, -1, 31, 600])
def test_a_timeout_the_claim_does_not_outlast_is_refused(timeout):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_TIMEOUT"):
        check_claim_outlasts_a_send(timeout)


def test_production_starts_with_the_default_and_refuses_a_long_timeout():
    script = "from django.conf import settings; print(settings.EMAIL_TIMEOUT)"
    result = _manage("shell", "--no-imports", "-c", script, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10"
    result = _manage("check", env={**PRODUCTION_ENV, "EMAIL_TIMEOUT": "900"})
    assert result.returncode != 0 and "EMAIL_TIMEOUT" in result.stderr


# --- The attempt after commit never reaches the reporter ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_times_out_never_reaches_the_reporter(cast, settings, report_data):
    settings.EMAIL_BACKEND = TIMING_OUT
    TimingOutBackend.calls = 0
    _second_coordinator()
    response = cast.client("staff").post("/oro/rapportera/", report_data)
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/oro/kvitto/{concern.reference}/"
    rows = list(Notification.objects.filter(reference=concern.reference).order_by("pk"))
    assert len(rows) == 2 and all(row.sent_at is None and row.gave_up_at is None for row in rows)
    # One time-out, not one per recipient: after the first the server is taken to be down, and the
    # rest wait for the retry job (not claimed, no attempt used).
    assert TimingOutBackend.calls == 1
    assert [row.attempts for row in rows] == [1, 0]
    assert rows[0].last_error.startswith("TimeoutError") and rows[0].claimed_until is None
    assert not mail.outbox


@pytest.mark.django_db(transaction=True)
def test_anything_failing_after_commit_never_reaches_the_reporter(cast, monkeypatch, report_data):
    def broken(*args, **kwargs):
        raise RuntimeError("the outbox itself failed")

    monkeypatch.setattr(outbox, "_claim", broken)
    response = cast.client("staff").post("/oro/rapportera/", report_data)
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/oro/kvitto/{concern.reference}/"
    assert Notification.objects.get(reference=concern.reference).sent_at is None  # kept for the retry job


def test_one_refused_address_does_not_hold_up_the_others(cast, settings):
    settings.EMAIL_BACKEND = REFUSING
    second = _second_coordinator()
    rows = outbox.queue(
        recipients=[cast["coordinator"], second], kind="test", reference="ORO-2026-00001", subject="Ämne", body="Text"
    )
    result = outbox.deliver([row.pk for row in rows])
    assert result.failed == [rows[0].pk] and result.sent == [rows[1].pk]
    assert [m.to for m in mail.outbox] == [["andra@test.example"]]


# --- Retries: within minutes, spread over about two days ---------------------------------------------


def test_a_failed_first_try_is_retried_within_minutes_and_the_job_does_not_burn_attempts(cast, settings):
    settings.EMAIL_BACKEND = FAILING
    notification = outbox.queue(
        recipients=[cast["coordinator"]], kind="test", reference="ORO-2026-00001", subject="Ämne", body="Text"
    )[0]
    outbox.deliver([notification.pk])  # the attempt after commit
    notification.refresh_from_db()
    assert notification.attempts == 1
    # The job runs every few minutes: straight after a failure it leaves the message alone ...
    _retry()
    notification.refresh_from_db()
    assert notification.attempts == 1
    # ... and a few minutes later it tries again.
    settings.EMAIL_BACKEND = LOCMEM
    _as_if_last_tried(notification, outbox.RETRY_AFTER[0] + datetime.timedelta(seconds=1))
    _retry()
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 2
    assert outbox.RETRY_AFTER[0] <= datetime.timedelta(minutes=10)


def test_attempts_are_spread_over_about_two_days():
    assert len(outbox.RETRY_AFTER) + 1 == outbox.MAX_ATTEMPTS
    assert list(outbox.RETRY_AFTER) == sorted(outbox.RETRY_AFTER)
    total = sum(outbox.RETRY_AFTER, datetime.timedelta())
    assert datetime.timedelta(days=1) < total < datetime.timedelta(days=3)


def test_the_job_is_silent_when_there_is_nothing_to_send(db):
    assert _retry() == ""


def test_the_command_says_how_often_it_runs():
    from vbe.notifications.management.commands.retry_notifications import Command

    assert "dagligen" not in Command.help and "minut" in Command.help


def test_the_worker_retries_every_few_minutes_and_the_readme_says_so():
    from vbe.jobs.schedule import PERIODIC
    from vbe.notifications.tasks import retry_notifications

    periodic = PERIODIC["notifications.retry"]
    assert periodic.task is retry_notifications and periodic.interval == datetime.timedelta(minutes=5)
    readme = (settings.BASE_DIR / "README.md").read_text()
    row = next(line for line in readme.splitlines() if "`notifications.retry`" in line and "|" in line)
    assert row.startswith("| 5 minutes") and "`manage.py retry_notifications`" in row
