"""Reminders about training: to staff whose required training is missing or about to expire, and a
monthly summary in figures to each organisation's coordinators.

One daily pass (``run``, the worker's ``vbe.competence.tasks.send_training_reminders``) reads every
post (``Placement``) in chunks of learners and finds, for each course required for the post's staff
group, where the learner stands on ``today``:

- *missing*: no completion on or before ``today`` (key "missing"), or the last one has expired (key:
  the last day it counted, so a renewed course that expires again is news again);
- *expiring*: the last completion counts for at most ``VBE_TRAINING_EXPIRY_NOTICE_DAYS`` more days
  (key: its last day).

Staff of an organisation that has not opted out (``ReminderSetting``) get one e-mail listing every
course that is news to them; ``TrainingReminderSent`` is written in the same transaction as the
message, and its unique constraint makes each reminder once only, also with two workers at once.
The coordinators' summary counts every post, opted out or not, and names nobody.

Messages are queued without the outbox's send-after-commit and sent together at the end of the pass,
so a mail server that is down costs the pass one time-out; the retry job sends the rest.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.accounts.recipients import coordinators_of
from vbe.audit.log import record
from vbe.competence.models import (
    Completion,
    Course,
    CoverageSummarySent,
    Learner,
    Placement,
    ReminderKind,
    ReminderSetting,
    StaffGroup,
    TrainingReminderSent,
)
from vbe.competence.own import notice_days
from vbe.notifications import outbox
from vbe.organisations.models import Organisation

CHUNK = 500  # learners per round: a handful of queries each, whatever the number of staff
MISSING_KEY = "missing"


@dataclass(frozen=True)
class Item:
    """One course one learner is reminded of."""

    kind: str  # ReminderKind
    course_id: int
    key: str  # MISSING_KEY, or the ISO date of the last day the completion counts(ed)
    until: datetime.date | None  # that day; None: never completed


@dataclass
class Tally:
    """An organisation's learners with a required course missing or expiring, per staff group."""

    missing: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    expiring: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class Result:
    reminded: int = 0  # learners e-mailed
    summaries: int = 0  # coordinators' summaries
    queued: list[int] = field(default_factory=list)  # notification ids, sent at the end


def link(route: str, *args: object, fallback: str = "/utbildning/") -> str:
    """An absolute link to a page of the training part (the catalogue's start if the route is gone)."""
    try:
        path = reverse(route, args=args)
    except NoReverseMatch:
        path = fallback
    return outbox.absolute_url(path)


def standing(course: Course, last: datetime.date | None, *, today: datetime.date, notice: int) -> Item | None:
    """Where a learner stands with a required course, given their last completion on or before today."""
    if last is None:
        return Item(ReminderKind.MISSING, course.pk, MISSING_KEY, None)
    until = course.valid_until(last)
    if until is None:
        return None
    if until < today:
        return Item(ReminderKind.MISSING, course.pk, until.isoformat(), until)
    if until <= today + datetime.timedelta(days=notice):
        return Item(ReminderKind.EXPIRING, course.pk, until.isoformat(), until)
    return None


def _required() -> dict[int, list[int]]:
    """Active staff group -> its required active courses."""
    required: dict[int, list[int]] = defaultdict(list)
    rows = Course.required_for.through.objects.filter(course__is_active=True, staffgroup__is_active=True)
    for group_id, course_id in rows.values_list("staffgroup_id", "course_id").order_by("course_id"):
        required[group_id].append(course_id)
    return required


def _posts(required: dict[int, list[int]]) -> Iterator[list[tuple[int, int, int]]]:
    """(learner, staff group, organisation) of every post at an active unit of an active organisation,
    whose staff group has required courses, by chunks of whole learners."""
    posts = Placement.objects.filter(
        staff_group_id__in=list(required), unit__is_active=True, unit__organisation__is_active=True
    )
    learner_ids = list(posts.order_by("learner_id").values_list("learner_id", flat=True).distinct())
    for start in range(0, len(learner_ids), CHUNK):
        chunk = learner_ids[start : start + CHUNK]
        yield list(
            posts.filter(learner_id__in=chunk)
            .order_by("learner_id")
            .values_list("learner_id", "staff_group_id", "unit__organisation_id")
        )


