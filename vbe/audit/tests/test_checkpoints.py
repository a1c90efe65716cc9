"""Item 5 of issue 7: the chain is anchored outside the database, and TRUNCATE is refused."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from vbe.audit.log import record, verify_chain
from vbe.audit.models import AccessLogEntry, ChainHead
from vbe.audit.tests.test_access_log import _tamper


@pytest.fixture
def five_rows(db):
    return [record(actor=None, action=f"test_{i}", detail=f"rad {i}") for i in range(5)]


def _superuser_cuts_the_tail(from_id: int) -> None:
    """What a database superuser can do: delete the newest rows past the trigger, then make the chain
    head point at the new last row, so that the database alone shows a consistent, shorter log."""
    _tamper("DELETE FROM audit_accesslogentry WHERE id >= %s", [from_id])
    last = AccessLogEntry.objects.order_by("-id").first()
    ChainHead.objects.filter(pk=1).update(last_id=last.id, last_mac=last.mac)


def test_a_cut_tail_with_a_rewritten_chain_head_fails_against_the_checkpoint(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)  # checkpoint at row 6, the initialisation's own row
    _superuser_cuts_the_tail(4)
    with pytest.raises(CommandError, match=r"slutar vid rad 3\b.*kontrollpunkt.*rad 6"):
        call_command("verify_audit_log")
    checked, broken = verify_chain()
    assert (checked, broken.entry_id) == (3, 4)


def test_a_cut_tail_refilled_by_new_rows_fails_on_the_checkpointed_mac(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    _superuser_cuts_the_tail(4)
    for _ in range(3):
        record(actor=None, action="efter_klippet")  # the log is long enough again, but row 6 is another row
    with pytest.raises(CommandError, match=r"första brutna rad är 6 .*kontrollpunkt"):
        call_command("verify_audit_log")


def test_a_rewritten_chain_head_alone_is_not_trusted(five_rows):
    ChainHead.objects.filter(pk=1).update(last_mac="e" * 64)
    _, broken = verify_chain()
    assert broken is not None and broken.entry_id == 5
    assert "kedjans huvud" in broken.reason


def test_a_missing_chain_head_with_rows_is_a_break(five_rows):
    ChainHead.objects.filter(pk=1).delete()
    _, broken = verify_chain()
    assert broken is not None and "kedjans huvud saknas" in broken.reason


def test_each_verification_appends_one_signed_line_and_never_rewrites(five_rows, checkpoint_path, capsys):
    call_command("verify_audit_log", initialise=True)
    first = checkpoint_path.read_text(encoding="utf-8")
    record(actor=None, action="en_till")
    call_command("verify_audit_log")
    second = checkpoint_path.read_text(encoding="utf-8")
    assert second.startswith(first)
    lines = second.splitlines()
    assert len(lines) == 2
    assert " id=6 " in lines[0] and " id=7 " in lines[1]
    assert f"mac={AccessLogEntry.objects.get(id=7).mac}" in lines[1]
    assert "Kontrollpunkt" in capsys.readouterr().out


def _flip_first_hex_after(line: str, marker: str) -> str:
    at = line.index(marker) + len(marker)
    return line[:at] + ("1" if line[at] == "0" else "0") + line[at + 1 :]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda line: line.replace(" id=6 ", " id=4 "), "signaturen stämmer inte"),
        (lambda line: _flip_first_hex_after(line, "mac="), "signaturen stämmer inte"),
        (lambda line: _flip_first_hex_after(line, "sig="), "signaturen stämmer inte"),
        (lambda line: line[:-20] + "\n", "går inte att läsa"),
        (lambda line: line + "skräp\n", "går inte att läsa"),
        (lambda line: line.replace(" key=", " key=okand"), "okänd nyckel"),
    ],
)
def test_a_tampered_checkpoint_file_fails_verification(five_rows, checkpoint_path, change, message):
    call_command("verify_audit_log", initialise=True)
    checkpoint_path.write_text(change(checkpoint_path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("verify_audit_log")


def test_checkpoints_under_an_old_key_still_verify_after_rotation(five_rows, checkpoint_path, settings):
    call_command("verify_audit_log", initialise=True)
    settings.AUDIT_HMAC_KEYS = {"k2": b"n" * 32, **settings.AUDIT_HMAC_KEYS}
    call_command("verify_audit_log")
    lines = checkpoint_path.read_text(encoding="utf-8").splitlines()
    assert " key=k2 " in lines[1] and " key=k2 " not in lines[0]
    settings.AUDIT_HMAC_KEYS = {"k2": b"n" * 32}  # the first line's key withdrawn: it cannot be vouched for
    with pytest.raises(CommandError, match="rad 1: okänd nyckel"):
        call_command("verify_audit_log")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level guard exists on PostgreSQL")
def test_postgresql_refuses_truncate(five_rows):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_accesslogentry")
    assert AccessLogEntry.objects.count() == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level guard exists on PostgreSQL")
def test_flush_outside_the_test_suite_cannot_empty_the_log(five_rows, settings):
    settings.VBE_ENV = "production"
    with pytest.raises(CommandError), transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)
    assert AccessLogEntry.objects.count() == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level guard exists on PostgreSQL")
def test_the_test_suites_flush_switches_the_guard_off_only_for_itself():
    record(actor=None, action="vor_dem_flush")
    call_command("flush", interactive=False, verbosity=0)
    assert not AccessLogEntry.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_accesslogentry")


def test_production_refuses_to_start_without_a_checkpoint_path():
    from tests.test_settings_and_headers import PRODUCTION_ENV, _manage

    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "AUDIT_CHECKPOINT_PATH"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Inställningen AUDIT_CHECKPOINT_PATH saknas" in result.stderr
