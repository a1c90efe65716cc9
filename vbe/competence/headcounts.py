"""Headcounts typed by hand: one number per unit × staff group × year, edited as a grid.

The grid form carries what it showed (each existing cell's version and count, ``encode_shown``), so
saving writes only the cells the user changed and refuses the whole save if any of those changed
since the page was shown; a cell someone else changed meanwhile but the user left alone is kept as
it is. A unit manager keeps only their own units (``permissions.training_unit_scope``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.competence.models import Headcount, StaffGroup
from vbe.organisations.models import Organisation, Unit

Cell = tuple[int, int]  # (unit id, staff group id)
MAX_COUNT = 100_000
FIRST_YEAR = 2000
STALE = gettext_lazy(
    "Antalet anställda har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)


@dataclass(frozen=True)
class Shown:
    """A cell as the form showed it: the row's version and count (a cell without a row is not kept)."""

    version: int
    count: int


def last_year() -> int:
    return timezone.localdate().year + 1


def year_allowed(year: int) -> bool:
    return FIRST_YEAR <= year <= last_year()


def encode_shown(rows: Collection[Headcount]) -> str:
    """ "unit.group.version.count" per existing row, one hidden field for the whole grid (a field per
    cell would double the number of fields a large grid posts)."""
    return ";".join(f"{h.unit_id}.{h.staff_group_id}.{h.lock_version}.{h.count}" for h in rows)


def decode_shown(text: str) -> dict[Cell, Shown]:
    """Raises ValueError for anything but what ``encode_shown`` writes."""
    shown: dict[Cell, Shown] = {}
    for part in filter(None, text.split(";")):
        unit, group, version, count = (int(n) for n in part.split("."))
        if min(unit, group, version, count) < 0:
            raise ValueError(part)
        shown[(unit, group)] = Shown(version, count)
    return shown


def cells_of(
    *, year: int, unit_ids: Collection[int], group_ids: Collection[int], for_update: bool = False
) -> dict[Cell, Headcount]:
    """The headcount rows of these units and groups in ``year``, in one query."""
    rows = Headcount.objects.filter(year=year, unit_id__in=list(unit_ids), staff_group_id__in=list(group_ids))
    if for_update:
        rows = rows.select_for_update()
    return {(h.unit_id, h.staff_group_id): h for h in rows}


def _check_cells(actor: User, organisation: Organisation, year: int, cells: Collection[Cell]) -> None:
    """Every cell is an active unit of the organisation that the actor keeps, and an active group."""
    if not year_allowed(year):
        raise ValidationError(
            _("Välj ett år mellan %(first)s och %(last)s.") % {"first": FIRST_YEAR, "last": last_year()}
        )
    unit_ids = {u for u, _g in cells}
    group_ids = {g for _u, g in cells}
    own = set(
        Unit.objects.filter(organisation=organisation, is_active=True, pk__in=unit_ids).values_list("pk", flat=True)
    )
    scope = permissions.training_unit_scope(actor, organisation.pk)
    if own != unit_ids or (scope is not None and not unit_ids <= scope):
        raise PermissionDenied(Action.MANAGE_ORGANISATION_TRAINING.value)
    active = set(StaffGroup.objects.filter(is_active=True, pk__in=group_ids).values_list("pk", flat=True))
    if active != group_ids:
        raise ValidationError(_("En personalgrupp är inte längre aktiv. Ladda om sidan och gör ändringen igen."))


@transaction.atomic
def save_headcounts(
    *,
    actor: User,
    organisation_id: int,
    year: int,
    entered: Mapping[Cell, int | None],
    shown: Mapping[Cell, Shown],
) -> int:
    """Writes the cells whose entered value differs from the shown one (None: no figure, so the row
    goes); returns how many. One access-log row for the save."""
    organisation = Organisation.objects.get(pk=organisation_id)
    permissions.require(actor, Action.MANAGE_ORGANISATION_TRAINING, organisation)
    for count in entered.values():
        if count is not None and not 0 <= count <= MAX_COUNT:
            raise ValidationError(_("Antalet anställda ska vara mellan 0 och %(max)s.") % {"max": MAX_COUNT})
    changed = {
        cell: count for cell, count in entered.items() if count != (shown[cell].count if cell in shown else None)
    }
    if not changed:
        return 0
    _check_cells(actor, organisation, year, changed.keys())
    rows = cells_of(year=year, unit_ids={u for u, _g in changed}, group_ids={g for _u, g in changed}, for_update=True)
    for cell in changed:
        was = shown[cell].version if cell in shown else None
        now = rows[cell].lock_version if cell in rows else None
        if was != now:
            raise ValidationError(STALE)
    stamp = timezone.now()
    new, updated, gone = [], [], []
    for (unit_id, group_id), count in changed.items():
        row = rows.get((unit_id, group_id))
        if row is None:
            if count is not None:
                new.append(
                    Headcount(
                        unit_id=unit_id,
                        staff_group_id=group_id,
                        year=year,
                        count=count,
                        updated_by=actor,
                        updated_at=stamp,
                    )
                )
        elif count is None:
            gone.append(row.pk)
        else:
            row.count, row.updated_by, row.updated_at = count, actor, stamp
            row.lock_version += 1
            updated.append(row)
    try:
        with transaction.atomic():  # a savepoint: a cell first filled by two people at once meets the constraint
            Headcount.objects.bulk_create(new)
    except IntegrityError:
        raise ValidationError(STALE) from None
    Headcount.objects.bulk_update(updated, ["count", "updated_by", "updated_at", "lock_version"], batch_size=500)
    Headcount.objects.filter(pk__in=gone).delete()
    record(
        action="headcounts_changed",
        actor=actor,
        obj=organisation,
        detail=f"{year}: {len(new)} nya, {len(updated)} ändrade, {len(gone)} borttagna",
    )
    return len(changed)
