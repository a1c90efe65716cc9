"""Lock-out: atomic under parallel attempts, and the same for unknown, inactive and active accounts."""

from __future__ import annotations

import re
from threading import Barrier, Lock, Thread

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings

from conftest import PASSWORD
from vbe.accounts import services
from vbe.accounts.models import SignInThrottle, User
from vbe.audit.models import AccessLogEntry


def _error_text(response) -> str:
    """The error summary's text: what the person trying to sign in learns."""
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary)).strip()


@pytest.fixture
def inactive(cast) -> User:
    User.objects.filter(pk=cast["staff"].pk).update(is_active=False)
    return cast["staff"]


@override_settings(SIGN_IN_MAX_FAILURES=3, SIGN_IN_LOCKOUT_MINUTES=15)
@pytest.mark.parametrize("account", ["active", "inactive", "unknown"])
def test_the_same_messages_after_the_same_tries_whether_or_not_the_account_exists(cast, account):
    email = {"active": "coordinator@test.example", "inactive": "staff@test.example", "unknown": "ingen@test.example"}
    if account == "inactive":
        User.objects.filter(email=email[account]).update(is_active=False)
    client = Client()
    messages = [_error_text(client.post("/logga-in/", {"email": email[account], "password": "fel"})) for _ in range(3)]
    # Now locked: even the right password (for the active account) is refused without being checked.
    messages.append(_error_text(client.post("/logga-in/", {"email": email[account], "password": PASSWORD})))
    assert messages[:3] == [services.WRONG_CREDENTIALS] * 3
    assert messages[3].startswith("Kontot är tillfälligt låst") and "15 minuter" in messages[3]
    assert "_auth_user_id" not in client.session
    assert AccessLogEntry.objects.filter(action="sign_in_failed").count() == 3
    assert AccessLogEntry.objects.filter(action="account_locked").count() == 1
    assert AccessLogEntry.objects.filter(action="sign_in_refused_locked").count() == 1


def test_unknown_addresses_are_counted_under_a_keyed_hash(db):
    Client().post("/logga-in/", {"email": "Ingen@Test.example ", "password": "fel"})
    Client().post("/logga-in/", {"email": "ingen@test.example", "password": "fel"})
    row = SignInThrottle.objects.get()
    assert row.failures == 2  # one address, however it was typed
    assert "ingen" not in row.key and row.key.startswith("email:")


def _count_hasher_calls(monkeypatch) -> list[int]:
    """Every password check hashes once: ``verify`` encodes the attempt, and for an unknown address
    Django's backend hashes it anyway (so timing does not tell)."""
    calls: list[int] = []
    guard = Lock()
    original = MD5PasswordHasher.encode

    def counting(self, *args, **kwargs):
        with guard:
            calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)")
@pytest.mark.parametrize("email", ["staff@test.example", "ingen@test.example"])
def test_twenty_parallel_wrong_passwords_let_at_most_five_checks_through(cast, settings, monkeypatch, email):
    settings.SIGN_IN_MAX_FAILURES = 5
    calls = _count_hasher_calls(monkeypatch)
    barrier, errors, outcomes = Barrier(20), [], []

    def attempt() -> None:
        try:
            barrier.wait(timeout=10)
            services.check_password(request=None, email=email, password="fel-losenord")
            errors.append("a wrong password was accepted")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # noqa: BLE001 - surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(outcomes) == 20
    assert len(calls) == 5, f"{len(calls)} password checks ran"
    assert outcomes.count(services.WRONG_CREDENTIALS) == 5
    assert AccessLogEntry.objects.filter(action="sign_in_failed").count() == 5
    assert AccessLogEntry.objects.filter(action="sign_in_refused_locked").count() == 15
    # And the right password is refused too while the lock lasts.
    with pytest.raises(ValidationError, match="tillfälligt låst"):
        services.check_password(request=None, email=email, password=PASSWORD)
