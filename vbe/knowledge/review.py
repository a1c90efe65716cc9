"""The review duty of support resources: each is reviewed every ``review_interval_months`` by its owner;
the keepers mark it reviewed, readers are warned when a review is overdue, and the keepers see which
resources are overdue or soon due (the overview, oldest due first).

"Soon due" is within ``VBE_RESOURCE_REVIEW_NOTICE_DAYS`` (30 unless set) of the due date, the same
period as the reminders (``vbe.knowledge.review_reminders``). The overview reads the index
``resource_review_due`` (active resources by due date and id) from where the last page ended (keyset
paging: ``?efter=<date>-<id>``), one page at a time, and counts the overdue only up to ``COUNT_CAP``.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.knowledge import access
from vbe.knowledge.models import Resource
from vbe.organisations.models import Organisation

PER_PAGE = 25
COUNT_CAP = 1000
AFTER = "efter"
_POSITION = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(\d{1,18})", re.ASCII)

STALE = gettext_lazy(
    "Materialet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och markera det igen."
)
ARCHIVED = gettext_lazy("Materialet är arkiverat och granskas inte.")


def notice_days() -> int:
    """How long before its due date a review counts as soon due: in the overview and the reminders."""
    return settings.VBE_RESOURCE_REVIEW_NOTICE_DAYS


def next_review(reviewed_on: datetime.date, interval_months: int) -> datetime.date:
    """The day a review made on ``reviewed_on`` is due again (31 January + 1 month: 28 or 29 February)."""
    months = reviewed_on.month - 1 + interval_months
    year, month = reviewed_on.year + months // 12, months % 12 + 1
    return datetime.date(year, month, min(reviewed_on.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def record_review(*, actor: User, resource_id: int, lock_version: int, today: datetime.date | None = None) -> Resource:
    """Marks the resource reviewed today and sets its next review; its text, version and everything
    else stay as they are. ``lock_version`` moves on, so a form opened before the review (which may
    carry the old due date) is refused rather than undoing it."""
    today = today or timezone.localdate()
    resource = access.locked(actor, resource_id)
    if resource.lock_version != lock_version:
        raise ValidationError(STALE, code="stale")
    if not resource.is_active:
        raise ValidationError(ARCHIVED, code="archived")
    resource.reviewed_on = today
    resource.next_review_on = next_review(today, resource.review_interval_months)
    resource.lock_version += 1
    resource.save(update_fields=["reviewed_on", "next_review_on", "lock_version"])
    record(
        action="resource_reviewed",
        actor=actor,
        obj=resource,
        organisation_id=resource.owner_id,
        detail=f"granskad {today.isoformat()}, nästa {resource.next_review_on.isoformat()}",
    )
    return resource


# --- The overview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose resources the overview shows: every owner's (``organisation_ids`` None) or these."""

    organisation_ids: frozenset[int] | None
    organisations: list[Organisation]


def overview_scope(user: User) -> Scope | None:
    """The central coordinator: every owner. A local coordinator: the organisations they keep resources
    of, each asked of the rule. Anyone else: None (the view refuses them)."""
    if permissions.can(user, Action.MANAGE_RESOURCES, None):
        return Scope(None, [])
    # The organisations come with the memberships (read once per request): no query of their own.
    organisations = {m.organisation_id: m.organisation for m in permissions.memberships(user)}
    kept = sorted(
        (
            organisations[pk]
            for pk in permissions.resource_organisation_ids(user)
            if pk in organisations and permissions.can(user, Action.MANAGE_RESOURCES, organisations[pk])
        ),
        key=lambda o: o.name,
    )
    if not kept:
        return None
    return Scope(frozenset(o.pk for o in kept), kept)


@dataclass(frozen=True)
class Position:
    """Where a row stands in the overview: its due date and id."""

    due: datetime.date
    pk: int

    @classmethod
    def parse(cls, value: str | None) -> Position | None:
        match = _POSITION.fullmatch(value or "")
        if match is None:
            return None
        try:
            return cls(datetime.date(int(match[1]), int(match[2]), int(match[3])), int(match[4]))
        except ValueError:
            return None

    def __str__(self) -> str:
        return f"{self.due.isoformat()}-{self.pk}"

    def after(self) -> Q:
        # The first condition alone bounds the index range.
        return Q(next_review_on__gte=self.due) & (
            Q(next_review_on__gt=self.due) | Q(next_review_on=self.due, pk__gt=self.pk)
        )


@dataclass
class OverviewPage:
    rows: list[Resource]
    overdue: int  # counted up to COUNT_CAP + 1
    next: Position | None  # the next page starts after this row
    first: bool  # this is the first page
    until: datetime.date  # soon due: on or before this day

    @property
    def overdue_capped(self) -> bool:
        return self.overdue > COUNT_CAP


def _due(organisation_ids: Collection[int] | None, until: datetime.date) -> QuerySet[Resource]:
    resources = Resource.objects.filter(is_active=True, next_review_on__lte=until)
    if organisation_ids is not None:
        resources = resources.filter(owner_id__in=sorted(organisation_ids))
    return resources


def overview_page(scope: Scope, *, today: datetime.date, after: Position | None = None) -> OverviewPage:
    """One page of the overdue and soon-due active resources in scope, oldest due first. Three queries."""
    until = today + datetime.timedelta(days=notice_days())
    resources = _due(scope.organisation_ids, until)
    page = resources.select_related("owner", "responsible").order_by("next_review_on", "pk")
    if after is not None:
        page = page.filter(after.after())
    rows = list(page[: PER_PAGE + 1])
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    overdue = resources.filter(next_review_on__lt=today).order_by()[: COUNT_CAP + 1].count()
    return OverviewPage(
        rows=rows,
        overdue=overdue,
        next=Position(rows[-1].next_review_on, rows[-1].pk) if more else None,
        first=after is None,
        until=until,
    )
