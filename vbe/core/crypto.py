"""Application-level encryption of sensitive values (AES-256-GCM with a key id).

A ciphertext is the text ``v1:<key id>:<base64 nonce+ciphertext>``, so values written under an old key
still decrypt after a new key becomes current; a rotation command re-encrypts them.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"


class DecryptionError(Exception):
    pass


def _ring() -> dict[str, bytes]:
    return settings.FIELD_ENCRYPTION_KEYS


def current_key_id() -> str:
    return next(iter(_ring()))


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext``; ``context`` (e.g. "accounts.User.totp_secret") is bound as associated data,
    so a ciphertext copied into another column does not decrypt."""
    key_id = current_key_id()
    nonce = os.urandom(12)
    sealed = AESGCM(_ring()[key_id][:32]).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    try:
        prefix, key_id, body = token.split(":", 2)
        if prefix != PREFIX:
            raise ValueError("unknown format")
        raw = base64.b64decode(body)
        key = _ring()[key_id]
        return AESGCM(key[:32]).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except Exception as exc:  # any failure means the value cannot be trusted
        raise DecryptionError("Värdet kunde inte dekrypteras (fel nyckel eller ändrad data).") from exc
