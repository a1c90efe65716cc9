"""Writing and sending notifications.

``queue`` writes one row per recipient inside the caller's transaction and, once that transaction
has committed, tries to send each. A failure never passes silently: the row keeps the attempt count
and the error, the failure is logged, and the retry job (``vbe.notifications.tasks``, every five
minutes on the worker; ``manage.py retry_notifications`` by hand) tries again after ``RETRY_AFTER``
until ``MAX_ATTEMPTS``, after which the row is flagged (``gave_up_at``) and the job reports it.

The attempt after commit runs in the request that made the news, so it must never cost the reporter
more than a moment: every socket wait is bounded by ``EMAIL_TIMEOUT``, and a server that fails (down,
timing out, refusing the login) ends the round after one message, leaving the rest to the job.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vbe.notifications.models import Notification

logger = logging.getLogger(__name__)

# After the n-th failed attempt the next waits RETRY_AFTER[n-1]: soon after a blip, sparser in an outage,
# so a mail server down for a day does not use up every attempt (about 42 hours in all).
RETRY_AFTER = (
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=4),
    datetime.timedelta(hours=12),
    datetime.timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1  # the attempt after commit, then one after each wait
# One send is a handful of exchanges with the server (connect, EHLO, STARTTLS, login, MAIL, RCPT, DATA),
# each bounded by EMAIL_TIMEOUT; the claim must outlast them all with room to spare, or a slow send
# could be claimed again and sent twice. vbe.notifications.apps refuses to start otherwise.
SOCKET_WAITS_PER_SEND = 20
CLAIM = datetime.timedelta(minutes=10)
# Failures of one message, not of the server: the round goes on with the next message.
MESSAGE_FAULTS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


def absolute_url(path: str) -> str:
    """A link that works from a mail program: the portal's own address (``SITE_URL``) and the path."""
    return settings.SITE_URL.rstrip("/") + path


def queue(
    *,
    recipients: Iterable[AbstractBaseUser] = (),
    addresses: Iterable[str] = (),
    kind: str,
    reference: str,
    subject: str,
    body: str,
    html_body: str = "",
    send_after_commit: bool = True,
) -> list[Notification]:
    """One notification per recipient (nobody sees anyone else's address), saved with the caller's
    transaction and sent after it commits. Call it inside the transaction that makes the news.

    ``addresses``: people without a portal account (a member of staff reminded of a training), written
    to by address. ``send_after_commit=False``: a batch job that queues many messages sends them itself
    with one ``deliver`` at its end, so a mail server that is down costs it one time-out, not one per
    message; what is left waits for the retry job."""
    # By id: the recipient model is the portal's user (settings.AUTH_USER_MODEL), which lies above this app.
    fields = {"kind": kind, "reference": reference, "subject": subject, "body": body, "html_body": html_body}
    rows = [
        Notification(recipient_id=pk, **fields)
        for pk in dict.fromkeys(user.pk for user in recipients)  # each recipient once, in order
    ] + [
        Notification(address=address, **fields)
        for address in dict.fromkeys(a.strip().lower() for a in addresses if a.strip())
    ]
    if not rows:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        if send_after_commit:
            # robust: nothing that goes wrong while sending may undo or break the request that committed.
            transaction.on_commit(lambda: deliver(ids), robust=True)
    return created


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # will be tried again
    gave_up: list[int] = field(default_factory=list)  # flagged: no more attempts


def _claim(pk: int, now: datetime.datetime) -> Notification | None:
    """Takes the row for one attempt, unless it is sent, given up, or being sent by someone else."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=pk, sent_at=None, gave_up_at=None)
            .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        notification.last_attempt_at = now
        notification.claimed_until = now + CLAIM
        notification.save(update_fields=["attempts", "last_attempt_at", "claimed_until"])
    return notification


def _failed(notification: Notification, error: str, outcome: Outcome, *, final: bool = False) -> None:
    now = timezone.now()
    notification.last_error = error[:300]
    notification.claimed_until = None
    give_up = final or notification.attempts >= MAX_ATTEMPTS
    if give_up:
        notification.gave_up_at = now
    notification.save(update_fields=["last_error", "claimed_until", "gave_up_at"])
    if give_up:
        outcome.gave_up.append(notification.pk)
        logger.error(
            "Meddelande %s (%s %s) kunde inte skickas efter %s försök och skickas inte igen: %s",
            notification.pk,
            notification.kind,
            notification.reference,
            notification.attempts,
            error.split(":", 1)[0],
        )
    else:
        outcome.failed.append(notification.pk)
        logger.warning(
            "Meddelande %s (%s %s) kunde inte skickas (försök %s av %s), försöker igen: %s",
            notification.pk,
            notification.kind,
            notification.reference,
            notification.attempts,
            MAX_ATTEMPTS,
            error.split(":", 1)[0],
        )


def deliver(ids: Iterable[int]) -> Outcome:
    """Tries to send each notification once. Never raises for a failed send: it is recorded instead.

    A failure of the server itself (down, timing out, refusing the login) ends the round: the messages
    not yet tried stay as they are, unclaimed and without a used attempt, for the retry job. So the
    attempt after commit keeps a request waiting for at most one time-out, not one per recipient."""
    outcome = Outcome()
    connection = None
    try:
        for pk in ids:
            notification = _claim(pk, timezone.now())
            if notification is None:
                continue
            recipient = notification.recipient
            # An account's address is read at sending time; a bare address is what was queued.
            if recipient is not None and (not recipient.is_active or not recipient.email):
                _failed(notification, "Mottagaren är inte längre aktiv.", outcome, final=True)
                continue
            to = recipient.email if recipient is not None else notification.address
            message = EmailMultiAlternatives(notification.subject, notification.body, to=[to])
            if notification.html_body:
                message.attach_alternative(notification.html_body, "text/html")
            try:
                connection = connection or get_connection(fail_silently=False)
                if connection.send_messages([message]) != 1:
                    raise RuntimeError("e-postservern tog inte emot meddelandet")
            except Exception as exc:  # any failure of the mail system: recorded and retried, never lost
                _failed(notification, f"{type(exc).__name__}: {exc}", outcome)
                if isinstance(exc, MESSAGE_FAULTS):
                    continue
                break
            notification.sent_at, notification.claimed_until, notification.last_error = timezone.now(), None, ""
            notification.save(update_fields=["sent_at", "claimed_until", "last_error"])
            outcome.sent.append(notification.pk)
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing a broken connection: the sends are already recorded
                logger.warning("Anslutningen till e-postservern kunde inte stängas.", exc_info=True)
    return outcome


def due(now: datetime.datetime | None = None) -> list[int]:
    """Notifications not yet sent nor given up whose wait after their last attempt is over, oldest first."""
    now = now or timezone.now()
    pending = Notification.objects.filter(sent_at=None, gave_up_at=None).order_by("created_at", "pk")
    return [
        pk
        for pk, attempts, last in pending.values_list("pk", "attempts", "last_attempt_at")
        if attempts == 0 or last is None or last + RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1] <= now
    ]


def retry_pending() -> Outcome:
    """The retry job (every few minutes): every notification that is due, oldest first."""
    return deliver(due())
