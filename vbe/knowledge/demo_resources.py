"""Synthetic support resources for the demo city: two of each kind, owned by the city office, two
district councils and two specialist boards, linked to focus areas and methods of the guideline. Some
have several versions (so the history and its differences show something), one is archived and one
is overdue for review.

Idempotent: each demo resource has a key (``demo-…``), and one that exists is left as it is, so a
second run creates nothing and an edit made in the demo is kept. Every text is made up; addresses are
at the reserved domain .example.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from vbe.accounts.models import Role, User
from vbe.accounts.recipients import central_coordinators
from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import search
from vbe.knowledge.models import Kind, Resource, ResourceVersion
from vbe.knowledge.review import next_review
from vbe.organisations.models import Organisation


@dataclass(frozen=True)
class Demo:
    key: str
    kind: str
    owner: str  # organisation slug
    versions: list[tuple[str, str]]  # (body, note), oldest first; the last is the text now
    title: str
    summary: str = ""
    url: str = ""
    focus_areas: list[int] = field(default_factory=list)
    methods: list[tuple[int, str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # staff group slugs
    roles: list[str] = field(default_factory=list)
    archived: bool = False
    overdue: bool = False


DEMOS = [
    Demo(
        key="demo-samtalsstod",
        kind=Kind.ROUTINE,
        owner="socialnamnden",
        title="Samtal med unga vid tecken på våldsbejakande extremism",
        summary="Hur socialtjänsten förbereder, för och dokumenterar ett första samtal.",
        focus_areas=[4],
        methods=[(4, "Socialförvaltningens metodstöd för samtal")],
        groups=["socialtjanst"],
        versions=[
            ("# Före samtalet\n\nLäs in dig på ärendet.\n\n# Under samtalet\n\nLyssna mer än du talar.", "Skapad"),
            (
                "# Före samtalet\n\nLäs in dig på ärendet och stäm av med kollega.\n\n# Under samtalet\n\n"
                "Lyssna mer än du talar. Ställ öppna frågor.\n\n# Efter samtalet\n\nDokumentera i verksamhetssystemet.",
                "Lade till avsnittet efter samtalet",
            ),
            (
                "# Före samtalet\n\nLäs in dig på ärendet och stäm av med kollega.\n\n# Under samtalet\n\n"
                "Lyssna mer än du talar. Ställ öppna frågor och undvik att värdera.\n\n# Efter samtalet\n\n"
                "Dokumentera i verksamhetssystemet och boka uppföljning.",
                "Förtydligade uppföljningen",
            ),
        ],
    ),
    Demo(
        key="demo-hanteringsrutin-klotter",
        kind=Kind.ROUTINE,
        owner="jarva",
        title="Sanering av extremistiskt klotter och klistermärken i Järva",
        summary="Vem som tar bort vad, och hur händelsen rapporteras först.",
        focus_areas=[2],
        versions=[
            (
                "1. Fotografera utan personer i bild.\n2. Rapportera händelsen i portalen.\n3. Beställ sanering.",
                "Skapad",
            ),
            (
                "1. Fotografera utan personer i bild.\n2. Rapportera händelsen i portalen.\n3. Beställ sanering "
                "via fastighetsägaren.\n4. Följ upp att det är borttaget inom en vecka.",
                "Fastighetsägaren beställer sanering",
            ),
        ],
    ),
    Demo(
        key="demo-mall-lagesbild",
        kind=Kind.TEMPLATE,
        owner="ks",
        title="Mall för lokal lägesbild",
        summary="Rubriker och frågor för stadsdelsnämndens årliga lägesbild.",
        focus_areas=[5],
        roles=[Role.COORDINATOR],
        versions=[("# Underlag\n\n- Händelser\n- Oro\n\n# Analys\n\n# Slutsatser", "Skapad")],
    ),
    Demo(
        key="demo-mall-handlingsplan",
        kind=Kind.TEMPLATE,
        owner="utbildningsnamnden",
        title="Mall för skolans handlingsplan mot våldsbejakande extremism",
        focus_areas=[1, 2],
        methods=[(2, "Demokratiska värderingar och processer i skolan")],
        groups=["skola"],
        versions=[("# Nuläge\n\n# Mål\n\n# Åtgärder\n\n# Uppföljning", "Skapad")],
        overdue=True,
    ),
    Demo(
        key="demo-artikel-kallkritik",
        kind=Kind.ARTICLE,
        owner="utbildningsnamnden",
        title="Källkritik i klassrummet: fem övningar",
        summary="Korta övningar som tränar elever att granska källor.",
        focus_areas=[2],
        methods=[(2, "Källkritik och källtillit i undervisningen")],
        groups=["skola", "vuxenutbildning"],
        versions=[
            ("Fem övningar för lektionen.\n\n1. Vem står bakom?\n2. När skrevs det?", "Skapad"),
            (
                "Fem övningar för lektionen.\n\n1. Vem står bakom?\n2. När skrevs det?\n3. Vad vill avsändaren?\n"
                "4. Finns det andra källor?\n5. Är bilden äkta?",
                "Alla fem övningarna",
            ),
        ],
    ),
    Demo(
        key="demo-artikel-anhoriga",
        kind=Kind.ARTICLE,
        owner="sodermalm",
        title="Att vara anhörig: stöd i Södermalm",
        focus_areas=[7],
        methods=[(7, "Anhörigstöd i stadsdelarnas socialtjänst")],
        versions=[("Som anhörig kan du få stödsamtal hos socialtjänsten.", "Skapad")],
    ),
    Demo(
        key="demo-utbildning-grundkurs",
        kind=Kind.TRAINING_MATERIAL,
        owner="ks",
        title="Diskussionsmaterial till stadens grundutbildning",
        summary="Frågor att samtala om i arbetsgruppen efter webbutbildningen.",
        focus_areas=[4],
        methods=[(4, "Stadens digitala grund- och fördjupningsutbildning")],
        versions=[("# Fråga 1\n\nVad skulle väcka din oro?\n\n# Fråga 2\n\nVem kontaktar du?", "Skapad")],
    ),
    Demo(
        key="demo-utbildning-faltarbete",
        kind=Kind.TRAINING_MATERIAL,
        owner="jarva",
        title="Introduktion för nya fältassistenter",
        focus_areas=[1],
        methods=[(1, "Fältförlagt och uppsökande arbete mot unga")],
        groups=["faltverksamhet"],
        versions=[("Introduktionen tar två dagar och görs tillsammans med en erfaren kollega.", "Skapad")],
        archived=True,
    ),
    Demo(
        key="demo-lank-cve",
        kind=Kind.EXTERNAL_LINK,
        owner="ks",
        title="Exempel: nationellt kunskapscenter",
        summary="En extern länk (exempeladress).",
        url="https://kunskapscenter.example/",
        focus_areas=[4],
        versions=[("", "Skapad")],
    ),
    Demo(
        key="demo-lank-foreningsstod",
        kind=Kind.EXTERNAL_LINK,
        owner="kulturnamnden",
        title="Exempel: ansökan om föreningsstöd och demokrativillkoret",
        url="https://foreningsstod.example/",
        focus_areas=[3],
        methods=[(3, "Prövning av demokrativillkoret före bidrag och lokalupplåtelse")],
        versions=[("Läs om demokrativillkoret innan ni ansöker.", "Skapad")],
    ),
    Demo(
        key="demo-kontakter-samordnare",
        kind=Kind.CONTACT_LIST,
        owner="ks",
        title="Stadens samordnare: så når du dem",
        summary="Funktionsbrevlådor för samordnarna (exempeladresser).",
        focus_areas=[4, 5],
        versions=[
            ("- Central samordnare: samordnare@stad.example", "Skapad"),
            (
                "- Central samordnare: samordnare@stad.example\n- Järva: vbe.jarva@stad.example\n"
                "- Södermalm: vbe.sodermalm@stad.example",
                "Lade till stadsdelarnas brevlådor",
            ),
        ],
    ),
    Demo(
        key="demo-kontakter-socialjour",
        kind=Kind.CONTACT_LIST,
        owner="socialnamnden",
        title="Socialjouren och Redex: kontaktvägar",
        focus_areas=[5],
        methods=[(5, "Samverkansmöte via lokalpolisområde och Redex (socialjouren är stadens ingång)")],
        versions=[("Utanför kontorstid: socialjouren, via stadens växel. E-post: socialjour@stad.example", "Skapad")],
    ),
]


def _author() -> User | None:
    """The versions are written by a central coordinator of the demo city, when there is one."""
    return central_coordinators().order_by("pk").first()


def _methods(pairs: list[tuple[int, str]]) -> list[Method]:
    if not pairs:
        return []
    wanted = Q()
    for number, name in pairs:
        wanted |= Q(focus_area__number=number, name=name)
    return list(Method.objects.filter(wanted, focus_area__intervention_area__guideline__is_current=True))


def _create(demo: Demo, owner: Organisation, author: User | None, today: datetime.date) -> None:
    now = timezone.now()
    body = demo.versions[-1][0]
    # Each version a week after the one before, the newest today.
    days = [7 * (len(demo.versions) - 1 - i) for i in range(len(demo.versions))]
    reviewed_on = today - datetime.timedelta(days=400) if demo.overdue else None
    resource = Resource.objects.create(
        key=demo.key,
        kind=demo.kind,
        title=demo.title,
        summary=demo.summary,
        body=body,
        url=demo.url,
        owner=owner,
        audience_roles=list(demo.roles),
        review_interval_months=12,
        reviewed_on=reviewed_on,
        next_review_on=next_review(reviewed_on or today, 12),
        is_active=not demo.archived,
        version=len(demo.versions),
        created_at=now - datetime.timedelta(days=days[0]),
        updated_at=now,
    )
    resource.audience_groups.set(StaffGroup.objects.filter(slug__in=demo.groups))
    resource.focus_areas.set(
        FocusArea.objects.filter(number__in=demo.focus_areas, intervention_area__guideline__is_current=True)
    )
    resource.methods.set(_methods(demo.methods))
    ResourceVersion.objects.bulk_create(
        ResourceVersion(
            resource=resource,
            number=number,
            title=demo.title,
            summary=demo.summary,
            body=text,
            url=demo.url,
            note=note,
            changed_by=author,
            changed_at=now - datetime.timedelta(days=days[number - 1]),
        )
        for number, (text, note) in enumerate(demo.versions, start=1)
    )
    search.reindex(resource)


def seed_resources(today: datetime.date | None = None) -> int:
    """Creates the demo resources that are missing; returns how many it made."""
    today = today or timezone.localdate()
    existing = set(Resource.objects.filter(key__startswith="demo-").values_list("key", flat=True))
    owners = {o.slug: o for o in Organisation.objects.filter(slug__in={d.owner for d in DEMOS})}
    author = _author()
    made = 0
    for demo in DEMOS:
        if demo.key in existing or demo.owner not in owners:
            continue
        _create(demo, owners[demo.owner], author, today)
        made += 1
    return made
