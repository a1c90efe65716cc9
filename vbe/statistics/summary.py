"""The summary tables (``vbe.statistics.models``) kept equal to a fresh count of the records.

What is counted of an incident: the month it happened (``dating.INCIDENTS``), its district,
neighbourhood, category and environment, and that it exists; of a concern: the month it was received
(``dating.CONCERNS``), its district, its organisation when it has no district, and its environment.
Whenever one of those changes, the *slices* it was and is in (a month of one place: an incident's
district; a concern's district, or its organisation) are counted again from the records and the
difference written, in the same transaction as the change:

- a saved or deleted record: Django's ``post_save`` and ``post_delete`` (every queryset ``delete``
  sends them too). A save that writes a counted field of an existing record, and a delete, first read
  what the row is counted as (``pre_save``, ``pre_delete``: one query by primary key), so a save that
  changes nothing counted (a step in handling a concern) writes nothing here, and one that does
  recounts where the record was and is;
- a bulk write, which sends neither (``QuerySet.update`` in a district merge, ``bulk_create`` in the
  demo city): its module sends ``counted_rows_changed`` (``vbe.incidents.signals``,
  ``vbe.concerns.signals``) with the ids written, and their whole months are counted again;
- the synthetic city (``vbe.demo.scale``) counts each year's months again once it has written them,
  and ``manage.py rebuild_statistics`` counts everything again (also run by this app's migration).

Counting a slice again, rather than adding one to a figure, makes every write leave its slices right
whatever came before. Concurrent writers are kept apart by one lock held to the end of the
transaction: every recount first draws a new stamp (``models.SummaryStamp``), which locks its row
(SQLite writes one transaction at a time anyway). A recount that waited for another writer's commit
sees its records, since each statement of a READ COMMITTED transaction reads what was committed
before it. The portal's writes recount before they append to the access log, whose chain head is the
other lock they all take, so the two are always taken in the same order (``generate_scale``, which
runs alone, recounts last).
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps.registry import Apps
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min, Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from vbe.concerns.signals import counted_rows_changed as concerns_changed
from vbe.incidents.signals import counted_rows_changed as incidents_changed
from vbe.statistics import dating
from vbe.statistics.models import MONTH

NOTED = "_statistics_counted_as"  # what a record being saved was counted as, from pre_save to post_save

Place = tuple[int | None, ...]  # the values of a summary's place fields
Slice = tuple[datetime.date, Place | None]  # a month of one place, or (None) of every place
SummaryKey = tuple[datetime.date, Place, str, str]  # month, place, dimension, value


@dataclass(frozen=True)
class Kind:
    """One kind of record and its summary table."""

    records: type[models.Model]
    summary: type[models.Model]
    stamp: type[models.Model]  # SummaryStamp
    dating: dating.Dating
    counted: tuple[str, ...]  # the records' fields whose values are counted (``attname``s)
    place_fields: tuple[str, ...]  # the summary's fields naming a place (the records have them too)
    dimensions: tuple[tuple[str, str], ...]  # (dimension, the record's field giving its value)
    place: Callable[[dict[str, Any]], Place]  # a record's place from its counted values
    records_in: Callable[[Place], Q]  # the records of a place

    def summary_in(self, place: Place) -> Q:
        return Q(**dict(zip(self.place_fields, place, strict=True)))

    def slice_of(self, values: dict[str, Any]) -> Slice:
        return (self.dating.month_of(values[self.dating.field]), self.place(values))


def _incident_place(values: dict[str, Any]) -> Place:
    return (values["district_id"],)


def _concern_place(values: dict[str, Any]) -> Place:
    """Where a concern counts in the summary: its district, or else its organisation (read as that
    organisation's district when counted, ``vbe.statistics.city.concern_counts``)."""
    if values["district_id"] is not None:
        return (values["district_id"], None)
    return (None, values["organisation_id"])


def _concerns_in(place: Place) -> Q:
    district_id, organisation_id = place
    return (
        Q(district_id=district_id) if district_id is not None else Q(district_id=None, organisation_id=organisation_id)
    )


def kinds(apps: Apps | None = None) -> tuple[Kind, Kind]:
    """The incidents and the concerns, with the models of ``apps`` (a migration's) or the current ones."""
    if apps is None:
        from django.apps import apps as current

        apps = current
    incidents = Kind(
        records=apps.get_model("incidents", "Incident"),
        summary=apps.get_model("statistics", "IncidentCount"),
        stamp=apps.get_model("statistics", "SummaryStamp"),
        dating=dating.INCIDENTS,
        counted=("occurred_on", "district_id", "neighbourhood_id", "category", "environment"),
        place_fields=("district_id",),
        dimensions=(("category", "category"), ("environment", "environment"), ("neighbourhood", "neighbourhood_id")),
        place=_incident_place,
        records_in=lambda place: Q(district_id=place[0]),
    )
    concerns = Kind(
        records=apps.get_model("concerns", "Concern"),
        summary=apps.get_model("statistics", "ConcernCount"),
        stamp=apps.get_model("statistics", "SummaryStamp"),
        dating=dating.CONCERNS,
        counted=("created_at", "district_id", "organisation_id", "environment"),
        place_fields=("district_id", "organisation_id"),
        dimensions=(("environment", "environment"),),
        place=_concern_place,
        records_in=_concerns_in,
    )
    return incidents, concerns


def _draw_stamp(stamp_model: type[models.Model]) -> None:
    """A new stamp for the summary (``SummaryStamp``): taking its row's lock, held to the end of the
    transaction, keeps recounts one at a time. One statement, whether or not the row exists yet."""
    table = connection.ops.quote_name(stamp_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, stamp) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp",  # noqa: S608 - the table's own name
            [secrets.randbits(62)],
        )


