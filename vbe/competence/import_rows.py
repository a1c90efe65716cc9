"""The rows of an import, read and checked against the register: what would be written, or why not.

Everything a row is matched against is read before the first row (courses, the organisation's units,
the staff groups) or in a few queries after the last (the learners the file names, in chunks), so the
work per row is dictionary look-ups and no row costs a query. Both jobs run this: the check, to tell
the user, and the import again just before it writes, as the register may have changed in between.

A person is known by e-mail or employee number, never by personnummer: any cell of a row, mapped or
not, that could hold one makes the row an error, and the value is neither repeated back nor stored.

A row reaches only people placed in the importer's scope (the organisation's units; a unit manager's
own units), or adds a new person. Someone who is in the city's register but placed elsewhere is, to the
rows, the same as someone unknown: the messages do not tell whether an address is in use elsewhere,
and nothing is written to their record.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.competence.import_fields import EMAIL, parse_date, personnummer_at, personnummer_error, shown
from vbe.competence.import_files import MAX_ROWS, FileProblem, Table, header_labels
from vbe.competence.models import Course, Learner, Placement, StaffGroup
from vbe.organisations.models import Unit

PROGRESS_EVERY = 2_000
CHUNK = 900  # values in an IN list: within SQLite's 999 parameters of older builds
# One text for "unknown" and "placed outside your units": which of the two must not show.
NOT_AMONG_STAFF = gettext_lazy("Personen finns inte bland medarbetarna i era verksamheter.")
CANNOT_ADD = gettext_lazy(
    "Personen kan inte läggas till här: e-postadressen eller anställningsnumret finns redan i registret, "
    "utanför era verksamheter. Ett byte av arbetsplats mellan organisationer går inte att göra med en import."
)


@dataclass
class Context:
    """What rows are matched against, read once per run."""

    organisation_id: int
    scope: set[int] | None  # the units the acting user may import for; None: all of the organisation's
    today: datetime.date
    courses: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)

    @property
    def placed_units(self) -> frozenset[int]:
        """The units a person must be placed in for a row to reach them."""
        return frozenset(self.unit_names if self.scope is None else self.scope)


def load_context(*, organisation_id: int, scope: set[int] | None, today: datetime.date) -> Context:
    context = Context(organisation_id=organisation_id, scope=scope, today=today)
    for pk, title in Course.objects.values_list("pk", "title"):
        context.courses.setdefault(title.lower(), pk)
    for pk, code in Course.objects.exclude(code="").values_list("pk", "code"):
        context.courses[code.lower()] = pk  # a code wins over a title that happens to read the same
    for pk, name in Unit.objects.filter(organisation_id=organisation_id).values_list("pk", "name"):
        context.units[name.lower()] = pk
        context.unit_names[pk] = name
    for pk, name, slug in StaffGroup.objects.values_list("pk", "name", "slug"):
        context.groups[name.lower()] = pk
        context.groups.setdefault(slug.lower(), pk)
    return context


@dataclass
class NewPerson:
    email: str
    number: str
    name: str
    unit_id: int | None = None
    group_id: int | None = None
    lines: list[int] = field(default_factory=list)


@dataclass
class Outcome:
    """The run over a file: its data rows, its errors (line, message), and what would be written."""

    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Completions: (learner id, or the key "new:<n>" of a person the import adds), course id, date.
    completions: set[tuple[int | str, int, datetime.date]] = field(default_factory=set)
    placements: set[tuple[int | str, int, int]] = field(default_factory=set)
    new_people: dict[str, NewPerson] = field(default_factory=dict)
    # Headcounts: (unit id, staff group id) -> count.
    headcounts: dict[tuple[int, int], int] = field(default_factory=dict)
    new_by_email: dict[str, str] = field(default_factory=dict)
    new_by_number: dict[str, str] = field(default_factory=dict)
    # The units the people the rows reach are placed in, asked again as the rows are written; and the
    # first line naming each of them, for the message if one is no longer there by then.
    units: frozenset[int] = frozenset()
    known_lines: dict[int, int] = field(default_factory=dict)

    def add_error(self, line: int, message: str) -> None:
        self.errors.append((line, message))


def _rows(
    table: Table, outcome: Outcome, progress: Callable[[int, int | None], None]
) -> Iterator[tuple[int, list[str]]]:
    """The table's rows, counted and bounded, with progress every PROGRESS_EVERY rows; a file that
    cannot be read on is an error on the line where it stopped."""
    rows = 0
    try:
        for line, cells in table.rows:
            rows += 1
            if rows > MAX_ROWS:
                rows -= 1
                outcome.add_error(
                    line, _("Filen har fler än %(max)s rader. Dela upp den i flera filer.") % {"max": f"{MAX_ROWS:,}"}
                )
                break
            if rows % PROGRESS_EVERY == 0:
                progress(rows, table.total)
            yield line, cells
    except FileProblem as problem:
        outcome.add_error(problem.line or rows + 2, problem.message)
    outcome.rows = rows
    progress(rows, rows)


def _getter(mapping: dict[str, int]) -> Callable[[list[str], str], str]:
    def get(cells: list[str], name: str) -> str:
        index = mapping.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    return get


def _unit(context: Context, value: str, outcome: Outcome, line: int) -> int | None | bool:
    """The unit's id, None when the row names none, False when it is an error (already added)."""
    if not value:
        if context.scope is not None:
            outcome.add_error(
                line, _("Raden saknar verksamhet. Du kan bara importera för verksamheter du är chef för.")
            )
            return False
        return None
    unit_id = context.units.get(value.lower())
    if unit_id is None:
        outcome.add_error(line, _("Okänd verksamhet: %(value)s") % {"value": shown(value)})
        return False
    if context.scope is not None and unit_id not in context.scope:
        outcome.add_error(line, _("Verksamheten %(value)s är inte en av dina.") % {"value": shown(value)})
        return False
    return unit_id


