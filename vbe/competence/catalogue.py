"""The training catalogue's one write path: courses, staff groups and coverage targets, kept by the
central coordinator (MANAGE_TRAINING_CATALOGUE).

Each write asks the permission again under the row lock (a role may have ended since the page was
shown), checks the version the form was shown with, writes, and appends one access-log row. Courses
are deactivated, never deleted: completions point at them (PROTECT), and an inactive course still
counts in coverage for those who took it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.competence.models import MAX_VALIDITY_YEARS, Course, CourseFormat, CoverageTarget, Level, StaffGroup
from vbe.guidelines.models import FocusArea

STALE = gettext_lazy(
    "Uppgifterna har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
MAX_LENGTH_MINUTES = 10_000


def title_taken(rows: QuerySet[Course] | QuerySet[StaffGroup], field: str, value: str) -> bool:
    """Whether ``value`` is taken, whatever the case. Compared here rather than with ``iexact``:
    SQLite folds only ASCII, so "Å" and "å" would differ there. The catalogue is a few dozen rows."""
    wanted = value.casefold()
    return any(taken.casefold() == wanted for taken in rows.values_list(field, flat=True))


def _may_manage(actor: User) -> None:
    permissions.require(actor, Action.MANAGE_TRAINING_CATALOGUE)


# --- Courses -------------------------------------------------------------------------------------


def _check_course(
    *,
    course_id: int | None,
    title: str,
    code: str,
    provider: str,
    level: str,
    course_format: str,
    length_minutes: int | None,
    validity_years: int | None,
    url: str,
) -> None:
    if not title:
        raise ValidationError(_("Skriv vad utbildningen heter."))
    if not provider:
        raise ValidationError(_("Skriv vem som anordnar utbildningen."))
    if level not in Level.values:
        raise ValidationError(_("Välj nivå."))
    if course_format not in CourseFormat.values:
        raise ValidationError(_("Välj form."))
    if length_minutes is not None and not 1 <= length_minutes <= MAX_LENGTH_MINUTES:
        raise ValidationError(_("Längden ska vara mellan 1 och %(max)s minuter.") % {"max": MAX_LENGTH_MINUTES})
    if validity_years is not None and not 1 <= validity_years <= MAX_VALIDITY_YEARS:
        raise ValidationError(_("Giltighetstiden ska vara mellan 1 och %(max)s år.") % {"max": MAX_VALIDITY_YEARS})
    if url and not url.lower().startswith(("https://", "http://")):
        raise ValidationError(_("Länken ska börja med https://."))
    others = Course.objects.exclude(pk=course_id) if course_id is not None else Course.objects.all()
    if title_taken(others, "title", title):
        raise ValidationError(_("Det finns redan en utbildning som heter %(title)s.") % {"title": title})
    if code and title_taken(others, "code", code):
        raise ValidationError(_("Det finns redan en utbildning med kurskoden %(code)s.") % {"code": code})


@transaction.atomic
def save_course(
    *,
    actor: User,
    course_id: int | None,
    lock_version: int,
    title: str,
    provider: str,
    level: str,
    course_format: str,
    code: str = "",
    length_minutes: int | None = None,
    description: str = "",
    url: str = "",
    validity_years: int | None = None,
    target_groups: Sequence[StaffGroup] = (),
    required_for: Sequence[StaffGroup] = (),
    focus_areas: Sequence[FocusArea] = (),
) -> Course:
    """Adds a course (``course_id`` None, ``lock_version`` 0) or changes one. A course required for a
    staff group is also meant for it, so ``required_for`` is added to the target groups."""
    _may_manage(actor)
    title, code, provider, url = title.strip(), code.strip(), provider.strip(), url.strip()
    if course_id is None:
        course = Course()
    else:
        course = Course.objects.select_for_update().get(pk=course_id)
        if course.lock_version != lock_version:
            raise ValidationError(STALE)
    _check_course(
        course_id=course_id,
        title=title,
        code=code,
        provider=provider,
        level=level,
        course_format=course_format,
        length_minutes=length_minutes,
        validity_years=validity_years,
        url=url,
    )
    course.title, course.code, course.provider, course.level = title, code, provider, level
    course.format, course.length_minutes, course.description = course_format, length_minutes, description.strip()
    course.url, course.validity_years = url, validity_years
    course.updated_at = timezone.now()
    if course_id is not None:
        course.lock_version += 1
    try:
        with transaction.atomic():  # a savepoint: two new courses of one title at once meet the constraint
            course.save()
    except IntegrityError:
        raise ValidationError(_("Det finns redan en utbildning som heter %(title)s.") % {"title": title}) from None
    course.target_groups.set({*target_groups, *required_for})
    course.required_for.set(required_for)
    course.focus_areas.set(focus_areas)
    record(
        action="course_created" if course_id is None else "course_changed",
        actor=actor,
        obj=course,
        detail=course.title,
    )
    return course


@transaction.atomic
def set_course_active(*, actor: User, course_id: int, lock_version: int, active: bool) -> Course:
    """Deactivating takes a course out of the catalogue's default list and out of registration; the
    completions of it stay and still count while valid."""
    _may_manage(actor)
    course = Course.objects.select_for_update().get(pk=course_id)
    if course.lock_version != lock_version:
        raise ValidationError(STALE)
    if course.is_active == active:
        return course
    course.is_active = active
    course.lock_version += 1
    course.updated_at = timezone.now()
    course.save(update_fields=["is_active", "lock_version", "updated_at"])
    record(action="course_activated" if active else "course_deactivated", actor=actor, obj=course, detail=course.title)
    return course


# --- Staff groups ----------------------------------------------------------------------------------


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "grupp"
    slug, n = base, 2
    while StaffGroup.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def save_staff_group(
    *,
    actor: User,
    group_id: int | None,
    lock_version: int,
    name: str,
    description: str = "",
    position: int | None = None,
    is_active: bool = True,
) -> StaffGroup:
    """Adds a staff group (``group_id`` None) or changes one. The slug is made once from the first name
    and never changes: the reference loader and imports know a group by it."""
    _may_manage(actor)
    name = name.strip()
    if not name:
        raise ValidationError(_("Skriv vad personalgruppen heter."))
    if group_id is None:
        group = StaffGroup(slug=_free_slug(name))
        if position is None:
            position = (StaffGroup.objects.aggregate(m=Max("position"))["m"] or 0) + 10
    else:
        group = StaffGroup.objects.select_for_update().get(pk=group_id)
        if group.lock_version != lock_version:
            raise ValidationError(STALE)
        group.lock_version += 1
    others = StaffGroup.objects.exclude(pk=group_id) if group_id is not None else StaffGroup.objects.all()
    if title_taken(others, "name", name):
        raise ValidationError(_("Det finns redan en personalgrupp som heter %(name)s.") % {"name": name})
    group.name, group.description, group.is_active = name, description.strip(), is_active
    if position is not None:
        group.position = position
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ValidationError(_("Det finns redan en personalgrupp som heter %(name)s.") % {"name": name}) from None
    record(
        action="staff_group_created" if group_id is None else "staff_group_changed",
        actor=actor,
        obj=group,
        detail=group.name,
    )
    return group


# --- Coverage targets ------------------------------------------------------------------------------

ABSENT = -1  # the version a form carries for a level that had no target when it was shown


def target_versions() -> dict[str, int]:
    """Each level's target version as a form shows it (ABSENT: no target yet)."""
    found = dict(CoverageTarget.objects.values_list("level", "lock_version"))
    return {level: found.get(level, ABSENT) for level in Level.values}


