"""Synthetic competence data for the demo city: staff in the register, where they work, what they completed,
how many work in each unit, and the city's targets.

Every demo unit gets a handful of learners (made-up names, e-mail addresses at the reserved domain
.example), each placed at the unit as the staff group its kind of unit employs; one in twenty also
works at a second unit of the same organisation (a person in two units is a post in each). Headcounts
for this year and last are a little above the placements, as HR counts staff who are not in the
register yet. Each organisation has its own diligence, so some are above the target and some below,
and some completions are old enough to have expired. The demo accounts with a unit are learners too,
linked to their accounts, so "my trainings" shows something.

Deterministic (one seeded generator, every draw made whether or not the row exists) and idempotent:
rows that exist are left alone, so a second run creates nothing and a typed headcount is never
overwritten. The staff groups and courses are the catalogue's (``load_reference_data``); without them
nothing is made.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable

from django.utils import timezone
from django.utils.text import slugify

from vbe.accounts.models import User
from vbe.competence.models import (
    Completion,
    CompletionSource,
    Course,
    CoverageTarget,
    Headcount,
    Learner,
    Level,
    Placement,
    StaffGroup,
)
from vbe.demo.city import ACCOUNTS, DEMO_DOMAIN, FIRST_NAMES, LAST_NAMES
from vbe.demo.scale.base import UNIT_MARK
from vbe.demo.scale.training import group_for_kind
from vbe.organisations.models import Unit

TARGETS = {Level.BASIC: 80, Level.ADVANCED: 25}


def demo_units() -> list[Unit]:
    """The demo city's active units (not the scale generator's), in a fixed order."""
    return list(
        Unit.objects.filter(is_active=True)
        .exclude(name__contains=UNIT_MARK)
        .select_related("organisation")
        .only("pk", "name", "kind", "organisation__slug")
        .order_by("organisation__slug", "name")
    )


def _courses_by_level(courses: Iterable[Course]) -> dict[str, list[Course]]:
    by_level: dict[str, list[Course]] = {Level.BASIC: [], Level.ADVANCED: []}
    for course in courses:
        by_level.setdefault(course.level, []).append(course)
    return by_level


def _course_for(rng: random.Random, courses: list[Course], targeted: dict[int, set[int]], group_id: int) -> Course:
    """A course of the level, one aimed at the learner's staff group when there is one."""
    aimed = [c for c in courses if group_id in targeted.get(c.pk, set())]
    return rng.choice(aimed or courses)


def seed_training(*, seed: int = 2026, today: datetime.date | None = None) -> int:
    """Adds the demo's learners, placements, completions, headcounts and targets that are missing;
    returns the number of rows created."""
    groups = list(StaffGroup.objects.filter(is_active=True).order_by("position", "name"))
    courses = list(Course.objects.filter(is_active=True).order_by("level", "title"))
    if not groups or not courses:
        return 0
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:training")
    targeted: dict[int, set[int]] = {}
    for course_id, group_id in Course.target_groups.through.objects.values_list("course_id", "staffgroup_id"):
        targeted.setdefault(course_id, set()).add(group_id)
    by_level = _courses_by_level(courses)
    units = demo_units()
    learners: dict[str, Learner] = {}  # e-mail -> the learner to make
    placements: list[tuple[str, int, int]] = []  # (e-mail, unit, group)
    completions: list[tuple[str, int, datetime.date]] = []  # (e-mail, course, day)
    headcounts: dict[tuple[int, int, int], int] = {}  # (unit, group, year) -> count
    diligence: dict[str, float] = {}
    people = 0
    by_organisation: dict[str, list[Unit]] = {}
    for unit in units:
        by_organisation.setdefault(unit.organisation.slug, []).append(unit)
    for unit in units:
        slug = unit.organisation.slug
        if slug not in diligence:
            diligence[slug] = rng.uniform(0.35, 0.98)
        group = group_for_kind(groups, unit.kind)
        placed = rng.randint(3, 10)
        prefix = f"{slug}.{slugify(unit.name)}"[:56].rstrip(".-")
        for k in range(1, placed + 1):
            people += 1
            email = f"{prefix}.{k}@{DEMO_DOMAIN}"
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            number = f"DEMO-{people:05d}" if rng.random() < 0.5 else ""
            learners[email] = Learner(email=email, employee_number=number, name=name)
            placements.append((email, unit.pk, group.pk))
            siblings = by_organisation[slug]
            if rng.random() < 0.05 and len(siblings) > 1:
                other = siblings[(siblings.index(unit) + 1) % len(siblings)]
                placements.append((email, other.pk, group_for_kind(groups, other.kind).pk))
            completions += _completions_of(rng, email, group.pk, by_level, targeted, diligence[slug], today)
        headcounts[(unit.pk, group.pk, today.year)] = placed + rng.randint(0, 3)
        headcounts[(unit.pk, group.pk, today.year - 1)] = placed + rng.randint(-1, 3)
    _demo_accounts(learners, placements, completions, units, groups, by_level, today)
    # Second placements count in their unit's headcount (HR counts a post per unit).
    for _email, unit_id, group_id in placements:
        for year in (today.year, today.year - 1):
            headcounts.setdefault((unit_id, group_id, year), 0)
    per_post: dict[tuple[int, int], int] = {}
    for _email, unit_id, group_id in placements:
        per_post[(unit_id, group_id)] = per_post.get((unit_id, group_id), 0) + 1
    for (unit_id, group_id, year), count in headcounts.items():
        headcounts[(unit_id, group_id, year)] = max(count, per_post.get((unit_id, group_id), 0))
    return _write(learners, placements, completions, headcounts)


