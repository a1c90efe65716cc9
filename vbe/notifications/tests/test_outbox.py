"""Notifications reach people (issue 7, item 4): one message per recipient with an absolute link,
written with the news and sent after commit, and a failed send kept, logged and retried."""

from __future__ import annotations

import datetime
import logging
from threading import Barrier, Thread

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.concerns.models import Concern
from vbe.notifications import outbox
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation

FAILING = "vbe.notifications.tests.backends.FailingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def two_coordinators(cast):
    second = User.objects.create_user(email="andra@test.example", password="x", full_name="Andra Samordnaren")
    Membership.objects.create(user=second, organisation=Organisation.objects.get(slug="jarva"), role=Role.COORDINATOR)
    return [cast["coordinator"], second]


def _make_due(notification: Notification) -> None:
    """As if the wait after its last attempt were over (the job leaves it alone until then)."""
    Notification.objects.filter(pk=notification.pk).update(last_attempt_at=timezone.now() - datetime.timedelta(days=3))


def _queue(users, **extra):
    return outbox.queue(recipients=users, kind="test", reference="ORO-2026-00001", subject="Ämne", body="Text", **extra)


def test_every_recipient_gets_a_message_of_their_own(
    cast, two_coordinators, make_concern, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://vbe.example"
    with django_capture_on_commit_callbacks(execute=True):
        concern = make_concern()
    assert sorted(m.to for m in mail.outbox) == [["andra@test.example"], ["coordinator@test.example"]]
    for message in mail.outbox:
        assert not message.cc and not message.bcc
        assert f"https://vbe.example/oro/arenden/{concern.reference}/" in message.body
    assert Notification.objects.filter(reference=concern.reference).exclude(sent_at=None).count() == 2


def test_nothing_is_sent_before_commit_and_nothing_after_a_rollback(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _queue([cast["coordinator"]])
    assert not mail.outbox and Notification.objects.get().sent_at is None  # written, not yet sent
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1 and Notification.objects.get().sent_at is not None

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _queue([cast["coordinator_other"]])
        raise RuntimeError("the report failed")
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_a_concern_is_kept_with_its_message_when_mail_is_down_and_the_retry_job_sends_it(
    cast, make_concern, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with (
        caplog.at_level(logging.WARNING, logger="vbe.notifications.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        concern = make_concern()
    assert Concern.objects.filter(pk=concern.pk).exists()
    notification = Notification.objects.get(reference=concern.reference)
    assert notification.sent_at is None and notification.attempts == 1
    assert notification.last_error.startswith("SMTPServerDisconnected")
    assert any("kunde inte skickas" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert not mail.outbox

    settings.EMAIL_BACKEND = LOCMEM
    _make_due(notification)
    call_command("retry_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 2 and notification.last_error == ""
    assert [m.to for m in mail.outbox] == [["coordinator@test.example"]]
    call_command("retry_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1  # sent once, never again


def test_attempts_are_bounded_then_the_message_is_flagged_and_reported(cast, settings, caplog):
    settings.EMAIL_BACKEND = FAILING
    notification = _queue([cast["coordinator"]])[0]
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        _make_due(notification)
        call_command("retry_notifications", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    notification.refresh_from_db()
    assert notification.attempts == outbox.MAX_ATTEMPTS - 1 and notification.gave_up_at is None
    with (
        caplog.at_level(logging.ERROR, logger="vbe.notifications.outbox"),
        pytest.raises(CommandError, match="gav upp"),
    ):
        _make_due(notification)
        call_command("retry_notifications", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    notification.refresh_from_db()
    assert notification.attempts == outbox.MAX_ATTEMPTS and notification.gave_up_at is not None
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    _make_due(notification)
    call_command("retry_notifications", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    notification.refresh_from_db()
    assert notification.attempts == outbox.MAX_ATTEMPTS  # flagged: not tried again


def test_a_message_being_sent_elsewhere_is_not_sent_twice(cast):
    notification = _queue([cast["coordinator"]])[0]
    first = outbox._claim(notification.pk, notification.created_at)
    assert first is not None
    assert outbox.deliver([notification.pk]).sent == []  # claimed by the first: skipped
    assert not mail.outbox


def test_a_deactivated_recipient_is_not_written_to(cast):
    notification = _queue([cast["coordinator"]])[0]
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    result = outbox.deliver([notification.pk])
    notification.refresh_from_db()
    assert result.gave_up == [notification.pk] and notification.gave_up_at and not mail.outbox


def test_links_are_absolute(settings):
    settings.SITE_URL = "https://vbe.stad.example"
    assert outbox.absolute_url("/oro/arenden/ORO-2026-00001/") == "https://vbe.stad.example/oro/arenden/ORO-2026-00001/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)")
def test_a_message_taken_by_two_senders_at_once_is_sent_once(cast, settings):
    """The attempt after commit and the retry job (or two retry jobs) may reach the same row together:
    the claim under the row lock lets one of them send it."""
    settings.EMAIL_BACKEND = LOCMEM
    with transaction.atomic():
        pk = Notification.objects.create(
            recipient=cast["coordinator"], kind="test", reference="ORO-2026-00001", subject="Ämne", body="Text"
        ).pk
    barrier, errors = Barrier(4), []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            outbox.deliver([pk])
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(mail.outbox) == 1
    row = Notification.objects.get(pk=pk)
    assert row.sent_at is not None and row.attempts == 1
