"""A city-year's competence register: its staff as learners, placed in the year's units, the headcounts of
those units, and the courses they completed during the year.

Every staff member the year added (a membership with a unit) becomes a learner, known by the account's
e-mail address and an employee number, and linked to the account. Each is placed in one of the year's
own units (their own unit when it is one; otherwise one of the year's units of their organisation), as
the staff group that kind of unit employs, now and then as another group. Only the year's own units:
the headcounts are per unit, staff group and calendar year, and two city-years writing the same demo
unit's headcount would collide, and make a year's rows depend on which other years exist.

Headcounts are a little above the placements (HR counts staff the register does not know yet), for the
calendar year in which the city-year ends. About two completions per learner, spread over the year across
the catalogue's courses, written in bulk as an import would have.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from vbe.accounts.models import Membership, Role
from vbe.competence.models import Completion, CompletionSource, Course, Headcount, Learner, Placement, StaffGroup
from vbe.demo.scale.base import BATCH, SCALE_DOMAIN, UNIT_MARK, City, Volumes, Year
from vbe.organisations.models import Unit, UnitKind

# Which staff group a kind of unit employs: the first group whose name or slug has a word starting with
# one of the stems. The catalogue keeps the groups as data, so they are matched by name, not by slug.
GROUP_STEMS: dict[str, tuple[str, ...]] = {
    UnitKind.SCHOOL: ("skol", "grundskol", "gymnasi"),
    UnitKind.PRESCHOOL: ("förskol", "forskol"),
    UnitKind.ADULT_EDUCATION: ("vuxenutbild", "vux"),
    UnitKind.LIBRARY: ("bibliotek",),
    UnitKind.YOUTH_CENTRE: ("fritid",),
    UnitKind.FIELD_TEAM: ("fält", "falt", "fritid"),
    UnitKind.SOCIAL_SERVICES: ("social",),
    UnitKind.JOB_CENTRE: ("jobbtorg", "arbetsmarknad"),
    UnitKind.SPORTS_FACILITY: ("idrott", "fritid"),
    UnitKind.CULTURE_VENUE: ("kultur", "fritid", "bibliotek"),
    UnitKind.HOUSING_OFFICE: ("bostad", "övrig", "ovrig", "annan"),
    UnitKind.ADMINISTRATION: ("förvalt", "forvalt", "administ", "övrig", "ovrig", "annan"),
}
OTHER_GROUP_SHARE = 0.1  # placed as another staff group than the unit's usual one
COMPLETIONS_PER_LEARNER = (1, 3)  # drawn evenly: about two


def _words(group: StaffGroup) -> list[str]:
    text = f"{group.name} {group.slug}".lower()
    return "".join(c if c.isalnum() else " " for c in text).split()


def group_for_kind(groups: Sequence[StaffGroup], kind: str) -> StaffGroup:
    """The staff group a unit of ``kind`` employs; the first group when none matches. ``groups``: non-empty."""
    for stem in GROUP_STEMS.get(kind, ()):
        for group in groups:
            if any(word.startswith(stem) for word in _words(group)):
                return group
    return groups[0]


def _year_prefix(year: Year) -> str:
    return f"person{year.number:02d}-"


def add_learners(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """The year's staff as learners with their placements, and the headcounts of the year's units."""
    groups = list(StaffGroup.objects.filter(is_active=True).order_by("position", "name"))
    units = list(
        Unit.objects.filter(name__contains=f"{UNIT_MARK}{year.number}.")
        .order_by("name")
        .values_list("pk", "organisation_id", "kind")
    )
    if not groups or not units:
        return 0
    kind_of = {pk: kind for pk, _org, kind in units}
    by_organisation: dict[int, list[int]] = {}
    for pk, organisation_id, _kind in units:
        by_organisation.setdefault(organisation_id, []).append(pk)
    # The year's staff, in the order they were made (the e-mail carries the number).
    staff = (
        Membership.objects.filter(
            user__email__startswith=_year_prefix(year),
            user__email__endswith=f"@{SCALE_DOMAIN}",
            role__in=[Role.STAFF, Role.UNIT_MANAGER],
            unit__isnull=False,
        )
        .order_by("user__email")
        .values_list("user_id", "user__email", "user__full_name", "organisation_id", "unit_id")
    )
    learners, places = [], []
    for user_id, email, name, organisation_id, unit_id in staff:
        if unit_id not in kind_of:  # a demo unit: one of the year's own units instead
            unit_id = rng.choice(by_organisation.get(organisation_id) or [pk for pk, _o, _k in units])
        group = group_for_kind(groups, kind_of[unit_id])
        if rng.random() < OTHER_GROUP_SHARE:
            group = rng.choice(groups)
        number = email.removeprefix("person").split("@")[0]  # "03-00042"
        learners.append(Learner(email=email, employee_number=f"S{number}", name=name, user_id=user_id))
        places.append((unit_id, group.pk))
    learners = Learner.objects.bulk_create(learners, batch_size=BATCH)
    if learners and learners[0].pk is None:  # SQLite before RETURNING support: read the ids back
        by_email = dict(Learner.objects.filter(email__startswith=_year_prefix(year)).values_list("email", "pk"))
        for learner in learners:
            learner.pk = by_email[learner.email]
    Placement.objects.bulk_create(
        [Placement(learner=le, unit_id=u, staff_group_id=g) for le, (u, g) in zip(learners, places, strict=True)],
        batch_size=BATCH,
    )
    posts: dict[tuple[int, int], int] = {}
    for place in places:
        posts[place] = posts.get(place, 0) + 1
    calendar_year = timezone.localtime(year.end).year
    Headcount.objects.bulk_create(
        [
            Headcount(unit_id=u, staff_group_id=g, year=calendar_year, count=n + rng.randint(0, 2))
            for (u, g), n in sorted(posts.items())
        ],
        batch_size=BATCH,
    )
    return len(learners)


def add_completions(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """About two completions per learner of the year, on days of the year, across the catalogue."""
    courses = list(Course.objects.order_by("level", "title").values_list("pk", flat=True))
    learners = list(
        Learner.objects.filter(email__startswith=_year_prefix(year), email__endswith=f"@{SCALE_DOMAIN}")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    if not courses or not learners:
        return 0
    wanted = [rng.randint(*COMPLETIONS_PER_LEARNER) for _ in learners]
    moments = year.moments(rng, sum(wanted))
    rng.shuffle(moments)  # spread: each learner's courses on days across the year, not in a row
    at = iter(moments)
    rows, seen = [], set()
    for learner_id, n in zip(learners, wanted, strict=True):
        for _ in range(n):
            moment = next(at)
            key = (learner_id, rng.choice(courses), timezone.localdate(moment))
            if key in seen:  # the same course on the same day is one completion
                continue
            seen.add(key)
            rows.append(
                Completion(
                    learner_id=key[0],
                    course_id=key[1],
                    completed_on=key[2],
                    source=CompletionSource.IMPORT,
                    created_at=min(moment + datetime.timedelta(days=1), year.end),  # imported the day after
                )
            )
    Completion.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
