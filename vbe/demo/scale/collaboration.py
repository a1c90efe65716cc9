"""A city-year's civil-society actors, democracy-condition assessments and forum meetings.

About ``Volumes.actors`` new actors a year (ten years: some three thousand), each with a made-up name, an
organisation number of a non-profit derived from the year and its index (``819YYNNNN`` and its check
digit, so years never collide with each other or with the demo city's 80/81/82-numbers) and one to three
links to grants, lettings or partnerships of the organisations that give them; a few busy actors have
many. About half are assessed in their year (one decision per actor every two years or so) by the
organisation of their first link, a busy one by each organisation it is linked to, with a finding per
criterion; a share of those renew an earlier decision of the same year, a few refuse or need
investigating, and some assessments are drafts. Every active forum meets ``Volumes.meetings_per_forum``
times a year (``vbe.demo.scale.collaboration_meetings``). ``bench_targets`` names what the benchmark's
/samverkan/ pages open.

A year draws only on the demo city and itself (its own actors, its own people), like every step of
``vbe.demo.scale``. The volumes are ``Volumes.actors`` and ``Volumes.meetings_per_forum``. Every text is
synthetic and names no person.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils import timezone

from vbe.accounts.models import Role, User
from vbe.collaboration.demo import APPEAL, EVIDENCE, NOTES, REASONS, SOURCES, org_number
from vbe.collaboration.models import (
    Actor,
    ActorKind,
    ActorLink,
    Assessment,
    Criterion,
    CriterionFinding,
    Decision,
    Finding,
    Forum,
    LinkKind,
    Meeting,
)
from vbe.demo.scale.base import BATCH, SCALE_DOMAIN, City, Volumes, Year, field_of, stored_as_given
from vbe.organisations.models import Organisation

ASSESSED_SHARE = 0.5  # a decision per actor every two years or so
RENEWED_SHARE = 0.1  # of the decided: an earlier, shorter decision of the year superseded
DRAFT_SHARE = 0.05
BUSY_SHARE = 0.02  # actors many organisations give to
FAILS_SHARE, INVESTIGATE_SHARE = 0.03, 0.04
NUMBER_PREFIX = "819"  # + the year's two digits: the year's actors
# Who gives grants, lets premises or enters partnerships, besides the district councils.
GIVERS = [
    "kulturnamnden",
    "idrottsnamnden",
    "socialnamnden",
    "arbetsmarknadsnamnden",
    "familjebostader",
    "stockholmshem",
    "svenska-bostader",
    "ks",
]
PLACES = [
    "Ekbacka",
    "Lindvik",
    "Björkås",
    "Granhöjd",
    "Sjöstrand",
    "Tallmo",
    "Almdal",
    "Ängsby",
    "Rönnvik",
    "Lönnäng",
    "Aspudda",
    "Videholm",
    "Hasselkulla",
    "Enbacken",
    "Ljungslätt",
    "Vassvik",
    "Källmo",
    "Klövergärdet",
    "Solbergsdal",
    "Bäckaskog",
]
NAMES = [
    ("Föreningen {p}gården", ActorKind.NON_PROFIT),
    ("Idrottsklubben {p} IF", ActorKind.NON_PROFIT),
    ("{p} Bollförening", ActorKind.NON_PROFIT),
    ("Kulturföreningen {p}", ActorKind.NON_PROFIT),
    ("Ungdomsföreningen {p}", ActorKind.NON_PROFIT),
    ("Föräldraföreningen i {p}", ActorKind.NON_PROFIT),
    ("Församlingen i {p}", ActorKind.FAITH_COMMUNITY),
    ("Stiftelsen {p}fonden", ActorKind.FOUNDATION),
    ("Läxhjälpen {p} ekonomisk förening", ActorKind.ECONOMIC_ASSOCIATION),
    ("Mötesplats {p}", ActorKind.OTHER),
]


def number_of(year: Year, n: int) -> str:
    if not 0 <= n < 10_000 or not 0 < year.number < 100:
        raise ValueError("at most 9 999 actors a year and 99 years")
    return org_number(f"{NUMBER_PREFIX}{year.number:02d}{n:04d}")


def year_prefix(year: int) -> str:
    return f"{NUMBER_PREFIX}{year:02d}"


def central_writers() -> list[int]:
    """The demo city's central coordinators, who write for organisations without anyone of their own."""
    users = User.objects.filter(is_active=True, memberships__role=Role.CENTRAL_COORDINATOR)
    return list(users.exclude(email__endswith=f"@{SCALE_DOMAIN}").order_by("pk").values_list("pk", flat=True))


