"""A city-year's access log, appended to the real HMAC chain."""

from __future__ import annotations

import random

from django.conf import settings
from django.db import connection

from vbe.audit.log import GENESIS, compute_mac
from vbe.audit.models import AccessLogEntry, ChainHead, Outcome
from vbe.concerns.models import Concern
from vbe.demo.scale.base import (
    BATCH,
    City,
    Volumes,
    Year,
)

LOG_ACTIONS = [
    ("concern_viewed", Outcome.ALLOWED, 30),
    ("incident_viewed", Outcome.ALLOWED, 25),
    ("plan_viewed", Outcome.ALLOWED, 15),
    ("sign_in", Outcome.ALLOWED, 18),
    ("sign_in_failed", Outcome.FAILED, 3),
    ("request_denied", Outcome.DENIED, 4),
    ("report_downloaded", Outcome.ALLOWED, 5),
]


def add_access_log(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """The year's access log, appended to the real chain under its lock (as ``audit.log.record`` does)."""
    count = volumes.log_rows
    if count <= 0:
        return 0
    actions = [a for a, _, _ in LOG_ACTIONS]
    outcomes = {a: o for a, o, _ in LOG_ACTIONS}
    weights = [w for _, _, w in LOG_ACTIONS]
    subjects = list(
        Concern.objects.filter(idempotency_key__startswith=f"scale-{year.number}-").values_list("pk", "reference")[
            :2000
        ]
    )
    key_id, key = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
    next_id, prev_mac = head.last_id + 1, head.last_mac or GENESIS
    moments = year.moments(rng, count)
    for start in range(0, count, BATCH):
        rows = []
        for moment in moments[start : start + BATCH]:
            user_id, email, role, organisation = rng.choice(city.people)
            action = rng.choices(actions, weights)[0]
            entry = AccessLogEntry(
                id=next_id,
                created_at=moment,
                actor_id=user_id,
                actor_email=email,
                actor_role=role,
                actor_organisation=organisation,
                action=action,
                outcome=outcomes[action],
                key_id=key_id,
                prev_mac=prev_mac,
                request_id=f"{rng.getrandbits(64):016x}",
            )
            if action == "concern_viewed" and subjects:
                pk, reference = rng.choice(subjects)
                entry.object_type, entry.object_id, entry.subject_ref = "concerns.concern", str(pk), reference
            entry.mac = compute_mac(entry, key)
            rows.append(entry)
            next_id, prev_mac = next_id + 1, entry.mac
        _append(rows)
    head.last_id, head.last_mac = next_id - 1, prev_mac
    head.save(update_fields=["last_id", "last_mac"])
    return count


LOG_COLUMNS = [f.column for f in AccessLogEntry._meta.concrete_fields]


def _append(rows: list[AccessLogEntry]) -> None:
    """Insert only, never an UPDATE. PostgreSQL's COPY writes a few hundred thousand rows a second."""
    if connection.vendor != "postgresql":
        AccessLogEntry.objects.bulk_create(rows)
        return
    fields = AccessLogEntry._meta.concrete_fields
    copy_sql = f"COPY audit_accesslogentry ({', '.join(LOG_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row([getattr(row, f.attname) for f in fields])