def _group(context: Context, value: str, outcome: Outcome, line: int) -> int | None | bool:
    if not value:
        return None
    group_id = context.groups.get(value.lower())
    if group_id is None:
        outcome.add_error(line, _("Okänd personalgrupp: %(value)s") % {"value": shown(value)})
        return False
    return group_id


def _column(mapping: dict[str, int], name: str) -> int:
    """The field's column, or -1 when it is not mapped (read as "")."""
    return mapping.get(name, -1)


def check_completions(
    table: Table, mapping: dict[str, int], context: Context, progress: Callable[[int, int | None], None]
) -> Outcome:
    outcome = Outcome(units=context.placed_units)
    labels = header_labels(table.headers)
    # Column positions and look-ups as locals: this loop runs once per row of files of 100,000 rows.
    email_at, number_at, name_at = (_column(mapping, n) for n in ("email", "employee_number", "name"))
    course_at, day_at = _column(mapping, "course"), _column(mapping, "completed_on")
    unit_at, group_at = _column(mapping, "unit"), _column(mapping, "staff_group")
    courses, today, add_error = context.courses, context.today, outcome.add_error
    # Exports repeat the same few dates, units and groups on thousands of rows: each is read once.
    dates: dict[str, datetime.date | str] = {}
    parsed: list[tuple[int, str, str, str, int, datetime.date, int | None, int | None]] = []
    emails: set[str] = set()
    numbers: set[str] = set()
    for line, cells in _rows(table, outcome, progress):
        # Every cell, mapped or not: a personnummer is neither stored nor repeated in a message.
        if (at := personnummer_at(cells)) is not None:
            add_error(line, personnummer_error(labels, at))
            continue
        width = len(cells)
        email = cells[email_at].lower() if 0 <= email_at < width else ""
        number = cells[number_at] if 0 <= number_at < width else ""
        ok = True
        if not email and not number:
            add_error(line, _("Raden saknar både e-postadress och anställningsnummer."))
            continue
        if email and (len(email) > 254 or not EMAIL.match(email)):
            add_error(line, _("Ogiltig e-postadress: %(value)s") % {"value": shown(email)})
            ok = False
        if len(number) > 40:
            add_error(line, _("Anställningsnumret är längre än 40 tecken."))
            ok = False
        course_value = cells[course_at] if 0 <= course_at < width else ""
        course_id = courses.get(course_value.lower())
        if course_id is None:
            add_error(
                line,
                _("Okänd utbildning: %(value)s") % {"value": shown(course_value)}
                if course_value
                else _("Utbildning saknas."),
            )
            ok = False
        day_value = cells[day_at] if 0 <= day_at < width else ""
        day = dates.get(day_value)
        if day is None:
            day = dates[day_value] = parse_date(day_value, today)
        if isinstance(day, str):
            add_error(line, day)
            ok = False
        unit_id = _unit(context, cells[unit_at] if 0 <= unit_at < width else "", outcome, line)
        group_id = _group(context, cells[group_at] if 0 <= group_at < width else "", outcome, line)
        # The course and the day once more, though ``ok`` says it: so the types narrow to what is stored.
        if not ok or course_id is None or isinstance(day, str) or unit_id is False or group_id is False:
            continue
        name = cells[name_at][:200] if 0 <= name_at < width else ""
        parsed.append((line, email, number, name, course_id, day, unit_id, group_id))
        if email:
            emails.add(email)
        if number:
            numbers.add(number)
    known_email, known_number = known_learners(emails, numbers)
    # Two bulk look-ups, not one per row: the register's people the file names, then which of them
    # are placed in the importer's units.
    inside = placed_in(set(known_email.values()) | set(known_number.values()), outcome.units)
    known_lines = outcome.known_lines
    for line, email, number, name, course_id, day, unit_id, group_id in parsed:
        by_email = known_email.get(email) if email else None
        by_number = known_number.get(number) if number else None
        elsewhere = (by_email is not None and by_email not in inside) or (
            by_number is not None and by_number not in inside
        )
        # Someone placed outside the importer's units is not matched: as if unknown.
        by_email = by_email if by_email in inside else None
        by_number = by_number if by_number in inside else None
        if by_email and by_number and by_email != by_number:
            add_error(line, _("E-postadressen och anställningsnumret hör till olika personer."))
            continue
        found = by_email or by_number
        learner: int | str
        if found is not None:
            learner = found
            known_lines.setdefault(found, line)
        elif elsewhere:
            # Adding them would give their address or number to a second person, or take them into
            # this unit without the central coordinator: refused, the same for either.
            add_error(line, str(CANNOT_ADD if unit_id and group_id else NOT_AMONG_STAFF))
            continue
        elif (key := _new_person(outcome, line, email, number, name, unit_id, group_id)) is not None:
            learner = key
        else:
            continue
        outcome.completions.add((learner, course_id, day))
        if unit_id and group_id:
            outcome.placements.add((learner, unit_id, group_id))
    for person in outcome.new_people.values():
        if person.unit_id is None or person.group_id is None:
            for line in person.lines:
                outcome.add_error(line, str(NOT_AMONG_STAFF))
    return outcome


