"""Red-team follow-up to item 5 of issue 7: the checkpoints cannot be lost, cut or bypassed quietly."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from vbe.audit.checkpoints import CheckpointError, append_checkpoint, read_checkpoints
from vbe.audit.log import record
from vbe.audit.models import AccessLogEntry
from vbe.audit.tests.test_access_log import _tamper
from vbe.audit.tests.test_checkpoints import _superuser_cuts_the_tail

SHIPPED = "vbe.audit.checkpoint"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own guards")


@pytest.fixture
def five_rows(db):
    return [record(actor=None, action=f"test_{i}", detail=f"rad {i}") for i in range(5)]


@pytest.fixture
def shipped(caplog):
    """The checkpoint lines as the city's log shipping receives them (the logger's records)."""
    caplog.set_level(logging.INFO, logger=SHIPPED)
    return lambda: [r.getMessage() for r in caplog.records if r.name == SHIPPED]


# --- a lost or emptied checkpoint file -------------------------------------------------------------


def test_a_missing_checkpoint_file_fails_while_the_log_has_rows(five_rows, checkpoint_path):
    assert not checkpoint_path.exists()
    with pytest.raises(CommandError, match=r"Kontrollpunktsfilen .* saknas eller är tom.*--initialise"):
        call_command("verify_audit_log")
    assert not checkpoint_path.exists()


def test_a_lost_checkpoint_file_does_not_let_a_tail_cut_through(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    checkpoint_path.unlink()
    _superuser_cuts_the_tail(4)
    with pytest.raises(CommandError, match="saknas eller är tom"):
        call_command("verify_audit_log")


def test_an_emptied_checkpoint_file_fails(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    checkpoint_path.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="saknas eller är tom"):
        call_command("verify_audit_log")


def test_initialise_starts_the_file_and_is_itself_logged(five_rows, checkpoint_path, capsys):
    call_command("verify_audit_log", initialise=True)
    row = AccessLogEntry.objects.get(action="audit_checkpoints_initialised")
    assert row.id == 6 and "--initialise" in row.detail
    (line,) = checkpoint_path.read_text(encoding="utf-8").splitlines()
    assert f" id=6 mac={row.mac} " in line
    call_command("verify_audit_log")  # from now on without the flag
    assert len(checkpoint_path.read_text(encoding="utf-8").splitlines()) == 2


def test_initialise_is_refused_when_the_file_has_checkpoints(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    before = AccessLogEntry.objects.count()
    with pytest.raises(CommandError, match="--initialise används bara när"):
        call_command("verify_audit_log", initialise=True)
    assert AccessLogEntry.objects.count() == before


# --- chained lines, shipped off the host and compared -----------------------------------------------


def _three_lines(checkpoint_path) -> list[str]:
    call_command("verify_audit_log", initialise=True)
    record(actor=None, action="mer")
    call_command("verify_audit_log")
    record(actor=None, action="mer")
    call_command("verify_audit_log")
    lines = checkpoint_path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 3
    return lines


@pytest.mark.parametrize(
    "change",
    [lambda lines: [lines[0], lines[2]], lambda lines: [lines[0], lines[2], lines[1]], lambda lines: lines[1:]],
)
def test_lines_removed_or_moved_inside_the_checkpoint_file_break_its_chain(five_rows, checkpoint_path, change):
    checkpoint_path.write_text("".join(change(_three_lines(checkpoint_path))), encoding="utf-8")
    with pytest.raises(CommandError, match="kedjan av kontrollpunkter är bruten"):
        call_command("verify_audit_log")


def test_every_checkpoint_line_is_also_logged_for_shipping_off_the_host(five_rows, checkpoint_path, shipped):
    lines = _three_lines(checkpoint_path)
    assert shipped() == [line.rstrip("\n") for line in lines]


def test_newest_lines_cut_with_the_log_are_found_against_the_off_host_copy(
    five_rows, checkpoint_path, shipped, tmp_path
):
    _three_lines(checkpoint_path)  # checkpoints at rows 6, 7, 8
    copy = tmp_path / "syslog"
    copy.write_text("".join(f"Mar  2 03:00:01 app1 vbe[4711]: {m}\n" for m in shipped()), encoding="utf-8")
    # Someone with root on the host and superuser in the database: drop the newest two checkpoint
    # lines and cut the log back to the row the remaining line vouches for.
    lines = checkpoint_path.read_text(encoding="utf-8").splitlines(keepends=True)
    checkpoint_path.write_text(lines[0], encoding="utf-8")
    _superuser_cuts_the_tail(7)
    call_command("verify_audit_log")  # the local file alone cannot tell (README says so) ...
    with pytest.raises(
        CommandError,
        match=r"2 kontrollpunkter som saknas i .*rad 8 i loggen.*Loggen stämmer inte heller.*slutar vid rad 6",
    ):
        call_command("verify_audit_log", against=str(copy))  # ... the copy off the host can


def test_an_intact_file_passes_against_its_off_host_copy(five_rows, checkpoint_path, shipped, tmp_path):
    _three_lines(checkpoint_path)
    copy = tmp_path / "copy.log"
    copy.write_text("other noise\n" + "".join(f"<14>vbe: {m}\n" for m in shipped()[:2]), encoding="utf-8")
    out = StringIO()
    call_command("verify_audit_log", against=str(copy), stdout=out)
    assert "alla 2 kontrollpunkter i kopian finns" in out.getvalue()


def test_a_forged_line_in_the_off_host_copy_is_refused(five_rows, checkpoint_path, shipped, tmp_path):
    _three_lines(checkpoint_path)
    forged = shipped()[0].replace(" id=6 ", " id=9 ")
    copy = tmp_path / "copy.log"
    copy.write_text(forged + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="signaturen stämmer inte"):
        call_command("verify_audit_log", against=str(copy))


# --- incremental verification ------------------------------------------------------------------------


def test_verification_starts_at_the_newest_checkpoint_and_full_checks_everything(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    record(actor=None, action="ny")
    record(actor=None, action="ny")
    _tamper("UPDATE audit_accesslogentry SET detail = %s WHERE id = %s", ["ändrad", 2])
    out = StringIO()
    call_command("verify_audit_log", stdout=out)  # rows 1-6 were verified when row 6 was checkpointed
    assert "intakt till rad 8: 2 nya rader" in out.getvalue()
    with pytest.raises(CommandError, match="första brutna rad är 2"):
        call_command("verify_audit_log", full=True)


def test_incremental_verification_still_finds_changes_after_the_checkpoint(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    record(actor=None, action="ny")
    record(actor=None, action="ny")
    _tamper("UPDATE audit_accesslogentry SET detail = %s WHERE id = %s", ["ändrad", 7])
    with pytest.raises(CommandError, match="första brutna rad är 7"):
        call_command("verify_audit_log")


def test_incremental_verification_checks_the_checkpointed_row_itself(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    _tamper("UPDATE audit_accesslogentry SET detail = %s WHERE id = %s", ["ändrad", 6])
    with pytest.raises(CommandError, match="första brutna rad är 6"):
        call_command("verify_audit_log")


# --- the database's own guards (PostgreSQL) -------------------------------------------------------------


@postgresql_only
def test_a_disabled_trigger_fails_verification(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER audit_accesslogentry_append_only")
    lines_before = checkpoint_path.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="audit_accesslogentry_append_only .*är avstängd"):
        call_command("verify_audit_log")
    assert checkpoint_path.read_text(encoding="utf-8") == lines_before  # nothing anchored meanwhile


@postgresql_only
def test_a_superuser_connection_is_warned_about_and_strict_fails(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    err = StringIO()
    call_command("verify_audit_log", stderr=err)
    assert "superanvändare" in err.getvalue()
    with pytest.raises(CommandError, match="superanvändare"):
        call_command("verify_audit_log", strict=True)


def _switch_to_a_fresh_role(cursor, *, owner: bool) -> str:
    """A role of its own, rolled back with the test: the app's role in the recommended set-up, or
    (``owner``) a role that owns the log table and so could switch its triggers off."""
    import uuid

    role = f"vbe_test_{uuid.uuid4().hex[:12]}"
    cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    cursor.execute(f"REVOKE UPDATE, DELETE ON audit_accesslogentry FROM {role}")
    if owner:
        cursor.execute(f"ALTER TABLE audit_accesslogentry OWNER TO {role}")
    cursor.execute(f"SET ROLE {role}")
    return role


@postgresql_only
@pytest.mark.parametrize("owner", [False, True])
def test_the_app_role_of_the_recommended_set_up_passes_strict_and_an_owner_does_not(five_rows, checkpoint_path, owner):
    call_command("verify_audit_log", initialise=True)
    with connection.cursor() as cursor:
        role = _switch_to_a_fresh_role(cursor, owner=owner)
        try:
            if owner:
                with pytest.raises(CommandError, match=f"{role} äger tabellen"):
                    call_command("verify_audit_log", strict=True)
            else:
                err = StringIO()
                call_command("verify_audit_log", strict=True, stderr=err)
                assert err.getvalue() == ""
        finally:
            cursor.execute("RESET ROLE")


def test_a_run_that_read_the_file_before_another_run_appended_cannot_fork_the_chain(five_rows, checkpoint_path):
    call_command("verify_audit_log", initialise=True)
    stale = read_checkpoints(checkpoint_path)
    call_command("verify_audit_log")  # the other run, in between
    before = checkpoint_path.read_bytes()
    with pytest.raises(CheckpointError, match="har ändrats sedan den lästes"):
        append_checkpoint(entry_id=6, mac=stale[-1].mac, prev=stale[-1], path=checkpoint_path)
    assert checkpoint_path.read_bytes() == before
    assert len(read_checkpoints(checkpoint_path)) == 2


def test_the_shipped_lines_are_logged_even_when_log_level_is_warning():
    from tests.test_settings_and_headers import _manage

    code = "import logging; print(logging.getLogger('vbe.audit.checkpoint').isEnabledFor(logging.INFO))"
    result = _manage("shell", "-c", code, env={"VBE_ENV": "test", "LOG_LEVEL": "WARNING"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
