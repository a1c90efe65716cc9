"""Consent purposes, disclosure and transfer texts, legal-hold reasons and event summaries become
encrypted at rest (they can name the person, and the purge must be able to clear them).

The columns change type in place (AlterField keeps the data), then every existing plaintext value is
encrypted with vbe.core.crypto under the context the field itself uses, "<app_label>.<model>.<field>",
so the running models decrypt it. Raw SQL, because reading through the field would try to decrypt
the plaintext. Rows are walked in primary-key batches; a value that already decrypts is left alone,
so the migration can be re-run. Backwards, values are decrypted again before the type changes back.
"""

from django.db import migrations

import vbe.core.fields

TEXTS = {
    "Concern": ["legal_hold_reason"],
    "Consent": ["purpose"],
    "Disclosure": ["decided_by", "legal_ground"],
    "Event": ["summary"],
    "Transfer": ["legal_ground"],
}
BATCH = 500


def _convert(apps, schema_editor, change) -> None:
    """Applies ``change(value, context)`` to every value; None means "leave it". Each row is written
    at most once: on PostgreSQL a second UPDATE of a row in the same transaction queues foreign-key
    checks, and the ALTER TABLE of the reverse direction then refuses to run."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, field_names in TEXTS.items():
        model = apps.get_model("concerns", model_name)
        fields = [model._meta.get_field(name) for name in field_names]
        # What EncryptedTextField binds at run time: "<app_label>.<model>.<field>".
        contexts = [f"{model._meta.label_lower}.{field.name}" for field in fields]
        columns = [quote(field.column) for field in fields]
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        last = None
        while True:
            with connection.cursor() as cursor:
                where = f"WHERE {pk} > %s " if last is not None else ""
                cursor.execute(
                    f"SELECT {pk}, {', '.join(columns)} FROM {table} {where}ORDER BY {pk} LIMIT {BATCH}",  # noqa: S608
                    [last] if last is not None else [],
                )
                rows = cursor.fetchall()
                for row_pk, *values in rows:
                    changes = {
                        column: new
                        for column, context, value in zip(columns, contexts, values, strict=True)
                        if (new := change(value or "", context)) is not None
                    }
                    if changes:
                        sets = ", ".join(f"{column} = %s" for column in changes)
                        cursor.execute(
                            f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                            [*changes.values(), row_pk],
                        )
            if len(rows) < BATCH:
                break
            last = rows[-1][0]


def _encrypted(value: str, context: str) -> str | None:
    from vbe.core import crypto

    if not value:
        return None
    try:
        crypto.decrypt(value, context=context)
    except crypto.DecryptionError:
        return crypto.encrypt(value, context=context)
    return None  # already encrypted


def _decrypted(value: str, context: str) -> str | None:
    from vbe.core import crypto

    if not value:
        return None
    try:
        return crypto.decrypt(value, context=context)
    except crypto.DecryptionError:
        return None  # plaintext already


def encrypt_existing(apps, schema_editor):
    _convert(apps, schema_editor, _encrypted)


def decrypt_existing(apps, schema_editor):
    _convert(apps, schema_editor, _decrypted)


class Migration(migrations.Migration):
    dependencies = [("concerns", "0004_child_report_and_disclosure_withdrawal")]

    operations = [
        migrations.AlterField(
            model_name="concern",
            name="legal_hold_reason",
            field=vbe.core.fields.EncryptedTextField(blank=True, verbose_name="skäl att bevara"),
        ),
        migrations.AlterField(
            model_name="consent",
            name="purpose",
            field=vbe.core.fields.EncryptedTextField(verbose_name="för vad"),
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="decided_by",
            field=vbe.core.fields.EncryptedTextField(verbose_name="beslutat av"),
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="legal_ground",
            field=vbe.core.fields.EncryptedTextField(verbose_name="rättslig grund"),
        ),
        migrations.AlterField(
            model_name="event",
            name="summary",
            field=vbe.core.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="legal_ground",
            field=vbe.core.fields.EncryptedTextField(verbose_name="rättslig grund"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