def _last_completions(
    learner_ids: list[int], course_ids: set[int], today: datetime.date
) -> dict[tuple[int, int], datetime.date]:
    rows = (
        Completion.objects.filter(learner_id__in=learner_ids, course_id__in=course_ids, completed_on__lte=today)
        .values("learner_id", "course_id")
        .annotate(last=Max("completed_on"))
        .values_list("learner_id", "course_id", "last")
    )
    return {(learner, course): last for learner, course, last in rows}


def run(*, today: datetime.date) -> Result:
    """The daily pass: staff reminders, then the coordinators' summaries (once a month each)."""
    result = Result()
    required = _required()
    courses = {c.pk: c for c in Course.objects.filter(pk__in={pk for ids in required.values() for pk in ids})}
    opted_out = set(ReminderSetting.objects.filter(staff_reminders=False).values_list("organisation_id", flat=True))
    notice = notice_days()
    tallies: dict[int, Tally] = defaultdict(Tally)
    for posts in _posts(required):
        learner_ids = list(dict.fromkeys(learner for learner, _group, _org in posts))
        last = _last_completions(learner_ids, set(courses), today)
        news: dict[int, dict[int, Item]] = defaultdict(dict)  # learner -> course -> item
        for learner, group, organisation in posts:
            tally = tallies[organisation]
            for course_id in required[group]:
                item = standing(courses[course_id], last.get((learner, course_id)), today=today, notice=notice)
                if item is None:
                    continue
                (tally.missing if item.kind == ReminderKind.MISSING else tally.expiring)[group].add(learner)
                if organisation not in opted_out:
                    news[learner][course_id] = item
        _remind(news, courses, result)
    _summarise(tallies, today=today, result=result)
    if result.queued:
        outbox.deliver(result.queued)
    return result


def _remind(news: dict[int, dict[int, Item]], courses: dict[int, Course], result: Result) -> None:
    if not news:
        return
    sent = set(
        TrainingReminderSent.objects.filter(learner_id__in=list(news)).values_list(
            "kind", "learner_id", "course_id", "key"
        )
    )
    learners = Learner.objects.filter(pk__in=list(news)).select_related("user")
    for learner in learners:
        items = [i for i in news[learner.pk].values() if (i.kind, learner.pk, i.course_id, i.key) not in sent]
        if items:
            _remind_one(learner, items, courses, result)


def _city_address(address: str) -> bool:
    domains = settings.ACCOUNT_EMAIL_DOMAINS
    return bool(address) and (not domains or address.rsplit("@", 1)[-1].lower() in domains)


def _remind_one(learner: Learner, items: list[Item], courses: dict[int, Course], result: Result) -> None:
    """One e-mail listing every course that is news to the learner, recorded with its message."""
    # An active account is written to as the account (the outbox then checks it is still active at
    # sending time). A deactivated account is someone who left: no mail. Anyone else by the address in
    # the register, but only at the city's own domains (ACCOUNT_EMAIL_DOMAINS, as for accounts), so an
    # import cannot make the portal write to any address its keeper types. Employee number alone: no mail.
    if learner.user is not None and not learner.user.is_active:
        return
    user = learner.user
    if user is None and not _city_address(learner.email):
        return
    items.sort(key=lambda i: (i.kind != ReminderKind.MISSING, courses[i.course_id].title.lower()))
    context = {
        "items": [{"item": i, "course": courses[i.course_id]} for i in items],
        "service_name": settings.SERVICE_NAME,
        "notice_days": notice_days(),
        "catalogue_url": link("competence:catalogue"),
    }
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            TrainingReminderSent.objects.bulk_create(
                [TrainingReminderSent(kind=i.kind, learner=learner, course_id=i.course_id, key=i.key) for i in items]
            )
            queued = outbox.queue(
                recipients=[user] if user is not None else [],
                addresses=[] if user is not None else [learner.email],
                kind="training_reminder",
                reference="",
                subject=" ".join(render_to_string("competence/email/training_reminder_subject.txt", context).split()),
                body=render_to_string("competence/email/training_reminder.txt", context),
                html_body=render_to_string("competence/email/training_reminder.html", context),
                send_after_commit=False,
            )
    except IntegrityError:  # another worker reminded them of this at the same moment
        return
    result.reminded += 1
    result.queued.extend(n.pk for n in queued)


