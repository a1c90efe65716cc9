"""A synthetic "Stockholm, N years" on top of the demo city, for measuring the portal at scale.

``generate(scale=N)`` adds city-years until the database holds N of them: year 1 is the twelve months
up to today, year 2 the twelve before, and so on. Each year adds the volumes of ``PER_YEAR`` (one
tenth of docs/quality.md's "ten years"): units, staff with their memberships, concerns with their
chronology, incidents, plan versions with measures and follow-ups, and the access log that goes with
it, continued on the real HMAC chain. A year is written in one transaction, so a year is either all
there or not at all, and a second run with the same target adds nothing. The random choices of a year
depend only on the seed and the year's number (a year draws its people and units from the demo city
and from itself, never from another synthetic year): growing a database from scale 1 to 10 gives the
same rows as building scale 10 at once, apart from ids and the moment "now".

Rows are written in bulk, not through the services: the services do one concern at a time with its
locks, mail and log rows, which at these volumes would take hours. What the services would have
written is written here too (the chronology, the intake record, the status changes, the log rows), so
the pages read what they would read in a real city.

Years are built oldest first, so in a city built at once the access log's ids follow time, as in a
real log. When a database grows, the added older years carry their own timestamps but come after the
rows already in the log, since the chain only grows at its end: ids and time then disagree, the worst
case for reading the log by date. ``make bench`` builds each scale in a database of its own.

Everything is made up: names are random pairs from the demo's name lists, e-mail addresses use the
reserved domain .example, personnummer come only from Skatteverket's test list, and the accounts
cannot sign in (their password is unusable).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import active_coordinator_memberships
from vbe.audit.log import GENESIS, compute_mac
from vbe.audit.models import AccessLogEntry, ChainHead, Outcome
from vbe.concerns import closure
from vbe.concerns import intake as concern_intake
from vbe.concerns.demo import NAMES, OBSERVATIONS, _test_personnummer
from vbe.concerns.models import ActionKind, ActionTaken, Concern, Disclosure, Event, State
from vbe.concerns.models import Outcome as ConcernOutcome
from vbe.core import personnummer, sequences
from vbe.demo.city import FIRST_NAMES, LAST_NAMES, UNIT_PATTERNS
from vbe.guidelines.models import FocusArea
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import services as incident_services
from vbe.incidents.models import Category, Incident, IncidentIntake, IntakeRoute, StatusChange
from vbe.incidents.models import Status as IncidentStatus
from vbe.organisations.models import District, Neighbourhood, Organisation, OrganisationKind, Unit
from vbe.plans.models import FollowUp, FollowUpStatus, Measure, MeasureStatus, Plan, PlanKind, PlanState
from vbe.statistics import summary

SCALE_DOMAIN = "skala.vbe.example"
UNUSABLE_PASSWORD = "!synthetic-account"  # noqa: S105 - Django's mark of a password that never matches
BATCH = 5000
UNIT_MARK = ", enhet "  # a synthetic unit's name: "Förskolan Rinkeby, enhet 3.17" (year 3, unit 17)


@dataclass(frozen=True)
class Volumes:
    units: int = 200
    users: int = 4500
    concerns: int = 2000
    incidents: int = 10_000
    plans: int = 100
    measures_per_plan: int = 20
    log_rows: int = 300_000


PER_YEAR = Volumes()

# Of a year's new staff: the share in each role (the rest are staff members at a unit).
ROLE_SHARES = [(Role.UNIT_MANAGER, 0.04), (Role.BOARD_READER, 0.002)]
CASEWORKERS_PER_COUNCIL = 1

INCIDENT_TEXTS = [
    "Klistermärken med symboler från en våldsbejakande organisation på en busshållplats.",
    "Affischer med budskap som uppmanar till våld mot en folkgrupp vid centrumets entré.",
    "Klotter med hakkors på en vägg vid skolgården.",
    "Flygblad från en våldsbejakande grupp i brevlådorna i trapphuset.",
    "Hotfulla meddelanden riktade mot personal i en chattgrupp.",
]
PLACES = ["Vid tunnelbaneuppgången", "Busshållplatsen vid centrum", "Skolgården", "Gångtunneln", "Torget"]
LOG_ACTIONS = [
    ("concern_viewed", Outcome.ALLOWED, 30),
    ("incident_viewed", Outcome.ALLOWED, 25),
    ("plan_viewed", Outcome.ALLOWED, 15),
    ("sign_in", Outcome.ALLOWED, 18),
    ("sign_in_failed", Outcome.FAILED, 3),
    ("request_denied", Outcome.DENIED, 4),
    ("report_downloaded", Outcome.ALLOWED, 5),
]


@dataclass(frozen=True)
class Year:
    """City-year ``number`` (1 = the twelve months up to ``today``)."""

    number: int
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def of(cls, number: int, now: datetime.datetime) -> Year:
        end = now - datetime.timedelta(days=365 * (number - 1))
        return cls(number, end - datetime.timedelta(days=365), end)

    def moments(self, rng: random.Random, count: int) -> list[datetime.datetime]:
        """``count`` random moments of the year, in time order."""
        span = (self.end - self.start).total_seconds()
        return sorted(self.start + datetime.timedelta(seconds=rng.random() * span) for _ in range(count))


def _email(year: int, n: int) -> str:
    return f"person{year:02d}-{n:05d}@{SCALE_DOMAIN}"


def years_present() -> set[int]:
    """The city-years already generated: each year's first account marks it (a year is one transaction)."""
    emails = User.objects.filter(
        email__startswith="person", email__endswith=f"@{SCALE_DOMAIN}", email__contains="-00000@"
    )
    return {int(email.removeprefix("person").split("-")[0]) for email in emails.values_list("email", flat=True)}


