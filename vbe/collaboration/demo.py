"""Synthetic civil-society actors and democracy-condition assessments for the demo city, and (through
``vbe.collaboration.demo_forums``) meetings of the city's forums and one concern raised in SSPF.

Twelve made-up actors (associations, a sports club, a faith community, foundations …) with
organisation numbers of non-profits (starting 80, 81 or 82) whose check digit is computed here, e-mail
addresses at the reserved domain .example and no phone numbers. They are linked by made-up references
to grants, lettings of premises and partnerships (IOP) of kulturnämnden, idrottsnämnden and the district
councils Järva and Södermalm, and assessed by those organisations: decisions that hold, one that runs
out within two months, one that has run out, a refusal with its written reasons, one that needs
investigating, two drafts, a renewal that superseded an earlier decision, and one actor assessed by two
organisations (what the cross-board look-up shows).

Rows are written straight into the models, not through the services: a demo city is built, not used.
Idempotent: an actor is known by its organisation number and is made, with its links and assessments,
only when missing, so a second run creates nothing and what was changed in the demo is kept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.accounts.recipients import central_coordinators
from vbe.collaboration.models import (
    Actor,
    ActorKind,
    ActorLink,
    Assessment,
    Criterion,
    CriterionFinding,
    Decision,
    Finding,
    LinkKind,
)
from vbe.organisations.models import Organisation

DEMO_DOMAIN = "vbe.example"
APPEAL = (
    "Beslutet kan överklagas genom laglighetsprövning hos förvaltningsrätten inom tre veckor från den dag "
    "beslutet anslogs på stadens digitala anslagstavla."
)
OPINIONS = "Åsikter i sig är aldrig skäl att neka bidrag eller lokaler; bedömningen gäller handlingar."
# A decision's reasons when the demo gives none of its own (a refusal always has its own).
REASONS = {
    Decision.MEETS: f"Underlaget visar inget som strider mot kriterierna. {OPINIONS}",
    Decision.FAILS: (
        "Aktören har vid egna arrangemang uppmanat till våld utan att ta avstånd från det. Beslutet gäller "
        "handlingar, inte åsikter."
    ),
    Decision.INVESTIGATE: "Underlaget räcker inte för ett beslut; kompletterande uppgifter begärs in.",
}


def check_digit(nine: str) -> str:
    """The Luhn check digit of the first nine digits of an organisation number (weights 2, 1, 2 …)."""
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def org_number(nine: str) -> str:
    """NNNNNN-NNNN from nine digits, the tenth their check digit."""
    if len(nine) != 9 or not nine.isdigit() or int(nine[2]) < 2:
        raise ValueError("nine digits, the third 2 or more")
    return f"{nine[:6]}-{nine[6:]}{check_digit(nine)}"


@dataclass(frozen=True)
class DemoAssessment:
    organisation: str  # slug
    purpose: str
    decision: str = ""  # empty: a draft
    decided_days_ago: int = 0
    valid_days: int | None = None  # from today: negative has run out
    findings: str = Finding.MET  # on every criterion but those named in ``except_on``
    except_on: dict[int, str] = field(default_factory=dict)  # criterion number -> finding
    reasons: str = ""
    renews: DemoAssessment | None = None  # an earlier decision this one supersedes


@dataclass(frozen=True)
class DemoActor:
    nine: str  # the organisation number's first nine digits
    name: str
    kind: str
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (organisation slug, kind, description)
    assessments: list[DemoAssessment] = field(default_factory=list)

    @property
    def org_number(self) -> str:
        return org_number(self.nine)

    @property
    def email(self) -> str:
        return f"kansli.{self.nine}@{DEMO_DOMAIN}"


MEETS, FAILS, INVESTIGATE = Decision.MEETS, Decision.FAILS, Decision.INVESTIGATE
GRANT, PREMISES, PARTNERSHIP = LinkKind.GRANT, LinkKind.PREMISES, LinkKind.PARTNERSHIP

ACTORS = [
    DemoActor(
        "802400123", "Föreningen Exempelgården", ActorKind.NON_PROFIT,
        links=[("jarva", PREMISES, "Lokal för läxhjälp två kvällar i veckan"),
               ("kulturnamnden", GRANT, "Verksamhetsbidrag till kulturaktiviteter för unga")],
        assessments=[DemoAssessment("jarva", PREMISES, MEETS, 120, 610),
                     DemoAssessment("kulturnamnden", GRANT, MEETS, 200, 530)],
    ),
    DemoActor(
        "802411567", "Idrottsklubben Demo IF", ActorKind.NON_PROFIT,
        links=[("idrottsnamnden", GRANT, "Lokalt aktivitetsstöd"),
               ("idrottsnamnden", PREMISES, "Träningstider i idrottshallen")],
        assessments=[DemoAssessment(
            "idrottsnamnden", GRANT, MEETS, 30, 700,
            renews=DemoAssessment("idrottsnamnden", GRANT, MEETS, 760, -10),
        )],
    ),
    DemoActor(
        "802502871", "Exempelförsamlingen i Södermalm", ActorKind.FAITH_COMMUNITY,
        links=[("sodermalm", PARTNERSHIP, "IOP om öppen verksamhet för unga på helger")],
        assessments=[DemoAssessment("sodermalm", PARTNERSHIP, MEETS, 680, 45)],
    ),
    DemoActor(
        "802633410", "Stiftelsen Påhittad Framtid", ActorKind.FOUNDATION,
        links=[("kulturnamnden", GRANT, "Projektbidrag till skrivarverkstad")],
        assessments=[DemoAssessment("kulturnamnden", GRANT, MEETS, 760, -30)],
    ),
    DemoActor(
        "802704452", "Ungdomsföreningen Provbacken", ActorKind.NON_PROFIT,
        links=[("jarva", GRANT, "Ansökan om bidrag till sommarläger")],
        assessments=[DemoAssessment(
            "jarva", GRANT, FAILS, 60, None, except_on={2: Finding.NOT_MET, 4: Finding.NOT_MET},
            reasons=(
                "Föreningen har vid två egna arrangemang under året bjudit in talare som uppmanat till våld mot "
                "en folkgrupp, utan att ta avstånd från budskapet. Det strider mot kriterium 2 och 4. "
                "Beslutet grundar sig på vad föreningen har gjort, inte på de åsikter den företräder."
            ),
        )],
    ),
    DemoActor(
        "812205519", "Kulturföreningen Låtsaslandet", ActorKind.NON_PROFIT,
        links=[("sodermalm", PREMISES, "Lokal för repetitioner")],
        assessments=[DemoAssessment("sodermalm", PREMISES, INVESTIGATE, 14, None, except_on={1: Finding.UNCLEAR})],
    ),
    DemoActor(
        "812306624", "Läxhjälpen Exempelstaden", ActorKind.ECONOMIC_ASSOCIATION,
        links=[("jarva", PARTNERSHIP, "IOP om läxhjälp på biblioteket")],
        assessments=[DemoAssessment("jarva", PARTNERSHIP, except_on={3: Finding.UNCLEAR})],
    ),
    DemoActor(
        "812407735", "Dansföreningen Teststeget", ActorKind.NON_PROFIT,
        links=[("kulturnamnden", PREMISES, "Lokal i kulturhuset")],
        assessments=[DemoAssessment("kulturnamnden", PREMISES, findings=Finding.UNCLEAR)],
    ),
    DemoActor(
        "822008846", "Schackklubben Demo", ActorKind.NON_PROFIT,
        links=[("idrottsnamnden", GRANT, "Lokalt aktivitetsstöd")],
        assessments=[DemoAssessment("idrottsnamnden", GRANT, MEETS, 90, 640)],
    ),
    DemoActor(
        "822109957", "Föräldranätverket Exempelby", ActorKind.NON_PROFIT,
        links=[("jarva", PARTNERSHIP, "Nattvandringar i samarbete med fältgruppen")],
    ),
    DemoActor(
        "822210068", "Stiftelsen Demofonden", ActorKind.FOUNDATION,
        links=[("ks", PARTNERSHIP, "IOP om stöd till anhöriga")],
        assessments=[DemoAssessment("ks", PARTNERSHIP, MEETS, 150, 580)],
    ),
    DemoActor(
        "822311179", "Kvinnoföreningen Exempelkvinnor", ActorKind.NON_PROFIT,
        links=[("sodermalm", GRANT, "Bidrag till språkcafé")],
    ),
]  # fmt: skip

EVIDENCE = (
    "Stadgar, senaste verksamhetsberättelse och årsredovisning. Föreningens webbplats och sociala medier "
    "för de senaste två åren. Samtal med föreningens styrelse om verksamheten."
)
SOURCES = "Föreningens ansökan med bilagor; föreningens egna kanaler; förvaltningens tidigare kontakter."
NOTES = {
    Finding.MET: "Inget i underlaget tyder på annat.",
    Finding.NOT_MET: "Föreningens egna arrangemang visar motsatsen, se motiveringen.",
    Finding.UNCLEAR: "Underlaget räcker inte; förvaltningen begär in kompletterande uppgifter.",
    "": "",
}


def author_for(organisation: Organisation) -> User:
    """Who writes in the organisation's name: its first coordinator (the demo account where there is
    one, since those are made first), for the executive board the central coordinator."""
    membership = (
        Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    central = central_coordinators().order_by("pk").first()
    if organisation.slug == "ks" or membership is None:
        if central is None:
            raise LookupError("the demo city has no central coordinator")
        return central
    return membership.user


def _assess(
    actor: Actor, demo: DemoAssessment, organisation: Organisation, criteria: list[Criterion], today: datetime.date
) -> int:
    author = author_for(organisation)
    earlier = _assess(actor, demo.renews, organisation, criteria, today) if demo.renews else None
    decided_on = today - datetime.timedelta(days=demo.decided_days_ago) if demo.decision else None
    valid_until = today + datetime.timedelta(days=demo.valid_days) if demo.valid_days is not None else None
    reasons = demo.reasons or REASONS.get(demo.decision, "")
    assessment = Assessment.objects.create(
        actor=actor,
        organisation=organisation,
        purpose=demo.purpose,
        supersedes_id=earlier,
        evidence=EVIDENCE,
        sources=SOURCES,
        decision=demo.decision,
        deciding_body=organisation.name if decided_on else "",
        decided_on=decided_on,
        reasons=reasons,
        appeal_information=APPEAL if decided_on else "",
        valid_until=valid_until,
        created_by=author,
        decided_by=author if decided_on else None,
    )
    # The wording each criterion had when it was answered: a copy, so a later edit leaves it as it was.
    CriterionFinding.objects.bulk_create(
        CriterionFinding(
            assessment=assessment,
            criterion=criterion,
            text=criterion.text,
            finding=demo.except_on.get(criterion.number, demo.findings),
            note=NOTES[demo.except_on.get(criterion.number, demo.findings)],
        )
        for criterion in criteria
    )
    if decided_on:  # written some days before its decision, not the day the demo was built
        Assessment.objects.filter(pk=assessment.pk).update(created_at=_at(decided_on - datetime.timedelta(days=14)))
    return assessment.pk


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _registered_days_ago(demo: DemoActor) -> int:
    """Before its first link started and its first assessment was written."""
    decided = [a.decided_days_ago for planned in demo.assessments for a in (planned, planned.renews) if a]
    return 30 + max([200 + 30 * len(demo.links), *decided])


def seed_actors(today: datetime.date | None = None) -> tuple[int, int]:
    """Creates the demo actors that are missing, with their links and assessments; returns how many
    actors and assessments it made."""
    today = today or timezone.localdate()
    existing = set(
        Actor.objects.filter(org_number__in=[a.org_number for a in ACTORS]).values_list("org_number", flat=True)
    )
    slugs = {slug for a in ACTORS for slug, _k, _d in a.links} | {s.organisation for a in ACTORS for s in a.assessments}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    criteria = list(Criterion.objects.filter(is_active=True).order_by("number", "pk"))
    actors = assessments = 0
    for n, demo in enumerate(ACTORS):
        if demo.org_number in existing or not {slug for slug, _k, _d in demo.links} <= set(organisations):
            continue
        first = organisations[demo.links[0][0]]
        actor = Actor.objects.create(
            name=demo.name,
            org_number=demo.org_number,
            kind=demo.kind,
            email=demo.email,
            website=f"https://{demo.nine}.{DEMO_DOMAIN}/",
            created_by=author_for(first),
        )
        at = _at(today - datetime.timedelta(days=_registered_days_ago(demo)))
        Actor.objects.filter(pk=actor.pk).update(created_at=at, updated_at=at)
        actors += 1
        ActorLink.objects.bulk_create(
            ActorLink(
                actor=actor,
                organisation=organisations[slug],
                kind=kind,
                reference=f"DEMO-{today.year - 1}/{100 + 10 * n + i}",
                description=description,
                starts_on=today - datetime.timedelta(days=200 + 30 * i),
                ends_on=today + datetime.timedelta(days=165 + 30 * n),
                created_by=author_for(organisations[slug]),
            )
            for i, (slug, kind, description) in enumerate(demo.links)
        )
        for planned in demo.assessments:
            if planned.organisation in organisations:
                _assess(actor, planned, organisations[planned.organisation], criteria, today)
                assessments += 1 + (planned.renews is not None)
    return actors, assessments


@transaction.atomic
def seed_collaboration(today: datetime.date | None = None) -> int:
    """The demo's actors, assessments, meetings and raising in SSPF; returns how many rows of those it
    made (nothing on a second run)."""
    from vbe.collaboration.demo_forums import seed_forums  # here: it imports author_for from this module

    actors, assessments = seed_actors(today)
    meetings, raisings = seed_forums(today)
    return actors + assessments + meetings + raisings
