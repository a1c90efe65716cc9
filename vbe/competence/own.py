"""One's own trainings: what a member of staff completed, what their staff groups require of them, and
the services by which they register a completion (with a certificate, if they have one) or remove one
they registered themselves.

Whether a completion counts is decided here for the own page and the keepers' pages alike: it counts
from the day it was taken to ``Course.valid_until`` (a course without a validity counts until further
notice), and is "expiring" in its last ``VBE_TRAINING_EXPIRY_NOTICE_DAYS`` days (as in reminders).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.competence import certificates
from vbe.competence.learners import learner_for_update, learner_of
from vbe.competence.models import Completion, CompletionSource, Course, Learner, Placement, StaffGroup
from vbe.core import private_files
from vbe.organisations.models import Unit

EARLIEST_COMPLETION = datetime.date(2000, 1, 1)


class Standing(StrEnum):
    VALID = "giltig"
    EXPIRING = "gar_ut"
    EXPIRED = "utgangen"

    @property
    def label(self) -> str:
        if self is Standing.EXPIRING:
            return _("går ut inom %(days)s dagar") % {"days": notice_days()}
        return str(STANDING_LABELS[self])


STANDING_LABELS = {Standing.VALID: gettext_lazy("giltig"), Standing.EXPIRED: gettext_lazy("har gått ut")}


def notice_days() -> int:
    """How long before a training runs out it counts as expiring: on one's own page and in reminders."""
    return int(settings.VBE_TRAINING_EXPIRY_NOTICE_DAYS)


def standing(course: Course, completed_on: datetime.date, today: datetime.date) -> Standing:
    until = course.valid_until(completed_on)
    if until is None:
        return Standing.VALID
    if until < today:
        return Standing.EXPIRED
    if until <= today + datetime.timedelta(days=notice_days()):
        return Standing.EXPIRING
    return Standing.VALID


def is_valid(course: Course, completed_on: datetime.date, today: datetime.date) -> bool:
    return completed_on <= today and standing(course, completed_on, today) is not Standing.EXPIRED


def check_completion_date(completed_on: datetime.date, today: datetime.date) -> None:
    if completed_on > today:
        raise ValidationError(_("Datumet kan inte ligga i framtiden."), code="future")
    if completed_on < EARLIEST_COMPLETION:
        raise ValidationError(_("Datumet kan inte vara före år 2000."), code="too_early")


# --- Reading one's own record -------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionRow:
    completion: Completion
    valid_until: datetime.date | None
    standing: Standing

    @property
    def removable(self) -> bool:
        return self.completion.source == CompletionSource.SELF


@dataclass(frozen=True)
class MissingCourse:
    course: Course
    expired_on: datetime.date | None  # None: never completed


@dataclass
class OwnRecord:
    learner: Learner | None
    rows: list[CompletionRow] = field(default_factory=list)
    missing: list[MissingCourse] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)


def completion_rows(completions: list[Completion], today: datetime.date) -> list[CompletionRow]:
    return [
        CompletionRow(c, c.course.valid_until(c.completed_on), standing(c.course, c.completed_on, today))
        for c in completions
    ]


def missing_required(
    placements: list[Placement], completions: list[Completion], today: datetime.date
) -> list[MissingCourse]:
    """Active courses required for the staff groups of ``placements`` that hold no valid completion."""
    groups = {p.staff_group_id for p in placements}
    if not groups:
        return []
    required = Course.objects.filter(is_active=True, required_for__in=groups).distinct().order_by("level", "title")
    missing = []
    for course in required:
        taken = [c.completed_on for c in completions if c.course_id == course.pk and c.completed_on <= today]
        if any(is_valid(course, day, today) for day in taken):
            continue
        latest = max(taken, default=None)
        missing.append(MissingCourse(course, course.valid_until(latest) if latest else None))
    return missing


def placements_of(learner: Learner) -> list[Placement]:
    return list(
        learner.placements.select_related("unit__organisation", "staff_group").order_by(
            "unit__organisation__name", "unit__name"
        )
    )


def own_record(user: User, today: datetime.date) -> OwnRecord:
    """The user's completions, newest first, the required courses they lack, and their placements."""
    learner = learner_of(user)
    if learner is None:
        return OwnRecord(None)
    completions = list(learner.completions.select_related("course").order_by("-completed_on", "course__title"))
    placements = placements_of(learner)
    return OwnRecord(
        learner, completion_rows(completions, today), missing_required(placements, completions, today), placements
    )


