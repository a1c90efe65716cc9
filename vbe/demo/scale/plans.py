"""A city-year's plans: each plan revised in versions, with measures and follow-ups.

The yearly measures lists of organisations without a plan duty (``vbe.plans.measure_lists``) are left
out: the demo city's own lists (``vbe.plans.demo``) show them, and their volume is negligible."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from vbe.demo.scale.base import (
    BATCH,
    City,
    Volumes,
    Year,
    field_of,
    stored_as_given,
)
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.plans.models import FollowUp, FollowUpStatus, Measure, MeasureStatus, Plan, PlanKind, PlanState, plan_title


def _plan_kinds(city: City, calendar_year: int) -> list[tuple[Organisation, str, int]]:
    """(organisation, kind, end year): each district council's yearly plan, and the specialist boards'
    two-year handlingsplan, decided in even years."""
    plans = [(council, PlanKind.DISTRICT, calendar_year) for council in city.councils]
    if calendar_year % 2 == 0:
        boards = [o for o in city.organisations if o.kind == OrganisationKind.SPECIALIST_BOARD and o.mission]
        plans += [(board, PlanKind.BOARD, calendar_year + 1) for board in boards]
    return plans


def add_plans(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """A year's plans, each revised several times (versions), for the years the demo has left empty."""
    count, measures_per_plan = volumes.plans, volumes.measures_per_plan
    calendar_year = timezone.localtime(year.end).year
    kinds = [
        (o, kind, end)
        for o, kind, end in _plan_kinds(city, calendar_year)
        if not Plan.objects.filter(organisation=o, kind=kind, year=calendar_year).exists()
    ]
    if not kinds:
        return 0
    versions = max(1, count // len(kinds))
    created = 0
    decided_on = datetime.date(calendar_year, 2, 15)
    with stored_as_given(field_of(Plan, "created_at"), field_of(Plan, "updated_at")):
        for organisation, kind, end_year in kinds:
            author = rng.choice(city.coordinators.get(organisation.pk) or city.members[organisation.pk])
            previous = None
            for version in range(1, versions + 1):
                current = version == versions
                at = timezone.make_aware(datetime.datetime(calendar_year - 1, 10, 1)) + datetime.timedelta(days=version)
                previous = Plan.objects.create(
                    organisation=organisation,
                    kind=kind,
                    year=calendar_year,
                    end_year=end_year,
                    version=version,
                    previous=previous,
                    is_current=current,
                    state=PlanState.FOLLOWED_UP if current else PlanState.DECIDED,
                    title=plan_title(
                        kind,
                        str(calendar_year) if end_year == calendar_year else f"{calendar_year}–{end_year}",
                        organisation.display_name,
                    ),
                    situation_analysis="Lägesbild för året (syntetisk).",
                    decided_on=decided_on,
                    minute_reference=f"§ {rng.randint(1, 200)}",
                    followed_up_years=list(range(calendar_year, end_year + 1)) if current else [],
                    created_by_id=author,
                    created_at=at,
                    updated_at=at,
                )
                created += 1
                _measures(city, previous, rng, measures_per_plan, author, follow_up=current)
    return created


def _measures(city: City, plan: Plan, rng: random.Random, count: int, author: int, *, follow_up: bool) -> None:
    units = city.units.get(plan.organisation_id) or [None]
    measures = Measure.objects.bulk_create(
        [
            Measure(
                plan=plan,
                title=f"Åtgärd {n + 1} inom fokusområde",
                focus_area_id=rng.choice(city.focus_areas),
                responsible_unit_id=rng.choice(units),
                starts_on=datetime.date(plan.year, 1, 1),
                ends_on=datetime.date(plan.end_year, 12, 31),
                status=rng.choice([MeasureStatus.DONE, MeasureStatus.DONE, MeasureStatus.CANCELLED]),
            )
            for n in range(count)
        ]
    )
    if not follow_up:
        return
    if measures and measures[0].pk is None:
        measures = list(Measure.objects.filter(plan=plan).order_by("pk"))
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                measure=measure,
                year=y,
                status=rng.choice(list(FollowUpStatus)),
                comment="Uppföljd (syntetisk).",
                recorded_by_id=author,
            )
            for measure in measures
            for y in range(plan.year, plan.end_year + 1)
        ],
        batch_size=BATCH,
    )
