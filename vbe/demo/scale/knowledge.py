"""A city-year's support material (/stod/): the resources its organisations wrote that year, with their
versions, audiences, focus areas, methods and review dates, and the year's incidents that name a symbol
of the symbol guide.

About ``Volumes.resources`` resources a year (ten years: some five thousand), owned across the city's
organisations. A share was revised in several versions after the year it was written, a few are
archived, and their review dates are spread over the coming months with a share overdue, as in a city
where not every owner keeps up. Each is known by its key ``scale-<year>-<n>``, so a year's rows can be
found again. Bulk writes skip the services, so the search index is brought up to date here, one
resource at a time through ``search.reindex``, as every write of the portal does.

The symbol guide gets a few made-up entries once (the first year built adds them; every year finds the
same ones), and a share of the year's incidents of the kinds a symbol is seen in names one of the guide's
entries of the same environment. Every text is synthetic.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Count
from django.utils import timezone

from vbe.accounts.models import Role
from vbe.competence.models import StaffGroup
from vbe.demo.scale.base import BATCH, City, Volumes, Year, field_of, stored_as_given
from vbe.guidelines.models import Method
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident
from vbe.incidents.symbol_models import Symbol
from vbe.knowledge import search
from vbe.knowledge.models import Kind, Resource, ResourceVersion
from vbe.knowledge.review import next_review

KEY_PREFIX = "scale-"
REVISED_SHARE = 0.4  # written again after the first version: 2 to MAX_VERSIONS versions
MAX_VERSIONS = 6
ARCHIVED_SHARE = 0.05
OVERDUE_SHARE = 0.1  # of the active ones: the owner let the review slip
SIGHTING_SHARE = 0.3  # of the year's incidents of the kinds below: the reporter named a symbol
SIGHTING_CATEGORIES = (Category.PROPAGANDA, Category.GRAFFITI, Category.DIGITAL)
INTERVALS = (6, 12, 12, 12, 24, 36)  # months between reviews

TOPICS = [
    "samtal med unga vid oro för radikalisering",
    "oro för en elev i skolan",
    "klotter och propaganda i bostadsområden",
    "hot mot medarbetare",
    "våldsbejakande budskap i sociala medier",
    "samverkan med polisen i närområdet",
    "stöd till anhöriga",
    "orosanmälan till socialtjänsten",
    "lägesbild för stadsdelen",
    "demokrativillkor i föreningsstödet",
    "fältarbete kvällstid",
    "extremistiska budskap i undervisningen",
    "informationsdelning och sekretess",
    "barn som återvänt från konfliktområden",
    "trygghetsvandringar",
    "mötesplatser för unga",
    "krisstöd efter en händelse",
    "ensamagerande och miljöer på nätet",
    "källkritik i klassrummet",
    "rekrytering i idrottsmiljöer",
]
TITLES = {
    Kind.ROUTINE: "Rutin: {topic}",
    Kind.TEMPLATE: "Mall för dokumentation: {topic}",
    Kind.ARTICLE: "Kunskapsunderlag om {topic}",
    Kind.TRAINING_MATERIAL: "Utbildningsmaterial: {topic}",
    Kind.EXTERNAL_LINK: "Länk: vägledning om {topic}",
    Kind.CONTACT_LIST: "Kontakter vid {topic}",
}
SECTIONS = [
    ("Syfte", "Materialet beskriver hur medarbetare gör när det gäller {topic}. Det bygger på riktlinjen."),
    ("Ansvar", "Enhetschefen ansvarar för att alla känner till rutinen. Samordnaren stöttar vid frågor."),
    ("Så här gör du", "Dokumentera det du har sett med datum och plats. Ta kontakt med din samordnare samma dag."),
    ("Samverkan", "Vid behov kallar samordnaren till ett möte med socialtjänst, skola och polis i området."),
    ("Efteråt", "Följ upp inom två veckor. Stäm av vad som har gjorts och vem som håller i nästa steg."),
    ("Tänk på", "Sätt inte etiketter på enskilda personer. Beskriv beteenden och det du själv har iakttagit."),
    ("Läs mer", "Se även stadens riktlinje och utbildningen för medarbetare om våldsbejakande extremism."),
]
NOTES = [
    "Uppdaterad efter årlig granskning",
    "Nya kontaktuppgifter",
    "Förtydligat ansvarsfördelningen",
    "Lagt till ett avsnitt om samverkan",
    "Språklig översyn",
    "Anpassad till den nya riktlinjen",
]
ROLE_AUDIENCES = ([], [], [], [Role.COORDINATOR], [Role.STAFF, Role.UNIT_MANAGER], [Role.CENTRAL_COORDINATOR])

# Made-up entries of the symbol guide (slug, name, environment): no real group's sign.
SYMBOLS = [
    ("skala-tre-streck", "Tre lutande streck i en ring", Environment.RIGHT_WING),
    ("skala-svart-triangel", "Svart triangel med prick", Environment.RIGHT_WING),
    ("skala-roda-pilar", "Två röda pilar mot varandra", Environment.LEFT_WING),
    ("skala-knuten-hand", "Knuten hand i en kvadrat", Environment.LEFT_WING),
    ("skala-grona-halvmanar", "Tre gröna halvmånar", Environment.ISLAMIST),
    ("skala-bruten-cirkel", "Bruten cirkel med årtal", Environment.HYBRID),
    ("skala-siffra-sju", "Sjua med dubbelstreck", Environment.LONE_ACTOR),
]


def key_of(year: Year, n: int) -> str:
    return f"{KEY_PREFIX}{year.number}-{n:05d}"


def _body(topic: str, sections: int) -> str:
    parts = [f"## {heading}\n\n{text.format(topic=topic)}" for heading, text in SECTIONS[:sections]]
    return "\n\n".join(parts)


def _review(
    rng: random.Random, created_on: datetime.date, today: datetime.date
) -> tuple[int, datetime.date | None, datetime.date]:
    """(interval, reviewed_on, next_review_on): on time for most, overdue for a share."""
    interval = rng.choice(INTERVALS)
    days = interval * 30
    last = today - datetime.timedelta(days=rng.randint(0, days - 1))
    if rng.random() < OVERDUE_SHARE:
        last = today - datetime.timedelta(days=days + rng.randint(1, 200))
    reviewed_on = last if last > created_on else None
    return interval, reviewed_on, next_review(reviewed_on or created_on, interval)


def add_resources(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """The year's resources with their versions and links, and their entries in the search index."""
    if not volumes.resources or not city.organisations:
        return 0
    now, today = timezone.now(), timezone.localdate()
    groups = list(StaffGroup.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    methods: dict[int, list[int]] = {}
    for pk, area in (
        Method.objects.filter(focus_area__intervention_area__guideline__is_current=True)
        .order_by("pk")
        .values_list("pk", "focus_area_id")
    ):
        methods.setdefault(area, []).append(pk)
    areas = sorted(methods) or city.focus_areas
    resources, versions, links = [], [], []
    for n, created_at in enumerate(year.moments(rng, volumes.resources)):
        owner = rng.choice(city.organisations)
        writers = city.coordinators.get(owner.pk) or city.members.get(owner.pk) or [None]
        kind = rng.choice(list(Kind))
        topic = rng.choice(TOPICS)
        title = TITLES[kind].format(topic=topic)
        if rng.random() < 0.5:
            title = f"{title} ({owner.display_name})"
        count = rng.randint(2, MAX_VERSIONS) if rng.random() < REVISED_SHARE else 1
        # Each version a few weeks to months after the one before, never after now.
        moments = [created_at]
        for _ in range(count - 1):
            moments.append(min(moments[-1] + datetime.timedelta(days=rng.randint(14, 240)), now))
        first_sections = rng.randint(2, 4)
        interval, reviewed_on, next_review_on = _review(rng, timezone.localdate(created_at), today)
        key = key_of(year, n)
        url = f"https://stod.{owner.slug}.example/material/{n}" if kind == Kind.EXTERNAL_LINK else ""
        summary = f"Stöd för medarbetare om {topic}."
        resources.append(
            Resource(
                key=key,
                kind=kind,
                title=title[:200],
                summary=summary,
                body=_body(topic, min(first_sections + count - 1, len(SECTIONS))),
                url=url,
                owner=owner,
                responsible_id=rng.choice(writers) if rng.random() < 0.7 else None,
                audience_roles=[str(role) for role in rng.choice(ROLE_AUDIENCES)],
                review_interval_months=interval,
                next_review_on=next_review_on,
                reviewed_on=reviewed_on,
                is_active=rng.random() >= ARCHIVED_SHARE,
                version=count,
                created_at=created_at,
                updated_at=moments[-1],
            )
        )
        writer = rng.choice(writers)
        versions.append(
            [
                (number, title[:200], summary, _body(topic, min(first_sections + number - 1, len(SECTIONS))), url,
                 "Skapad" if number == 1 else rng.choice(NOTES), writer, moments[number - 1])
                for number in range(1, count + 1)
            ]
        )  # fmt: skip
        chosen = rng.sample(areas, k=min(len(areas), rng.randint(1, 2)))
        links.append(
            (
                chosen,
                sorted({rng.choice(methods[a]) for a in chosen if methods.get(a) and rng.random() < 0.6}),
                rng.sample(groups, k=min(len(groups), rng.choice((0, 0, 1, 2)))),
            )
        )
    resources = Resource.objects.bulk_create(resources, batch_size=BATCH)
    if resources[0].pk is None:  # SQLite before RETURNING support: read the ids back
        ids = dict(Resource.objects.filter(key__startswith=key_of(year, 0)[:-5]).values_list("key", "pk"))
        for resource in resources:
            resource.pk = ids[resource.key]
    with stored_as_given(field_of(ResourceVersion, "changed_at")):
        ResourceVersion.objects.bulk_create(
            [
                ResourceVersion(
                    resource_id=resource.pk, number=number, title=title, summary=summary, body=body, url=url,
                    note=note, changed_by_id=writer, changed_at=at,
                )
                for resource, rows in zip(resources, versions, strict=True)
                for number, title, summary, body, url, note, writer, at in rows
            ],
            batch_size=BATCH,
        )  # fmt: skip
    _link(resources, links)
    for resource in resources:
        search.reindex(resource)
    return len(resources)


def _link(resources: list[Resource], links: list[tuple[list[int], list[int], list[int]]]) -> None:
    areas, methods, groups = Resource.focus_areas.through, Resource.methods.through, Resource.audience_groups.through
    pairs = list(zip(resources, links, strict=True))
    areas.objects.bulk_create(
        [areas(resource_id=r.pk, focusarea_id=pk) for r, (chosen, _m, _g) in pairs for pk in chosen], batch_size=BATCH
    )
    methods.objects.bulk_create(
        [methods(resource_id=r.pk, method_id=pk) for r, (_a, chosen, _g) in pairs for pk in chosen], batch_size=BATCH
    )
    groups.objects.bulk_create(
        [groups(resource_id=r.pk, staffgroup_id=pk) for r, (_a, _m, chosen) in pairs for pk in chosen],
        batch_size=BATCH,
    )


def _symbols() -> dict[str, list[int]]:
    """The guide's active entries by environment: the made-up ones added if missing, and the demo's."""
    for slug, name, environment in SYMBOLS:
        Symbol.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "environment": environment,
                "description": f"{name}. En påhittad symbol för att visa guiden med många händelser.",
            },
        )
    by_environment: dict[str, list[int]] = {}
    for pk, environment in Symbol.objects.filter(is_active=True).order_by("slug").values_list("pk", "environment"):
        by_environment.setdefault(environment, []).append(pk)
    return by_environment


