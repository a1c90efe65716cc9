"""Red-team follow-up to issue 7: a key id that a checkpoint line cannot carry is refused up front."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from vbe.audit.checkpoints import CheckpointError, append_checkpoint
from vbe.audit.log import record
from vbe.core.env import parse_keyring

SECRET = "ab" * 32
BAD_IDS = ["2026/01", "k 1", "k" * 33, "nyckel-å", "k:1"]


@pytest.mark.parametrize("setting", ["AUDIT_HMAC_KEYS", "FIELD_ENCRYPTION_KEYS"])
@pytest.mark.parametrize("bad", BAD_IDS)
def test_the_key_ring_refuses_an_id_outside_the_checkpoint_pattern(setting, bad):
    with pytest.raises(ImproperlyConfigured, match=rf"^{setting}: nyckel-id .* är ogiltigt"):
        parse_keyring(setting, f"k0={SECRET},{bad}={SECRET}")


@pytest.mark.parametrize("good", ["k1", "2026-01", "a.b_C", "k" * 32])
def test_the_key_ring_accepts_ids_in_the_pattern(good):
    assert parse_keyring("AUDIT_HMAC_KEYS", f" {good} = {SECRET} ") == {good: bytes.fromhex(SECRET)}


def test_the_key_ring_refuses_the_same_id_twice():
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEYS: nyckel-id 'k1' förekommer två gånger"):
        parse_keyring("AUDIT_HMAC_KEYS", f"k1={SECRET},k1={'cd' * 32}")


def test_production_refuses_to_start_with_a_bad_key_id():
    from tests.test_settings_and_headers import PRODUCTION_ENV, _manage

    result = _manage("check", env={**PRODUCTION_ENV, "AUDIT_HMAC_KEYS": f"2026/01={SECRET}"})
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEYS: nyckel-id '2026/01' är ogiltigt" in result.stderr


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_checkpoint_line_that_would_not_read_back_is_never_written(db, checkpoint_path, settings, bad):
    """Settings changed behind the parser's back (or a parser bug) must not make the file unverifiable."""
    record(actor=None, action="rad")
    call_command("verify_audit_log", initialise=True)
    before = checkpoint_path.read_bytes()
    settings.AUDIT_HMAC_KEYS = {bad: b"n" * 32, **settings.AUDIT_HMAC_KEYS}
    with pytest.raises(CommandError, match=r"Kontrollpunkten kunde inte skrivas.*läsa tillbaka.*nyckel-id"):
        call_command("verify_audit_log")
    assert checkpoint_path.read_bytes() == before
    with pytest.raises(CheckpointError):
        append_checkpoint(entry_id=2, mac="a" * 64, prev=None, path=checkpoint_path.with_name("annan.log"))
    assert not checkpoint_path.with_name("annan.log").exists()
