"""The counts the statistics pages and the status report add up, kept per month (``vbe.statistics.summary``).

Ten years of incidents are some hundred thousand rows, and a page counting them on every request
grows with them; these tables hold what the figures are made of, per month and place, one row per
value of each dimension a page shows (and one per month for its total), so a period's figures are a
sum over a few thousand rows whatever the number of records. The rows are derived: every write that
changes what is counted recounts its month and place in the same transaction, and
``manage.py rebuild_statistics`` counts everything again. ``SummaryStamp`` tells a process whether
the sums it keeps are still those of the tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

MONTH = "month"  # the row holding the month's total for its place (value "")


class Count(models.Model):
    month = models.DateField()  # the first of the month, as ``vbe.statistics.dating`` dates the records
    dimension = models.CharField(max_length=16)  # MONTH, or a dimension of ``vbe.statistics.city``
    value = models.CharField(max_length=32, blank=True)  # the value; a neighbourhood's id; "" for none
    n = models.PositiveIntegerField()

    class Meta:
        abstract = True


class IncidentCount(Count):
    """Incidents per month (``dating.INCIDENTS``) and district, by category, environment and neighbourhood."""

    district = models.ForeignKey("organisations.District", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            # Also the pages' index: a range of months, every district.
            models.UniqueConstraint(fields=["month", "district", "dimension", "value"], name="incident_count_once"),
        ]


class ConcernCount(Count):
    """Concerns per month received (``dating.CONCERNS``) and place, by environment. The place is the
    district where it was observed, or else the organisation responsible for it (whose district, if
    any, it counts under when read: a hand-over changes the organisation, never these rows' district)."""

    district = models.ForeignKey("organisations.District", on_delete=models.CASCADE, null=True, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["month"], name="concern_count_month")]
        constraints = [
            models.CheckConstraint(
                condition=Q(district__isnull=False, organisation__isnull=True)
                | Q(district__isnull=True, organisation__isnull=False),
                name="concern_count_one_place",
            ),
            models.UniqueConstraint(
                fields=["month", "district", "dimension", "value"],
                condition=Q(organisation__isnull=True),
                name="concern_count_once_by_district",
            ),
            models.UniqueConstraint(
                fields=["month", "organisation", "dimension", "value"],
                condition=Q(district__isnull=True),
                name="concern_count_once_by_organisation",
            ),
        ]


class SummaryStamp(models.Model):
    """One row: a random number drawn anew by every recount, in its transaction.

    The same stamp means the same summary rows, even after a rollback (which restores both), so a
    process may keep what it summed under the stamp it read first (``vbe.statistics.city``). Drawing
    it takes the row's lock, held to the end of the transaction: that keeps recounts one at a time."""

    stamp = models.BigIntegerField()