def _new_person(
    outcome: Outcome, line: int, email: str, number: str, name: str, unit_id: int | None, group_id: int | None
) -> str | None:
    """The key of the person the row adds (once, however many rows name them), or None on an error."""
    by_email = outcome.new_by_email.get(email) if email else None
    by_number = outcome.new_by_number.get(number) if number else None
    if by_email and by_number and by_email != by_number:
        outcome.add_error(line, _("E-postadressen och anställningsnumret hör till olika personer på tidigare rader."))
        return None
    key = by_email or by_number
    if key is None:
        key = f"new:{len(outcome.new_people) + 1}"
        outcome.new_people[key] = NewPerson(email="", number="", name=name)
    person = outcome.new_people[key]
    if email and person.email and person.email != email:
        outcome.add_error(line, _("Anställningsnumret hör till en annan e-postadress på en tidigare rad."))
        return None
    if number and person.number and person.number != number:
        outcome.add_error(line, _("Personen har ett annat anställningsnummer på en tidigare rad."))
        return None
    if email and not person.email:
        person.email = email
        outcome.new_by_email[email] = key
    if number and not person.number:
        person.number = number
        outcome.new_by_number[number] = key
    person.name = person.name or name
    if unit_id and group_id and person.unit_id is None:
        person.unit_id, person.group_id = unit_id, group_id
    person.lines.append(line)
    return key


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def known_learners(emails: set[str], numbers: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """The learners with these e-mail addresses or employee numbers: two dicts, to their ids. Plain
    SQL in chunks: the ORM's work on every value of an IN list was a second per 100,000 rows."""
    table = connection.ops.quote_name(Learner._meta.db_table)
    found: list[dict[str, int]] = []
    with connection.cursor() as cursor:
        for column, values in (("email", emails), ("employee_number", numbers)):
            # E-mail addresses are stored lower-case (the model's rule), so the unique index answers.
            by_value: dict[str, int] = {}
            if connection.vendor == "postgresql":
                # One array parameter: no query text growing with the values for the driver to parse.
                chunks: Iterable[list[str]] = [sorted(values)] if values else []
                where = f"{column} = ANY(%s)"
            else:
                chunks = _chunks(values)
                where = ""
            for chunk in chunks:
                condition = where or f"{column} IN ({', '.join(['%s'] * len(chunk))})"
                params = [chunk] if where else chunk
                cursor.execute(f"SELECT id, {column} FROM {table} WHERE {condition}", params)  # noqa: S608 - names are ours, values bound
                by_value.update((value, pk) for pk, value in cursor.fetchall())
            found.append(by_value)
    return found[0], found[1]


def placed_in(learner_ids: set[int], units: frozenset[int]) -> set[int]:
    """Of these learners, those placed in any of ``units``. The placements of the learners are read in
    chunks (a learner has a few) and the units compared here: no IN list of units to outgrow SQLite's
    parameter limit beside the learners'."""
    table = connection.ops.quote_name(Placement._meta.db_table)
    inside: set[int] = set()
    if not learner_ids or not units:
        return inside
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT learner_id, unit_id FROM {table} WHERE learner_id = ANY(%s)",  # noqa: S608 - name ours
                [sorted(learner_ids)],
            )
            inside.update(learner for learner, unit in cursor.fetchall() if unit in units)
            return inside
        ordered = sorted(learner_ids)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            cursor.execute(
                f"SELECT learner_id, unit_id FROM {table} WHERE learner_id IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608 - name ours, values bound
                chunk,
            )
            inside.update(learner for learner, unit in cursor.fetchall() if unit in units)
    return inside