def writer_for(city: City, organisation_id: int, rng: random.Random, central: Sequence[int]) -> int:
    """One who may write in the organisation's name: a coordinator of it, else a central coordinator
    (who assesses for the executive board and records meetings of every forum)."""
    return rng.choice(city.coordinators.get(organisation_id) or central)


def with_ids(rows: list, model: type) -> list:
    # Every supported database returns the ids of a bulk insert (SQLite 3.35+, PostgreSQL).
    if rows and rows[0].pk is None:
        raise RuntimeError(f"{model.__name__}: the database returned no ids from a bulk insert")
    return rows


def add_actors(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """The year's actors with their links, and the year's assessments of them with their findings."""
    count = volumes.actors
    # Only organisations with someone to assess in their name (the executive board: the central coordinator).
    givers = [
        o for o in [*(o for o in city.organisations if o.slug in GIVERS), *city.councils]
        if o.slug == "ks" or o.pk in city.coordinators
    ]  # fmt: skip
    central = central_writers()
    if not count or not givers or not central:
        return 0
    today = timezone.localdate()
    actors, links, plans = [], [], []
    for n, created_at in enumerate(year.moments(rng, count)):
        pattern, kind = rng.choice(NAMES)
        number = number_of(year, n)
        actors.append(
            Actor(
                name=pattern.format(p=rng.choice(PLACES)),
                org_number=number,
                kind=kind,
                email=f"kansli.{number.replace('-', '')}@{SCALE_DOMAIN}",
                created_by_id=rng.choice(central),
                created_at=created_at,
                updated_at=created_at,
            )
        )
        busy = rng.random() < BUSY_SHARE
        chosen = rng.sample(givers, k=min(len(givers), rng.randint(6, 10) if busy else rng.randint(1, 3)))
        starts_on = timezone.localdate(created_at)
        links.append(
            [
                (
                    o,
                    rng.choice(LinkKind.values),
                    f"S{year.number}-{n:04d}-{i}",
                    starts_on + datetime.timedelta(days=i),
                    rng.randint(1, 3),
                )
                for i, o in enumerate(chosen)
            ]
        )
        assessed = busy or rng.random() < ASSESSED_SHARE
        plans.append([(o, kind) for o, kind, *_rest in links[-1][: len(chosen) if busy else 1]] if assessed else [])
        if rng.random() < DRAFT_SHARE:
            plans[-1] = [*plans[-1], (links[-1][0][0], links[-1][0][1], "draft")]
    with stored_as_given(field_of(Actor, "created_at"), field_of(Actor, "updated_at")):
        actors = with_ids(Actor.objects.bulk_create(actors, batch_size=BATCH), Actor)
    with stored_as_given(field_of(ActorLink, "created_at")):
        ActorLink.objects.bulk_create(
            [
                ActorLink(
                    actor_id=a.pk,
                    organisation=o,
                    kind=kind,
                    reference=reference,
                    starts_on=starts_on,
                    ends_on=starts_on + datetime.timedelta(days=365 * years),
                    description="Bidrag, lokal eller partnerskap enligt ansökan",
                    created_by_id=writer_for(city, o.pk, rng, central),
                    created_at=a.created_at,
                )
                for a, rows in zip(actors, links, strict=True)
                for o, kind, reference, starts_on, years in rows
            ],
            batch_size=BATCH,
        )
    _assess(city, year, rng, actors, plans, central, today)
    return len(actors)


def _decision(rng: random.Random) -> str:
    draw = rng.random()
    if draw < FAILS_SHARE:
        return Decision.FAILS
    return Decision.INVESTIGATE if draw < FAILS_SHARE + INVESTIGATE_SHARE else Decision.MEETS


def _assessment(
    actor: Actor,
    organisation: Organisation,
    purpose: str,
    decision: str,
    decided_on: datetime.date | None,
    valid_days: int,
    writer: int,
) -> Assessment:
    decided = bool(decision)
    return Assessment(
        actor_id=actor.pk,
        organisation=organisation,
        purpose=purpose,
        evidence=EVIDENCE,
        sources=SOURCES,
        decision=decision,
        deciding_body=organisation.name if decided else "",
        decided_on=decided_on,
        reasons=REASONS.get(decision, ""),
        appeal_information=APPEAL if decided else "",
        valid_until=decided_on + datetime.timedelta(days=valid_days) if decision == Decision.MEETS else None,
        created_by_id=writer,
        decided_by_id=writer if decided else None,
        # The morning of the decision; a draft the moment the actor was registered. Never after now.
        created_at=min(timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(10))), timezone.now())
        if decided_on
        else actor.created_at,
    )


