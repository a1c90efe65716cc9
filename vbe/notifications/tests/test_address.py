"""Messages to people without a portal account (issue 11: staff reminded of a training): a bare
address instead of a recipient, exactly one of the two, sent and retried like any other."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from vbe.accounts.models import User
from vbe.notifications import outbox
from vbe.notifications.models import Notification

FAILING = "vbe.notifications.tests.backends.FailingBackend"


def _queue(**who):
    return outbox.queue(kind="test", reference="T-1", subject="Ämne", body="Text", **who)


def test_a_message_to_an_address_is_sent_there(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = _queue(addresses=["Anna@Staff.Example", "anna@staff.example", " ", "bo@staff.example"])
    # Each address once (lower-case, as the register keeps them), each its own message.
    assert [r.address for r in rows] == ["anna@staff.example", "bo@staff.example"]
    assert all(r.recipient_id is None for r in rows)
    assert sorted(m.to for m in mail.outbox) == [["anna@staff.example"], ["bo@staff.example"]]
    assert Notification.objects.exclude(sent_at=None).count() == 2


def test_accounts_and_addresses_in_one_call(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue(recipients=[cast["coordinator"]], addresses=["anna@staff.example"])
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@staff.example", "coordinator@test.example"]


@pytest.mark.parametrize("who", [{"address": ""}, {"address": "anna@staff.example", "with_recipient": True}])
def test_exactly_one_of_recipient_and_address(cast, who):
    fields = {"kind": "test", "subject": "Ä", "body": "T", "address": who["address"]}
    if who.get("with_recipient"):
        fields["recipient"] = cast["coordinator"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(**fields)


def test_an_address_is_retried_like_an_account(db, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue(addresses=["anna@staff.example"])[0]
    row.refresh_from_db()
    assert row.attempts == 1 and row.sent_at is None and row.gave_up_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=row.pk).update(last_attempt_at=timezone.now() - datetime.timedelta(days=1))
    assert outbox.retry_pending().sent == [row.pk]
    assert [m.to for m in mail.outbox] == [["anna@staff.example"]]


def test_the_no_longer_active_rule_is_for_accounts_only(cast):
    """An account is checked at sending time; an address has nothing to check against."""
    to_user = _queue(recipients=[cast["coordinator"]])[0]
    to_address = _queue(addresses=["coordinator@test.example"])[0]
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    outcome = outbox.deliver([to_user.pk, to_address.pk])
    assert outcome.gave_up == [to_user.pk] and outcome.sent == [to_address.pk]


def test_a_batch_can_send_itself(db):
    """send_after_commit=False: nothing is registered to send after commit; the caller delivers."""
    with transaction.atomic():
        rows = _queue(addresses=["anna@staff.example"], send_after_commit=False)
        assert not transaction.get_connection().run_on_commit
    assert not mail.outbox
    assert outbox.deliver([r.pk for r in rows]).sent == [rows[0].pk]
