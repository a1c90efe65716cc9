"""Key rotation: re-encrypt every encrypted value that is not under the current key.

The portal keeps running while this runs, so a row may be edited between our read and our write.
Every write is therefore a compare-and-swap on the ciphertext we read (``UPDATE … WHERE pk = %s AND
column = <the token read>``): if the row changed meanwhile, nothing is overwritten; the row is read
again and retried, and a row that keeps changing is left for the next run and reported. Tables are
walked in primary-key batches, so memory stays bounded whatever their size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

from vbe.core import crypto
from vbe.core.fields import EncryptedTextField


@dataclass
class RotationResult:
    rotated: dict[str, int] = field(default_factory=dict)  # per column: values re-encrypted
    left: dict[str, int] = field(default_factory=dict)  # per column: changed under us on every try


def encrypted_columns() -> list[tuple[type, EncryptedTextField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def rotate(*, batch_size: int = 500, retries: int = 3) -> RotationResult:
    """Safe to re-run: values under the current key are skipped, and no concurrent edit is lost."""
    result = RotationResult()
    for model, column_field in encrypted_columns():
        rotated, left = _rotate_column(model, column_field, batch_size=batch_size, retries=retries)
        result.rotated[column_field.crypto_context] = rotated
        result.left[column_field.crypto_context] = left
    return result


def _rotate_column(model: type, column_field: EncryptedTextField, *, batch_size: int, retries: int) -> tuple[int, int]:
    quote = connection.ops.quote_name
    table, column, pk = quote(model._meta.db_table), quote(column_field.column), quote(model._meta.pk.column)
    context = column_field.crypto_context
    current_prefix = f"{crypto.PREFIX}:{crypto.current_key_id()}:"
    # Values carry "v1:<key id>:"; anything not under the current key's prefix is stale.
    stale = f"{column} <> '' AND {column} NOT LIKE %s"
    rotated = left = 0
    last_pk = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            after = f" AND {pk} > %s" if last_pk is not None else ""
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {stale}{after} ORDER BY {pk} LIMIT %s",  # noqa: S608
                [f"{current_prefix}%", *([last_pk] if last_pk is not None else []), batch_size],
            )
            rows = cursor.fetchall()
            for row_pk, token in rows:
                outcome = _swap(cursor, table, column, pk, row_pk, token, context, current_prefix, retries)
                rotated += outcome == "rotated"
                left += outcome == "left"
        if len(rows) < batch_size:
            return rotated, left
        last_pk = rows[-1][0]


def _swap(cursor, table, column, pk, row_pk, token, context, current_prefix, retries) -> str:
    """Re-encrypts one value unless it changed since it was read; then reads it again and retries."""
    for _ in range(retries + 1):
        fresh = crypto.encrypt(crypto.decrypt(token, context=context), context=context)
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
            [fresh, row_pk, token],
        )
        if cursor.rowcount == 1:
            return "rotated"
        # Someone wrote the row after we read it: their value stands. Rotate it too, if it needs it.
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk} = %s", [row_pk])  # noqa: S608
        row = cursor.fetchone()
        if row is None or not row[0] or row[0].startswith(current_prefix):
            return "done"  # deleted, emptied, or already written under the current key
        token = row[0]
    return "left"
