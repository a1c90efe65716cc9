"""The writing of a checked import into the register, inside the import job's transaction.

Completions and the people and placements they bring are inserted with ``INSERT … ON CONFLICT DO
NOTHING``: a row that is there already (the same person, course and day) is skipped by the database,
so a file imported again adds nothing and two imports of the same rows at once write each row once.
Headcounts are merged: the cells new to the register are inserted, then every cell of the file is set
to its count, so two imports for one organisation and year at once both succeed and the one that
commits last stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.competence import import_rows
from vbe.competence.models import (
    Completion,
    CompletionImport,
    CompletionSource,
    Headcount,
    ImportKind,
    ImportState,
    Learner,
    Placement,
)
from vbe.core import private_files

BATCH = 2_000
# A value as the driver takes it: dates and times already adapted (``connection.ops.adapt_*``).
Value: TypeAlias = int | str | None


class OutOfScope(Exception):
    """People of the rows were found placed outside the importer's units as the rows were written
    (moved, or added by another import, since the check): nothing of this import may be written."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} rows out of scope")
        self.errors = errors


def write(imp: CompletionImport, outcome: import_rows.Outcome, owner: User) -> str:
    """Writes the rows, marks the import done and says what it did (the caller holds the import's lock)."""
    if imp.kind == ImportKind.COMPLETIONS:
        created, existing = _write_completions(imp, outcome, owner)
        message = _("%(created)s genomförda utbildningar importerades; %(existing)s fanns redan.")
    else:
        created, existing = _write_headcounts(imp, outcome, owner)
        message = _("Antal anställda %(year)s: %(created)s nya uppgifter, %(existing)s ersatta eller oförändrade.")
    imp.state = ImportState.DONE
    imp.rows, imp.errors, imp.error_count = outcome.rows, [], 0
    imp.created_count, imp.existing_count = created, existing
    imp.finished_at = timezone.now()
    imp.lock_version += 1
    imp.save()
    record(
        action="training_import_done",
        actor=owner,
        obj=imp,
        organisation_id=imp.organisation_id,
        detail=f"kind={imp.kind} rows={imp.rows} created={created} existing={existing}",
    )
    # The export holds names and e-mail addresses: once imported, nothing needs the file.
    key = imp.file
    private_files.delete_after_commit(key)
    return message % {"created": created, "existing": existing, "year": imp.year}


def _free_users(emails: set[str]) -> dict[str, int]:
    """Portal accounts with these e-mail addresses that no learner is linked to yet."""
    users: dict[str, int] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), BATCH):
        users.update(
            (email.lower(), pk)
            for pk, email in get_user_model()
            .objects.filter(email__in=ordered[start : start + BATCH], learner__isnull=True)
            .values_list("pk", "email")
        )
    return users


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column of its table")
    return field.column