def _assess(
    city: City,
    year: Year,
    rng: random.Random,
    actors: list[Actor],
    plans: list,
    central: Sequence[int],
    today: datetime.date,
) -> None:
    """Decisions (some renewing an earlier one of the year) and drafts, then a finding per criterion."""
    last_day = min(timezone.localdate(year.end), today)
    earlier, renewals, rest = [], [], []
    for actor, plan in zip(actors, plans, strict=True):
        registered = timezone.localdate(actor.created_at)
        for organisation, purpose, *draft in plan:
            writer = writer_for(city, organisation.pk, rng, central)
            if draft:
                rest.append(_assessment(actor, organisation, purpose, "", None, 0, writer))
                continue
            decided_on = min(registered + datetime.timedelta(days=rng.randint(0, 60)), last_day)
            renewed_on = decided_on + datetime.timedelta(days=rng.randint(120, 180))
            if rng.random() < RENEWED_SHARE and renewed_on <= last_day:
                # A short decision while waiting for documents, renewed for two years once they came.
                earlier.append(_assessment(actor, organisation, purpose, Decision.MEETS, decided_on, 180, writer))
                renewals.append(_assessment(actor, organisation, purpose, Decision.MEETS, renewed_on, 730, writer))
            else:
                rest.append(_assessment(actor, organisation, purpose, _decision(rng), decided_on, 730, writer))
    with stored_as_given(field_of(Assessment, "created_at")):
        earlier = with_ids(Assessment.objects.bulk_create(earlier, batch_size=BATCH), Assessment)
        for renewal, superseded in zip(renewals, earlier, strict=True):
            renewal.supersedes_id = superseded.pk
        made = with_ids(Assessment.objects.bulk_create([*renewals, *rest], batch_size=BATCH), Assessment)
    criteria = list(Criterion.objects.filter(is_active=True).order_by("number", "pk"))
    findings = []
    for assessment in [*earlier, *made]:
        for n, criterion in enumerate(criteria):
            finding = Finding.MET
            if assessment.decision == Decision.FAILS and n == 1:
                finding = Finding.NOT_MET
            elif assessment.decision in (Decision.INVESTIGATE, "") and n == len(criteria) - 1:
                finding = Finding.UNCLEAR
            findings.append(
                CriterionFinding(
                    assessment_id=assessment.pk,
                    criterion=criterion,
                    text=criterion.text,
                    finding=finding,
                    note=NOTES[finding],
                )
            )
    CriterionFinding.objects.bulk_create(findings, batch_size=BATCH)


def bench_targets(organisation: Organisation | None = None) -> dict[str, int | None]:
    """What the benchmark's /samverkan/ pages open, all the organisation's own (the bench coordinator's,
    so its pages answer 200): the actor it assessed that most organisations give to, its newest
    assessment of that actor, the organisation's forum with the most meetings and that forum's newest
    meeting. The same in every database of a scale."""
    empty: dict[str, int | None] = dict.fromkeys(
        ["collaboration_actor_pk", "collaboration_assessment_pk", "collaboration_forum_pk", "collaboration_meeting_pk"]
    )
    if organisation is None:
        return empty
    assessed = Assessment.objects.filter(organisation=organisation)
    actor = (
        Actor.objects.filter(Q(pk__in=assessed.values("actor_id")))
        .annotate(n=Count("links", distinct=True))
        .order_by("-n", "org_number")
        .values_list("pk", flat=True)
        .first()
    )
    assessment = (
        assessed.filter(actor_id=actor).order_by("-decided_on", "-pk").values_list("pk", flat=True).first()
        if actor
        else None
    )
    forum = (
        Forum.objects.filter(member_organisations=organisation, is_active=True)
        .annotate(n=Count("meetings"))
        .order_by("-n", "name")
        .values_list("pk", flat=True)
        .first()
    )
    meeting = (
        Meeting.objects.filter(forum_id=forum).order_by("-held_on", "-pk").values_list("pk", flat=True).first()
        if forum
        else None
    )
    return {
        "collaboration_actor_pk": actor,
        "collaboration_assessment_pk": assessment,
        "collaboration_forum_pk": forum,
        "collaboration_meeting_pk": meeting,
    }
