"""Synthetic plans for the demo: several years of the cycle, so compliance and the status report vary.

Every district council has plans for the last two years and this one; every specialist board with a
named mission has its handlingsplan. On purpose: Skärholmen has no decided plan this year (a draft),
Farsta's waits for its board, and Idrottsnämnden is late with last year's follow-up. Some duty
self-reports are missing. Of the organisations responsible for focus areas without a plan duty,
Kommunstyrelsen and Familjebostäder keep yearly measures lists (last year's and this year's reported),
so the coverage shows both a closed gap and the ones still open ("inga åtgärder rapporterade"). Everything is written through the services, as a coordinator would: an
organisation without a coordinator now had one who wrote its plans and has since left (a colleague
holds the role while the plans are written, and gives it up afterwards).
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.guidelines.models import CoordinatorDuty, FocusArea
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.plans import cycle, measure_lists, self_report, services
from vbe.plans.models import FollowUpStatus, Plan, PlanKind, PlanState

DRAFT_THIS_YEAR = {"skarholmen"}
READY_THIS_YEAR = {"farsta"}
LATE_FOLLOW_UP = {"idrottsnamnden"}
NO_DUTY_REPORT = {"skarholmen", "sisab", "kulturnamnden"}
BOARDS = ["socialnamnden", "utbildningsnamnden", "arbetsmarknadsnamnden", "kulturnamnden", "idrottsnamnden"]

SITUATION = (
    "Under året har skolor och fritidsgårdar rapporterat fler klistermärken och affischer med våldsbejakande "
    "budskap, främst kring centrum och pendeltågsstationen. Fältgruppen ser att yngre tonåringar nås av "
    "propaganda i sociala medier. Samverkan med lokalpolisområdet och civilsamhället fungerar väl, men "
    "kunskapen om rutinen vid oro behöver spridas till fler medarbetare."
)
MEASURE_TITLES = {
    1: ["Föräldraträffar med ABC i områdets skolor", "Fältarbete kvällstid under sommarlovet"],
    2: ["Källkritik i undervisningen årskurs 7–9", "Samtalsstöd om kontroversiella frågor"],
    3: ["Prövning av demokrativillkoret före lokalupplåtelse", "Nattvandring med lokala föreningar"],
    4: ["Grundutbildning om rutinen vid oro för all personal", "Fördjupningsutbildning för samordnare"],
    5: ["Samverkansmöten med lokalpolisområdet", "SIP-samordning för unga i riskzon"],
    6: ["Information om avhopparverksamheten till socialsekreterare"],
    7: ["Anhörigträffar i samarbete med behandlingsenheten"],
}


class _Coordinators:
    """Who writes each organisation's plans: its coordinator, or a former one (see the module's docstring)."""

    def __init__(self) -> None:
        self.former: list[Membership] = []

    def of(self, organisation: Organisation) -> User | None:
        membership = Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR).first()
        if membership is None:
            colleague = Membership.objects.filter(organisation=organisation).exclude(role=Role.COORDINATOR).first()
            if colleague is None:
                return None
            membership = Membership.objects.create(
                user=colleague.user, organisation=organisation, role=Role.COORDINATOR
            )
            self.former.append(membership)
        return User.objects.get(pk=membership.user_id)  # a fresh user: no memberships read before

    def leave(self) -> None:
        for membership in self.former:
            membership.delete()


def _plan(organisation: Organisation, year: int, actor: User, rng: random.Random, *, until: str) -> Plan:
    plan = services.create_plan(organisation=organisation, year=year, actor=actor)
    plan = services.update_plan(
        plan_id=plan.pk, actor=actor, lock_version=plan.lock_version, title=plan.title, situation_analysis=SITUATION
    )
    areas = list(FocusArea.objects.filter(responsible=organisation).order_by("number"))
    for area in rng.sample(areas, k=min(len(areas), rng.randint(3, 5))):
        plan.refresh_from_db()
        services.save_measure(
            plan_id=plan.pk,
            actor=actor,
            lock_version=plan.lock_version,
            title=rng.choice(MEASURE_TITLES[area.number]),
            description="Genomförs tillsammans med berörda verksamheter.",
            focus_area=area,
            starts_on=datetime.date(year, 2, 1),
            ends_on=datetime.date(plan.end_year, 12, 31),
            methods=list(area.methods.all()[:1]),
            indicators=[("Antal deltagare", str(rng.choice([20, 50, 100])))],
        )
    if until == PlanState.DRAFT:
        return plan
    plan.refresh_from_db()
    plan = services.submit_for_decision(plan_id=plan.pk, actor=actor, lock_version=plan.lock_version)
    if until == PlanState.READY:
        return plan
    decided_on = min(datetime.date(year, 4, 20), timezone.localdate())
    return services.record_decision(
        plan_id=plan.pk,
        actor=actor,
        lock_version=plan.lock_version,
        decided_on=decided_on,
        minute_reference=f"§ {rng.randint(5, 40)}",
    )


def _follow_up(plan: Plan, year: int, actor: User, rng: random.Random, *, complete: bool) -> None:
    entries = [
        services.FollowUpEntry(
            measure_id=measure.pk,
            status=rng.choice([FollowUpStatus.DONE, FollowUpStatus.ONGOING, FollowUpStatus.DELAYED]),
            comment="Genomfört enligt plan med några förseningar under hösten.",
            indicator_values={str(i.pk): str(rng.randint(10, 120)) for i in measure.indicators.all()},
        )
        for measure in plan.measures.all()
    ]
    plan.refresh_from_db()
    services.record_follow_ups(actor=actor, plan_id=plan.pk, lock_version=plan.lock_version, year=year, entries=entries)
    if complete:
        plan.refresh_from_db()
        services.complete_follow_up(plan_id=plan.pk, actor=actor, lock_version=plan.lock_version, year=year)


def seed_plans(*, seed: int = 2026) -> int:
    if Plan.objects.exists():
        return 0
    rng = random.Random(seed)
    this_year = timezone.localdate().year
    coordinators = _Coordinators()
    created = _seed_plans(rng, this_year, coordinators)
    _seed_self_reports(rng, this_year, coordinators)
    _seed_measure_lists(this_year, coordinators)
    coordinators.leave()
    return created


def _seed_plans(rng: random.Random, this_year: int, coordinators: _Coordinators) -> int:
    created = 0
    district_cycle = cycle.plan_cycle(PlanKind.DISTRICT)
    for council in Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COUNCIL, is_active=True):
        actor = coordinators.of(council)
        if actor is None:
            continue
        for year in district_cycle.years(this_year - 2, this_year - 1):
            plan = _plan(council, year, actor, rng, until=PlanState.DECIDED)
            for follow_year in cycle.follow_up_years(plan, district_cycle):
                if follow_year <= this_year - 1:
                    complete = follow_year < this_year - 1 or rng.random() < 0.6
                    _follow_up(plan, follow_year, actor, rng, complete=complete)
            created += 1
        until = (
            PlanState.DRAFT
            if council.slug in DRAFT_THIS_YEAR
            else PlanState.READY
            if council.slug in READY_THIS_YEAR
            else PlanState.DECIDED
        )
        if district_cycle.applies_in(this_year):
            _plan(council, this_year, actor, rng, until=until)
            created += 1
    board_cycle = cycle.plan_cycle(PlanKind.BOARD)
    for slug in BOARDS:
        board = Organisation.objects.get(slug=slug)
        actor = coordinators.of(board)
        if actor is None:
            continue
        for year in board_cycle.years(this_year - 2, this_year):
            plan = _plan(board, year, actor, rng, until=PlanState.DECIDED)
            created += 1
            for follow_year in cycle.follow_up_years(plan, board_cycle):
                if follow_year > this_year - 1 or (slug in LATE_FOLLOW_UP and follow_year == this_year - 1):
                    continue
                _follow_up(plan, follow_year, actor, rng, complete=False)
    return created


def _seed_self_reports(rng: random.Random, this_year: int, coordinators: _Coordinators) -> None:
    duties = list(CoordinatorDuty.objects.filter(guideline__is_current=True))
    for organisation in Organisation.objects.filter(requires_coordinator=True, is_active=True):
        if organisation.slug in NO_DUTY_REPORT:
            continue
        actor = coordinators.of(organisation)
        if actor is None:
            continue
        for year in (this_year - 1, this_year):
            self_report.report_duties(
                actor=actor,
                organisation=organisation,
                year=year,
                lock_version=self_report.current_lock_version(organisation, year),
                answers={d.pk: (rng.choice(["done", "done", "partly", "not_done"]), "") for d in duties},
            )


# Yearly measures lists of organisations without a plan duty: (focus area number, title, status).
MEASURE_LISTS = {
    "ks": [
        (2, "Stadsövergripande kommunikation mot extremistisk propaganda", "ongoing"),
        (3, "Dialogforum med trossamfund och civilsamhälle", "done"),
        (4, "Utbildning av lokala samordnare om rutinen vid oro", "done"),
        (5, "Samverkansöverenskommelse med Polismyndigheten", "ongoing"),
    ],
    "familjebostader": [
        (3, "Trygghetsvandringar med hyresgästföreningen", "done"),
        (4, "Utbildning för bovärdar om rutinen vid oro", "ongoing"),
    ],
}


def _seed_measure_lists(this_year: int, coordinators: _Coordinators) -> None:
    for slug, measures in MEASURE_LISTS.items():
        organisation = Organisation.objects.filter(slug=slug, is_active=True).first()
        if organisation is None or not measure_lists.keeps_measure_list(organisation):
            continue
        actor = coordinators.of(organisation)
        if actor is None:
            continue
        for year in (this_year - 1, this_year):
            areas = {area.number: area for area in measure_lists.responsible_areas(organisation)}
            for number, title, status in measures:
                measure_lists.save_listed_measure(
                    actor=actor,
                    organisation=organisation,
                    year=year,
                    lock_version=measure_lists.current_lock_version(organisation, year),
                    title=title,
                    description="Genomförs inom ordinarie verksamhet.",
                    focus_area=areas[number],
                    status=status if year == this_year else "done",
                )
            measure_lists.report_measure_list(
                actor=actor,
                organisation=organisation,
                year=year,
                lock_version=measure_lists.current_lock_version(organisation, year),
            )