def placement_units(user: User) -> QuerySet[Unit]:
    """The units one may name as one's own: the active units of one's memberships' organisations."""
    organisations = {m.organisation_id for m in permissions.memberships(user)}
    return (
        Unit.objects.filter(organisation_id__in=organisations, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def default_unit_id(user: User) -> int | None:
    return next((m.unit_id for m in permissions.memberships(user) if m.unit_id is not None), None)


def lacking_required(placements: QuerySet[Placement], today: datetime.date) -> Q:
    """A condition on Learner: placed (one of ``placements``) as a staff group for which an active course
    is required that they hold no valid completion of. One query for the required courses; the rest
    is a subquery per required course, each answered by the completion index (learner, course, day)."""
    required: dict[int, tuple[Course, set[int]]] = {}
    pairs = Course.required_for.through.objects.filter(course__is_active=True).values_list(
        "course_id", "staffgroup_id", "course__validity_years"
    )
    for course_id, group_id, validity_years in pairs:
        required.setdefault(course_id, (Course(pk=course_id, validity_years=validity_years), set()))[1].add(group_id)
    lacking = Q(pk__in=[])
    for course, groups in required.values():
        held = Completion.objects.filter(learner=OuterRef("pk"), course_id=course.pk, completed_on__lte=today)
        if (since := course.earliest_valid(today)) is not None:
            held = held.filter(completed_on__gte=since)
        placed = placements.filter(learner=OuterRef("pk"), staff_group_id__in=groups)
        lacking |= Exists(placed) & ~Exists(held)
    return lacking


# --- Registering and removing -------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    completion: Completion
    created: bool  # False: the same course on the same day was already registered, nothing changed


@private_files.kept_only_if_committed
@transaction.atomic
def register_own_completion(
    *,
    actor: User,
    course_id: int,
    completed_on: datetime.date,
    today: datetime.date,
    certificate: certificates.CleanCertificate | None = None,
    unit_id: int | None = None,
    staff_group_id: int | None = None,
) -> Registration:
    """The actor completed a course on a day. The same course and day again changes nothing. A learner
    without a placement names their unit and staff group here (if their organisations have units)."""
    check_completion_date(completed_on, today)
    course = Course.objects.filter(pk=course_id, is_active=True).first()
    if course is None:
        raise ValidationError(_("Utbildningen finns inte längre i katalogen. Välj en annan."), code="course")
    learner = learner_for_update(actor)  # locked: registrations of one person are made one at a time
    if not learner.placements.exists():
        _place(actor=actor, learner=learner, unit_id=unit_id, staff_group_id=staff_group_id)
    existing = Completion.objects.filter(learner=learner, course=course, completed_on=completed_on).first()
    if existing is not None:
        return Registration(existing, created=False)
    completion = Completion(
        learner=learner,
        course=course,
        completed_on=completed_on,
        source=CompletionSource.SELF,
        registered_by=actor,
    )
    if certificate is not None:
        completion.certificate = certificates.write(certificate)
        completion.certificate_name = certificate.display_name
    try:
        with transaction.atomic():
            completion.save()
    except IntegrityError:
        # An import made the same completion meanwhile (imports do not lock the learner): it exists.
        certificates.remove(completion.certificate)
        existing = Completion.objects.get(learner=learner, course=course, completed_on=completed_on)
        return Registration(existing, created=False)
    record(
        action="training_completion_registered",
        actor=actor,
        obj=completion,
        subject_ref=f"learner:{learner.pk}",
        detail=f"kurs {course.pk}, {completed_on.isoformat()}" + (", intyg" if completion.certificate else ""),
    )
    return Registration(completion, created=True)


def _place(*, actor: User, learner: Learner, unit_id: int | None, staff_group_id: int | None) -> None:
    units = placement_units(actor)
    if unit_id is None and staff_group_id is None and not units.exists():
        return  # nowhere to be placed: the completion is kept, the placement waits for the coordinator
    unit = units.filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None:
        raise ValidationError(_("Välj den verksamhet där du arbetar."), code="unit")
    group = StaffGroup.objects.filter(pk=staff_group_id, is_active=True).first() if staff_group_id else None
    if group is None:
        raise ValidationError(_("Välj din personalgrupp."), code="staff_group")
    Placement.objects.get_or_create(learner=learner, unit=unit, defaults={"staff_group": group})


@transaction.atomic
def remove_own_completion(*, actor: User, completion_id: int) -> Completion:
    """Removes a completion the actor registered themselves. Imported ones stay: the learning platform
    or the coordinator made them, and a re-import would bring them back."""
    completion = (
        Completion.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk=completion_id, learner__user=actor)
        .first()
    )
    if completion is None:
        raise Http404(_("Utbildningen finns inte bland dina."))
    if completion.source != CompletionSource.SELF:
        raise ValidationError(
            _(
                "%(course)s kan inte tas bort här: den kommer från en import från lärplattformen eller är "
                "registrerad av en samordnare eller chef. Kontakta din samordnare om uppgiften är fel."
            )
            % {"course": completion.course.title},
            code="not_own",
        )
    key = completion.certificate
    learner_id = completion.learner_id
    completion_pk = completion.pk
    completion.delete()
    if key:
        certificates.CERTIFICATES.remove_after_commit(certificates.CERTIFICATES.name_of(key))
    record(
        action="training_completion_removed",
        actor=actor,
        object_type="competence.completion",
        object_id=str(completion_pk),
        subject_ref=f"learner:{learner_id}",
    )
    completion.pk = completion_pk
    return completion
