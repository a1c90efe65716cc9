"""A city-year's concerns (with what the services write beside them) and incidents."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from vbe.concerns import closure
from vbe.concerns import intake as concern_intake
from vbe.concerns.demo import NAMES, OBSERVATIONS
from vbe.concerns.models import ActionKind, ActionTaken, Concern, Disclosure, Event, State
from vbe.concerns.models import Outcome as ConcernOutcome
from vbe.core import personnummer
from vbe.demo.scale.base import (
    BATCH,
    City,
    Volumes,
    Year,
    field_of,
    reference_numbers,
    stored_as_given,
)
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import services as incident_services
from vbe.incidents.models import Category, Incident, IncidentIntake, IntakeRoute, StatusChange
from vbe.incidents.models import Status as IncidentStatus
from vbe.organisations.models import OrganisationKind

INCIDENT_TEXTS = [
    "Klistermärken med symboler från en våldsbejakande organisation på en busshållplats.",
    "Affischer med budskap som uppmanar till våld mot en folkgrupp vid centrumets entré.",
    "Klotter med hakkors på en vägg vid skolgården.",
    "Flygblad från en våldsbejakande grupp i brevlådorna i trapphuset.",
    "Hotfulla meddelanden riktade mot personal i en chattgrupp.",
]
ASSESSED = [e for e in Environment if e != Environment.UNKNOWN]
PLACES = ["Vid tunnelbaneuppgången", "Busshållplatsen vid centrum", "Skolgården", "Gångtunneln", "Torget"]


def _concern_state(year: Year, rng: random.Random) -> str:
    """Last year's concerns are spread over the steps; older ones are almost all closed."""
    open_share = 0.6 if year.number == 1 else 0.03
    if rng.random() >= open_share:
        return State.CLOSED
    return rng.choice([s for s in State if s != State.CLOSED])


def add_concerns(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    count = volumes.concerns
    receivers = [o for o in city.organisations if o.slug in city.coordinated and city.members.get(o.pk)]
    weights = [4 if o.kind == OrganisationKind.DISTRICT_COUNCIL else 1 for o in receivers]
    moments = year.moments(rng, count)
    references = reference_numbers(concern_intake.REFERENCE_PREFIX, moments)
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
        reached = steps.index(state) if state != State.CLOSED else rng.randint(0, len(steps) - 1)
        # The environment is the handler's assessment: recorded only once the concern reached the assessment.
        assessed = reached >= steps.index(State.ASSESSMENT)
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
            environment=rng.choice(ASSESSED) if assessed else Environment.UNKNOWN,
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
        plans.append((handlers, reached))
    with stored_as_given(field_of(Concern, "created_at"), field_of(Concern, "updated_at")):
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
    with stored_as_given(field_of(Event, "at"), field_of(ActionTaken, "recorded_at")):
        Event.objects.bulk_create(events, batch_size=BATCH)
        ActionTaken.objects.bulk_create(actions, batch_size=BATCH)
    Disclosure.objects.bulk_create(disclosures, batch_size=BATCH)


def _incident_status(year: Year, rng: random.Random) -> str:
    if year.number > 1 or rng.random() < 0.7:
        return IncidentStatus.CLOSED
    return rng.choice([IncidentStatus.NEW, IncidentStatus.ACKNOWLEDGED])


def add_incidents(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    count = volumes.incidents
    moments = year.moments(rng, count)
    references = reference_numbers(incident_services.REFERENCE_PREFIX, moments)
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
    with stored_as_given(field_of(Incident, "updated_at")):
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
