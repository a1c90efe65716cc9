from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from vbe.audit.log import GENESIS, record, verify_chain
from vbe.audit.models import AccessLogEntry, Outcome


def _tamper(sql: str, params: list) -> None:
    """Change the log behind the application's back, as an attacker with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER audit_accesslogentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accesslogentry ENABLE TRIGGER audit_accesslogentry_append_only")


@pytest.fixture
def five_rows(db):
    return [record(actor=None, action=f"test_{i}", detail=f"rad {i}") for i in range(5)]


def test_rows_are_chained_from_genesis(five_rows):
    first, second = five_rows[0], five_rows[1]
    assert first.prev_mac == GENESIS
    assert second.prev_mac == first.mac
    assert [r.id for r in five_rows] == [1, 2, 3, 4, 5]
    assert verify_chain() == (5, None)


def test_verify_command_passes_on_a_clean_log(five_rows, capsys):
    call_command("verify_audit_log", initialise=True)  # the first run starts the checkpoint file
    assert "intakt: 6 rader" in capsys.readouterr().out


def test_changed_content_is_found_at_its_row(five_rows):
    _tamper("UPDATE audit_accesslogentry SET detail = %s WHERE id = %s", ["ändrad", 3])
    checked, broken = verify_chain()
    assert (checked, broken.entry_id) == (2, 3)
    with pytest.raises(CommandError, match="första brutna rad är 3"):
        call_command("verify_audit_log", initialise=True)


def test_removed_row_is_found(five_rows):
    _tamper("DELETE FROM audit_accesslogentry WHERE id = %s", [2])
    checked, broken = verify_chain()
    assert broken.entry_id == 2
    assert "saknas" in broken.reason


def test_removed_tail_is_found(five_rows):
    _tamper("DELETE FROM audit_accesslogentry WHERE id >= %s", [4])
    checked, broken = verify_chain()
    assert (checked, broken.entry_id) == (3, 4)


def test_a_row_recomputed_without_the_key_breaks_the_next_link(five_rows):
    # Changing a row and its own MAC is not enough without the key: the next row still points at the old MAC.
    _tamper("UPDATE audit_accesslogentry SET mac = %s WHERE id = %s", ["f" * 64, 2])
    _, broken = verify_chain()
    assert broken.entry_id == 2


def test_rows_under_an_old_key_still_verify_after_rotation(db, settings):
    old = settings.AUDIT_HMAC_KEYS
    record(actor=None, action="before_rotation")
    settings.AUDIT_HMAC_KEYS = {"k2": b"n" * 32, **old}
    entry = record(actor=None, action="after_rotation")
    assert entry.key_id == "k2"
    assert verify_chain() == (2, None)
    settings.AUDIT_HMAC_KEYS = {"k2": b"n" * 32}  # the old key withdrawn: its rows cannot be vouched for
    _, broken = verify_chain()
    assert broken.entry_id == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level guard exists on PostgreSQL")
def test_postgresql_rejects_update_and_delete(five_rows):
    for statement in ("UPDATE audit_accesslogentry SET detail = 'x' WHERE id = 1", "DELETE FROM audit_accesslogentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AccessLogEntry.objects.count() == 5


def test_denied_request_is_logged(cast):
    response = cast.client("staff").get("/loggkontroll/")
    assert response.status_code == 403
    entry = AccessLogEntry.objects.get(action="request_denied")
    assert entry.outcome == Outcome.DENIED
    assert entry.actor_id == cast["staff"].pk
    assert entry.actor_role == "staff"
    assert entry.actor_organisation == "Järva stadsdelsnämnd"
    assert entry.detail == "GET audit:access_log"
    assert entry.request_id == response["X-Request-ID"]


def test_auditor_reads_the_log_and_the_reading_is_logged(cast):
    record(action="sign_in", actor=cast["staff"])
    response = cast.client("auditor").get("/loggkontroll/", {"action": "sign_in"})
    assert response.status_code == 200
    assert b"staff@test.example" in response.content
    assert AccessLogEntry.objects.filter(action="access_log_viewed", actor_id=cast["auditor"].pk).count() == 1


def test_log_filter_with_bad_input_shows_an_error_not_a_crash(cast):
    response = cast.client("auditor").get("/loggkontroll/", {"date_from": "igår", "actor_id": "x"})
    assert response.status_code == 200
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in response.content.decode()


@override_settings(AUDIT_HMAC_KEYS={"k1": b"k" * 32})
def test_key_is_outside_the_database(db):
    entry = record(actor=None, action="x")
    other_key = {"k1": b"z" * 32}
    with override_settings(AUDIT_HMAC_KEYS=other_key):
        _, broken = verify_chain()
    assert broken.entry_id == entry.id