def _summarise(tallies: dict[int, Tally], *, today: datetime.date, result: Result) -> None:
    """Each organisation with staff in the register: its coordinators' summary, once a month each."""
    month = today.replace(day=1)
    groups = {g.pk: g for g in StaffGroup.objects.all()}
    already = set(CoverageSummarySent.objects.filter(month=month).values_list("recipient_id", "organisation_id"))
    organisations = Organisation.objects.filter(pk__in=list(tallies)).order_by("name")
    for organisation in organisations:
        recipients = [u for u in coordinators_of(organisation.pk) if (u.pk, organisation.pk) not in already]
        if not recipients:
            continue
        context = _summary_context(organisation, tallies[organisation.pk], groups, today=today)
        for recipient in recipients:
            try:
                with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                    CoverageSummarySent.objects.create(recipient=recipient, organisation=organisation, month=month)
                    queued = outbox.queue(
                        recipients=[recipient],
                        kind="training_summary",
                        reference=f"{month:%Y-%m}",
                        subject=" ".join(
                            render_to_string("competence/email/coverage_summary_subject.txt", context).split()
                        ),
                        body=render_to_string("competence/email/coverage_summary.txt", context),
                        html_body=render_to_string("competence/email/coverage_summary.html", context),
                        send_after_commit=False,
                    )
            except IntegrityError:  # sent by another worker at the same moment
                continue
            result.summaries += 1
            result.queued.extend(n.pk for n in queued)


def _summary_context(
    organisation: Organisation, tally: Tally, groups: dict[int, StaffGroup], *, today: datetime.date
) -> dict[str, object]:
    """Counts only: how many learners, never who."""
    rows = [
        {
            "group": groups[pk].name,
            "missing": len(tally.missing.get(pk, ())),
            "expiring": len(tally.expiring.get(pk, ())),
        }
        for pk in sorted(
            set(tally.missing) | set(tally.expiring), key=lambda pk: (groups[pk].position, groups[pk].name)
        )
    ]
    return {
        "organisation": organisation.name,
        "today": today,
        "missing": len(set().union(*tally.missing.values())),
        "expiring": len(set().union(*tally.expiring.values())),
        "rows": rows,
        "notice_days": notice_days(),
        "service_name": settings.SERVICE_NAME,
        "coverage_url": link("competence:coverage_organisation", organisation.slug),
        "settings_url": link("competence:reminder_settings", organisation.slug),
    }


# --- The organisation's choice -----------------------------------------------------------------------

STALE = gettext_lazy(
    "Någon annan har ändrat inställningen sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)


def setting_version(setting: ReminderSetting | None) -> str:
    """The version a form carries: the row's last change ("" before the first save). The setting has
    no ``lock_version`` of its own; its ``updated_at`` is set at every save and serves as one."""
    return setting.updated_at.isoformat() if setting is not None else ""


@transaction.atomic
def set_staff_reminders(*, actor: User, organisation: Organisation, enabled: bool, version: str) -> ReminderSetting:
    setting, created = ReminderSetting.objects.select_for_update().get_or_create(organisation=organisation)
    permissions.require(actor, Action.MANAGE_TRAINING_REMINDERS, organisation)
    if ("" if created else setting_version(setting)) != version:
        raise ValidationError(STALE)
    setting.staff_reminders = enabled
    setting.updated_by = actor
    setting.updated_at = timezone.now()
    setting.save(update_fields=["staff_reminders", "updated_by", "updated_at"])
    record(
        action="training_reminders_changed",
        actor=actor,
        obj=organisation,
        detail="staff_reminders=" + ("on" if enabled else "off"),
    )
    return setting
