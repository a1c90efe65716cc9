"""Two keepers saving at the same moment (PostgreSQL: real row locks): one write wins, the other is
told to reload, and nothing is written twice."""

from __future__ import annotations

from django.utils import timezone

from tests.races import POSTGRES_RACE, race
from vbe.accounts.models import User
from vbe.competence import catalogue, headcounts
from vbe.competence.headcounts import Shown
from vbe.competence.models import CoverageTarget, Headcount, Level, StaffGroup
from vbe.organisations.models import Organisation, Unit

pytestmark = POSTGRES_RACE

YEAR = timezone.localdate().year


def test_two_keepers_filling_the_same_empty_cell_at_once_keep_one(cast):
    jarva = Organisation.objects.get(slug="jarva")
    unit = Unit.objects.get(organisation=jarva, name="Testfritidsgården")
    group = StaffGroup.objects.get(slug="fritid")
    counts = {"coordinator": 11, "unit_manager": 22}

    def save(name: str) -> object:
        return headcounts.save_headcounts(
            actor=User.objects.get(pk=cast[name].pk),
            organisation_id=jarva.pk,
            year=YEAR,
            entered={(unit.pk, group.pk): counts[name]},
            shown={},  # both grids showed the cell empty
        )

    _results, refused = race(save, ("coordinator", "unit_manager"))
    assert refused == [str(headcounts.STALE)]
    [row] = Headcount.objects.filter(unit=unit, staff_group=group, year=YEAR)
    assert row.count in counts.values()


def test_two_keepers_changing_the_same_cell_at_once_keep_one(cast):
    jarva = Organisation.objects.get(slug="jarva")
    unit = Unit.objects.get(organisation=jarva, name="Testfritidsgården")
    group = StaffGroup.objects.get(slug="fritid")
    row = Headcount.objects.create(unit=unit, staff_group=group, year=YEAR, count=5)
    counts = {"coordinator": 11, "unit_manager": 22}

    def save(name: str) -> object:
        return headcounts.save_headcounts(
            actor=User.objects.get(pk=cast[name].pk),
            organisation_id=jarva.pk,
            year=YEAR,
            entered={(unit.pk, group.pk): counts[name]},
            shown={(unit.pk, group.pk): Shown(0, 5)},
        )

    _results, refused = race(save, ("coordinator", "unit_manager"))
    assert refused == [str(headcounts.STALE)]
    row.refresh_from_db()
    assert row.lock_version == 1 and row.count in counts.values()


def test_two_first_targets_at_once_keep_one(cast):
    percents = {"a": 80, "b": 60}
    actor = User.objects.get(pk=cast["central_coordinator"].pk)

    def save(name: str) -> object:
        return catalogue.set_targets(
            actor=actor,
            percents={Level.BASIC: percents[name]},
            versions={Level.BASIC: catalogue.ABSENT},
        )

    _results, refused = race(save, ("a", "b"))
    assert refused == [str(catalogue.STALE)]
    assert CoverageTarget.objects.get(level=Level.BASIC).percent in percents.values()