def add_symbol_sightings(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """A share of the year's incidents of the kinds a symbol shows in name an entry of their environment."""
    symbols = _symbols()
    incidents = (
        Incident.objects.filter(
            submission_token__startswith=f"scale-{year.number}-",
            category__in=SIGHTING_CATEGORIES,
            symbol__isnull=True,
        )
        .order_by("submission_token")
        .values_list("pk", "environment")
    )
    named: dict[int, list[int]] = {}
    for pk, environment in incidents:
        if environment in symbols and rng.random() < SIGHTING_SHARE:
            named.setdefault(rng.choice(symbols[environment]), []).append(pk)
    count = 0
    for symbol_id, ids in sorted(named.items()):
        for start in range(0, len(ids), BATCH):
            count += Incident.objects.filter(pk__in=ids[start : start + BATCH]).update(symbol_id=symbol_id)
    return count


def bench_targets() -> dict[str, object]:
    """What the benchmark's /stod/ pages open: the active resource with the most versions (the oldest of
    those) and the guide's entry named by the most incidents, the same in every database of a scale."""
    resource = Resource.objects.filter(is_active=True).order_by("-version", "pk").values_list("pk", flat=True).first()
    symbol = (
        Symbol.objects.filter(is_active=True)
        .annotate(sightings=Count("incidents"))
        .order_by("-sightings", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    return {"resource_pk": resource, "symbol_slug": symbol}
