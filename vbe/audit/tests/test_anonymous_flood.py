"""Red-team follow-up to item 7 of issue 7: many addresses cannot fill the log either, and the log
keeps no reference by which an address could be recognised later."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from threading import Barrier, Thread

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.crypto import salted_hmac

from vbe.audit.models import AccessLogEntry, AnonymousClientSalt
from vbe.audit.tests.test_anonymous_denials import clock, deny  # noqa: F401 (fixture)

FLOOD = "anonymous_denials_flood_summarised"
SUMMARY = "anonymous_denials_summarised"


def _first_rows() -> int:
    return AccessLogEntry.objects.filter(action="request_denied").count()


def test_ipv6_clients_are_counted_by_their_64_network(db, clock, settings):  # noqa: F811
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 3
    statuses = [deny(addr=f"2001:db8:1:2:{i:x}::{i:x}").status_code for i in range(1, 6)]
    assert statuses == [403, 403, 403, 429, 429]  # one /64, however the host part rotates
    assert deny(addr="2001:db8:1:3::1").status_code == 403  # the next /64 is another client
    assert _first_rows() == 2


def test_an_ipv4_mapped_address_is_the_same_client_as_the_ipv4_address(db, clock, settings):  # noqa: F811
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 1
    assert deny(addr="192.0.2.44").status_code == 403
    assert deny(addr="::ffff:192.0.2.44").status_code == 429
    assert _first_rows() == 1


def test_above_the_global_cap_only_one_summary_with_the_total_is_written(db, clock, settings):  # noqa: F811
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 30
    settings.ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE = 10
    statuses = Counter(deny(addr=f"198.51.{i // 200}.{i % 200}").status_code for i in range(400))
    statuses.update(deny(addr="198.51.0.1").status_code for _ in range(3))
    assert statuses == {403: 10, 429: 393}
    assert AccessLogEntry.objects.count() == 10  # one per client, only up to the cap
    clock["at"] += timedelta(minutes=1)
    call_command("flush_anonymous_denials")
    flood = AccessLogEntry.objects.get(action=FLOOD)
    assert flood.detail.startswith("403 nekade anonyma anrop totalt under minuten 14:07 UTC 2026-03-02")
    assert flood.object_id == ""
    assert AccessLogEntry.objects.count() == 11
    assert not AccessLogEntry.objects.filter(action=SUMMARY).exists()  # 198.51.0.1 came back above the cap


def test_below_the_global_cap_no_flood_summary_is_written(db, clock, settings):  # noqa: F811
    settings.ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE = 10
    for i in range(10):
        deny(addr=f"203.0.113.{i}")
    clock["at"] += timedelta(minutes=1)
    call_command("flush_anonymous_denials")
    assert _first_rows() == 10
    assert not AccessLogEntry.objects.filter(action=FLOOD).exists()


def test_the_client_reference_changes_daily_and_its_salt_is_then_forgotten(db, clock):  # noqa: F811
    deny(addr="192.0.2.10")
    clock["at"] += timedelta(minutes=5)
    deny(addr="192.0.2.10")
    clock["at"] += timedelta(days=1)
    deny(addr="192.0.2.10")
    refs = list(
        AccessLogEntry.objects.filter(action="request_denied").order_by("id").values_list("object_id", flat=True)
    )
    assert len(refs) == 3
    assert refs[0] == refs[1]  # within a day the same client is recognisable ...
    assert refs[2] != refs[1]  # ... but not from one day to the next
    stable = salted_hmac("vbe.audit.anonymous-client", "192.0.2.10", algorithm="sha256").hexdigest()[:32]
    assert stable not in refs
    call_command("flush_anonymous_denials")
    today = clock["at"].date()
    assert not AnonymousClientSalt.objects.filter(day__lt=today).exists()  # yesterday's refs: unlinkable now
    assert AnonymousClientSalt.objects.filter(day=today).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs concurrent writers (PostgreSQL)")
def test_parallel_floods_from_many_addresses_stop_at_the_global_cap_exactly(clock, settings):  # noqa: F811
    settings.ANONYMOUS_DENIALS_PER_MINUTE = 1000
    settings.ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE = 15
    threads_n, per_thread = 8, 8
    barrier, statuses, errors = Barrier(threads_n), [], []

    def flood(t: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                statuses.append(deny(addr=f"2001:db8:{t:x}:{i:x}::1").status_code)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=flood, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    total = threads_n * per_thread
    assert Counter(statuses) == {403: 15, 429: total - 15}
    assert _first_rows() == 15
    assert AnonymousClientSalt.objects.count() == 1  # every thread hashed with the same salt
    clock["at"] += timedelta(minutes=1)
    call_command("flush_anonymous_denials")
    (flood_row,) = AccessLogEntry.objects.filter(action=FLOOD).values_list("detail", flat=True)
    assert flood_row.startswith(f"{total} nekade anonyma anrop totalt")
    assert AccessLogEntry.objects.count() == 16
