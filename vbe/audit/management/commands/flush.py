"""Django's ``flush``, which the test suite runs after every transactional test.

On PostgreSQL the access log refuses TRUNCATE (migration 0003), so a flush fails, as it must in
production: ``manage.py flush`` cannot empty the log. The test suite (VBE_ENV=test) alone switches
the trigger off for its own flush, inside the flush's transaction, so it is on again afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE = "audit_accesslogentry"
TRIGGER = "audit_accesslogentry_no_truncate"


def _has_trigger(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = to_regclass(%s)",
            [TRIGGER, TABLE],
        )
        return cursor.fetchone() is not None


class Command(DjangoFlush):
    def handle(self, **options) -> None:
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        if settings.VBE_ENV != "test" or connection.vendor != "postgresql" or not _has_trigger(connection):
            return super().handle(**options)
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
            super().handle(**options)
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
