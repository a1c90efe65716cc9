"""Writing and verifying the access log. This is the one API every capability logs through.

Each row's MAC is HMAC-SHA-256 over its canonical content and the previous row's MAC, keyed by a
secret outside the database (settings.AUDIT_HMAC_KEYS). Changing, removing or reordering any row
breaks the chain from that row on, which ``verify_chain`` reports.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vbe.audit.models import AccessLogEntry, ChainHead, Outcome

GENESIS = "0" * 64
MAC_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_email",
    "actor_role",
    "actor_organisation",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "subject_ref",
    "legal_ground",
    "request_id",
    "detail",
    "key_id",
    "prev_mac",
)


def _canonical(entry: AccessLogEntry) -> bytes:
    values: dict[str, Any] = {name: getattr(entry, name) for name in MAC_FIELDS}
    values["created_at"] = entry.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_mac(entry: AccessLogEntry, key: bytes) -> str:
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


def _actor_facts(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_email": "", "actor_role": "", "actor_organisation": ""}
    from vbe.accounts.permissions import primary_membership

    membership = primary_membership(actor)
    return {
        "actor_id": actor.pk,
        "actor_email": actor.email,
        "actor_role": membership.role if membership else "",
        "actor_organisation": membership.organisation.name if membership else "",
    }


def record(
    *,
    action: str,
    request: Any = None,
    actor: Any = None,
    outcome: str = Outcome.ALLOWED,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    subject_ref: str = "",
    legal_ground: str = "",
    detail: str = "",
) -> AccessLogEntry:
    """Append one row. ``actor`` defaults to the request's user; ``obj`` fills type and id."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    key_id, key = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AccessLogEntry(
            id=head.last_id + 1,
            created_at=timezone.now(),
            action=action,
            outcome=outcome,
            object_type=object_type,
            object_id=object_id,
            subject_ref=subject_ref,
            legal_ground=legal_ground[:200],
            request_id=getattr(request, "request_id", "") if request is not None else "",
            detail=detail[:500],
            key_id=key_id,
            prev_mac=head.last_mac or GENESIS,
            **_actor_facts(actor),
        )
        entry.mac = compute_mac(entry, key)
        AccessLogEntry.objects.bulk_create([entry])  # insert only: never an UPDATE on the log
        head.last_id, head.last_mac = entry.id, entry.mac
        head.save(update_fields=["last_id", "last_mac"])
    return entry


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def verify_chain(chunk_size: int = 5000) -> tuple[int, Break | None]:
    """Check every row in order. Returns (rows checked, first break or None)."""
    keys = settings.AUDIT_HMAC_KEYS
    expected_prev, expected_id, checked = GENESIS, 1, 0
    rows: Iterator[AccessLogEntry] = AccessLogEntry.objects.order_by("id").iterator(chunk_size=chunk_size)
    for entry in rows:
        if entry.id != expected_id:
            return checked, Break(expected_id, f"rad {expected_id} saknas (nästa rad är {entry.id})")
        if entry.prev_mac != expected_prev:
            return checked, Break(entry.id, "kedjan är bruten: föregående MAC stämmer inte")
        key = keys.get(entry.key_id)
        if key is None:
            return checked, Break(entry.id, f"okänd nyckel {entry.key_id!r}")
        if not hmac.compare_digest(compute_mac(entry, key), entry.mac):
            return checked, Break(entry.id, "innehållet har ändrats (MAC stämmer inte)")
        expected_prev, expected_id, checked = entry.mac, expected_id + 1, checked + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_id != checked:
        return checked, Break(checked + 1, f"loggen slutar vid rad {checked} men ska ha {head.last_id} rader")
    return checked, None
