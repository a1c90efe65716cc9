"""Review reminders: the resource's responsible user (without one, or when they no longer keep it, the
owner organisation's active coordinators, or the central coordinators for an owner without any) is
written to ``VBE_RESOURCE_REVIEW_NOTICE_DAYS`` days before
a resource's review is due, and once when it is overdue.

One daily pass (``run``, the worker's ``vbe.knowledge.tasks.send_review_reminders``) reads the active
resources due within the notice period along the index ``resource_review_due``, in chunks. Each
reminder is recorded (``ReviewReminderSent``: resource, due date, kind) in the transaction that queues
its message, and the unique constraint makes it once only, also with two workers at once; a new due
date (the resource was reviewed) is news again. A resource first seen already overdue gets only the
overdue reminder. Nobody to write to: nothing is recorded, so a coordinator who joins later is told.

Messages are queued without the outbox's send-after-commit and sent together at the end of the pass
(as the training reminders are), so a mail server that is down costs the pass one time-out; the retry
job sends the rest.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.accounts.recipients import central_coordinators, coordinators_of
from vbe.knowledge.models import Resource, ReviewReminderSent
from vbe.knowledge.review import notice_days
from vbe.notifications import outbox

CHUNK = 500
Reminder = ReviewReminderSent.Reminder


@dataclass
class Result:
    before: int = 0  # resources whose keepers were told a review is near
    overdue: int = 0  # resources whose keepers were told it is overdue
    queued: list[int] = field(default_factory=list)  # notification ids, sent at the end


def kind_on(resource: Resource, today: datetime.date) -> str | None:
    """The reminder a resource is due on ``today``, if any."""
    if resource.next_review_on < today:
        return Reminder.OVERDUE
    if resource.next_review_on <= today + datetime.timedelta(days=notice_days()):
        return Reminder.BEFORE
    return None


class Recipients:
    """Who is told of a resource: the responsible person while they still keep it; else the owner's
    active coordinators; else (an owner without coordinators, such as the executive board's office,
    which owns the city's routines) the central coordinators, who keep every resource. The coordinators
    of each owner and the central coordinators are read once per pass, not once per resource."""

    def __init__(self) -> None:
        self._coordinators: dict[int, list[User]] = {}
        self._central: list[User] | None = None

    def of(self, resource: Resource) -> list[User]:
        responsible = resource.responsible
        if responsible is not None and permissions.can(responsible, Action.MANAGE_RESOURCES, resource.owner):
            return [responsible]
        if resource.owner_id not in self._coordinators:
            self._coordinators[resource.owner_id] = list(coordinators_of(resource.owner_id).order_by("pk"))
        if self._coordinators[resource.owner_id]:
            return self._coordinators[resource.owner_id]
        if self._central is None:
            self._central = list(central_coordinators().order_by("pk"))
        return self._central


def run(*, today: datetime.date) -> Result:
    result = Result()
    recipients = Recipients()
    until = today + datetime.timedelta(days=notice_days())
    due = (
        Resource.objects.filter(is_active=True, next_review_on__lte=until)
        .select_related("owner", "responsible")
        .order_by("next_review_on", "pk")
    )
    last: tuple[datetime.date, int] | None = None
    while True:
        page = (
            due
            if last is None
            else due.filter(next_review_on__gte=last[0]).exclude(next_review_on=last[0], pk__lte=last[1])
        )
        chunk = list(page[:CHUNK])
        if not chunk:
            break
        last = (chunk[-1].next_review_on, chunk[-1].pk)
        sent = set(
            ReviewReminderSent.objects.filter(resource__in=chunk).values_list("resource_id", "due_on", "reminder")
        )
        for resource in chunk:
            kind = kind_on(resource, today)
            if kind is not None and (resource.pk, resource.next_review_on, kind) not in sent:
                _remind(resource, kind, recipients.of(resource), today=today, result=result)
    if result.queued:
        outbox.deliver(result.queued)
    return result


def _remind(resource: Resource, kind: str, people: list[User], *, today: datetime.date, result: Result) -> None:
    if not people:
        return
    context = {
        "resource": resource,
        "overdue": kind == Reminder.OVERDUE,
        "due": resource.next_review_on,
        "owner": resource.owner.name,
        "service_name": settings.SERVICE_NAME,
        "resource_url": outbox.absolute_url(reverse("knowledge:resource", args=[resource.pk])),
        "overview_url": outbox.absolute_url(reverse("knowledge:review")),
    }
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            ReviewReminderSent.objects.create(resource=resource, due_on=resource.next_review_on, reminder=kind)
            queued = outbox.queue(
                recipients=people,
                kind="resource_review_reminder",
                reference=f"{resource.pk}:{resource.next_review_on.isoformat()}:{kind}",
                subject=" ".join(render_to_string("knowledge/email/review_reminder_subject.txt", context).split()),
                body=render_to_string("knowledge/email/review_reminder.txt", context),
                html_body=render_to_string("knowledge/email/review_reminder.html", context),
                send_after_commit=False,
            )
    except IntegrityError:  # another worker reminded them of this at the same moment
        return
    if kind == Reminder.OVERDUE:
        result.overdue += 1
    else:
        result.before += 1
    result.queued.extend(n.pk for n in queued)
