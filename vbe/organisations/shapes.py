"""The map of the districts, drawn once per process and again only when the districts change.

The report form and the city's statistics show the same map of the active districts. Drawing it
reads every district's GeoJSON (up to 48 kB each), then projects and simplifies it: more work than
the rest of either page. So each process keeps the drawn outlines (``svg.Outlines``: a few kB of
paths, not the GeoJSON), and each page adds only what is its own (links, shades, labels).

Districts change rarely: an administrator renames one or takes it out of use, a merge
(``services.merge_districts``) gives the target the merged geometry and takes the others out of use,
and ``reference.load_geography`` adds what is missing. So every use first asks the database one small
question: each district's id, code, name, whether it is in use, and a stamp of its row (no geometry).
The outlines are drawn again whenever the answer differs from the one they were drawn from. A change
made through any app server therefore shows on every other at its next request: nothing has to tell
a process to forget, and no process keeps an old map.

The stamp is PostgreSQL's ``xmin``, the transaction that wrote the row's current version: every
UPDATE of a district, its geometry included, changes it, and it is read without reading the row's
GeoJSON. SQLite (development and tests, on one machine) has no such column; there the stamp is the
length of the stored GeoJSON text, which a merge changes, and an edit by hand that keeps the text's
length exactly is seen only once something else about the districts changes, or the process restarts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Expression, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Length

from vbe.core import svg
from vbe.organisations.models import District

MAP_WIDTH = 640


@dataclass(frozen=True)
class Place:
    """A district as the map and the lists name it."""

    pk: int
    code: str
    name: str
    is_active: bool


@dataclass(frozen=True)
class DistrictMap:
    districts: tuple[Place, ...]  # every district, active or not, by name
    outlines: svg.Outlines  # the active districts that have a shape, by code

    def on_map(self) -> list[Place]:
        """The active districts drawn on the map, by name."""
        return [d for d in self.districts if d.is_active and d.code in self.outlines.areas]

    def active_codes(self) -> set[str]:
        return {d.code for d in self.districts if d.is_active}


Fingerprint = tuple[tuple[object, ...], ...]
# (fingerprint it was drawn from, the map): replaced whole, so a thread reads one or the other.
_drawn: tuple[Fingerprint, DistrictMap] | None = None


def _row_stamp() -> Expression:
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(District._meta.db_table)
        return RawSQL(f"{table}.xmin::text", ())  # noqa: S611 - the model's own table name, no input
    return Length(Cast("geometry", TextField()))


def _fingerprint() -> Fingerprint:
    """One query of a few bytes per district."""
    return tuple(
        District.objects.annotate(stamp=_row_stamp())
        .order_by("name", "pk")
        .values_list("pk", "code", "name", "is_active", "stamp")
    )


def district_map() -> DistrictMap:
    """The districts and the outlines of the active ones, as they are in the database now: one small
    query, and a second that reads the active districts' GeoJSON only when the districts have changed
    since this process last drew them."""
    global _drawn
    fingerprint = _fingerprint()
    drawn = _drawn
    if drawn is not None and drawn[0] == fingerprint:
        return drawn[1]
    # Read apart from the fingerprint: a change between the two is drawn under the older fingerprint,
    # which the next request no longer matches, so it is drawn again then.
    geometries = (
        District.objects.filter(is_active=True, geometry__isnull=False)
        .order_by("name", "pk")
        .values_list("code", "geometry")
    )
    result = DistrictMap(
        districts=tuple(Place(pk, code, name, is_active) for pk, code, name, is_active, _stamp in fingerprint),
        outlines=svg.draw_outlines(geometries, width=MAP_WIDTH),
    )
    _drawn = (fingerprint, result)
    return result
