"""Writing and verifying the access log. This is the one API every capability logs through.

Each row's MAC is HMAC-SHA-256 over its canonical content and the previous row's MAC, keyed by a
secret outside the database (settings.AUDIT_HMAC_KEYS). Changing, removing or reordering any row
breaks the chain from that row on, which ``verify_chain`` reports. Rows cut off the end are found
against the checkpoints that verification keeps outside the database (vbe.audit.checkpoints).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Protocol

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.audit.checkpoints import Checkpoint, read_checkpoints
from vbe.audit.models import AccessLogEntry, ChainHead, Outcome
from vbe.core.request_context import current_request_id

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
    values: dict[str, object] = {name: getattr(entry, name) for name in MAC_FIELDS}
    values["created_at"] = entry.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_mac(entry: AccessLogEntry, key: bytes) -> str:
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


class Actor(Protocol):
    """Who acts, as the log needs them: the portal's user (vbe.accounts.models.User). The log sits below
    accounts and knows the user only through these; an anonymous visitor is logged without a name."""

    @property
    def pk(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def is_authenticated(self) -> bool: ...

    def audit_facts(self, organisation_id: int | None = None) -> tuple[str, str]: ...


def _actor_facts(actor: Actor | AnonymousUser | None, organisation_id: int | None) -> dict[str, object]:
    if actor is None or not actor.is_authenticated:
        return {"actor_id": None, "actor_email": "", "actor_role": "", "actor_organisation": ""}
    role, organisation = actor.audit_facts(organisation_id)
    return {"actor_id": actor.pk, "actor_email": actor.email, "actor_role": role, "actor_organisation": organisation}


def _scope_of(obj: models.Model | None) -> int | None:
    """The organisation an object belongs to: its ``organisation_id``, or itself if it is one."""
    if obj is None:
        return None
    if obj._meta.label_lower == "organisations.organisation":
        return obj.pk
    return getattr(obj, "organisation_id", None)


def record(
    *,
    action: str,
    actor: Actor | AnonymousUser | None,
    outcome: str = Outcome.ALLOWED,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    subject_ref: str = "",
    legal_ground: str = "",
    detail: str = "",
    organisation_id: int | None = None,
) -> AccessLogEntry:
    """Append one row. ``actor``: who acted (None for the system itself, e.g. a scheduled job);
    ``obj`` fills type and id. The row carries the id of the request being answered, if any
    (vbe.core.request_context).

    ``organisation_id`` is the organisation in whose scope the access happened (for a reader who came
    through a disclosure: the disclosure's organisation). It picks which of the actor's memberships
    the row names; without it, the object's organisation is used.
    """
    if organisation_id is None:
        organisation_id = _scope_of(obj)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    key_id, key = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AccessLogEntry(
            id=head.last_id + 1,
            created_at=timezone.now(),
            action=action,
            outcome=outcome,
            object_type=object_type,
            object_id=object_id,
            subject_ref=subject_ref,
            legal_ground=legal_ground[:200],
            request_id=current_request_id(),
            detail=detail[:500],
            key_id=key_id,
            prev_mac=head.last_mac or GENESIS,
            **_actor_facts(actor, organisation_id),
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


@dataclass(frozen=True)
class Verification:
    checked: int  # rows checked in this run (from row 1, or from the checkpointed row on)
    last_mac: str  # the MAC of row ``last_id`` (GENESIS for an empty log)
    broken: Break | None
    last_id: int = 0  # the last row found intact
    since: Checkpoint | None = None  # the checkpoint the run started from; None: the whole chain


def _tail_cut(last_id: int, anchor: Checkpoint) -> Break:
    return Break(
        last_id + 1,
        _(
            "loggen slutar vid rad %(last)s, men kontrollpunkten från %(at)s (rad %(line)s i kontrollpunktsfilen) "
            "intygade att den nådde rad %(row)s: rader har tagits bort från slutet"
        )
        % {"last": last_id, "at": anchor.at_text, "line": anchor.line_no, "row": anchor.entry_id},
    )


def verify_log(
    chunk_size: int = 5000, *, anchors: Sequence[Checkpoint] | None = None, since: Checkpoint | None = None
) -> Verification:
    """Check the rows in order, then the chain head and the checkpoints outside the database.

    Without ``since`` every row from row 1 is checked. With ``since`` (the newest checkpoint) the run
    starts at the row it vouches for: that row's own MAC is checked under its key and must equal the
    checkpoint's, which pins every row before it (they were checked when the checkpoint was written,
    and changing any of them needs the key to recompute every MAC up to this one). Rows before it are
    then not read again; ``verify_audit_log --full`` reads them all.

    The chain head is read before the rows: rows appended while the check runs only extend the
    log, so they never look like a mismatch. The head alone proves nothing (whoever can cut rows can
    rewrite it), which is why the checkpoints are checked too. ``anchors`` defaults to those in
    settings.AUDIT_CHECKPOINT_PATH; an untrustworthy file raises CheckpointError.
    """
    if anchors is None:
        anchors = read_checkpoints()
    keys = settings.AUDIT_HMAC_KEYS
    head = ChainHead.objects.filter(pk=1).first()
    anchored: dict[int, list[Checkpoint]] = {}
    for anchor in [*anchors, since] if since is not None else anchors:
        anchored.setdefault(anchor.entry_id, []).append(anchor)
    expected_prev, expected_id, checked = GENESIS, 1, 0

    def result(broken: Break | None = None) -> Verification:
        return Verification(checked, expected_prev, broken, expected_id - 1, since)

    rows = AccessLogEntry.objects.order_by("id")
    if since is not None:
        start = AccessLogEntry.objects.filter(id=since.entry_id).first()
        if start is None:
            last = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
            if last < since.entry_id:
                return Verification(0, "", _tail_cut(last, since), last, since)
            reason = _("rad %(row)s saknas, fast kontrollpunkten från %(at)s intygade den") % {
                "row": since.entry_id,
                "at": since.at_text,
            }
            return Verification(0, "", Break(since.entry_id, reason), since.entry_id - 1, since)
        # The checkpointed row is checked as if the chain reached it intact (the checkpoint says it did).
        expected_prev, expected_id = start.prev_mac, start.id
        rows = rows.filter(id__gte=start.id)

    for entry in rows.iterator(chunk_size=chunk_size):
        if entry.id != expected_id:
            missing = _("rad %(row)s saknas (nästa rad är %(next)s)") % {"row": expected_id, "next": entry.id}
            return result(Break(expected_id, missing))
        if entry.prev_mac != expected_prev:
            return result(Break(entry.id, _("kedjan är bruten: föregående MAC stämmer inte")))
        key = keys.get(entry.key_id)
        if key is None:
            return result(Break(entry.id, _("okänd nyckel %(key)r") % {"key": entry.key_id}))
        if not hmac.compare_digest(compute_mac(entry, key), entry.mac):
            return result(Break(entry.id, _("innehållet har ändrats (MAC stämmer inte)")))
        for anchor in anchored.get(entry.id, ()):
            if not hmac.compare_digest(anchor.mac, entry.mac):
                return result(
                    Break(
                        entry.id,
                        _(
                            "raden är inte den som kontrollpunkten från %(at)s (rad %(line)s i kontrollpunktsfilen) "
                            "intygade: loggen har skrivits om från hit eller tidigare"
                        )
                        % {"at": anchor.at_text, "line": anchor.line_no},
                    )
                )
        if head is not None and head.last_id == entry.id and not hmac.compare_digest(head.last_mac, entry.mac):
            return result(Break(entry.id, _("kedjans huvud pekar på en annan MAC än radens")))
        expected_prev, expected_id, checked = entry.mac, expected_id + 1, checked + 1
    last_id = expected_id - 1
    if head is None and last_id:
        return result(Break(last_id, _("kedjans huvud saknas, fast loggen har rader")))
    if head is not None and head.last_id > last_id:
        cut = _("loggen slutar vid rad %(last)s men ska ha %(rows)s rader") % {"last": last_id, "rows": head.last_id}
        return result(Break(last_id + 1, cut))
    if anchors:
        newest = max(anchors, key=lambda anchor: anchor.entry_id)
        if newest.entry_id > last_id:
            return result(_tail_cut(last_id, newest))
    return result()


def verify_chain(chunk_size: int = 5000, *, anchors: Sequence[Checkpoint] | None = None) -> tuple[int, Break | None]:
    """Check every row in order. Returns (rows checked, first break or None)."""
    verification = verify_log(chunk_size, anchors=anchors)
    return verification.checked, verification.broken
