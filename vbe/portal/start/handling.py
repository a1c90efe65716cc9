"""The start pages of the roles that handle cases: the coordinator's inbox and the caseworker's own
cases by waiting time.

Each figure is the count of exactly the rows its link lists: the inbox asks the same conditions the case
list and the incident list filter by (``vbe.concerns.lists``, ``?att_hantera=1`` on both lists), so a
count and its list cannot drift apart. The handled concerns are a subset of those the list shows
(``permissions.concerns_visible_to``), so counting them directly is counting the filtered list. The
queries are a fixed number whatever the number of rows or organisations' concerns: a few rows each,
counts over the open concerns of the user's organisations (a small set) and the new incidents (capped
like the lists' counts).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role
from vbe.audit.log import record
from vbe.concerns import lists
from vbe.concerns.models import Concern, State
from vbe.core.newest_first import COUNT_CAP
from vbe.guidelines import duties
from vbe.incidents.models import Incident, Status
from vbe.organisations.models import Organisation
from vbe.plans import tasks

INBOX_ROWS = 5  # a handful of each kind; "Visa alla (N)" leads to the rest
CASEWORKER_ROWS = 10
NEXT_ITEMS = 3  # reporting deadlines and plan tasks shown

CONCERN_FIELDS = (
    "pk",
    "reference",
    "state",
    "created_at",
    "updated_at",
    "concerns_child",
    "organisation__name",
    "organisation__short_name",
)


def days_since(moment: datetime.datetime, today: datetime.date) -> int:
    """Whole calendar days (Stockholm time) from ``moment`` to ``today``; never negative."""
    return max(0, (today - timezone.localtime(moment).date()).days)


def received_text(days: int) -> str:
    if days == 0:
        return _("mottagen i dag")
    if days == 1:
        return _("mottagen i går")
    return _("mottagen för %(days)s dagar sedan") % {"days": days}


def activity_text(days: int) -> str:
    if days == 0:
        return _("senaste aktivitet i dag")
    if days == 1:
        return _("senaste aktivitet i går")
    return ngettext("ingen aktivitet på %(days)s dag", "ingen aktivitet på %(days)s dagar", days) % {"days": days}


@dataclass(frozen=True)
class Row:
    """One line of an inbox table: the case or incident, and how long it has waited, in words."""

    item: Any
    days: int
    waited: str


def _case_list(**parameters: str) -> str:
    return f"{reverse('concerns:case_list')}?{urlencode({'att_hantera': '1', **parameters})}"


def _incident_list(**parameters: str) -> str:
    return f"{reverse('incidents:list')}?{urlencode({'att_hantera': '1', **parameters})}"


def _concern_rows(queryset: Any, today: datetime.date, *, by_activity: bool = False) -> list[Row]:
    if by_activity:
        rows = queryset.order_by("updated_at", "pk")[:INBOX_ROWS]
        return [Row(c, d := days_since(c.updated_at, today), activity_text(d)) for c in rows]
    rows = queryset.order_by("created_at", "pk")[:INBOX_ROWS]
    return [Row(c, d := days_since(c.created_at, today), received_text(d)) for c in rows]


def _plan_tasks(organisations: list[Organisation], today: datetime.date) -> tuple[list[dict[str, Any]], int]:
    """What ``plans:tasks`` shows, those with a due date first (a date passed says so): the first few
    and how many in all."""
    several = len(organisations) > 1
    found = [
        {
            "task": task,
            "organisation": entry.organisation if several else None,
            "overdue": task.due is not None and task.due < today,
        }
        for entry in tasks.tasks_for(organisations, today.year)
        for task in entry.tasks
    ]
    found.sort(key=lambda item: (item["task"].due is None, item["task"].due or datetime.date.max))
    return found[:NEXT_ITEMS], len(found)


def _log_listed(user: Any, rows: list[Row]) -> None:
    """The start page lists concerns by reference, step and date, as the case list does: logged as the
    case list is, so a session that only ever opened the start page still leaves its trace."""
    if rows:
        record(action="concern_list_viewed", actor=user, detail="startsidan")


def coordinator(user: Any, membership: Membership | None) -> dict[str, Any]:
    """The inbox: what waits for the coordinator's organisations, oldest first, concerns about a child
    without a recorded orosanmälan first of all."""
    now = timezone.now()
    today = timezone.localdate()
    organisation_ids = permissions.org_ids_with(user, Role.COORDINATOR)
    handled = Concern.objects.filter(lists.handled_by_q(user)).select_related("organisation").only(*CONCERN_FIELDS)
    open_handled = handled.exclude(state=State.CLOSED)
    child_q = lists.needs_child_report_q()
    inactive_q = lists.inactive_q(now)
    # Three counts in one pass over the organisations' open concerns (a small set, on the
    # (organisation, state, created_at) index).
    counts = open_handled.order_by().aggregate(
        received=Count("pk", filter=Q(state=State.RECEIVED)),
        child=Count("pk", filter=child_q),
        inactive=Count("pk", filter=inactive_q),
    )
    new_incidents = Incident.objects.filter(organisation_id__in=organisation_ids, status=Status.NEW)
    incident_rows = [
        Row(i, d := days_since(i.created_at, today), received_text(d))
        for i in new_incidents.select_related("district")
        .only("pk", "reference", "category", "created_at", "district__name")
        .order_by("created_at", "pk")[:INBOX_ROWS]
    ]
    # Capped like the incident list's own count: a council's new incidents could be many.
    incident_count = new_incidents.order_by().values("pk")[: COUNT_CAP + 1].count()

    # The memberships were read with their organisations (``permissions.memberships``): no query here.
    coordinated = {
        m.organisation_id: m.organisation for m in permissions.memberships(user) if m.role == Role.COORDINATOR
    }
    organisations = sorted(
        (o for o in coordinated.values() if permissions.can(user, permissions.Action.REPORT_DUTIES, o)),
        key=lambda o: o.name,
    )
    plan_tasks, plan_task_count = _plan_tasks(organisations, today)
    child_rows = _concern_rows(open_handled.filter(child_q), today)
    received_rows = _concern_rows(open_handled.filter(state=State.RECEIVED), today)
    inactive_rows = _concern_rows(open_handled.filter(inactive_q), today, by_activity=True)
    _log_listed(user, child_rows + received_rows + inactive_rows)
    return {
        "several_organisations": len(organisation_ids) > 1,
        "inactive_days": lists.inactive_days(),
        "child_rows": child_rows,
        "child_count": counts["child"],
        "child_url": _case_list(barn_utan_anmalan="1"),
        "received_rows": received_rows,
        "received_count": counts["received"],
        "received_url": _case_list(steg=State.RECEIVED),
        "inactive_rows": inactive_rows,
        "inactive_count": counts["inactive"],
        "inactive_url": _case_list(inaktiv="1"),
        "incident_rows": incident_rows,
        "incident_count": incident_count,
        "incident_count_capped": incident_count > COUNT_CAP,
        "incident_url": _incident_list(status=Status.NEW),
        "deadlines": duties.next_due(organisations, today)[:NEXT_ITEMS],
        "plan_tasks": plan_tasks,
        "plan_task_count": plan_task_count,
    }


def caseworker(user: Any, membership: Membership | None) -> dict[str, Any]:
    """The caseworker's open cases, those waiting longest since anything was done first."""
    today = timezone.localdate()
    mine = (
        Concern.objects.filter(lists.handled_by_q(user), assigned_to_id=user.pk)
        .exclude(state=State.CLOSED)
        .select_related("organisation")
        .only(*CONCERN_FIELDS)
    )
    rows = [
        Row(c, d := days_since(c.updated_at, today), activity_text(d))
        for c in mine.order_by("updated_at", "pk")[:CASEWORKER_ROWS]
    ]
    _log_listed(user, rows)
    # One caseworker's open cases are few: counted without a cap.
    count = mine.order_by().count()
    return {
        "assigned_rows": rows,
        "assigned_count": count,
        "assigned_url": _case_list(mina="1", oppna="1"),
        "several_organisations": len(permissions.org_ids_with(user, Role.CASEWORKER)) > 1,
    }