@contextmanager
def _stored_as_given(*fields: models.Field) -> Iterator[None]:
    """Bulk rows carry their historical timestamps: ``auto_now``/``auto_now_add`` would overwrite them.
    The flags are the model's own, so this is for the generator's own process only, never a server."""
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


class City:
    """What every year builds on, read once per run: organisations, districts, units, people."""

    def __init__(self) -> None:
        self.organisations = list(Organisation.objects.filter(is_active=True).order_by("slug"))
        self.by_slug = {o.slug: o for o in self.organisations}
        self.councils = [o for o in self.organisations if o.kind == OrganisationKind.DISTRICT_COUNCIL]
        self.council_of_district = {o.district_id: o for o in self.councils}
        self.districts = list(
            District.objects.filter(is_active=True, pk__in=list(self.council_of_district))
            .defer("geometry")
            .order_by("pk")
        )
        self.neighbourhoods: dict[int, list[int]] = {}
        for n in Neighbourhood.objects.filter(district__in=self.districts).only("pk", "district_id").order_by("pk"):
            self.neighbourhoods.setdefault(n.district_id, []).append(n.pk)
        self.coordinated = {o.slug for o in self.organisations if o.requires_coordinator}
        self.focus_areas = list(FocusArea.objects.order_by("pk").values_list("pk", flat=True))
        self.pnr = _test_personnummer()

    def refresh(self, year: int | None = None) -> None:
        """The people and units a year draws from: the demo city's, and those the year itself added.
        Never another synthetic year's, so that a year's rows do not depend on which years exist."""
        synthetic_units = Q(name__contains=UNIT_MARK)
        synthetic_users = Q(user__email__endswith=f"@{SCALE_DOMAIN}")
        if year is not None:
            synthetic_units &= ~Q(name__contains=f"{UNIT_MARK}{year}.")
            synthetic_users &= ~Q(user__email__startswith=f"person{year:02d}-")
        self.units: dict[int, list[int]] = {}
        for unit_id, organisation_id in (
            Unit.objects.filter(is_active=True)
            .exclude(synthetic_units)
            .values_list("pk", "organisation_id")
            .order_by("pk")
        ):
            self.units.setdefault(organisation_id, []).append(unit_id)
        memberships = Membership.objects.filter(user__is_active=True).exclude(synthetic_users).order_by("pk")
        self.members: dict[int, list[int]] = {}
        for user_id, organisation_id in memberships.values_list("user_id", "organisation_id"):
            self.members.setdefault(organisation_id, []).append(user_id)
        self.coordinators: dict[int, list[int]] = {}
        for user_id, organisation_id in (
            active_coordinator_memberships()
            .exclude(synthetic_users)
            .values_list("user_id", "organisation_id")
            .order_by("pk")
        ):
            self.coordinators.setdefault(organisation_id, []).append(user_id)
        self.people = list(memberships.values_list("user_id", "user__email", "role", "organisation__name"))


