"""Checkpoints: the access log's chain anchored outside the database.

The HMAC chain shows any change to a row, but not rows cut off the end by someone who can also
rewrite the chain head (a database superuser). So after every successful verification,
``verify_audit_log`` appends one line to a file outside the database (settings.AUDIT_CHECKPOINT_PATH):
the last verified row's id and MAC, the time, the previous line's signature, and an HMAC signature
over all of it under the current audit key, whose id the line names so that lines signed before a
key rotation still verify. The next verification fails when the log no longer reaches a checkpointed
row, or that row's MAC differs.

The lines form a chain of their own (each signs the one before, the first signs zeros), so a line
removed, moved or added anywhere but at the end breaks it. Lines cut off the end of the file cannot
be seen in the file itself: each line is therefore also written to the ``vbe.audit.checkpoint``
logger, for the city's log shipping to carry off the host, and ``verify_audit_log --against COPY``
checks that every line of such a copy is still in the file.

The file is only ever appended to (O_APPEND, under an exclusive lock) and read whole; every line
must verify.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.core.env import KEY_ID

VERSION = "vbe-audit-checkpoint v2"
GENESIS_SIG = "0" * 64  # what the first line of a file signs as its predecessor
LINE = re.compile(
    rf"{VERSION} id=(?P<id>[1-9][0-9]{{0,18}}) mac=(?P<mac>[0-9a-f]{{64}}) "
    r"at=(?P<at>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z) "
    rf"key=(?P<key>{KEY_ID}) prev=(?P<prev>[0-9a-f]{{64}}) sig=(?P<sig>[0-9a-f]{{64}})"
)
# Where the shipped copy of each line goes; settings.LOGGING keeps it at INFO whatever LOG_LEVEL says.
shipping = logging.getLogger("vbe.audit.checkpoint")


class CheckpointError(Exception):
    """The checkpoint file cannot be trusted; the message names the line and the problem (Swedish)."""


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    mac: str
    at: datetime
    key_id: str
    prev: str = GENESIS_SIG
    sig: str = ""
    line_no: int = 0

    @property
    def at_text(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} UTC"

    @property
    def text(self) -> str:
        """The line as written (without its newline): what a shipped copy must contain verbatim."""
        at = self.at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{VERSION} id={self.entry_id} mac={self.mac} at={at} key={self.key_id} prev={self.prev} sig={self.sig}"


def _signature(key: bytes, *, entry_id: int, mac: str, at: str, key_id: str, prev: str) -> str:
    # A prefix of its own, so a checkpoint signature can never pass for a log row's MAC or vice versa.
    payload = f"{VERSION}|{entry_id}|{mac}|{at}|{key_id}|{prev}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_PATH)


def format_line(*, entry_id: int, mac: str, at: datetime, key_id: str, key: bytes, prev: str) -> str:
    at_text = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = _signature(key, entry_id=entry_id, mac=mac, at=at_text, key_id=key_id, prev=prev)
    return f"{VERSION} id={entry_id} mac={mac} at={at_text} key={key_id} prev={prev} sig={sig}\n"


def parse_line(line: str, *, line_no: int, source: Path | str, keys: dict[str, bytes]) -> Checkpoint:
    """One line, its signature verified; the chain to the line before is the caller's to check."""
    match = LINE.fullmatch(line)
    if match is None:
        raise CheckpointError(
            _("%(source)s, rad %(line)s: raden går inte att läsa som en kontrollpunkt.")
            % {"source": source, "line": line_no}
        )
    key = keys.get(match["key"])
    if key is None:
        raise CheckpointError(
            _("%(source)s, rad %(line)s: okänd nyckel %(key)r (finns den kvar i AUDIT_HMAC_KEYS?).")
            % {"source": source, "line": line_no, "key": match["key"]}
        )
    expected = _signature(
        key, entry_id=int(match["id"]), mac=match["mac"], at=match["at"], key_id=match["key"], prev=match["prev"]
    )
    if not hmac.compare_digest(expected, match["sig"]):
        raise CheckpointError(
            _("%(source)s, rad %(line)s: signaturen stämmer inte (raden har ändrats eller skrivits utan nyckeln).")
            % {"source": source, "line": line_no}
        )
    at = datetime.strptime(match["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return Checkpoint(int(match["id"]), match["mac"], at, match["key"], match["prev"], match["sig"], line_no)


def _check_link(checkpoint: Checkpoint, before: Checkpoint | None, source: Path | str) -> None:
    if checkpoint.prev != (before.sig if before else GENESIS_SIG):
        where = _("rad %(line)s") % {"line": before.line_no} if before else _("filens början")
        raise CheckpointError(
            _(
                "%(source)s, rad %(line)s: kedjan av kontrollpunkter är bruten (raden pekar inte på %(where)s): "
                "rader har tagits bort, flyttats eller lagts till i filen."
            )
            % {"source": source, "line": checkpoint.line_no, "where": where}
        )
    if before is not None and checkpoint.entry_id < before.entry_id:
        raise CheckpointError(
            _(
                "%(source)s, rad %(line)s: kontrollpunkten intygar rad %(row)s, färre än raden före (%(before)s): "
                "loggen har klippts och filen fortsatt ändå."
            )
            % {"source": source, "line": checkpoint.line_no, "row": checkpoint.entry_id, "before": before.entry_id}
        )


def _lines_of(raw: bytes, path: Path) -> list[str]:
    text = raw.decode("utf-8", errors="replace")  # a foreign byte then fails its line's pattern, by line number
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] != "":
        raise CheckpointError(
            _("%(path)s, rad %(line)s: raden är ofullständig (saknar radslut).") % {"path": path, "line": len(lines)}
        )
    return lines[:-1]


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first; [] when there is no file or it is empty.

    No line is skipped: one that does not parse, verify or chain to the line before raises
    CheckpointError, and so does a last line without its newline (a write cut short is something to
    look into, not to pass over). Whether an empty result is acceptable is the caller's decision.
    """
    path = path or checkpoint_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CheckpointError(
            _("%(path)s går inte att läsa: %(reason)s.") % {"path": path, "reason": exc.strerror}
        ) from exc
    keys = settings.AUDIT_HMAC_KEYS
    checkpoints: list[Checkpoint] = []
    for n, line in enumerate(_lines_of(raw, path), start=1):
        checkpoint = parse_line(line, line_no=n, source=path, keys=keys)
        _check_link(checkpoint, checkpoints[-1] if checkpoints else None, path)
        checkpoints.append(checkpoint)
    return checkpoints


def append_checkpoint(*, entry_id: int, mac: str, prev: Checkpoint | None, path: Path | None = None) -> Checkpoint:
    """Append one signed line chained to ``prev`` (the file's last line, None for an empty file).

    The line is parsed back before it is written, so the file never gets a line that a later run could
    not read (a key id outside the pattern, say). The file is opened with O_APPEND and locked, and the
    line is written only if ``prev`` is still the file's last line: two runs at once cannot fork the
    chain. Then the line goes to the ``vbe.audit.checkpoint`` logger, to be shipped off the host.
    """
    path = path or checkpoint_path()
    key_id, key = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    at = timezone.now().replace(microsecond=0)
    prev_sig = prev.sig if prev is not None else GENESIS_SIG
    line = format_line(entry_id=entry_id, mac=mac, at=at, key_id=key_id, key=key, prev=prev_sig)
    try:
        checkpoint = parse_line(line[:-1], line_no=(prev.line_no if prev else 0) + 1, source=path, keys={key_id: key})
    except CheckpointError as exc:
        raise CheckpointError(
            _(
                "den nya raden skulle inte gå att läsa tillbaka (%(error)s); nyckel-id %(key)r i AUDIT_HMAC_KEYS "
                "måste bestå av 1–32 tecken av A–Z, a–z, 0–9, _ . -"
            )
            % {"error": exc, "key": key_id}
        ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _last_signature(fd, path) != prev_sig:
            raise CheckpointError(
                _(
                    "%(path)s har ändrats sedan den lästes (en annan körning skrev en kontrollpunkt under "
                    "tiden?); kör kontrollen igen."
                )
                % {"path": path}
            )
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock
    shipping.info(checkpoint.text)
    return checkpoint


def _last_signature(fd: int, path: Path) -> str:
    """The signature of the file's last line, GENESIS_SIG for an empty file (read under the lock)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return GENESIS_SIG
    tail = os.pread(fd, min(size, 4096), max(0, size - 4096)).decode("ascii", errors="replace")
    if not tail.endswith("\n"):
        raise CheckpointError(_("%(path)s: sista raden är ofullständig (saknar radslut).") % {"path": path})
    found = re.search(r"sig=([0-9a-f]{64})\n\Z", tail)
    return found[1] if found else ""


@dataclass(frozen=True)
class CopyComparison:
    found: list[Checkpoint]  # the checkpoint lines of the copy, each verified (line_no: in the copy)
    missing: list[Checkpoint]  # lines of the copy (line_no: in the copy) that the local file lacks
    local_only: int  # local lines the copy lacks (not yet shipped, or lost on the way)


def compare_with_copy(copy: Path, local: Sequence[Checkpoint]) -> CopyComparison:
    """Check an off-host copy of the lines (plain, or syslog lines with a prefix) against the file.

    Every checkpoint line in the copy must verify and be in the local file verbatim; anything else in
    the copy (other log lines) is ignored. A line of the copy missing locally means the local file was
    cut or rewritten after the line was shipped.
    """
    try:
        raw = copy.read_bytes()
    except OSError as exc:
        raise CheckpointError(
            _("%(path)s går inte att läsa: %(reason)s.") % {"path": copy, "reason": exc.strerror}
        ) from exc
    keys = settings.AUDIT_HMAC_KEYS
    local_texts = {checkpoint.text for checkpoint in local}
    found: list[Checkpoint] = []
    for n, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        start = line.find(VERSION + " ")
        if start < 0:
            continue
        found.append(parse_line(line[start:].rstrip(), line_no=n, source=copy, keys=keys))
    if not found:
        raise CheckpointError(_("%(path)s innehåller inga kontrollpunkter (fel fil?).") % {"path": copy})
    copy_texts = {checkpoint.text for checkpoint in found}
    missing = [checkpoint for checkpoint in found if checkpoint.text not in local_texts]
    return CopyComparison(found, missing, len(local_texts - copy_texts))