def _last_day(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def _fresh(kind: Kind, slices: set[Slice]) -> dict[SummaryKey, int]:
    """The slices counted from the records: one query."""
    months = {month for month, _place in slices}
    records = kind.dating.within(kind.records.objects.all(), min(months), _last_day(max(months)))
    if all(place is not None for _month, place in slices):
        wanted = Q()
        for place in {place for _month, place in slices}:
            wanted |= kind.records_in(place)  # type: ignore[arg-type]
        records = records.filter(wanted)
    values = {*kind.place_fields, *(field for _dim, field in kind.dimensions)}
    rows = (
        records.order_by()
        .annotate(counted_in=kind.dating.month())
        .values("counted_in", *sorted(values))
        .annotate(n=Count("pk"))
    )
    counts: dict[SummaryKey, int] = defaultdict(int)
    for row in rows:
        month = dating.as_date(row["counted_in"])
        place = kind.place(row)
        if (month, place) not in slices and (month, None) not in slices:
            continue
        counts[(month, place, MONTH, "")] += row["n"]
        for dimension, field in kind.dimensions:
            value = row[field]
            counts[(month, place, dimension, "" if value is None else str(value))] += row["n"]
    return counts


def recount(kind: Kind, slices: Iterable[Slice]) -> None:
    """Counts ``slices`` of ``kind`` again from the records and writes the difference (see the module)."""
    slices = set(slices)
    if not slices:
        return
    # Part of the write's own transaction (no savepoint: a recount that fails fails the write).
    with transaction.atomic(savepoint=False):
        _draw_stamp(kind.stamp)
        fresh = _fresh(kind, slices)
        whole = {month for month, place in slices if place is None}
        stored = Q(month__in=whole) if whole else Q(pk__in=[])
        for month, place in slices:
            if place is not None and month not in whole:
                stored |= Q(month=month) & kind.summary_in(place)
        existing = {
            (row.month, tuple(getattr(row, f) for f in kind.place_fields), row.dimension, row.value): row
            for row in kind.summary.objects.filter(stored)
        }
        gone = [row.pk for key, row in existing.items() if key not in fresh]
        changed = []
        for key, row in existing.items():
            if key in fresh and row.n != fresh[key]:
                row.n = fresh[key]
                changed.append(row)
        new = [
            kind.summary(
                month=month, dimension=dimension, value=value, n=n, **dict(zip(kind.place_fields, place, strict=True))
            )
            for (month, place, dimension, value), n in fresh.items()
            if (month, place, dimension, value) not in existing
        ]
        if gone:
            kind.summary.objects.filter(pk__in=gone).delete()
        if changed:
            kind.summary.objects.bulk_update(changed, ["n"], batch_size=500)
        if new:
            kind.summary.objects.bulk_create(new, batch_size=1000)


def _months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def recount_months(first: datetime.date, last: datetime.date, *, apps: Apps | None = None) -> None:
    """Every month from ``first``'s to ``last``'s counted again, both kinds: after a bulk write of records
    dated between them."""
    for kind in kinds(apps):
        recount(kind, ((month, None) for month in _months_between(first, last)))


def rebuild(*, apps: Apps | None = None) -> None:
    """Everything counted again: every month with records or summary rows."""
    for kind in kinds(apps):
        with transaction.atomic():
            _draw_stamp(kind.stamp)
            span = kind.records.objects.aggregate(first=Min(kind.dating.field), last=Max(kind.dating.field))
            months = set(kind.summary.objects.values_list("month", flat=True).distinct())
            if span["first"] is not None:
                first, last = kind.dating.month_of(span["first"]), kind.dating.month_of(span["last"])
                months.update(_months_between(first, last))
            recount(kind, ((month, None) for month in months))


# --- Following the writes ---------------------------------------------------------------------------------


def _receivers(kind: Kind) -> None:
    def counted(instance: models.Model) -> dict[str, Any]:
        return {field: getattr(instance, field) for field in kind.counted}

    def touches_counts(update_fields: Iterable[str] | None) -> bool:
        if update_fields is None:
            return True
        return any(kind.records._meta.get_field(name).attname in kind.counted for name in update_fields)

    def note(instance: models.Model) -> None:
        # What the row is counted as now, read from the database (whatever the instance was built from or
        # still holds): one query by primary key.
        instance.__dict__[NOTED] = kind.records.objects.filter(pk=instance.pk).values(*kind.counted).first()

    def before_save(
        sender: type, instance: models.Model, update_fields: Iterable[str] | None = None, **_kwargs: object
    ) -> None:
        # None for a new record or a save that writes no counted field.
        if not instance._state.adding and instance.pk is not None and touches_counts(update_fields):
            note(instance)

    def saved(
        sender: type,
        instance: models.Model,
        created: bool,
        update_fields: Iterable[str] | None = None,
        **_kwargs: object,
    ) -> None:
        if not touches_counts(update_fields):
            return
        before = instance.__dict__.pop(NOTED, None)
        after = counted(instance)
        if before == after:
            return
        recount(kind, {kind.slice_of(after), *([kind.slice_of(before)] if before else [])})

    def before_delete(sender: type, instance: models.Model, **_kwargs: object) -> None:
        note(instance)

    def deleted(sender: type, instance: models.Model, **_kwargs: object) -> None:
        before = instance.__dict__.pop(NOTED, None)
        recount(kind, {kind.slice_of(before or counted(instance))})

    def bulk(sender: type, ids: Iterable[int], **_kwargs: object) -> None:
        rows = kind.records.objects.filter(pk__in=list(ids)).order_by()
        months = {dating.as_date(m) for m in rows.annotate(m=kind.dating.month()).values_list("m", flat=True)}
        recount(kind, ((month, None) for month in months))

    # Strong references (weak=False): these functions live only in the signals' lists.
    name = kind.summary.__name__
    pre_save.connect(before_save, sender=kind.records, weak=False, dispatch_uid=f"statistics-before-{name}")
    post_save.connect(saved, sender=kind.records, weak=False, dispatch_uid=f"statistics-save-{name}")
    pre_delete.connect(before_delete, sender=kind.records, weak=False, dispatch_uid=f"statistics-before-delete-{name}")
    post_delete.connect(deleted, sender=kind.records, weak=False, dispatch_uid=f"statistics-delete-{name}")
    signal = incidents_changed if name == "IncidentCount" else concerns_changed
    signal.connect(bulk, sender=kind.records, weak=False, dispatch_uid=f"statistics-bulk-{name}")


def connect() -> None:
    """Called once, from ``StatisticsConfig.ready``."""
    for kind in kinds():
        _receivers(kind)
