"""Key rotation: re-encrypt every encrypted value that is not under the current key."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from vbe.core import crypto
from vbe.core.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[type, EncryptedTextField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Returns how many values were re-encrypted per column. Safe to re-run: current values are skipped."""
    current = crypto.current_key_id()
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    for model, field in encrypted_columns():
        table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
        counts[field.crypto_context] = 0
        with connection.cursor() as cursor:
            # Values carry "v1:<key id>:"; anything else under the current key prefix is stale.
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {column} <> '' AND {column} NOT LIKE %s",  # noqa: S608
                [f"v1:{current}:%"],
            )
            rows = cursor.fetchall()
        for start in range(0, len(rows), batch_size):
            with transaction.atomic(), connection.cursor() as cursor:
                for row_pk, token in rows[start : start + batch_size]:
                    plaintext = crypto.decrypt(token, context=field.crypto_context)
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [crypto.encrypt(plaintext, context=field.crypto_context), row_pk],
                    )
            counts[field.crypto_context] += len(rows[start : start + batch_size])
    return counts
