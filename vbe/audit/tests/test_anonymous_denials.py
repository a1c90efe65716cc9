"""Item 7 of issue 7: anonymous requests cannot fill the access log without bound."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from threading import Barrier, Thread

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from vbe.audit.models import AccessLogEntry, AnonymousDenialBucket, Outcome

SUMMARY = "anonymous_denials_summarised"


@pytest.fixture
def clock(monkeypatch):
    """The denial counter's clock, held inside one minute until a test moves it."""
    from vbe.audit import denials

    now = {"at": datetime(2026, 3, 2, 14, 7, 5, tzinfo=UTC)}
    monkeypatch.setattr(denials, "_now", lambda: now["at"])
    monkeypatch.setattr(denials, "_salt_cache", {})  # each test's database starts without the day's salt
    return now


def deny(client: Client | None = None, addr: str = "127.0.0.1"):
    """An anonymous request the portal refuses with 403: a form posted without its CSRF token."""
    client = client or Client(enforce_csrf_checks=True)
    return client.post("/logga-in/", {"email": "a@test.example", "password": "x"}, REMOTE_ADDR=addr)


def test_a_thousand_anonymous_denials_in_a_minute_write_two_rows_with_an_exact_count(db, clock, settings):
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 50
    settings.ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE = 5000  # the global cap is test_anonymous_flood's subject
    client = Client(enforce_csrf_checks=True)
    statuses = Counter(deny(client).status_code for _ in range(1000))
    assert statuses == {403: 50, 429: 950}
    assert AccessLogEntry.objects.count() == 1  # the minute's first denial, as before
    first = AccessLogEntry.objects.get()
    assert (first.action, first.outcome, first.detail) == ("request_denied", Outcome.DENIED, "POST accounts:sign_in")

    clock["at"] += timedelta(minutes=1)
    call_command("flush_anonymous_denials")
    assert AccessLogEntry.objects.count() == 2
    summary = AccessLogEntry.objects.get(action=SUMMARY)
    assert summary.outcome == Outcome.DENIED
    assert summary.detail.startswith("999 nekade anonyma anrop under minuten 14:07 UTC")
    assert summary.object_id == first.object_id  # the same client, as a keyed reference
    assert not AnonymousDenialBucket.objects.exists()
    call_command("flush_anonymous_denials")  # flushed once, never twice
    assert AccessLogEntry.objects.filter(action=SUMMARY).count() == 1


def test_the_next_minutes_first_denial_writes_the_previous_minutes_summary(db, clock):
    for _ in range(5):
        deny()
    clock["at"] += timedelta(minutes=1)
    deny()
    rows = list(AccessLogEntry.objects.order_by("id").values_list("action", "detail"))
    assert [action for action, _ in rows] == ["request_denied", SUMMARY, "request_denied"]
    assert rows[1][1].startswith("4 nekade anonyma anrop under minuten 14:07 UTC")


def test_a_single_denial_leaves_no_summary(db, clock):
    deny()
    clock["at"] += timedelta(minutes=1)
    call_command("flush_anonymous_denials")
    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == ["request_denied"]


def test_the_daily_verification_flushes_old_buckets_first(db, clock):
    for _ in range(3):
        deny()
    clock["at"] += timedelta(hours=3)
    call_command("verify_audit_log", initialise=True)
    assert AccessLogEntry.objects.get(action=SUMMARY).detail.startswith("2 nekade")


def test_clients_are_counted_apart_and_never_by_their_address(db, clock):
    deny(addr="192.0.2.10")
    deny(addr="192.0.2.10")
    deny(addr="198.51.100.7")
    refs = set(AnonymousDenialBucket.objects.exclude(client_ref="*").values_list("client_ref", flat=True))
    assert len(refs) == 2
    assert AccessLogEntry.objects.count() == 2
    stored = " ".join(" ".join(str(v) for v in row) for row in AccessLogEntry.objects.values_list()) + " ".join(refs)
    assert "192.0.2.10" not in stored and "198.51.100.7" not in stored


def test_above_the_limit_the_client_gets_a_swedish_429(db, clock, settings):
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 2
    deny(), deny()
    response = deny()
    assert response.status_code == 429
    assert "För många förfrågningar" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 60
    assert deny(addr="203.0.113.5").status_code == 403  # another client is not held back


def test_signed_in_denials_keep_one_row_each(cast, clock, settings):
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 2
    client = cast.client("staff")
    statuses = [client.get("/loggkontroll/").status_code for _ in range(5)]
    assert statuses == [403] * 5
    assert AccessLogEntry.objects.filter(action="request_denied", actor_id=cast["staff"].pk).count() == 5
    assert not AnonymousDenialBucket.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs concurrent writers (PostgreSQL)")
def test_parallel_anonymous_denials_are_counted_exactly(clock, settings):
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 20
    threads_n, per_thread = 8, 8
    barrier, statuses, errors = Barrier(threads_n), [], []

    def flood() -> None:
        try:
            client = Client(enforce_csrf_checks=True)
            barrier.wait(timeout=10)
            for _ in range(per_thread):
                statuses.append(deny(client).status_code)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=flood) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    total = threads_n * per_thread
    assert Counter(statuses) == {403: 20, 429: total - 20}
    assert AnonymousDenialBucket.objects.get(client_ref="*").count == total
    assert AnonymousDenialBucket.objects.exclude(client_ref="*").get().count == total
    assert AccessLogEntry.objects.filter(action="request_denied").count() == 1

    # Two flushes at once (the daily job and the next minute's first denial): one summary, never two.
    clock["at"] += timedelta(minutes=1)
    flush_barrier = Barrier(2)

    def flush() -> None:
        try:
            flush_barrier.wait(timeout=10)
            call_command("flush_anonymous_denials")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=flush) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    summaries = list(AccessLogEntry.objects.filter(action=SUMMARY).values_list("detail", flat=True))
    assert len(summaries) == 1 and summaries[0].startswith(f"{total - 1} nekade")
    assert not AnonymousDenialBucket.objects.exists()