def check_headcounts(
    table: Table, mapping: dict[str, int], context: Context, progress: Callable[[int, int | None], None]
) -> Outcome:
    outcome = Outcome(units=context.placed_units)
    labels = header_labels(table.headers)
    get = _getter(mapping)
    first_line: dict[tuple[int, int], int] = {}
    for line, cells in _rows(table, outcome, progress):
        if (at := personnummer_at(cells)) is not None:
            outcome.add_error(line, personnummer_error(labels, at))
            continue
        unit_id = _unit(context, get(cells, "unit"), outcome, line)
        group_value = get(cells, "staff_group")
        group_id = _group(context, group_value, outcome, line)
        if unit_id is None:
            outcome.add_error(line, _("Verksamhet saknas."))
        if group_id is None:
            outcome.add_error(line, _("Personalgrupp saknas."))
        count_value = get(cells, "count").replace(" ", "").replace("\u00a0", "")
        count = int(count_value) if count_value.isdigit() and len(count_value) <= 6 else None
        if count is None:
            outcome.add_error(
                line, _("Ogiltigt antal: %(value)s. Skriv ett heltal, 0 eller mer.") % {"value": shown(count_value)}
            )
        if not isinstance(unit_id, int) or not isinstance(group_id, int) or unit_id is False or group_id is False:
            continue
        if count is None:
            continue
        cell = (unit_id, group_id)
        if cell in first_line:
            outcome.add_error(
                line,
                _("Verksamheten och personalgruppen finns redan på rad %(line)s.") % {"line": first_line[cell]},
            )
            continue
        first_line[cell] = line
        outcome.headcounts[cell] = count
    return outcome
