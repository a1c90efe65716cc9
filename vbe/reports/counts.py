"""Incidents and concerns counted per calendar year for the status report, one SQL aggregate each:
incidents by the day they happened, concerns by the day they were received.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone

from vbe.concerns.models import Concern
from vbe.incidents.models import Incident


def incident_counts(years: Sequence[int]) -> dict[str, Counter]:
    """One query: counts per (year, category), (year, environment), (year, district id) and year."""
    first, last = min(years), max(years)
    rows = (
        Incident.objects.filter(
            occurred_on__gte=datetime.date(first, 1, 1), occurred_on__lte=datetime.date(last, 12, 31)
        )
        .order_by()
        .annotate(y=ExtractYear("occurred_on"))
        .values("y", "category", "environment", "district_id")
        .annotate(n=Count("pk"))
        .values_list("y", "category", "environment", "district_id", "n")
    )
    counts: dict[str, Counter] = defaultdict(Counter)
    for y, category, environment, district_id, n in rows:
        counts["category"][(y, category)] += n
        counts["environment"][(y, environment)] += n
        counts["district"][(y, district_id)] += n
        counts["total"][y] += n
    return counts


def concern_counts(years: Sequence[int]) -> dict[str, Counter]:
    """One query: concerns received per (year, environment) and per year."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime(min(years), 1, 1, tzinfo=tz)
    end = datetime.datetime(max(years) + 1, 1, 1, tzinfo=tz)
    rows = (
        Concern.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .annotate(y=ExtractYear("created_at"))
        .values("y", "environment")
        .annotate(n=Count("pk"))
        .values_list("y", "environment", "n")
    )
    counts: dict[str, Counter] = defaultdict(Counter)
    for y, environment, n in rows:
        counts["environment"][(y, environment)] += n
        counts["total"][y] += n
    return counts