def insert_new(
    model: type[models.Model], fields: list[str], rows: Iterable[tuple[Value, ...]], *, ids: set[int] | None = None
) -> int:
    """INSERT … ON CONFLICT DO NOTHING: the database skips a row that is there already (what
    ``bulk_create(ignore_conflicts=True)`` does), without the ORM's work for every value, which was
    most of the time of an import of 100,000 rows. Values must be adapted (``connection.ops.adapt_*``).
    Returns how many rows were inserted.

    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT (a statement of thousands of
    placeholders costs the driver more to parse than the server to run). SQLite: statements of as
    many rows as its parameter limit allows.

    ``ids``: a set the ids of the inserted rows are added to (``RETURNING``), to tell the rows this
    statement inserted from those that were there."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(model, f)) for f in fields)
    returning = f" RETURNING {quote(_column(model, model._meta.pk.name))}" if ids is not None else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = quote(f"import_{model._meta.db_table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608 - names quoted
            )
            with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # In a fixed order: two imports of the same rows at once then wait for each other instead of
            # each holding a row the other needs (a deadlock).
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} ORDER BY {columns} ON CONFLICT DO NOTHING{returning}"  # noqa: S608 - names quoted
            )
            inserted: int = cursor.rowcount
            if ids is not None:
                ids.update(pk for (pk,) in cursor.fetchall())
            cursor.execute(f"DROP TABLE {staging}")
            return inserted
        limit = connection.features.max_query_params
        per_statement = 1_000 if limit is None else max(1, min(1_000, limit // len(fields)))
        one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        batch: list[tuple[Value, ...]] = []
        inserted = 0

        def insert() -> int:
            values = ", ".join([one_row] * len(batch))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING{returning}"  # noqa: S608 - names quoted, values bound
            cursor.execute(sql, [value for row in batch for value in row])
            if ids is None:
                return int(cursor.rowcount)
            new = [pk for (pk,) in cursor.fetchall()]
            ids.update(new)
            return len(new)

        for row in rows:
            batch.append(row)
            if len(batch) == per_statement:
                inserted += insert()
                batch = []
        if batch:
            inserted += insert()
        return inserted


def _write_completions(imp: CompletionImport, outcome: import_rows.Outcome, owner: User) -> tuple[int, int]:
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    ids: dict[str, int] = {}
    people = outcome.new_people
    # The people the rows reach who were in the register at the check: asked again below.
    unsure: dict[int, tuple[int, str]] = {
        pk: (line, str(import_rows.NOT_AMONG_STAFF)) for pk, line in outcome.known_lines.items()
    }
    if people:
        users = _free_users({p.email for p in people.values() if p.email})
        # A person added by another import at the same moment is skipped here and found below.
        inserted: set[int] = set()
        insert_new(
            Learner,
            ["email", "employee_number", "name", "user", "created_at"],
            ((p.email, p.number, p.name, users.get(p.email), now) for p in people.values()),
            ids=inserted,
        )
        by_email, by_number = import_rows.known_learners(
            {p.email for p in people.values() if p.email}, {p.number for p in people.values() if p.number}
        )
        for key, person in people.items():
            pk = by_email.get(person.email) if person.email else None
            pk = pk or (by_number.get(person.number) if person.number else None)
            if pk is None:
                raise RuntimeError("A learner of the import could neither be added nor found.")
            ids[key] = pk
            # Its address or number taken since the check, by someone this import did not add: they
            # must be in the importer's units, or the row would write into another's record.
            if pk not in inserted:
                unsure.setdefault(pk, (person.lines[0], str(import_rows.CANNOT_ADD)))
    inside = import_rows.placed_in(set(unsure), outcome.units)
    if outside := sorted(where for pk, where in unsure.items() if pk not in inside):
        raise OutOfScope(outside)

    def learner_id(ref: int | str) -> int:
        return ids[ref] if isinstance(ref, str) else ref

    # A person already placed in the unit keeps their placement (and its staff group).
    insert_new(
        Placement,
        ["learner", "unit", "staff_group"],
        ((learner_id(ref), unit, group) for ref, unit, group in outcome.placements),
    )
    # The same person, course and day there already (unique): skipped, so a file imported again adds nothing.
    adapt_day = ops.adapt_datefield_value
    insert_new(
        Completion,
        [
            "learner",
            "course",
            "completed_on",
            "source",
            "batch",
            "certificate",
            "certificate_name",
            "registered_by",
            "created_at",
        ],
        (
            (learner_id(ref), course, adapt_day(day), CompletionSource.IMPORT, imp.pk, "", "", owner.pk, now)
            for ref, course, day in outcome.completions
        ),
    )
    created = Completion.objects.filter(batch_id=imp.pk).count()
    return created, len(outcome.completions) - created


def _write_headcounts(imp: CompletionImport, outcome: import_rows.Outcome, owner: User) -> tuple[int, int]:
    """Replaces the counts of the cells in the file (unit × staff group × year); other cells stay.

    First the cells new to the register are inserted, skipping any that are there (on PostgreSQL a cell
    another import has just inserted makes this wait until that import commits, and is then skipped);
    then the file's cells, those inserted by the other import too, are locked and set to this file's
    counts. So two imports for the same organisation and year at once both succeed, and the figures of
    the one that commits last stand. A cell whose count changes gets a new ``lock_version``: a
    headcount page opened before the import cannot save over it."""
    year = imp.year
    if year is None:
        raise RuntimeError("A headcount import has its year (the upload requires one).")
    cells = outcome.headcounts
    now = timezone.now()
    adapted_now = connection.ops.adapt_datetimefield_value(now)
    created = insert_new(
        Headcount,
        ["unit", "staff_group", "year", "count", "updated_by", "updated_at", "lock_version"],
        ((unit, group, year, count, owner.pk, adapted_now, 0) for (unit, group), count in cells.items()),
    )
    changed = []
    # Locked in the order of their ids, as every import here locks them: no two wait for each other.
    rows = Headcount.objects.select_for_update().filter(
        year=year, unit_id__in={unit for unit, _group in cells}, staff_group_id__in={group for _unit, group in cells}
    )
    for headcount in rows.order_by("pk"):
        count = cells.get((headcount.unit_id, headcount.staff_group_id))
        if count is not None and headcount.count != count:
            headcount.count, headcount.updated_by, headcount.updated_at = count, owner, now
            headcount.lock_version += 1
            changed.append(headcount)
    Headcount.objects.bulk_update(changed, ["count", "updated_by", "updated_at", "lock_version"], batch_size=BATCH)
    return created, len(cells) - created
