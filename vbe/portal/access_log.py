"""The auditor's reading of the access log, a page at a time however long the log grows.

Pages are cut by id, the chain's order (keyset pagination): a page holds the rows just below (or
above) the id in its address, read along an index, so no page counts the log or skips rows with
OFFSET, and the oldest page costs what the newest does. Rows of a local date range are found through
the UTC instants the range starts and ends at; the indexes are listed in AccessLogEntry.Meta.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.audit.models import AccessLogEntry, Outcome

ROWS_PER_PAGE = 50
# A date range is first looked for among this many rows next to the page's edge in id order, which is
# where a range reaching the page (e.g. "since 1 March", or the next page of any range) has its rows.
PROBE_ROWS = 1000
# Further on, the cheaper of two exact reads: following the id order until the range begins (directly,
# when that is at most WALK_ROWS rows away), or reading the range's ids from its own index and taking
# the newest, given up once it passes as many rows as the id order would (or SPAN_ROWS, when the id
# order tells nothing).
WALK_ROWS = 50_000
SPAN_ROWS = 200_000
MAX_ID = 2**63 - 1  # a bigint: larger numbers in an address are refused, not sent to the database

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(9998, 12, 31)  # the day after still has a start
DATE_RANGE_ERROR = _("Skriv ett datum mellan 1900-01-01 och 9998-12-31.")


class LogFilterForm(forms.Form):
    action = forms.CharField(label=_("Händelse"), required=False, max_length=64)
    outcome = forms.ChoiceField(label=_("Utfall"), required=False, choices=[("", _("Alla")), *Outcome.choices])
    actor_id = forms.IntegerField(label=_("Användar-id"), required=False, min_value=1, max_value=MAX_ID)
    subject_ref = forms.CharField(
        label=_("Registrerad (referens)"),
        help_text=_("Till exempel ett ärendes referens."),
        required=False,
        max_length=128,
    )
    date_from = forms.DateField(
        label=_("Från och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )
    date_to = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )

    def _clean_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data[name]
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(DATE_RANGE_ERROR)
        return day

    def clean_date_from(self) -> datetime.date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> datetime.date | None:
        return self._clean_day("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Till och med-datumet ligger före från och med-datumet."))
        return data


class PositionForm(forms.Form):
    """Where in the log the page is: one of these, or none for the newest rows."""

    aldre = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)  # rows older than this id
    nyare = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID)  # rows newer than this id
    aldsta = forms.ChoiceField(required=False, choices=[("1", "1")])  # the oldest rows

    FIELDS = ("aldre", "nyare", "aldsta")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if sum(1 for name in self.FIELDS if data.get(name) not in (None, "")) > 1:
            raise forms.ValidationError("högst en position i taget")  # never shown: the page says what to do
        return data


@dataclass(frozen=True)
class Span:
    """A range of instants, [start, end); an open end is None."""

    start: datetime.datetime | None
    end: datetime.datetime | None

    def q(self) -> Q:
        q = Q()
        if self.start is not None:
            q &= Q(created_at__gte=self.start)
        if self.end is not None:
            q &= Q(created_at__lt=self.end)
        return q


def day_start(day: datetime.date) -> datetime.datetime:
    """The instant a local day starts in the city's time zone (settings.TIME_ZONE), whatever its length:
    a day of the switch to or from summer time is 23 or 25 hours. Midnight exists on every day there."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def local_days(first: datetime.date | None, last: datetime.date | None) -> Span | None:
    """The local days ``first`` to ``last`` (both included) as instants, for the created_at index."""
    if first is None and last is None:
        return None
    return Span(
        day_start(first) if first else None,
        day_start(last + datetime.timedelta(days=1)) if last else None,
    )


def _ids_in_span(entries: QuerySet[AccessLogEntry], count: int, *, newest_first: bool, cap: int) -> list[int] | None:
    """The ``count`` newest (or oldest) ids of ``entries`` (a date range), read from the range's index.

    The inner query walks the range in time order, stopping after ``cap`` + 1 rows; the outer one takes
    the newest ids of those. None when the range holds more than ``cap`` rows. The inner LIMIT makes
    the database read the range first: a plain ORDER BY id LIMIT lets the planner follow the id order
    instead, which, for a range far back in the log, reads nearly every row before it.
    """
    inner = entries.order_by("created_at").values("id")[: cap + 1]
    sql, params = inner.query.sql_with_params()
    direction = "DESC" if newest_first else "ASC"
    with connection.cursor() as cursor:
        # Composed only of the ORM's own compiled query and a fixed word; values stay parameters.
        cursor.execute(
            f"SELECT span.id, COUNT(*) OVER () FROM ({sql}) span ORDER BY span.id {direction} LIMIT %s",  # noqa: S608
            [*params, count],
        )
        found = cursor.fetchall()
    if found and found[0][1] > cap:
        return None
    return [row[0] for row in found]


