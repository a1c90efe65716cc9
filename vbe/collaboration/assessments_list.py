"""The list of an assessor's assessments (/samverkan/bedomningar/): the organisations' drafts, their
decisions, and the decisions to renew (running out within the notice period, or run out, with nothing
superseding them yet).

Key-set paging, one page at a time: drafts and decisions newest first by id (the primary key's index,
narrowed to the user's organisations), the decisions to renew by the day they run out and id (the index
``assessment_valid_until``). ``?efter=`` names the last row shown.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from vbe.collaboration.assessments import notice_days
from vbe.collaboration.models import Assessment

PER_PAGE = 25
AFTER = "efter"
DRAFTS, DECIDED, RENEW = "utkast", "beslutade", "fornyas"
VIEWS = (DRAFTS, DECIDED, RENEW)
_BY_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
_BY_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})-([0-9]{1,18})", re.ASCII)


@dataclass
class Page:
    view: str
    rows: list[Assessment]
    next: str | None  # the value of ?efter= for the next page
    first: bool
    until: datetime.date  # due for renewal: running out on or before this day


def _after_id(value: str) -> Q | None:
    return Q(pk__lt=int(value)) if _BY_ID.fullmatch(value) else None


def _after_day(value: str) -> Q | None:
    match = _BY_DAY.fullmatch(value)
    if match is None:
        return None
    try:
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    # The first condition alone bounds the index range.
    return Q(valid_until__gte=day) & (Q(valid_until__gt=day) | Q(valid_until=day, pk__gt=int(match[4])))


def page(organisation_ids: set[int], *, view: str, after: str, today: datetime.date) -> Page:
    """One page of the view. One query."""
    until = today + datetime.timedelta(days=notice_days())
    rows: QuerySet[Assessment] = Assessment.objects.filter(organisation_id__in=sorted(organisation_ids))
    if view == RENEW:
        rows = (
            rows.exclude(decision="")
            .filter(valid_until__isnull=False, valid_until__lte=until, superseded_by__isnull=True)
            .order_by("valid_until", "pk")
        )
        position = _after_day(after)
    else:
        rows = (rows.filter(decision="") if view == DRAFTS else rows.exclude(decision="")).order_by("-pk")
        position = _after_id(after)
    if position is not None:
        rows = rows.filter(position)
    shown = list(rows.select_related("actor", "organisation")[: PER_PAGE + 1])
    more = len(shown) > PER_PAGE
    shown = shown[:PER_PAGE]
    following = None
    if more:
        last = shown[-1]
        following = f"{last.valid_until.isoformat()}-{last.pk}" if view == RENEW and last.valid_until else str(last.pk)
    return Page(view=view, rows=shown, next=following, first=position is None, until=until)
