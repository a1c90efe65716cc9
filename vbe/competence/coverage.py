"""Coverage: the share of posts held by someone with a valid training, per level.

A ``Placement`` (learner, unit, staff group) is one post; a person in two units is one post in each,
as HR counts them. A post is trained at a level on day D when its learner has a completion of a course
of that level (active or not: a course taken off the catalogue was still taken) that is valid on D:
completed on or before D and, for a course that must be renewed, D is no later than
``Course.valid_until``. The share of a unit and staff group is trained posts / the headcount HR gave
for the latest year up to D's year; a group of units, an organisation or the city adds up the cells
that have a headcount (posts in a cell with none have nothing to be a share of, so they are left out
rather than lifting someone else's figure).

Every figure is counted in the database: one aggregate over the placements, grouped by unit and staff
group, with an EXISTS per level and day, and one read of the headcounts; the rest is adding up at most
units × staff groups cells in Python. Nothing here loops over learners or completions.

Small groups: a headcount from 1 to 4 is shown as "färre än 5 anställda" to anyone who does not see
exact figures (``exact=False``: board readers, reports, anything that leaves the portal).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.competence.models import MAX_VALIDITY_YEARS, Course, CoverageTarget, Headcount, Level, Placement, StaffGroup
from vbe.organisations.models import Organisation, Unit

LIMIT = 5  # as vbe.statistics.suppression: counts under five single people out
LEVELS: tuple[str, ...] = (Level.BASIC.value, Level.ADVANCED.value)

Cell = tuple[int, int]  # (unit id, staff group id)


@dataclass(frozen=True)
class Share:
    trained: int
    headcount: int
    suppressed: bool  # headcount 1–4 and the reader may not see exact figures

    @property
    def percent(self) -> int | None:
        """Rounded half up, capped at 100 (HR's count can lag behind the register); None when there
        is nothing to be a share of, or the group is too small to show."""
        if self.headcount == 0 or self.suppressed:
            return None
        return min(100, (200 * self.trained + self.headcount) // (2 * self.headcount))

    @property
    def text(self) -> str:
        if self.suppressed:
            return _("färre än 5 anställda")
        if self.headcount == 0:
            return _("inga anställda registrerade")
        return f"{self.percent} %"

    def __str__(self) -> str:
        return self.text


def target_text(target: int | None) -> str:
    return _("inget mål satt") if target is None else f"{target} %"


def below_target(share: Share, target: int | None) -> bool:
    """Under the target: only a share that is shown can be, never a hidden or missing one."""
    return target is not None and share.percent is not None and share.percent < target


@dataclass(frozen=True)
class LevelLine:
    """One level's share beside its target, as a page or a document shows it."""

    level: str
    label: str
    share: Share
    target: int | None

    @property
    def value(self) -> str:
        return self.share.text

    @property
    def target_text(self) -> str:
        return target_text(self.target)

    @property
    def below(self) -> bool:
        return below_target(self.share, self.target)


def against_targets(shares: dict[str, Share], targets: dict[str, int | None]) -> list[LevelLine]:
    """Each level's share and target, basic first."""
    return [
        LevelLine(level=level, label=str(label), share=shares[level], target=targets.get(level))
        for level, label in Level.choices
    ]


def make_share(trained: int, headcount: int, *, exact: bool) -> Share:
    return Share(trained=trained, headcount=headcount, suppressed=not exact and 0 < headcount < LIMIT)


# --- Validity -------------------------------------------------------------------------------------


def _valid_on(on: datetime.date, prefix: str = "") -> Q:
    """Completions valid on ``on``, as a Q over every validity period the catalogue allows (1 to
    ``MAX_VALIDITY_YEARS``, a constraint of the table): no query to learn which are in use."""
    q = Q(**{f"{prefix}course__validity_years__isnull": True})
    for years in range(1, MAX_VALIDITY_YEARS + 1):
        q |= Q(
            **{
                f"{prefix}course__validity_years": years,
                f"{prefix}completed_on__gte": Course(validity_years=years).earliest_valid(on),
            }
        )
    return Q(**{f"{prefix}completed_on__lte": on}) & q


# --- Counting ------------------------------------------------------------------------------------


def _trained(
    placements: Q, days: Sequence[datetime.date], unit_org: dict[int, int]
) -> dict[Cell, dict[tuple[int, str], int]]:
    """Trained posts per (unit, staff group): {cell: {(day index, level): count}}, in one aggregate;
    ``unit_org`` learns each unit's organisation from the same rows.

    The placements are joined once to their learners' completions and counted distinct under a filter
    per day and level, so PostgreSQL reads the completions once (a hash join) instead of once per
    day and level, as an EXISTS per annotation would."""
    via = "learner__completions__"
    annotations = {
        f"d{i}_{level}": Count("pk", distinct=True, filter=Q(**{f"{via}course__level": level}) & _valid_on(day, via))
        for i, day in enumerate(days)
        for level in LEVELS
    }
    rows = (
        Placement.objects.filter(placements)
        .order_by()
        .values("unit_id", "unit__organisation_id", "staff_group_id")
        .annotate(**annotations)
    )
    result: dict[Cell, dict[tuple[int, str], int]] = {}
    for values in rows:
        row = cast(dict[str, int], values)  # the annotations are counts
        unit_org[row["unit_id"]] = row["unit__organisation_id"]
        result[(row["unit_id"], row["staff_group_id"])] = {
            (i, level): row[f"d{i}_{level}"] for i in range(len(days)) for level in LEVELS
        }
    return result


def _headcounts(units: Q, years: Sequence[int], unit_org: dict[int, int]) -> dict[Cell, dict[int, int]]:
    """Headcount per cell for each of ``years``: the latest year up to it, in one read."""
    rows = (
        Headcount.objects.filter(units, year__lte=max(years))
        .order_by()
        .values_list("unit_id", "unit__organisation_id", "staff_group_id", "year", "count")
    )
    by_cell: dict[Cell, dict[int, int]] = defaultdict(dict)
    for unit_id, organisation_id, group_id, year, count in rows:
        unit_org[unit_id] = organisation_id
        by_cell[(unit_id, group_id)][year] = count
    result: dict[Cell, dict[int, int]] = {}
    for cell, counts in by_cell.items():
        result[cell] = {}
        for wanted in years:
            known = [y for y in counts if y <= wanted]
            if known:
                result[cell][wanted] = counts[max(known)]
    return result


@dataclass
class _Counts:
    """Trained posts and headcounts per cell for some days: what every view below adds up."""

    days: list[datetime.date]
    trained: dict[Cell, dict[tuple[int, str], int]]
    headcounts: dict[Cell, dict[int, int]]
    unit_org: dict[int, int]  # the organisation of every unit with a cell

    def headcount(self, cell: Cell, i: int) -> int:
        return self.headcounts.get(cell, {}).get(self.days[i].year, 0)

    def shares(self, cells: Iterable[Cell], *, i: int = 0, exact: bool) -> dict[str, Share]:
        trained = dict.fromkeys(LEVELS, 0)
        headcount = 0
        for cell in cells:
            n = self.headcount(cell, i)
            if n == 0:
                continue  # no one to be a share of: the cell's posts would lift the others' figure
            headcount += n
            for level in LEVELS:
                trained[level] += self.trained.get(cell, {}).get((i, level), 0)
        return {level: make_share(trained[level], headcount, exact=exact) for level in LEVELS}

    def cells(self) -> set[Cell]:
        return set(self.trained) | set(self.headcounts)


def _count(where: Q, days: Sequence[datetime.date]) -> _Counts:
    """``where`` is a Q on Unit fields, prefixed with ``unit__`` for placements and headcounts alike."""
    days = list(days)
    unique = sorted(set(days))  # "today" is often both the day asked for and this year's trend point
    unit_org: dict[int, int] = {}
    counted = _trained(where, unique, unit_org)
    position = {day: unique.index(day) for day in unique}
    trained = {
        cell: {(i, level): by_day[(position[day], level)] for i, day in enumerate(days) for level in LEVELS}
        for cell, by_day in counted.items()
    }
    headcounts = _headcounts(where, sorted({d.year for d in days}), unit_org)
    return _Counts(days=days, trained=trained, headcounts=headcounts, unit_org=unit_org)


def _org_q(organisation_id: int | None) -> Q:
    return Q() if organisation_id is None else Q(unit__organisation_id=organisation_id)


# --- The API ---------------------------------------------------------------------------------------


def organisation_shares(organisation_id: int, *, on: datetime.date, exact: bool = False) -> dict[str, Share]:
    counts = _count(_org_q(organisation_id), [on])
    return counts.shares(counts.cells(), exact=exact)


def unit_shares(unit_ids: Collection[int], *, on: datetime.date, exact: bool = False) -> dict[str, Share]:
    """The units together (a unit manager's units, say)."""
    counts = _count(Q(unit_id__in=list(unit_ids)), [on])
    return counts.shares(counts.cells(), exact=exact)


def shares_by_unit(
    organisation_id: int, *, on: datetime.date, exact: bool = False, unit_ids: Collection[int] | None = None
) -> list[tuple[Unit, dict[str, Share]]]:
    """Each unit of the organisation (or of ``unit_ids`` within it) that is active or has figures, by name."""
    where = _org_q(organisation_id)
    if unit_ids is not None:
        where &= Q(unit_id__in=list(unit_ids))
    counts = _count(where, [on])
    by_unit: dict[int, list[Cell]] = defaultdict(list)
    for cell in counts.cells():
        by_unit[cell[0]].append(cell)
    units = Unit.objects.filter(organisation_id=organisation_id).filter(Q(is_active=True) | Q(pk__in=list(by_unit)))
    if unit_ids is not None:
        units = units.filter(pk__in=list(unit_ids))
    return [(unit, counts.shares(by_unit.get(unit.pk, ()), exact=exact)) for unit in units.order_by("name")]


def shares_by_organisation(*, on: datetime.date, exact: bool = False) -> list[tuple[Organisation, dict[str, Share]]]:
    """Each organisation that has units with figures, or active units, by name."""
    counts = _count(Q(), [on])
    by_org: dict[int, list[Cell]] = defaultdict(list)
    for cell in counts.cells():
        by_org[counts.unit_org[cell[0]]].append(cell)
    active = {org for pk, org in Unit.objects.filter(is_active=True).values_list("pk", "organisation_id")}
    organisations = Organisation.objects.filter(Q(pk__in=list(by_org)) | Q(is_active=True, pk__in=list(active)))
    return [(org, counts.shares(by_org.get(org.pk, ()), exact=exact)) for org in organisations.order_by("name")]


def shares_by_staff_group(
    organisation_id: int | None, *, on: datetime.date, exact: bool = False
) -> list[tuple[StaffGroup, dict[str, Share]]]:
    """Each staff group (active, or with figures) in the organisation; None: the city."""
    counts = _count(_org_q(organisation_id), [on])
    by_group: dict[int, list[Cell]] = defaultdict(list)
    for cell in counts.cells():
        by_group[cell[1]].append(cell)
    groups = StaffGroup.objects.filter(Q(is_active=True) | Q(pk__in=list(by_group)))
    return [(group, counts.shares(by_group.get(group.pk, ()), exact=exact)) for group in groups]


def year_end(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day a year's trend point is taken: 31 December, or today for the running year."""
    today = today or timezone.localdate()
    return min(datetime.date(year, 12, 31), today)


def trend(
    organisation_id: int | None, *, years: Sequence[int], exact: bool = False, unit_ids: Collection[int] | None = None
) -> list[tuple[int, dict[str, Share]]]:
    """The shares on 31 December of each year (today for this year), oldest first; None: the city.
    ``unit_ids`` narrows to those units (a unit manager's own)."""
    years = sorted(years)
    if not years:
        return []
    where = _org_q(organisation_id)
    if unit_ids is not None:
        where &= Q(unit_id__in=list(unit_ids))
    today = timezone.localdate()
    counts = _count(where, [year_end(y, today) for y in years])
    cells = counts.cells()
    return [(year, counts.shares(cells, i=i, exact=exact)) for i, year in enumerate(years)]


# --- Whole pages -----------------------------------------------------------------------------------


@dataclass
class Report:
    """Everything a coverage page (or its XLSX) shows, from one count: the day ``on`` and each trend year."""

    on: datetime.date
    exact: bool
    total: dict[str, Share]
    rows: list[tuple[Organisation | Unit, dict[str, Share]]]  # organisations (city) or units (organisation)
    by_group: list[tuple[StaffGroup, dict[str, Share]]]
    cells: list[tuple[Unit, StaffGroup, dict[str, Share]]]  # unit × staff group (organisation only)
    trend: list[tuple[int, dict[str, Share]]]
    targets: dict[str, int | None]
    scoped: bool = False  # narrowed to some units of the organisation (a unit manager's)


def _report_counts(where: Q, on: datetime.date, years: Sequence[int]) -> tuple[_Counts, list[int]]:
    years = sorted(years)
    today = timezone.localdate()
    return _count(where, [on, *(year_end(y, today) for y in years)]), years


def _by_group(counts: _Counts, exact: bool) -> list[tuple[StaffGroup, dict[str, Share]]]:
    by_group: dict[int, list[Cell]] = defaultdict(list)
    for cell in counts.cells():
        by_group[cell[1]].append(cell)
    groups = StaffGroup.objects.filter(Q(is_active=True) | Q(pk__in=list(by_group)))
    return [(group, counts.shares(by_group.get(group.pk, ()), exact=exact)) for group in groups]


def _trend(counts: _Counts, years: list[int], exact: bool) -> list[tuple[int, dict[str, Share]]]:
    cells = counts.cells()
    return [(year, counts.shares(cells, i=i + 1, exact=exact)) for i, year in enumerate(years)]


def city_report(
    *,
    on: datetime.date,
    years: Sequence[int],
    exact: bool = False,
    organisations: Sequence[Organisation] | None = None,
) -> Report:
    """``organisations``: the rows to show, when the caller has read them already (the status report);
    else every organisation with figures or active units. The city's total counts every organisation."""
    counts, years = _report_counts(Q(), on, years)
    by_org: dict[int, list[Cell]] = defaultdict(list)
    for cell in counts.cells():
        by_org[counts.unit_org[cell[0]]].append(cell)
    if organisations is None:
        organisations = list(
            Organisation.objects.filter(Q(pk__in=list(by_org)) | Q(is_active=True, units__is_active=True))
            .distinct()
            .order_by("name")
        )
    else:
        organisations = sorted(organisations, key=lambda org: org.name)
    return Report(
        on=on,
        exact=exact,
        total=counts.shares(counts.cells(), exact=exact),
        rows=[(org, counts.shares(by_org.get(org.pk, ()), exact=exact)) for org in organisations],
        by_group=_by_group(counts, exact),
        cells=[],
        trend=_trend(counts, years, exact),
        targets=targets(),
    )


def organisation_report(
    organisation_id: int,
    *,
    on: datetime.date,
    years: Sequence[int],
    exact: bool = False,
    unit_ids: Collection[int] | None = None,
) -> Report:
    """``unit_ids``: only those units (a unit manager's), in every figure including the total."""
    where = _org_q(organisation_id)
    if unit_ids is not None:
        where &= Q(unit_id__in=list(unit_ids))
    counts, years = _report_counts(where, on, years)
    by_unit: dict[int, list[Cell]] = defaultdict(list)
    for cell in counts.cells():
        by_unit[cell[0]].append(cell)
    listed = Unit.objects.filter(organisation_id=organisation_id).filter(Q(is_active=True) | Q(pk__in=list(by_unit)))
    if unit_ids is not None:
        listed = listed.filter(pk__in=list(unit_ids))
    units = list(listed.order_by("name"))
    by_group = _by_group(counts, exact)
    groups = {group.pk: group for group, _shares in by_group}
    cells = [
        (unit, groups[cell[1]], counts.shares([cell], exact=exact))
        for unit in units
        for cell in sorted(by_unit.get(unit.pk, ()), key=lambda c: (groups[c[1]].position, groups[c[1]].name))
        if counts.headcount(cell, 0) or counts.trained.get(cell)
    ]
    if not exact:
        # Unit by unit, a reader who knows roughly how many work where could subtract the units shown
        # from a total and learn a small unit's hidden figure: those without exact figures (board
        # readers) see the organisation's total, its staff groups and the trend, not its units.
        units, cells = [], []
    return Report(
        on=on,
        exact=exact,
        total=counts.shares(counts.cells(), exact=exact),
        rows=[(unit, counts.shares(by_unit.get(unit.pk, ()), exact=exact)) for unit in units],
        by_group=by_group,
        cells=cells,
        trend=_trend(counts, years, exact),
        targets=targets(),
        scoped=unit_ids is not None,
    )


def targets() -> dict[str, int | None]:
    """Level -> percent set by the central coordinator (None: no target set)."""
    set_ = dict(CoverageTarget.objects.values_list("level", "percent"))
    return {level: set_.get(level) for level in LEVELS}
