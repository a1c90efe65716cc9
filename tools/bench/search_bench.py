"""Times the search of support resources: RESOURCES synthetic resources (5,000 by default) with Swedish
text, indexed through ``vbe.knowledge.search.reindex``, then QUERIES searches of varied words (every
third with filters), the next page of some, and "did you mean" for mistyped words. Reports median, p95
and max in milliseconds.

    make bench-search                      SQLite, a fresh database under var/bench/search/
    DATABASE_URL=postgres://…/vbe_bench_search make bench-search
                                           PostgreSQL: that database dropped and created afresh
                                           (its name must contain "bench")
    python -m tools.bench.search_bench --existing --json
                                           the configured database as it is, figures as JSON

The text is made from a word list by a seeded random generator: no real document or person.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from tools.bench import standalone

ROOT = Path(__file__).resolve().parents[2]
SEED = 20240612

# Domain words in several inflections, so the stemmer has work to do (utbildning, utbildningar …).
_NOUNS = """utbildning utbildningar utbildningen samverkan rutin rutiner rutinen oro orosanmälan skola skolan
skolor förskola förskolan socialtjänst socialtjänsten fritidsgård fritidsgården fältassistent fältassistenter
bibliotek biblioteket föräldrar föräldraskap föreningar föreningen polis polisen stadsdel stadsdelen
stadsdelsförvaltning nämnd nämnden ungdomar ungdom barn vuxna familj familjer anhöriga anhörigstöd
extremism radikalisering propaganda symboler symbolen våld våldet hot hotet riskbedömning bedömning
handlingsplan handlingsplaner lägesbild lägesbilden metod metoder metodstöd samtal samtalet samtalsstöd
mentorskap nattvandring nattvandrare trossamfund församling kontaktperson insats insatser stödinsats
skyddsbehov avhoppare återvändare sekretess samtycke dokumentation anmälan ärende ärendet kartläggning
nätverk nätverket chef chefer personal medarbetare medarbetarna rektor rektorn kurator elevhälsa
demokrati demokrativillkor bidrag lokaler uppdrag ansvar ansvaret region kommun kommunen år året
månad vecka kväll helg mötet möten forum samordnare samordnaren"""
NOUNS = _NOUNS.split()
_VERBS = """ska kan bör behöver får agerar samverkar anmäler bedömer dokumenterar kontaktar informerar
stödjer utbildar genomför följer upp samordnar beskriver hanterar rapporterar uppmärksammar förebygger
planerar ansvarar leder granskar"""
VERBS = _VERBS.split()
_ADJECTIVES = """våldsbejakande tidiga förebyggande särskilda lokala regionala gemensamma aktuella viktiga
tydliga nya digitala fördjupade grundläggande konkreta akuta långsiktiga trygga"""
ADJECTIVES = _ADJECTIVES.split()
_LINKS = "och men eller för att med om vid hos till från under efter inom mellan"
LINKS = _LINKS.split()


def sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(2, 4)):
        words += [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), rng.choice(LINKS), rng.choice(NOUNS)]
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def say(quiet: bool, message: str) -> None:
    standalone.say("search", quiet, message)


def build(count: int, rng: random.Random) -> float:
    """Makes ``count`` resources with links to focus areas and staff groups, a tenth with an attachment
    whose text has been read; returns the seconds their indexing took."""
    from django.db import transaction

    from vbe.competence.models import StaffGroup
    from vbe.guidelines.models import FocusArea
    from vbe.knowledge import search
    from vbe.knowledge.models import Attachment, ExtractionState, Kind, Resource
    from vbe.organisations.models import Organisation

    owners = list(Organisation.objects.order_by("pk")[:20])
    areas = list(FocusArea.objects.filter(intervention_area__guideline__is_current=True))
    groups = list(StaffGroup.objects.all())
    kinds = [k.value for k in Kind]
    today = datetime.date.today()
    made = Resource.objects.bulk_create(
        Resource(
            kind=rng.choice(kinds),
            title=" ".join(
                [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(LINKS), rng.choice(NOUNS)]
            ).capitalize(),
            summary=sentence(rng),
            body="\n\n".join(paragraph(rng, rng.randint(3, 8)) for _ in range(rng.randint(2, 6))),
            owner=rng.choice(owners),
            next_review_on=today + datetime.timedelta(days=rng.randint(-60, 700)),
        )
        for _ in range(count)
    )
    Resource.focus_areas.through.objects.bulk_create(
        Resource.focus_areas.through(resource_id=r.pk, focusarea_id=a.pk)
        for r in made
        for a in rng.sample(areas, rng.randint(0, 2))
    )
    Resource.audience_groups.through.objects.bulk_create(
        Resource.audience_groups.through(resource_id=r.pk, staffgroup_id=g.pk)
        for r in made
        for g in rng.sample(groups, rng.randint(0, 3))
    )
    Attachment.objects.bulk_create(
        Attachment(
            resource=r,
            filename=f"bilaga-{r.pk}.pdf",
            stored_name=f"bench-{r.pk}",
            content_type="application/pdf",
            size=1000,
            text="\n".join(paragraph(rng, 10) for _ in range(10)),
            extraction=ExtractionState.DONE,
        )
        for r in made[::10]
    )
    started = time.perf_counter()
    for start in range(0, len(made), 500):
        with transaction.atomic():
            for resource in made[start : start + 500]:
                search.reindex(resource)
    return time.perf_counter() - started


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # one letter left out


def _figures(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def measure(count: int, queries: int, quiet: bool = False, existing: bool = False) -> dict:
    from django.db import connection

    from vbe.competence.models import StaffGroup
    from vbe.guidelines.models import FocusArea
    from vbe.knowledge import search
    from vbe.knowledge.models import Kind, Resource

    rng = random.Random(SEED)
    index_s = None
    if not existing:
        say(quiet, f"building {count:,} resources on {connection.vendor} …")
        index_s = build(count, rng)
        say(quiet, f"indexed in {index_s:.1f} s")
    areas = list(FocusArea.objects.filter(intervention_area__guideline__is_current=True))
    groups = list(StaffGroup.objects.all())
    plain, filtered, next_pages, suggestions = [], [], [], []
    hits = 0
    for n in range(queries):
        words = " ".join(rng.choice(NOUNS + ADJECTIVES) for _ in range(rng.choice([1, 1, 2, 3])))
        filters = {}
        if n % 3 == 0:
            filters = rng.choice(
                [
                    {"kind": rng.choice(list(Kind)).value},
                    {"focus_area": rng.choice(areas)},
                    {"staff_group": rng.choice(groups)},
                ]
            )
        started = time.perf_counter()
        results = search.search(words, **filters)
        (filtered if filters else plain).append(time.perf_counter() - started)
        hits += len(results.hits)
        if results.next_after and n % 4 == 0:
            started = time.perf_counter()
            search.search(words, after=results.next_after, **filters)
            next_pages.append(time.perf_counter() - started)
    for _ in range(max(queries // 2, 1)):
        word = rng.choice([w for w in NOUNS if len(w) >= 6])
        started = time.perf_counter()
        search.suggest(_typo(word, rng))
        suggestions.append(time.perf_counter() - started)
    browse = []
    for _ in range(20):
        started = time.perf_counter()
        search.search("")
        browse.append(time.perf_counter() - started)
    return {
        "database": connection.vendor,
        "resources": Resource.objects.filter(is_active=True).count(),
        "index_s": round(index_s, 1) if index_s is not None else None,
        "search": _figures(plain),
        "search_filtered": _figures(filtered),
        "next_page": _figures(next_pages) if next_pages else None,
        "suggest": _figures(suggestions),
        "browse": _figures(browse),
        "mean_hits_per_page": round(hits / queries, 1),
    }


def text(result: dict) -> str:
    lines = [f"Search of {result['resources']:,} support resources ({result['database']}):"]
    if result["index_s"] is not None:
        lines.append(f"  indexing them all (reindex, one by one): {result['index_s']:.1f} s")
    for key, label in (
        ("search", "search"),
        ("search_filtered", "search with a filter"),
        ("next_page", "next page of hits"),
        ("suggest", "did you mean"),
        ("browse", "list by title"),
    ):
        f = result[key]
        if f:
            lines.append(
                f"  {label:<22} median {f['median_ms']:7.2f} ms   p95 {f['p95_ms']:7.2f} ms   "
                f"max {f['max_ms']:7.2f} ms   ({f['n']} runs)"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=int(os.environ.get("RESOURCES", "5000")))
    parser.add_argument("--queries", type=int, default=int(os.environ.get("QUERIES", "200")))
    parser.add_argument("--existing", action="store_true", help="use the configured database as it is")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if not args.existing:
        standalone.environment("search")
    standalone.setup("search", standalone=not args.existing, quiet=args.json)
    result = measure(args.resources, args.queries, quiet=args.json, existing=args.existing)
    print(json.dumps(result) if args.json else text(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
