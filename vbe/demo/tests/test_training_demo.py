"""The demo city's competence data (vbe/demo/training.py) and each synthetic city-year's
(vbe/demo/scale/training.py): synthetic, deterministic, idempotent, and what coverage reads."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.competence import coverage
from vbe.competence.models import Completion, Course, CoverageTarget, Headcount, Learner, Level, Placement, StaffGroup
from vbe.demo import city, scale
from vbe.demo import training as demo_training
from vbe.demo.scale import training as scale_training
from vbe.organisations.models import UnitKind

SMALL = scale.Volumes(
    units=6,
    users=40,
    concerns=4,
    incidents=4,
    plans=2,
    measures_per_plan=1,
    log_rows=10,
    actors=10,
    meetings_per_forum=1,
)


@pytest.fixture
def demo_city(reference_data):
    city.seed()


def _rows() -> tuple[int, ...]:
    return (
        Learner.objects.count(),
        Placement.objects.count(),
        Completion.objects.count(),
        Headcount.objects.count(),
        CoverageTarget.objects.count(),
    )


# --- The demo city -----------------------------------------------------------------------------------


def test_staff_groups_are_matched_by_kind_of_unit(reference_data):
    groups = list(StaffGroup.objects.order_by("position", "name"))
    slug = {kind: scale_training.group_for_kind(groups, kind).slug for kind in UnitKind.values}
    assert slug[UnitKind.SCHOOL] == "skola"
    assert slug[UnitKind.PRESCHOOL] == "forskola"  # not "skola": the stem starts a word
    assert slug[UnitKind.YOUTH_CENTRE] == "fritid"
    assert slug[UnitKind.FIELD_TEAM] == "faltverksamhet"
    assert slug[UnitKind.SOCIAL_SERVICES] == "socialtjanst"
    assert slug[UnitKind.JOB_CENTRE] == "jobbtorg"
    assert slug[UnitKind.LIBRARY] == "bibliotek"
    assert slug[UnitKind.ADMINISTRATION] == "ovriga"


def _synthetic_and_as_coverage_reads_it():
    learners = Learner.objects.all()
    assert learners.exists()
    # Synthetic: every address at the reserved demo domain, no personnummer-like number anywhere.
    assert not learners.exclude(email__endswith="@vbe.example").exists()
    assert not learners.exclude(employee_number="").exclude(employee_number__startswith="DEMO-").exists()
    # Every demo unit has placements and headcounts for this year and last, never below its placements.
    units = demo_training.demo_units()
    placed = dict(Placement.objects.values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    assert set(placed) == {u.pk for u in units}
    this_year = timezone.localdate().year
    posts = Placement.objects.values("unit_id", "staff_group_id").annotate(n=Count("pk"))
    heads = {(h.unit_id, h.staff_group_id, h.year): h.count for h in Headcount.objects.all()}
    for row in posts:
        for year in (this_year, this_year - 1):
            assert heads[(row["unit_id"], row["staff_group_id"], year)] >= row["n"]
    # Some people work in two units, and the demo staff member is a learner linked to the account.
    assert Learner.objects.annotate(n=Count("placements")).filter(n=2).exists()
    staff = Learner.objects.get(email="medarbetare@vbe.example")
    assert staff.user == User.objects.get(email="medarbetare@vbe.example")
    assert staff.placements.get().unit.name == "Fritidsgården i Rinkeby"
    assert {t.level: t.percent for t in CoverageTarget.objects.all()} == {Level.BASIC: 80, Level.ADVANCED: 25}
    # Organisations differ: some above the basic target, some below.
    shares = [s[Level.BASIC].percent for _o, s in coverage.shares_by_organisation(on=timezone.localdate(), exact=True)]
    known = [p for p in shares if p is not None]
    assert min(known) < 80 <= max(known)


def _again_creates_nothing_and_overwrites_nothing():
    before = _rows()
    fingerprint = _demo_fingerprint()
    headcount = Headcount.objects.order_by("pk").first()
    Headcount.objects.filter(pk=headcount.pk).update(count=777)
    CoverageTarget.objects.filter(level=Level.BASIC).update(percent=55)
    assert demo_training.seed_training() == 0
    assert _rows() == before
    assert _demo_fingerprint() == fingerprint
    assert Headcount.objects.get(pk=headcount.pk).count == 777
    assert CoverageTarget.objects.get(level=Level.BASIC).percent == 55


def _from_scratch_the_same_rows():
    fingerprint = _demo_fingerprint()
    Completion.objects.all().delete()
    Placement.objects.all().delete()
    Learner.objects.all().delete()
    Headcount.objects.all().delete()
    assert demo_training.seed_training() > 0
    assert _demo_fingerprint() == fingerprint


def _without_a_catalogue_nothing():
    Completion.objects.all().delete()
    Course.objects.update(is_active=False)
    assert demo_training.seed_training() == 0
    assert not Completion.objects.exists()


def _demo_fingerprint() -> list[tuple]:
    return sorted(Completion.objects.values_list("learner__email", "course__title", "completed_on"))


def test_demo_training(demo_city):
    """One seeding (it takes a while), checked from every side; the last check empties the catalogue."""
    _synthetic_and_as_coverage_reads_it()
    _again_creates_nothing_and_overwrites_nothing()
    _from_scratch_the_same_rows()
    _without_a_catalogue_nothing()


# --- The city at scale -------------------------------------------------------------------------------


def _training_fingerprint() -> dict[str, object]:
    """A year's competence rows, independent of ids."""
    scaled = Learner.objects.filter(email__endswith=f"@{scale.SCALE_DOMAIN}")
    return {
        "learners": sorted(scaled.values_list("email", "employee_number", "name", "user__email")),
        "placements": sorted(
            Placement.objects.filter(learner__in=scaled).values_list(
                "learner__email", "unit__name", "staff_group__slug"
            )
        ),
        "headcounts": sorted(
            Headcount.objects.filter(unit__name__contains=scale.base.UNIT_MARK).values_list(
                "unit__name", "staff_group__slug", "year", "count"
            )
        ),
        "completions": sorted(
            Completion.objects.filter(learner__in=scaled).values_list("learner__email", "course__title", "completed_on")
        ),
    }


