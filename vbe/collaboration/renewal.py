"""Renewal reminders: ``VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS`` days before a "meets" decision runs out
(``valid_until``), the assessing organisation's assessors (its coordinators and unit managers, and a
central coordinator who assesses for it) are told once that the assessment of the actor needs renewing.

One daily pass (``run``, the worker's ``vbe.collaboration.tasks.send_renewal_reminders``) reads the
decisions due along the index ``assessment_valid_until``, in chunks. Each reminder is sent in the
transaction that sets ``renewal_reminded_on`` on the assessment's locked row, after checking again that
nobody has (another worker) and that nothing has superseded the decision: so two workers send it once.
A decision already superseded (being renewed or renewed) gets none. Nobody to write to: nothing is set,
so an assessor who joins later is told. The mail names the actor, the organisation and the date, never
the working notes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from vbe.accounts.models import Role, User
from vbe.audit.log import record
from vbe.collaboration.assessments import notice_days
from vbe.collaboration.models import Assessment, Decision
from vbe.notifications import outbox

CHUNK = 500
# Those who may assess for an organisation (vbe.accounts.collaboration_rules.assessor).
ASSESSOR_ROLES = (Role.COORDINATOR, Role.UNIT_MANAGER, Role.CENTRAL_COORDINATOR)


@dataclass
class Result:
    reminded: int = 0
    queued: list[int] = field(default_factory=list)  # notification ids, sent at the end


def assessors_of(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__organisation_id=organisation_id, memberships__role__in=ASSESSOR_ROLES
        )
        .distinct()
        .order_by("pk")
    )


def _due(until: datetime.date) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        decision=Decision.MEETS,
        valid_until__isnull=False,
        valid_until__lte=until,
        renewal_reminded_on__isnull=True,
        superseded_by__isnull=True,
    )


def run(*, today: datetime.date) -> Result:
    result = Result()
    until = today + datetime.timedelta(days=notice_days())
    people: dict[int, list[User]] = {}
    due = _due(until).order_by("valid_until", "pk")
    last: tuple[datetime.date, int] | None = None
    while True:
        page = (
            due if last is None else due.filter(valid_until__gte=last[0]).exclude(valid_until=last[0], pk__lte=last[1])
        )
        chunk = list(page.values_list("pk", "valid_until", "organisation_id")[:CHUNK])
        if not chunk:
            break
        last_pk, last_day, _organisation = chunk[-1]
        assert last_day is not None  # the query reads only decisions with a date
        last = (last_day, last_pk)
        for pk, _valid_until, organisation_id in chunk:
            if organisation_id not in people:
                people[organisation_id] = assessors_of(organisation_id)
            if people[organisation_id]:
                _remind(pk, people[organisation_id], today=today, until=until, result=result)
    if result.queued:
        outbox.deliver(result.queued)
    return result


def _remind(pk: int, people: list[User], *, today: datetime.date, until: datetime.date, result: Result) -> None:
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        # Checked again under the row lock: another worker may have sent it, or someone renewed it.
        assessment = (
            _due(until).select_for_update(of=("self",)).select_related("actor", "organisation").filter(pk=pk).first()
        )
        if assessment is None:
            return
        assessment.renewal_reminded_on = today
        assessment.save(update_fields=["renewal_reminded_on"])
        context = {
            "actor": assessment.actor.name,
            "organisation": assessment.organisation.name,
            "purpose": assessment.get_purpose_display(),
            "valid_until": assessment.valid_until,
            "expired": assessment.valid_until is not None and assessment.valid_until < today,
            "service_name": settings.SERVICE_NAME,
            "assessment_url": outbox.absolute_url(reverse("collaboration:assessment", args=[assessment.pk])),
        }
        queued = outbox.queue(
            recipients=people,
            kind="democracy_renewal_reminder",
            reference=f"{assessment.pk}:{assessment.valid_until}",
            subject=" ".join(render_to_string("collaboration/email/renewal_reminder_subject.txt", context).split()),
            body=render_to_string("collaboration/email/renewal_reminder.txt", context),
            html_body=render_to_string("collaboration/email/renewal_reminder.html", context),
            send_after_commit=False,
        )
        record(
            action="democracy_renewal_reminded",
            actor=None,
            obj=assessment,
            organisation_id=assessment.organisation_id,
            detail=f"gäller till {assessment.valid_until}",
        )
    result.reminded += 1
    result.queued.extend(n.pk for n in queued)
