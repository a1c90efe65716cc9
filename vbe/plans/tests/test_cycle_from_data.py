"""The plan cycle is the reporting duties' cadence, not code: when an administrator moves the
handlingsplan to odd years, or its follow-up to even ones, creating and validating plans, the year list,
the follow-ups and the task list follow, and the texts name the rule as the data states it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from vbe.guidelines.models import Cadence, Document, ReportingDuty
from vbe.organisations.models import Organisation
from vbe.plans import cycle, forms, services, tasks
from vbe.plans.models import FollowUp, Plan, PlanKind, PlanState
from vbe.plans.tests.conftest import THIS_YEAR, make_plan

ODD_RULE = "En handlingsplan tas fram varje ojämnt år och gäller i två år."
# An odd year whose plan (two years) is over by this year, so both its years can be followed up.
ODD_START = THIS_YEAR - 1 if (THIS_YEAR - 1) % 2 else THIS_YEAR - 2


def _set_cadence(document: str, cadence: str) -> None:
    duty = ReportingDuty.objects.get(guideline__is_current=True, document=document)
    duty.cadence = cadence
    duty.save(update_fields=["cadence"])


@pytest.fixture
def board(reference_data) -> Organisation:
    _set_cadence(Document.BOARD_PLAN, Cadence.ODD_YEARS)
    return Organisation.objects.get(slug="utbildningsnamnden")


def test_a_board_plan_is_made_for_the_years_the_duty_names(cast, board):
    plan = services.create_plan(organisation=board, year=ODD_START, actor=cast["coordinator_board"])
    assert (plan.kind, plan.year, plan.end_year) == (PlanKind.BOARD, ODD_START, ODD_START + 1)
    with pytest.raises(ValidationError) as refused:
        services.create_plan(organisation=board, year=ODD_START + 3, actor=cast["coordinator_board"])
    assert refused.value.messages == [f"{ODD_RULE} Välj {ODD_START + 2} eller {ODD_START + 4}."]
    assert list(Plan.objects.values_list("year", flat=True)) == [ODD_START]


def test_the_form_explains_and_checks_the_rule_as_the_data_states_it(cast, board):
    cycles = {kind: cycle.plan_cycle(kind) for kind in PlanKind}
    years = [ODD_START + 2, ODD_START + 3]
    data = QueryDict(mutable=True)
    data.update({"organisation": str(board.pk), "year": str(ODD_START + 3)})
    form = forms.CreatePlanForm(data, organisations=[board], years=years, cycles=cycles)
    assert not form.is_valid()
    assert form.errors["year"] == [f"{ODD_RULE} Välj {ODD_START + 2} eller {ODD_START + 4}."]
    assert form.fields["year"].help_text == ODD_RULE
    data["year"] = str(ODD_START + 2)
    assert forms.CreatePlanForm(data, organisations=[board], years=years, cycles=cycles).is_valid()


def test_the_year_list_offers_the_years_the_duty_names(cast, board):
    response = cast.client("coordinator_board").get("/planer/ny/")
    offered = [year for year, _label in response.context["form"].fields["year"].choices]
    assert offered == [y for y in range(THIS_YEAR - 1, THIS_YEAR + 3) if y % 2]
    assert response.context["form"].initial["year"] == THIS_YEAR + 1 - THIS_YEAR % 2  # the next odd year
    assert "tar varje ojämnt år fram en handlingsplan" in response.content.decode()
    created = cast.client("coordinator_board").post("/planer/ny/", {"organisation": board.pk, "year": offered[0]})
    assert created.status_code == 302
    assert Plan.objects.get(organisation=board).end_year == offered[0] + 1


def test_follow_ups_and_tasks_follow_the_follow_up_duty(cast, board):
    _set_cadence(Document.BOARD_FOLLOW_UP, Cadence.EVEN_YEARS)
    actor, even = cast["coordinator_board"], ODD_START + 1
    plan = make_plan(
        cast, organisation=board.slug, coordinator="coordinator_board", year=ODD_START, state=PlanState.DECIDED
    )
    measure = plan.measures.get()
    with pytest.raises(ValidationError) as refused:
        services.record_follow_up(
            actor=actor, measure_id=measure.pk, lock_version=plan.lock_version, year=ODD_START, status="done"
        )
    assert refused.value.messages == [
        f"Planen gäller {plan.period_label} och följs upp för {even}; uppföljning för {ODD_START} hör inte till den."
    ]
    assert not FollowUp.objects.exists()
    client = cast.client("coordinator_board")
    assert client.get(f"/planer/{plan.pk}/uppfoljning/{ODD_START}/").status_code == 404
    assert client.get(f"/planer/{plan.pk}/uppfoljning/{even}/").status_code == 200
    (entry,) = tasks.tasks_for([board], even)
    texts = [task.text for task in entry.tasks]
    assert f"{plan.title}: uppföljningen för {even} saknas för 1 av 1 åtgärder." in texts
    assert not any(f"uppföljningen för {ODD_START}" in text for text in texts)
    services.record_follow_up(
        actor=actor, measure_id=measure.pk, lock_version=plan.lock_version, year=even, status="done"
    )
    assert FollowUp.objects.get().year == even


def test_the_task_list_asks_for_the_plan_in_the_years_the_duty_names(cast, board):
    (odd,) = tasks.tasks_for([board], ODD_START)
    (even,) = tasks.tasks_for([board], ODD_START + 1)
    assert f"Planen för {ODD_START} är inte påbörjad." in [t.text for t in odd.tasks]
    assert not any("Planen för" in t.text for t in even.tasks)
    make_plan(cast, organisation=board.slug, coordinator="coordinator_board", year=ODD_START + 2)
    # The next plan not started, from this year: a year the duty names.
    assert tasks.default_plan_year(board, ODD_START + 2) == ODD_START + 4


def test_a_new_plan_never_overlaps_a_plan_already_made_after_the_cadence_changed(cast, board):
    """A two-year plan from an odd year, then the administrator moves the plans to even years: the
    second year of that plan is an even year, but a plan for it would put two plans in force at once."""
    first = services.create_plan(organisation=board, year=ODD_START, actor=cast["coordinator_board"])
    _set_cadence(Document.BOARD_PLAN, Cadence.EVEN_YEARS)
    with pytest.raises(ValidationError) as refused:
        services.create_plan(organisation=board, year=ODD_START + 1, actor=cast["coordinator_board"])
    assert refused.value.messages == [
        f"{board.name} har redan en plan för {first.period_label}, och en plan för {ODD_START + 1}–{ODD_START + 2} "
        f"skulle gälla under samma år. Två planer kan inte gälla samtidigt: välj ett år efter {ODD_START + 1}."
    ]
    assert list(Plan.objects.filter(organisation=board).values_list("year", flat=True)) == [ODD_START]
    after = services.create_plan(organisation=board, year=ODD_START + 3, actor=cast["coordinator_board"])
    assert (after.year, after.end_year) == (ODD_START + 3, ODD_START + 4)
