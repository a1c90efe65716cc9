"""URL × role entries for the plan cycle (gathered by tests/test_url_role_matrix.py).

The plans used are Järva's: a draft for this year with one measure, and last year's decided plan
with one measure. Only Järva's coordinator may change them; the central coordinator reads every
plan; anyone else finds no such plan (404). Workflow transitions are POST only.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.matrix import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, Entry, expect, only
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import Organisation
from vbe.plans.models import ListedMeasure, Measure, MeasureList, Plan, PlanKind, PlanState

PLAN_READERS = ("coordinator", "coordinator_other", "coordinator_board", "central_coordinator", "board_reader")
PLAN_WRITERS = ("coordinator", "coordinator_other", "coordinator_board")


def _this_year() -> int:
    return timezone.localdate().year


def _jarva_plan(ctx: dict, year: int, state: str) -> Plan:
    jarva = Organisation.objects.get(slug="jarva")
    plan, created = Plan.objects.get_or_create(
        organisation=jarva,
        kind=PlanKind.DISTRICT,
        year=year,
        is_current=True,
        defaults={
            "end_year": year,
            "state": state,
            "title": f"Åtgärdsplan Järva {year}",
            "created_by": ctx["cast"]["coordinator"],
            "decided_on": datetime.date(year, 4, 1) if state == PlanState.DECIDED else None,
            "minute_reference": "§ 1" if state == PlanState.DECIDED else "",
        },
    )
    if created:
        Measure.objects.create(plan=plan, title="Föräldraträffar", focus_area=FocusArea.objects.order_by("pk").first())
    return plan


def draft_plan(ctx: dict) -> Plan:
    return _jarva_plan(ctx, _this_year(), PlanState.DRAFT)


def decided_plan(ctx: dict) -> Plan:
    return _jarva_plan(ctx, _this_year() - 1, PlanState.DECIDED)


def _draft(suffix: str = "") -> callable:
    return lambda ctx: f"/planer/{draft_plan(ctx).pk}/{suffix}"


def _measure(suffix: str = "") -> callable:
    def path(ctx: dict) -> str:
        plan = draft_plan(ctx)
        return f"/planer/{plan.pk}/atgarder/{plan.measures.first().pk}/{suffix}"

    return path


def _follow_up(suffix: str = "") -> callable:
    return lambda ctx: f"/planer/{decided_plan(ctx).pk}/uppfoljning/{_this_year() - 1}/{suffix}"


def _housing_list(ctx: dict) -> MeasureList:
    """This year's measures list of a housing company (responsible for focus areas, no plan duty),
    with one measure. Nobody in the cast coordinates it: only the central coordinator reads it."""
    company = Organisation.objects.get(slug="familjebostader")
    measure_list, created = MeasureList.objects.get_or_create(organisation=company, year=_this_year())
    if created:
        ListedMeasure.objects.create(
            measure_list=measure_list,
            title="Trygghetsvandringar",
            focus_area=FocusArea.objects.get(number=3, intervention_area__guideline__is_current=True),
        )
    return measure_list


def _housing(suffix: str = "") -> callable:
    return lambda ctx: f"/planer/atgardslista/familjebostader/{_housing_list(ctx).year}/{suffix}"


def _housing_measure(ctx: dict) -> str:
    measure_list = _housing_list(ctx)
    return f"/planer/atgardslista/familjebostader/{measure_list.year}/{measure_list.measures.first().pk}/"


READ = expect(NOT_FOUND, coordinator=OK, central_coordinator=OK)
WRITE = expect(NOT_FOUND, coordinator=OK, central_coordinator=FORBIDDEN)
POST_ONLY = expect(NOT_ALLOWED)

MATRIX: dict[str, Entry] = {
    "plans:list": Entry(lambda ctx: "/planer/", only(*PLAN_READERS)),
    "plans:create": Entry(lambda ctx: "/planer/ny/", only(*PLAN_WRITERS)),
    "plans:tasks": Entry(lambda ctx: "/planer/att-gora/", only(*PLAN_READERS)),
    "plans:rollup": Entry(lambda ctx: f"/planer/uppfoljning/{_this_year() - 1}/", only(*PLAN_READERS)),
    "plans:duty_report": Entry(lambda ctx: f"/planer/samordnaruppdrag/jarva/{_this_year()}/", only("coordinator")),
    "plans:detail": Entry(_draft(), READ),
    "plans:edit": Entry(_draft("andra/"), WRITE),
    "plans:submit": Entry(_draft("lamna-till-namnden/"), POST_ONLY),
    "plans:return_to_draft": Entry(_draft("ta-tillbaka/"), POST_ONLY),
    "plans:decide": Entry(_draft("beslut/"), POST_ONLY),
    "plans:new_version": Entry(_draft("ny-version/"), POST_ONLY),
    "plans:measure_add": Entry(_draft("atgarder/ny/"), WRITE),
    "plans:measure_edit": Entry(_measure(), WRITE),
    "plans:measure_delete": Entry(_measure("ta-bort/"), WRITE),
    "plans:follow_up": Entry(_follow_up(), READ),
    "plans:follow_up_complete": Entry(_follow_up("klar/"), POST_ONLY),
    "plans:measure_list": Entry(_housing(), expect(NOT_FOUND, central_coordinator=OK)),
    "plans:measure_list_add": Entry(_housing("ny/"), expect(NOT_FOUND, central_coordinator=FORBIDDEN)),
    "plans:measure_list_edit": Entry(_housing_measure, expect(NOT_FOUND, central_coordinator=FORBIDDEN)),
    "plans:measure_list_report": Entry(_housing("rapportera/"), POST_ONLY),
}