class _Undo(Exception):
    pass


def test_each_city_year_adds_its_staff_as_learners_grown_or_built_at_once(demo_city):
    """Grown from one year to two in a savepoint, rolled back, then built at once: the same rows."""
    try:
        with transaction.atomic():
            scale.generate(scale=1, volumes=SMALL)
            assert scale.generate(scale=2, volumes=SMALL)["learners"] > 0
            grown = _training_fingerprint()
            raise _Undo
    except _Undo:
        pass
    added = scale.generate(scale=2, volumes=SMALL)
    assert _training_fingerprint() == grown
    now = timezone.now()
    for number in (1, 2):
        year = scale.Year.of(number, now)
        prefix = f"person{number:02d}-"
        staff = Membership.objects.filter(
            user__email__startswith=prefix, role__in=[Role.STAFF, Role.UNIT_MANAGER], unit__isnull=False
        )
        learners = Learner.objects.filter(email__startswith=prefix)
        # One learner per staff member, linked, with an employee number; one placement each, in the year's units.
        assert learners.count() == staff.count() > 0
        assert not learners.filter(user__isnull=True).exists()
        assert not learners.filter(employee_number="").exists()
        placements = Placement.objects.filter(learner__in=learners)
        assert placements.count() == learners.count()
        assert not placements.exclude(unit__name__contains=f"{scale.base.UNIT_MARK}{number}.").exists()
        # Headcounts per unit × group of the year: at least the placements, at most two more.
        calendar_year = timezone.localtime(year.end).year
        posts = placements.values("unit_id", "staff_group_id").annotate(n=Count("pk"))
        heads = {
            (h.unit_id, h.staff_group_id): h.count
            for h in Headcount.objects.filter(unit__name__contains=f"{scale.base.UNIT_MARK}{number}.")
        }
        assert len(heads) == len(posts)
        for row in posts:
            assert row["n"] <= heads[(row["unit_id"], row["staff_group_id"])] <= row["n"] + 2
        assert (
            Headcount.objects.filter(unit__name__contains=f"{scale.base.UNIT_MARK}{number}.")
            .exclude(year=calendar_year)
            .count()
            == 0
        )
        # About two completions each (one to three), on days of the year.
        completions = Completion.objects.filter(learner__in=learners)
        assert learners.count() <= completions.count() <= 3 * learners.count()
        span = completions.aggregate(first=Min("completed_on"), last=Max("completed_on"))
        assert timezone.localdate(year.start) <= span["first"] <= span["last"] <= timezone.localdate(year.end)
    assert added["learners"] == Learner.objects.filter(email__endswith=f"@{scale.SCALE_DOMAIN}").count()
    # A second run adds nothing.
    before = _rows()
    again = scale.generate(scale=2, volumes=SMALL)
    assert again["years"] == 0 and again["learners"] == 0 and again["completions"] == 0
    assert _rows() == before
