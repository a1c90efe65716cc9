"""Settings helpers: read the environment, fail loudly at start-up on bad or missing values.

Every secret may also come from a file named by ``<NAME>_FILE`` (Docker/systemd secrets), so no
secret needs to live in the environment of the process or in the repository.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


class MissingSetting(ImproperlyConfigured):
    pass


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    """Return ``name`` from the environment, or from the file named by ``name``_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise MissingSetting(f"{name}_FILE={file_name} kan inte läsas: {exc}") from exc
    value = os.environ.get(name)
    if value is not None and value != "":
        return value
    if required:
        raise MissingSetting(
            f"Inställningen {name} saknas. Sätt miljövariabeln {name} eller {name}_FILE "
            f"(se README.md, avsnittet Drift)."
        )
    return default if default is not None else ""


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} är inte ett sanningsvärde (använd 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} är inte ett heltal.") from exc


def env_list(name: str, default: list[str] | None = None, *, required: bool = False) -> list[str]:
    raw = env_str(name, required=required)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


# What a key id may be. It is written into every access-log row, every ciphertext and every line of
# the audit checkpoint file (vbe.audit.checkpoints parses it with this same pattern), so an id outside
# it would make data unreadable later: refused at start-up instead.
KEY_ID = r"[A-Za-z0-9_.-]{1,32}"
_KEY_ID = re.compile(KEY_ID)


def parse_keyring(name: str, raw: str) -> dict[str, bytes]:
    """Parse ``id=secret,id2=secret2``: the first key is current, the rest verify or decrypt old data.

    Secrets are hex (64 hex digits = 32 bytes) so they survive any shell or file format. Ids match
    ``KEY_ID``; an id given twice is refused (which secret was meant?).
    """
    ring: dict[str, bytes] = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition("=")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not key_id:
            raise ImproperlyConfigured(f"{name}: varje nyckel skrivs id=hex, t.ex. k1=<64 hexsiffror>.")
        if not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"{name}: nyckel-id {key_id!r} är ogiltigt: använd 1–32 tecken av A–Z, a–z, 0–9, "
                f"understreck, punkt och bindestreck (t.ex. k1 eller 2026-01)."
            )
        if key_id in ring:
            raise ImproperlyConfigured(f"{name}: nyckel-id {key_id!r} förekommer två gånger.")
        try:
            key = bytes.fromhex(secret)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: nyckeln {key_id!r} är inte hex.") from exc
        if len(key) < 32:
            raise ImproperlyConfigured(f"{name}: nyckeln {key_id!r} är kortare än 32 byte.")
        ring[key_id] = key
    if not ring:
        raise ImproperlyConfigured(f"{name} innehåller ingen nyckel.")
    return ring


def local_secret(path: Path, n_bytes: int = 32) -> str:
    """A random secret kept in a file under var/ (demo and development only): stable across restarts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(os.urandom(n_bytes).hex(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