def _completions_of(
    rng: random.Random,
    email: str,
    group_id: int,
    by_level: dict[str, list[Course]],
    targeted: dict[int, set[int]],
    diligence: float,
    today: datetime.date,
) -> list[tuple[str, int, datetime.date]]:
    """A learner's completions: the basic level with the organisation's diligence, within the last four
    years (some of them expired by now), and the advanced level more rarely."""
    made = []
    for level, chance in ((Level.BASIC, diligence), (Level.ADVANCED, diligence / 3)):
        draw, days_ago = rng.random(), rng.randint(10, 4 * 365)
        if by_level.get(level) and draw < chance:
            course = _course_for(rng, by_level[level], targeted, group_id)
            made.append((email, course.pk, today - datetime.timedelta(days=days_ago)))
    return made


def _demo_accounts(learners, placements, completions, units, groups, by_level, today) -> None:
    """The demo accounts with a unit (the staff member and the unit manager) as learners at that unit,
    linked to their accounts; the staff member's basic course runs out within the month, so a reminder
    about renewal has something to say."""
    by_name = {(u.organisation.slug, u.name): u for u in units}
    for account in ACCOUNTS:
        unit = by_name.get((account.organisation_slug, account.unit_name))
        if unit is None:
            continue
        learners[account.email] = Learner(email=account.email, name=account.full_name)
        placements.append((account.email, unit.pk, group_for_kind(groups, unit.kind).pk))
    staff = next(a for a in ACCOUNTS if a.role == "staff")
    expiring = [c for c in by_level.get(Level.BASIC, []) if c.validity_years]
    if staff.email in learners and expiring:
        course = expiring[0]
        done = today.replace(year=today.year - course.validity_years) + datetime.timedelta(days=20)
        completions.append((staff.email, course.pk, done))


def _write(
    learners: dict[str, Learner],
    placements: list[tuple[str, int, int]],
    completions: list[tuple[str, int, datetime.date]],
    headcounts: dict[tuple[int, int, int], int],
) -> int:
    """Creates what is missing; returns the number of rows created."""
    created = 0
    existing = set(Learner.objects.filter(email__in=list(learners)).values_list("email", flat=True))
    new = [learner for email, learner in learners.items() if email not in existing]
    users = dict(User.objects.filter(email__in=[le.email for le in new]).values_list("email", "pk"))
    for learner in new:
        learner.user_id = users.get(learner.email)
    Learner.objects.bulk_create(new, batch_size=1000)
    created += len(new)
    ids = dict(Learner.objects.filter(email__in=list(learners)).values_list("email", "pk"))
    placed = set(Placement.objects.filter(learner_id__in=ids.values()).values_list("learner_id", "unit_id"))
    rows, seen = [], set(placed)
    for email, unit_id, group_id in placements:
        if (ids[email], unit_id) not in seen:
            seen.add((ids[email], unit_id))
            rows.append(Placement(learner_id=ids[email], unit_id=unit_id, staff_group_id=group_id))
    Placement.objects.bulk_create(rows, batch_size=1000)
    created += len(rows)
    done = set(
        Completion.objects.filter(learner_id__in=ids.values()).values_list("learner_id", "course_id", "completed_on")
    )
    rows = []
    for email, course_id, day in completions:
        key = (ids[email], course_id, day)
        if key not in done:
            done.add(key)
            rows.append(
                Completion(learner_id=key[0], course_id=course_id, completed_on=day, source=CompletionSource.IMPORT)
            )
    Completion.objects.bulk_create(rows, batch_size=1000)
    created += len(rows)
    unit_ids = {unit_id for unit_id, _g, _y in headcounts}
    counted = set(Headcount.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "staff_group_id", "year"))
    rows = [
        Headcount(unit_id=u, staff_group_id=g, year=y, count=n)
        for (u, g, y), n in headcounts.items()
        if (u, g, y) not in counted
    ]
    Headcount.objects.bulk_create(rows, batch_size=1000)
    created += len(rows)
    for level, percent in TARGETS.items():
        created += CoverageTarget.objects.get_or_create(level=level, defaults={"percent": percent})[1]
    return created
