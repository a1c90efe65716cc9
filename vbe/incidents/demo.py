"""Synthetic incidents for the demo city: spread over all districts and the last three years.

Nothing here is about anyone: the texts are generic descriptions of events, there are no photos and
no numbers at all in the free text. Reporters are existing demo users with a membership. Idempotent:
demo incidents carry a submission token starting with ``demo-``, and if any exist nothing is made.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from vbe.accounts.models import Membership, Role
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident, IncidentIntake, IntakeRoute, Status, StatusChange
from vbe.incidents.services import allocate_references
from vbe.incidents.signals import counted_rows_changed
from vbe.organisations.models import District, Neighbourhood, Organisation

DEMO_TOKEN_PREFIX = "demo-"  # noqa: S105 - marks demo rows, not a secret
DAYS_BACK = 3 * 365

DESCRIPTIONS: dict[str, list[str]] = {
    Category.PROPAGANDA: [
        "Klistermärken med budskap från en extremistisk organisation på lyktstolpar längs gångvägen.",
        "Affischer med propaganda uppsatta på anslagstavlan vid tunnelbaneuppgången.",
        "Flygblad med extremistiskt innehåll i brevlådorna i flera trapphus.",
        "Klistermärken med en känd extremistsymbol på busskuren och elskåpen intill.",
        "Affischer som uppmanar till att ansluta sig till en extremistisk rörelse, uppsatta på skolans staket.",
    ],
    Category.GRAFFITI: [
        "Klotter med extremistiska symboler på väggen vid skolgården.",
        "Symboler sprayade på en elcentral vid parken.",
        "Klotter med hatiskt budskap i gångtunneln.",
        "Ristade symboler i en bänk vid lekplatsen.",
    ],
    Category.THREAT: [
        "Hotfullt meddelande riktat mot verksamheten lämnat vid entrén.",
        "Hotfulla kommentarer mot personal i samband med ett evenemang i lokalen.",
        "Hotfullt brev till verksamheten med extremistiskt innehåll. Polisanmält.",
    ],
    Category.RECRUITMENT: [
        "Unga tillfrågades utanför fritidsgården om att gå med i en grupp med extremistiska idéer.",
        "En okänd grupp delade ut material och bjöd in till möten nära skolan.",
        "Försök att värva deltagare till en extremistisk träningsgrupp i anslutning till idrottsplatsen.",
    ],
    Category.VIOLENCE: [
        "Slagsmål med koppling till en extremistisk grupp vid ett torgmöte. Polis tillkallad.",
        "Skadegörelse på en föreningslokal, med extremistiska symboler på platsen.",
    ],
    Category.DIGITAL: [
        "Extremistisk propaganda spreds i en lokal chattgrupp om området.",
        "Länkar till våldsbejakande material delades i ett öppet forum om stadsdelen.",
        "Filmklipp med extremistiskt budskap spreds bland elever via sociala medier.",
    ],
    Category.OTHER: [
        "Okänd symbol upptäckt på en bänk; oklart om den har koppling till extremism.",
        "Material med oklart avsändare lämnat i en lokal som hyrs ut till föreningar.",
    ],
}
PLACES = [
    "Vid tunnelbaneuppgången",
    "Busshållplatsen vid centrum",
    "Gångtunneln vid skolan",
    "Parkeringen vid idrottsplatsen",
    "Torget",
    "Vid biblioteket",
    "Vid fritidsgården",
    "",
    "",
    "",
]
CLOSING_COMMENTS = [
    "Sanerat av fastighetsägaren.",
    "Polisanmält. Inga fler åtgärder från förvaltningen.",
    "Klottret är borttaget.",
    "Verksamheterna i området är informerade.",
    "Taget upp i samverkan med lokalpolisen.",
]
CATEGORY_WEIGHTS = {
    Category.PROPAGANDA: 40,
    Category.GRAFFITI: 25,
    Category.THREAT: 8,
    Category.RECRUITMENT: 7,
    Category.VIOLENCE: 3,
    Category.DIGITAL: 11,
    Category.OTHER: 6,
}
ENVIRONMENT_WEIGHTS = {
    Environment.RIGHT_WING: 45,
    Environment.LEFT_WING: 14,
    Environment.ISLAMIST: 14,
    Environment.HYBRID: 10,
    Environment.LONE_ACTOR: 3,
    Environment.UNKNOWN: 14,
}
# Uneven on purpose, so one district has few enough incidents in a year to show "<5".
DISTRICT_WEIGHTS = {
    "Järva": 14,
    "Södermalm": 12,
    "Norra innerstaden": 12,
    "Enskede-Årsta-Vantör": 10,
    "Hägersten-Älvsjö": 9,
    "Hässelby-Vällingby": 8,
    "Farsta": 8,
    "Skarpnäck": 7,
    "Bromma": 7,
    "Kungsholmen": 6,
    "Skärholmen": 1,
}


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _status(rng: random.Random, age_days: int) -> str:
    if age_days > 60:
        odds = {Status.CLOSED: 85, Status.ACKNOWLEDGED: 10, Status.NEW: 5}
    elif age_days > 14:
        odds = {Status.CLOSED: 40, Status.ACKNOWLEDGED: 40, Status.NEW: 20}
    else:
        odds = {Status.NEW: 60, Status.ACKNOWLEDGED: 30, Status.CLOSED: 10}
    return _pick(rng, odds)


@transaction.atomic
def seed_incidents(*, count: int = 300, seed: int = 2026) -> int:
    """Create ``count`` demo incidents unless demo incidents exist. Returns how many were created."""
    if Incident.objects.filter(submission_token__startswith=DEMO_TOKEN_PREFIX).exists():
        return 0
    memberships = list(
        Membership.objects.filter(user__is_active=True)
        .select_related("user", "organisation", "unit__neighbourhood")
        .order_by("pk")
    )
    districts = list(District.objects.filter(is_active=True).order_by("name"))
    councils = {o.district_id: o for o in Organisation.objects.filter(district__in=districts)}
    districts = [d for d in districts if d.pk in councils]
    if not memberships or not districts:
        return 0
    rng = random.Random(seed)
    neighbourhoods: dict[int, list[Neighbourhood]] = defaultdict(list)
    for n in Neighbourhood.objects.filter(district__in=districts).order_by("name"):
        neighbourhoods[n.district_id].append(n)
    coordinators: dict[int, list] = defaultdict(list)
    for m in memberships:
        if m.role == Role.COORDINATOR:
            coordinators[m.organisation_id].append(m.user)
    # Who each report was told about, as the report service records it at intake.
    nobody_local = (
        IntakeRoute.CENTRAL if any(m.role == Role.CENTRAL_COORDINATOR for m in memberships) else IntakeRoute.NOBODY
    )
    # Staff and unit managers report most; anyone with a membership may.
    reporters = [m for m in memberships if m.role in (Role.STAFF, Role.UNIT_MANAGER)] or memberships
    local = defaultdict(list)
    for m in reporters:
        district_id = m.organisation.district_id or (
            m.unit.neighbourhood.district_id if m.unit and m.unit.neighbourhood else None
        )
        if district_id:
            local[district_id].append(m)

    now = timezone.now()
    today = timezone.localdate()
    weights = {d: DISTRICT_WEIGHTS.get(d.name, 5) for d in districts}
    planned = []
    for i in range(count):
        district = districts[i] if i < len(districts) else _pick(rng, weights)  # every district at least once
        membership = (
            rng.choice(local[district.pk]) if local[district.pk] and rng.random() < 0.7 else rng.choice(reporters)
        )
        unit = (
            membership.unit
            if membership.unit
            and membership.unit.neighbourhood
            and membership.unit.neighbourhood.district_id == district.pk
            else None
        )
        neighbourhood = (
            unit.neighbourhood
            if unit
            else (
                rng.choice(neighbourhoods[district.pk]) if neighbourhoods[district.pk] and rng.random() < 0.8 else None
            )
        )
        age = int(rng.triangular(0, DAYS_BACK, 0))  # more recent incidents than old ones
        occurred_on = today - timedelta(days=age)
        occurred_at = time(rng.randint(7, 22), rng.choice([0, 15, 30, 45])) if rng.random() < 0.6 else None
        happened = timezone.make_aware(datetime.combine(occurred_on, occurred_at or time(12, 0)))
        created_at = min(happened + timedelta(hours=rng.randint(1, 72)), now)
        category = _pick(rng, CATEGORY_WEIGHTS)
        planned.append(
            Incident(
                reporter=membership.user,
                reporter_organisation=membership.organisation,
                organisation=councils[district.pk],
                district=district,
                neighbourhood=neighbourhood,
                unit=unit,
                place_description=rng.choice(PLACES),
                category=category,
                environment=_pick(rng, ENVIRONMENT_WEIGHTS),
                occurred_on=occurred_on,
                occurred_at=occurred_at,
                description=rng.choice(DESCRIPTIONS[category]),
                status=_status(rng, age),
                created_at=created_at,
                submission_token=f"{DEMO_TOKEN_PREFIX}{seed}-{i:05d}",
            )
        )
    # Reference numbers in the order the incidents were reported, per year.
    planned.sort(key=lambda incident: incident.created_at)
    by_year: dict[int, list[Incident]] = defaultdict(list)
    for incident in planned:
        by_year[timezone.localtime(incident.created_at).year].append(incident)
    for year, incidents in by_year.items():
        for incident, reference in zip(incidents, allocate_references(year=year, count=len(incidents)), strict=True):
            incident.reference = reference
    created = Incident.objects.bulk_create(planned)
    counted_rows_changed.send(sender=Incident, ids=[incident.pk for incident in created])  # no post_save in bulk
    IncidentIntake.objects.bulk_create(
        IncidentIntake(
            incident=incident,
            reported_to_id=incident.organisation_id,
            route=IntakeRoute.COORDINATOR if coordinators[incident.organisation_id] else nobody_local,
        )
        for incident in created
    )

    changes = []
    for incident in created:
        handler = rng.choice(coordinators[incident.organisation_id]) if coordinators[incident.organisation_id] else None
        at = min(incident.created_at + timedelta(days=rng.randint(0, 3)), now)
        if incident.status in (Status.ACKNOWLEDGED, Status.CLOSED):
            changes.append(
                StatusChange(
                    incident=incident,
                    from_status=Status.NEW,
                    to_status=Status.ACKNOWLEDGED,
                    changed_by=handler,
                    changed_at=at,
                )
            )
        if incident.status == Status.CLOSED:
            changes.append(
                StatusChange(
                    incident=incident,
                    from_status=Status.ACKNOWLEDGED,
                    to_status=Status.CLOSED,
                    comment=rng.choice(CLOSING_COMMENTS),
                    changed_by=handler,
                    changed_at=min(at + timedelta(days=rng.randint(1, 20)), now),
                )
            )
    StatusChange.objects.bulk_create(changes)
    return len(created)