# --- One city-year -----------------------------------------------------------------------------------


def _units(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    count = volumes.units
    neighbourhoods = list(Neighbourhood.objects.filter(district__in=city.districts).only("pk", "name", "district_id"))
    rows = []
    for i in range(count):
        n = rng.choice(neighbourhoods)
        slug, kind, pattern = rng.choice(UNIT_PATTERNS)
        owner = city.council_of_district.get(n.district_id) if slug == "@district" else city.by_slug.get(slug)
        if owner is None:
            continue
        name = f"{pattern.format(n=n.name)}{UNIT_MARK}{year.number}.{i + 1}"
        rows.append(Unit(organisation=owner, name=name, kind=kind, neighbourhood_id=n.pk))
    Unit.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _users(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    count = volumes.users
    joined = year.moments(rng, count)
    users = [
        User(
            email=_email(year.number, n),
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            password=UNUSABLE_PASSWORD,
            date_joined=joined[n],
        )
        for n in range(count)
    ]
    users = User.objects.bulk_create(users, batch_size=BATCH)
    if users[0].pk is None:  # SQLite before RETURNING support: read the ids back
        by_email = dict(User.objects.filter(email__endswith=f"@{SCALE_DOMAIN}").values_list("email", "pk"))
        for user in users:
            user.pk = by_email[user.email]
    memberships = []
    organisations = [o for o in city.organisations if city.units.get(o.pk)]
    pool = iter(users)
    for council in city.councils:
        for _ in range(CASEWORKERS_PER_COUNCIL):
            memberships.append(Membership(user=next(pool), organisation=council, role=Role.CASEWORKER))
    for user in pool:
        organisation = rng.choice(organisations)
        role, draw = Role.STAFF, rng.random()
        for candidate, share in ROLE_SHARES:
            if draw < share:
                role = candidate
                break
            draw -= share
        unit = rng.choice(city.units[organisation.pk]) if role in (Role.STAFF, Role.UNIT_MANAGER) else None
        memberships.append(Membership(user=user, organisation=organisation, role=role, unit_id=unit))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return len(users)


def _reference_numbers(prefix: str, moments: Sequence[datetime.datetime]) -> list[str]:
    """Numbers from the portal's own counters, one block per calendar year, in time order."""
    wanted: dict[int, int] = {}
    for moment in moments:
        y = timezone.localtime(moment).year
        wanted[y] = wanted.get(y, 0) + 1
    blocks = {y: iter(sequences.allocate(prefix=prefix, year=y, count=n)) for y, n in wanted.items()}
    return [next(blocks[timezone.localtime(moment).year]) for moment in moments]


def _concern_state(year: Year, rng: random.Random) -> str:
    """Last year's concerns are spread over the steps; older ones are almost all closed."""
    open_share = 0.6 if year.number == 1 else 0.03
    if rng.random() >= open_share:
        return State.CLOSED
    return rng.choice([s for s in State if s != State.CLOSED])


def _concerns(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    count = volumes.concerns
    receivers = [o for o in city.organisations if o.slug in city.coordinated and city.members.get(o.pk)]
    weights = [4 if o.kind == OrganisationKind.DISTRICT_COUNCIL else 1 for o in receivers]
    moments = year.moments(rng, count)
    references = _reference_numbers(concern_intake.REFERENCE_PREFIX, moments)
    steps = [s for s in State if s != State.CLOSED]
    concerns, plans = [], []
    for i, (moment, reference) in enumerate(zip(moments, references, strict=True)):
        organisation = rng.choices(receivers, weights)[0]
        reporter_organisation = rng.choice(receivers) if rng.random() < 0.3 else organisation
        reporter = rng.choice(city.members[reporter_organisation.pk])
        handlers = city.coordinators.get(organisation.pk, [])
        state = _concern_state(year, rng)
        child = rng.choice(["yes", "no", "unknown"])
        with_person = rng.random() < 0.6
        pnr = rng.choice(city.pnr) if with_person else ""
        closed_at = moment + datetime.timedelta(days=rng.randint(5, 120)) if state == State.CLOSED else None
        outcome = rng.choice(list(ConcernOutcome)) if closed_at else ""
        concern = Concern(
            reference=reference,
            state=state,
            reporter_id=reporter,
            reporter_organisation=reporter_organisation,
            reported_to=organisation,
            organisation=organisation,
            without_coordinator=not handlers,
            idempotency_key=f"scale-{year.number}-{i}",
            observation=rng.choice(OBSERVATIONS),
            observed_on=timezone.localtime(moment).date() - datetime.timedelta(days=rng.randint(0, 14)),
            district_id=organisation.district_id,
            environment=rng.choice(list(Environment)),
            concerns_child=child,
            child_report_made=rng.choice(["yes", "no", "unknown"]),
            person_name=rng.choice(NAMES) if with_person else "",
            person_pnr=pnr,
            person_pnr_index=personnummer.blind_index(personnummer.normalise(pnr)) if pnr else "",
            outcome=outcome,
            closed_at=closed_at,
            retain_until=(closed_at.date() + datetime.timedelta(days=closure.retention_days(outcome)))
            if closed_at
            else None,
            created_at=moment,
            updated_at=closed_at or moment,
        )
        concerns.append(concern)
        plans.append((handlers, steps.index(state) if state != State.CLOSED else rng.randint(0, len(steps) - 1)))
    with _stored_as_given(_field(Concern, "created_at"), _field(Concern, "updated_at")):
        concerns = Concern.objects.bulk_create(concerns, batch_size=BATCH)
    if concerns[0].pk is None:
        ids = dict(
            Concern.objects.filter(idempotency_key__startswith=f"scale-{year.number}-").values_list("reference", "pk")
        )
        for concern in concerns:
            concern.pk = ids[concern.reference]
    _chronology(city, concerns, plans, rng)
    return len(concerns)


def _chronology(city: City, concerns: list[Concern], plans: list[tuple[list[int], int]], rng: random.Random) -> None:
    """What the services write beside a concern: its events, an orosanmälan on record, a few disclosures."""
    events, actions, disclosures = [], [], []
    steps = [s for s in State if s != State.CLOSED]
    for concern, (handlers, reached) in zip(concerns, plans, strict=True):
        at = concern.created_at
        events.append(
            Event(
                concern_id=concern.pk,
                at=at,
                actor_id=concern.reporter_id,
                kind="submitted",
                summary=f"Oron rapporterades till {concern.organisation.name}",
                to_state=State.RECEIVED,
            )
        )
        handler = rng.choice(handlers) if handlers else concern.reporter_id
        for before, after in zip(steps[:reached], steps[1 : reached + 1], strict=True):
            at += datetime.timedelta(days=rng.randint(1, 10))
            events.append(
                Event(
                    concern_id=concern.pk,
                    at=at,
                    actor_id=handler,
                    kind="advanced",
                    from_state=before,
                    to_state=after,
                    summary=f"Från {before.label.lower()} till {after.label.lower()}",
                )
            )
        if concern.closed_at:
            if concern.concerns_child != "no":
                actions.append(
                    ActionTaken(
                        concern_id=concern.pk,
                        kind=ActionKind.CHILD_WELFARE_REPORT,
                        done_on=concern.closed_at.date(),
                        district_id=concern.organisation.district_id or city.districts[0].pk,
                        made_by=rng.choice(["Mentor", "Rektor", "Fritidsledare"]),
                        recorded_by_id=handler,
                        recorded_at=concern.closed_at,
                    )
                )
            events.append(
                Event(
                    concern_id=concern.pk,
                    at=concern.closed_at,
                    actor_id=handler,
                    kind="closed",
                    from_state=steps[reached],
                    to_state=State.CLOSED,
                    summary="Avslutad",
                )
            )
        if rng.random() < 0.03:
            to = rng.choice(city.councils)
            if to.pk != concern.organisation_id:
                disclosures.append(
                    Disclosure(
                        concern_id=concern.pk,
                        to_organisation=to,
                        legal_ground="Samtycke (synthetic)",
                        decided_by="Samordnaren",
                        decided_at=at,
                        recorded_by_id=handler,
                    )
                )
    with _stored_as_given(_field(Event, "at"), _field(ActionTaken, "recorded_at")):
        Event.objects.bulk_create(events, batch_size=BATCH)
        ActionTaken.objects.bulk_create(actions, batch_size=BATCH)
    Disclosure.objects.bulk_create(disclosures, batch_size=BATCH)


def _incident_status(year: Year, rng: random.Random) -> str:
    if year.number > 1 or rng.random() < 0.7:
        return IncidentStatus.CLOSED
    return rng.choice([IncidentStatus.NEW, IncidentStatus.ACKNOWLEDGED])


def _incidents(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    count = volumes.incidents
    moments = year.moments(rng, count)
    references = _reference_numbers(incident_services.REFERENCE_PREFIX, moments)
    reporting = [o for o in city.organisations if city.members.get(o.pk)]
    incidents, intakes, changes = [], [], []
    for i, (moment, reference) in enumerate(zip(moments, references, strict=True)):
        district = rng.choice(city.districts)
        council = city.council_of_district[district.pk]
        reporter_organisation = rng.choice(reporting)
        units = city.units.get(reporter_organisation.pk) or [None]
        coordinated = bool(city.coordinators.get(council.pk))
        status = _incident_status(year, rng)
        incidents.append(
            Incident(
                reference=reference,
                reporter_id=rng.choice(city.members[reporter_organisation.pk]),
                reporter_organisation=reporter_organisation,
                organisation=council,
                without_coordinator=not coordinated,
                district=district,
                neighbourhood_id=rng.choice(city.neighbourhoods.get(district.pk) or [None]),
                unit_id=rng.choice(units) if rng.random() < 0.5 else None,
                place_description=rng.choice(PLACES),
                category=rng.choice(list(Category)),
                environment=rng.choice(list(Environment)),
                occurred_on=timezone.localtime(moment).date() - datetime.timedelta(days=rng.randint(0, 3)),
                description=rng.choice(INCIDENT_TEXTS),
                status=status,
                created_at=moment,
                updated_at=moment,
                submission_token=f"scale-{year.number}-{i}",
            )
        )
    with _stored_as_given(_field(Incident, "updated_at")):
        incidents = Incident.objects.bulk_create(incidents, batch_size=BATCH)
    if incidents[0].pk is None:
        ids = dict(
            Incident.objects.filter(submission_token__startswith=f"scale-{year.number}-").values_list("reference", "pk")
        )
        for incident in incidents:
            incident.pk = ids[incident.reference]
    for incident in incidents:
        route = IntakeRoute.CENTRAL if incident.without_coordinator else IntakeRoute.COORDINATOR
        intakes.append(IncidentIntake(incident_id=incident.pk, reported_to=incident.organisation, route=route))
        if incident.status != IncidentStatus.NEW:
            handler = rng.choice(city.coordinators.get(incident.organisation_id) or [incident.reporter_id])
            at = incident.created_at + datetime.timedelta(hours=rng.randint(2, 72))
            changes.append(
                StatusChange(
                    incident_id=incident.pk,
                    from_status=IncidentStatus.NEW,
                    to_status=incident.status,
                    changed_by_id=handler,
                    changed_at=at,
                )
            )
    IncidentIntake.objects.bulk_create(intakes, batch_size=BATCH)
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    return len(incidents)


def _plan_kinds(city: City, calendar_year: int) -> list[tuple[Organisation, str, int]]:
    """(organisation, kind, end year): each district council's yearly plan, and the specialist boards'
    two-year handlingsplan, decided in even years."""
    plans = [(council, PlanKind.DISTRICT, calendar_year) for council in city.councils]
    if calendar_year % 2 == 0:
        boards = [o for o in city.organisations if o.kind == OrganisationKind.SPECIALIST_BOARD and o.mission]
        plans += [(board, PlanKind.BOARD, calendar_year + 1) for board in boards]
    return plans


def _plans(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
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
    with _stored_as_given(_field(Plan, "created_at"), _field(Plan, "updated_at")):
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
                    title=f"Åtgärdsplan {calendar_year}"
                    if kind == PlanKind.DISTRICT
                    else f"Handlingsplan {calendar_year}",
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


def _access_log(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """The year's access log, appended to the real chain under its lock (as ``audit.log.record`` does)."""
    count = volumes.log_rows
    if count <= 0:
        return 0
    actions = [a for a, _, _ in LOG_ACTIONS]
    outcomes = {a: o for a, o, _ in LOG_ACTIONS}
    weights = [w for _, _, w in LOG_ACTIONS]
    subjects = list(
        Concern.objects.filter(idempotency_key__startswith=f"scale-{year.number}-").values_list("pk", "reference")[
            :2000
        ]
    )
    key_id, key = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
    next_id, prev_mac = head.last_id + 1, head.last_mac or GENESIS
    moments = year.moments(rng, count)
    for start in range(0, count, BATCH):
        rows = []
        for moment in moments[start : start + BATCH]:
            user_id, email, role, organisation = rng.choice(city.people)
            action = rng.choices(actions, weights)[0]
            entry = AccessLogEntry(
                id=next_id,
                created_at=moment,
                actor_id=user_id,
                actor_email=email,
                actor_role=role,
                actor_organisation=organisation,
                action=action,
                outcome=outcomes[action],
                key_id=key_id,
                prev_mac=prev_mac,
                request_id=f"{rng.getrandbits(64):016x}",
            )
            if action == "concern_viewed" and subjects:
                pk, reference = rng.choice(subjects)
                entry.object_type, entry.object_id, entry.subject_ref = "concerns.concern", str(pk), reference
            entry.mac = compute_mac(entry, key)
            rows.append(entry)
            next_id, prev_mac = next_id + 1, entry.mac
        _append(rows)
    head.last_id, head.last_mac = next_id - 1, prev_mac
    head.save(update_fields=["last_id", "last_mac"])
    return count


LOG_COLUMNS = [f.column for f in AccessLogEntry._meta.concrete_fields]


def _append(rows: list[AccessLogEntry]) -> None:
    """Insert only, never an UPDATE. PostgreSQL's COPY writes a few hundred thousand rows a second."""
    if connection.vendor != "postgresql":
        AccessLogEntry.objects.bulk_create(rows)
        return
    fields = AccessLogEntry._meta.concrete_fields
    copy_sql = f"COPY audit_accesslogentry ({', '.join(LOG_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row([getattr(row, f.attname) for f in fields])


# --- The run -----------------------------------------------------------------------------------------

Step = Callable[[City, Year, random.Random, Volumes], int]
# In this order: people join units, concerns and incidents name people, the log names concerns.
STEPS: list[tuple[str, Step]] = [
    ("units", _units),
    ("users", _users),
    ("concerns", _concerns),
    ("incidents", _incidents),
    ("plans", _plans),
    ("log_rows", _access_log),
]


def generate(
    *, scale: int, seed: int = 2026, volumes: Volumes = PER_YEAR, report: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Adds the missing city-years 1..``scale``; returns what was added."""
    city = City()
    now = timezone.now()
    present = years_present()
    added = {"years": 0, "units": 0, "users": 0, "concerns": 0, "incidents": 0, "plans": 0, "log_rows": 0}
    # Oldest first: in a city built at once, the access log's ids then follow time, as in a real log.
    for number in range(scale, 0, -1):
        if number in present:
            continue
        year = Year.of(number, now)
        city.refresh(number)
        with transaction.atomic():
            for name, step in STEPS:
                # One generator per step and year: a year's rows do not depend on what else was built.
                made = step(city, year, random.Random(f"{seed}:{number}:{name}"), volumes)
                added[name] += made
                if name in ("units", "users"):
                    city.refresh(number)
                report(f"år {number}: {name} {made}")
            # Rows written in bulk send no post_save: the statistics' summary counts the year's months again
            # (an incident may have happened up to three days before the year's first report).
            summary.recount_months(
                timezone.localdate(year.start) - datetime.timedelta(days=3), timezone.localdate(year.end)
            )
        added["years"] += 1
    if added["years"] and connection.vendor == "postgresql":
        # Fresh statistics for the planner, as after any bulk load: until autovacuum gets round to
        # it, the tables look as small as before and the plans of the pages are chosen for that.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return added
