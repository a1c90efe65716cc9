"""Refused anonymous requests: counted per client and minute, capped globally, summarised in the log.

Anyone can send requests without signing in, and the log can never be erased, so a row per refused
anonymous request would let anyone fill it without bound. Two limits keep it bounded:

- Per client and minute, the first refusal is logged as a row of its own; the rest are counted in
  ``AnonymousDenialBucket`` and written as one summary row when the minute's buckets are flushed. Above
  ``ANONYMOUS_DENIALS_PER_MINUTE`` refusals in a minute the client is answered 429. A client is its
  IPv4 address, or its IPv6 /64 network (one subscriber gets a whole /64, so rotating the host part
  must not make a new client).
- Across all clients, above ``ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE`` refusals in a minute nothing is
  written or counted per client any more (many addresses, a botnet, cannot add rows either): the
  request is answered 429 and only the minute's total is kept, written as one summary row.

So a minute adds at most about 1.5 × the global cap rows, whatever arrives. A minute's buckets are
flushed by the first anonymous refusal of a later minute, by ``flush_anonymous_denials`` or by
``verify_audit_log``.

The log never holds the address, nor a hash of it that stays the same: the client reference is a
keyed hash under a random salt of the day (``AnonymousClientSalt``), deleted when the day is over, so
a reference can be followed within a day but never tied to an address afterwards.

Refusals of signed-in users are not counted here: each keeps its own row, with who it was.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vbe.audit.log import record
from vbe.audit.models import AnonymousClientSalt, AnonymousDenialBucket, Outcome
from vbe.core.clients import client_network  # one client: an IPv4 address or an IPv6 /64

SUMMARY_ACTION = "anonymous_denials_summarised"
FLOOD_ACTION = "anonymous_denials_flood_summarised"
CLIENT_OBJECT_TYPE = "anonymous_client"
ALL_CLIENTS = "*"  # the bucket counting every anonymous refusal of a minute (a client ref is hex)

# The day's salt, per process: one query a day instead of one per refused request.
_salt_cache: dict[date, str] = {}


def _now() -> datetime:
    return timezone.now()


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def seconds_left_in_minute() -> int:
    return 60 - int(_now().timestamp()) % 60


def _salt_of(day: date) -> str:
    salt = _salt_cache.get(day)
    if salt is None:
        # Every process and app server must hash with the same salt: the first to need it creates it.
        AnonymousClientSalt.objects.bulk_create(
            [AnonymousClientSalt(day=day, salt=secrets.token_hex(32))], ignore_conflicts=True
        )
        salt = AnonymousClientSalt.objects.get(day=day).salt
        _salt_cache.clear()
        _salt_cache[day] = salt
    return salt


def client_ref(request: HttpRequest) -> str:
    """A reference to the client that changes every UTC day: the address never goes in the log."""
    network = client_network(request.META.get("REMOTE_ADDR") or "")
    salt = _salt_of(_now().astimezone(UTC).date())
    return salted_hmac("vbe.audit.anonymous-client", f"{salt}|{network}", algorithm="sha256").hexdigest()[:32]


def count_denial(*, client: str, minute: int) -> int:
    """Add one to the client's count for the minute and return the new count.

    One INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike): parallel requests each get a
    count of their own and none is lost, with no read-then-write window.
    """
    qn = connection.ops.quote_name
    table, count, key = qn(AnonymousDenialBucket._meta.db_table), qn("count"), f"{qn('client_ref')}, {qn('minute')}"
    # Only quoted identifiers are interpolated; the values go as parameters.
    sql = (
        f"INSERT INTO {table} ({key}, {count}) VALUES (%s, %s, 1) ON CONFLICT ({key}) "  # noqa: S608
        f"DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [client, minute])
        return cursor.fetchone()[0]


def _minute_text(minute: int) -> str:
    start = datetime.fromtimestamp(minute * 60, tz=UTC)
    return f"{start:%H:%M} UTC {start:%Y-%m-%d}"


def _summary(bucket: AnonymousDenialBucket) -> str:
    return (
        f"{bucket.count - 1} nekade anonyma anrop under minuten {_minute_text(bucket.minute)}, "
        f"utöver minutens första som har en egen rad"
    )


def _flood_summary(minute: int, total: int, uncounted: int) -> str:
    return (
        f"{total} nekade anonyma anrop totalt under minuten {_minute_text(minute)}; {uncounted} av dem kom "
        f"över taket för hela portalen och har ingen rad eller räkning per klient"
    )


def flush_anonymous_denials(*, before_minute: int | None = None) -> int:
    """Write the summaries of every minute before ``before_minute`` (default: the current minute),
    delete those buckets and the salts of past days. Returns the number of summary rows written.

    One minute at a time, its buckets locked, summarised and deleted in one transaction, so two
    flushes at once (the daily job and a request) write each summary once, and the minute's total is
    compared with its per-client counts while both are there.
    """
    if before_minute is None:
        before_minute = minute_of(_now())
    written = 0
    while True:
        with transaction.atomic():
            oldest = (
                AnonymousDenialBucket.objects.filter(minute__lt=before_minute)
                .order_by("minute")
                .values_list("minute", flat=True)
                .first()
            )
            if oldest is None:
                break
            buckets = list(
                AnonymousDenialBucket.objects.select_for_update().filter(minute=oldest).order_by("client_ref")
            )
            clients = [bucket for bucket in buckets if bucket.client_ref != ALL_CLIENTS]
            for bucket in clients:
                if bucket.count > 1:  # the first was logged on its own; a lone refusal needs no summary
                    record(
                        action=SUMMARY_ACTION,
                        actor=None,
                        outcome=Outcome.DENIED,
                        object_type=CLIENT_OBJECT_TYPE,
                        object_id=bucket.client_ref,
                        detail=_summary(bucket),
                    )
                    written += 1
            # Every refusal below the global cap was counted for its client; the rest were not.
            total = sum(bucket.count for bucket in buckets if bucket.client_ref == ALL_CLIENTS)
            uncounted = total - sum(bucket.count for bucket in clients)
            if uncounted > 0:
                record(
                    action=FLOOD_ACTION,
                    actor=None,
                    outcome=Outcome.DENIED,
                    detail=_flood_summary(oldest, total, uncounted),
                )
                written += 1
            AnonymousDenialBucket.objects.filter(pk__in=[bucket.pk for bucket in buckets]).delete()
    AnonymousClientSalt.objects.filter(day__lt=_now().astimezone(UTC).date()).delete()
    return written


def note_anonymous_denial(request: HttpRequest, *, detail: str) -> bool:
    """Count one refused anonymous request; log it if it is the client's first this minute.

    Returns whether the client is to be answered 429 (over its own limit, or over the global cap).
    """
    minute = minute_of(_now())
    total = count_denial(client=ALL_CLIENTS, minute=minute)
    if total == 1:  # the minute's first anonymous refusal: the earlier minutes are complete
        flush_anonymous_denials(before_minute=minute)
    if total > settings.ANONYMOUS_DENIALS_GLOBAL_PER_MINUTE:
        return True
    client = client_ref(request)
    count = count_denial(client=client, minute=minute)
    if count == 1:
        record(
            action="request_denied",
            actor=None,  # anonymous: the client is named by its pseudonym below
            outcome=Outcome.DENIED,
            object_type=CLIENT_OBJECT_TYPE,
            object_id=client,
            detail=detail,
        )
    return count > settings.ANONYMOUS_DENIALS_PER_MINUTE
