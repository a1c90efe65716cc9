"""Two coordinators saving at the same moment (PostgreSQL: real row locks): one write wins, the other
gets a message, and nothing is written twice."""

from __future__ import annotations

from tests.races import POSTGRES_RACE, race
from vbe.accounts.models import User
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans import self_report, services
from vbe.plans.models import DutyReport, Plan, SelfReport
from vbe.plans.tests.conftest import THIS_YEAR

pytestmark = POSTGRES_RACE


def test_two_first_saves_of_a_self_report_at_once_keep_one(cast):
    jarva = Organisation.objects.get(slug="jarva")
    duties = list(CoordinatorDuty.objects.filter(guideline__is_current=True))

    def save(answer: str) -> object:
        return self_report.report_duties(
            actor=User.objects.get(pk=cast["coordinator"].pk),
            organisation=jarva,
            year=THIS_YEAR,
            lock_version=0,  # both forms were shown before anything was saved
            answers={d.pk: (answer, "") for d in duties},
        )

    _results, refused = race(save, ("done", "not_done"))
    assert refused == [self_report.STALE]
    assert SelfReport.objects.get(organisation=jarva, year=THIS_YEAR).lock_version == 1
    assert DutyReport.objects.count() == len(duties)
    assert len(set(DutyReport.objects.values_list("answer", flat=True))) == 1  # one save's answers, whole


def test_two_coordinators_creating_the_same_plan_at_once_get_one_plan(cast):
    jarva = Organisation.objects.get(slug="jarva")

    def create(title: str) -> object:
        return services.create_plan(
            actor=User.objects.get(pk=cast["coordinator"].pk), organisation=jarva, year=THIS_YEAR, title=title
        )

    _results, refused = race(create, ("Första", "Andra"))
    assert refused == [f"{jarva.name} har redan en plan för {THIS_YEAR}."]
    assert Plan.objects.filter(organisation=jarva, year=THIS_YEAR).count() == 1
