"""On PostgreSQL the database also refuses TRUNCATE of the access log (a statement-level trigger).

Row-level triggers (0002) do not fire on TRUNCATE, so until now the table could be emptied in one
statement. The test suite's flush switches this trigger off for its own TRUNCATE, and only in test
mode (vbe/audit/management/commands/flush.py). Owners and superusers can still disable triggers;
what they can do is covered by the checkpoints outside the database (verify_audit_log).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION vbe_audit_log_refuses_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_accesslogentry is append-only: TRUNCATE is refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accesslogentry_no_truncate
    BEFORE TRUNCATE ON audit_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION vbe_audit_log_refuses_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_accesslogentry_no_truncate ON audit_accesslogentry;
DROP FUNCTION IF EXISTS vbe_audit_log_refuses_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_reject_update_delete_on_postgresql")]
    operations = [migrations.RunPython(forwards, backwards)]