def walk(
    entries: QuerySet[AccessLogEntry], *, span: Span | None, beyond: int | None, newest_first: bool, count: int
) -> list[AccessLogEntry]:
    """Up to ``count`` rows of ``entries`` (equality filters only) inside ``span``, in id order from
    ``beyond`` (excluded) on: downwards when ``newest_first``, else upwards. At most six queries, each
    along an index (AccessLogEntry.Meta); no count of the log, no offset.

    Without a date range this is one walk down an index. With one, time and id order usually agree (a
    row is stamped as it is appended), but need not (generated history is appended out of time order,
    app servers' clocks differ), so the range is never turned into ids: each step below is exact, and
    only the choice between them leans on the two orders agreeing.
    """
    order = "-id" if newest_first else "id"
    ordered = entries.order_by(order)
    if beyond is not None:
        ordered = ordered.filter(id__lt=beyond) if newest_first else ordered.filter(id__gt=beyond)
    if span is None:
        return list(ordered[:count])
    in_span = ordered.filter(span.q())
    # 1. The rows next to the edge: the range's rows, if it reaches the page.
    probe = ordered.values("id")[:PROBE_ROWS].aggregate(rows=Count("id"), edge=Min("id") if newest_first else Max("id"))
    if not probe["rows"]:
        return []
    edge = probe["edge"]
    rows = list((in_span.filter(id__gte=edge) if newest_first else in_span.filter(id__lte=edge))[:count])
    if len(rows) == count or probe["rows"] < PROBE_ROWS:
        return rows
    far = in_span.filter(id__lt=edge) if newest_first else in_span.filter(id__gt=edge)
    missing = count - len(rows)
    # 2. How far the id order is from the range: the id of its newest (oldest) row in time, one step
    # down the range's index. Ids are consecutive, so the difference counts the rows in between.
    nearest = entries.filter(span.q()).order_by("-created_at" if newest_first else "created_at")
    anchor = nearest.values_list("id", flat=True).first()
    if anchor is None:
        return rows
    gap = edge - anchor if newest_first else anchor - edge
    if 0 < gap <= WALK_ROWS:  # the id order reaches the range soon
        return rows + list(far[:missing])
    # 3. Otherwise the range's own ids, unless it holds more rows than the id order passes on its way
    # there; then the id order. Where time and id order agree, the work is at most about twice the
    # smaller of the two (a range of a million rows far back in a log of three: seconds, not minutes).
    ids = _ids_in_span(far, missing, newest_first=newest_first, cap=gap if gap > 0 else SPAN_ROWS)
    if ids is None:
        return rows + list(far[:missing])
    return rows + list(AccessLogEntry.objects.filter(id__in=ids).order_by(order))


@dataclass(frozen=True)
class LogPage:
    rows: list[AccessLogEntry]  # newest first
    has_newer: bool
    has_older: bool
    position: str  # for the log row of this reading


def read_page(
    entries: QuerySet[AccessLogEntry],
    span: Span | None,
    *,
    older_than: int | None,
    newer_than: int | None,
    oldest: bool,
) -> LogPage:
    """One page of rows. The direction walked is known exactly from one extra row; the other way there
    are rows (the page one came from), unless the address was made by hand."""
    size = ROWS_PER_PAGE
    if newer_than is not None or oldest:
        rows = walk(entries, span=span, beyond=newer_than, newest_first=False, count=size + 1)
        position = "äldsta sidan" if oldest else f"nyare än rad {newer_than}"
        return LogPage(rows[:size][::-1], len(rows) > size, not oldest, position)
    rows = walk(entries, span=span, beyond=older_than, newest_first=True, count=size + 1)
    if older_than is not None:
        return LogPage(rows[:size], True, len(rows) > size, f"äldre än rad {older_than}")
    return LogPage(rows[:size], False, len(rows) > size, "nyaste sidan")


def estimated_rows() -> int | None:
    """PostgreSQL's own estimate of the log's length (kept by ANALYZE), rounded: counting is a scan."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [AccessLogEntry._meta.db_table])
        row = cursor.fetchone()
    if not row or row[0] < 1:  # never analysed
        return None
    estimate = int(row[0])
    rounding = 10 ** max(len(str(estimate)) - 2, 0)
    return round(estimate / rounding) * rounding


def _link(query: dict[str, Any], **position: Any) -> str:
    return "?" + urlencode({**query, **position})


@require_safe
@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The auditor's view of the access log. Reading the log is itself logged."""
    permissions.require(request.user, Action.VIEW_ACCESS_LOG)
    form = LogFilterForm(request.GET or None)  # unbound without filters: no errors on first view
    position = PositionForm(request.GET)
    # The links carry the filters as typed (an invalid one too, so its error stays in view), nothing else.
    query = {name: request.GET[name] for name in LogFilterForm.base_fields if request.GET.get(name)}
    context: dict[str, Any] = {"form": form, "newest_link": _link(query)}
    if not position.is_valid():
        context["position_errors"] = [
            {"text": _("Adressen pekar inte ut någon sida i loggen. Börja från den nyaste sidan."), "href": ""}
        ]
        return render(request, "audit/access_log.html", context, status=400)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/access_log.html", context)  # the errors, and no rows that look filtered
    entries = AccessLogEntry.objects.all()
    span, subject_ref, filtered = None, "", False
    if form.is_bound:
        data = form.cleaned_data
        equal = {name: data[name] for name in ("action", "outcome", "actor_id", "subject_ref") if data[name]}
        entries = entries.filter(**equal)
        span = local_days(data["date_from"], data["date_to"])
        subject_ref, filtered = data["subject_ref"], bool(equal) or span is not None
    at = position.cleaned_data
    page = read_page(entries, span, older_than=at["aldre"], newer_than=at["nyare"], oldest=at["aldsta"] == "1")
    # Who searched the log for a data subject is logged against that subject too.
    record(action="access_log_viewed", actor=request.user, subject_ref=subject_ref, detail=page.position)
    if page.rows:
        context["newer_link"] = _link(query, nyare=page.rows[0].id) if page.has_newer else ""
        context["older_link"] = _link(query, aldre=page.rows[-1].id) if page.has_older else ""
    context["oldest_link"] = _link(query, aldsta=1) if page.has_older else ""
    context["page"] = page
    context["estimate"] = None if filtered else estimated_rows()
    return render(request, "audit/access_log.html", context)
