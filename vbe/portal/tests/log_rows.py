"""Many access-log rows at chosen times, appended to the real chain as ``audit.log.record`` appends them.

The log refuses UPDATE and DELETE, so rows are only ever added: each continues the chain head (next id,
previous MAC, MAC under the current key), in one bulk insert, and ``verify_log`` still passes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from vbe.audit.log import GENESIS, compute_mac
from vbe.audit.models import AccessLogEntry, ChainHead, Outcome

UTC = datetime.UTC


def append_rows(specs: list[dict[str, Any]]) -> list[AccessLogEntry]:
    """One row per spec (``created_at`` required; ``action``, ``outcome``, ``actor_id``, … optional)."""
    key_id, key = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
        next_id, prev_mac = head.last_id + 1, head.last_mac or GENESIS
        entries = []
        for spec in specs:
            entry = AccessLogEntry(
                id=next_id,
                key_id=key_id,
                prev_mac=prev_mac,
                **{"action": "test_read", "outcome": Outcome.ALLOWED, **spec},
            )
            entry.mac = compute_mac(entry, key)
            entries.append(entry)
            next_id, prev_mac = next_id + 1, entry.mac
        AccessLogEntry.objects.bulk_create(entries, batch_size=500)
        head.last_id, head.last_mac = next_id - 1, prev_mac
        head.save(update_fields=["last_id", "last_mac"])
    return entries


def at(*parts: int) -> datetime.datetime:
    """A UTC instant: at(2025, 3, 29, 23) is 2025-03-29 23:00 UTC."""
    return datetime.datetime(*parts, tzinfo=UTC)