@transaction.atomic
def set_targets(
    *, actor: User, percents: Mapping[str, int | None], versions: Mapping[str, int]
) -> dict[str, int | None]:
    """Sets the target per level (None removes it). Refused as a whole if any level's target changed
    since the form was shown (``versions``, from ``target_versions``)."""
    _may_manage(actor)
    for level, percent in percents.items():
        if level not in Level.values:
            raise ValidationError(_("Okänd nivå."))
        if percent is not None and not 0 <= percent <= 100:
            raise ValidationError(
                _("Målet för %(level)s ska vara mellan 0 och 100 procent.") % {"level": Level(level).label.lower()}
            )
    current = {t.level: t for t in CoverageTarget.objects.select_for_update().filter(level__in=list(percents))}
    for level in percents:
        shown = versions.get(level, ABSENT)
        now = current[level].lock_version if level in current else ABSENT
        if shown != now:
            raise ValidationError(STALE)
    changed: list[str] = []
    stamp = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a target first set by two people at once meets the constraint
            for level, percent in percents.items():
                target = current.get(level)
                if percent is None:
                    if target is not None:
                        target.delete()
                        changed.append(f"{level}: –")
                elif target is None:
                    CoverageTarget.objects.create(level=level, percent=percent, updated_by=actor, updated_at=stamp)
                    changed.append(f"{level}: {percent}")
                elif target.percent != percent:
                    target.percent, target.updated_by, target.updated_at = percent, actor, stamp
                    target.lock_version += 1
                    target.save()
                    changed.append(f"{level}: {percent}")
    except IntegrityError:
        raise ValidationError(STALE) from None
    if changed:
        record(
            action="coverage_targets_changed",
            actor=actor,
            object_type="competence.coveragetarget",
            detail=", ".join(changed),
        )
    return dict(percents)


def validity_text(years: int | None) -> str:
    """ "förnyas efter 3 år", or that the course never expires."""
    if years is None:
        return _("gäller tills vidare")
    return _("förnyas efter %(years)s år") % {"years": years}
