"""The demo city's symbol guide: a few entries about well-known, publicly documented kinds of symbols,
described in words, each with a generated placeholder picture (no third party's image), and some of the
demo incidents naming them so the entries' "Här har den setts" has figures.

Idempotent: an entry whose address exists is left as it is, and an entry that incidents already name gets
no more of them.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from vbe.guidelines.vocabulary import Environment
from vbe.incidents import uploads
from vbe.incidents.demo import DEMO_TOKEN_PREFIX
from vbe.incidents.models import Category, Incident
from vbe.incidents.symbol_models import Symbol, SymbolImage

PLACEHOLDER_ALT = "Exempelbild: en abstrakt platshållare med texten Exempelbild, inte en bild av symbolen."


@dataclass(frozen=True)
class Entry:
    slug: str
    name: str
    environment: str
    description: str
    what_to_do: str
    colour: tuple[int, int, int]
    incidents: int  # how many demo incidents of the last 12 months name it


ENTRIES = [
    Entry(
        "sifferkoderna-88-och-14",
        "Sifferkoderna 88 och 14",
        Environment.RIGHT_WING,
        "Siffror som används som koder i vit makt-miljöer. 88 står för den åttonde bokstaven i alfabetet två "
        "gånger (HH), en förkortning av en nazistisk hälsning. 14 syftar på en slogan på fjorton ord om den "
        "vita rasens fortlevnad. Koderna förekommer var för sig eller tillsammans (1488 eller 14/88), i klotter, "
        "användarnamn, tatueringar och på klistermärken.\n\n"
        "Siffrorna är vanliga i helt andra sammanhang, till exempel som årtal, tröjnummer eller priser. Det är "
        "sammanhanget som avgör.",
        "",
        (90, 90, 110),
        9,
    ),
    Entry(
        "tyr-runan",
        "Tyr-runan (pilrunan)",
        Environment.RIGHT_WING,
        "En runa som liknar en pil som pekar uppåt. Den kommer från den nordiska runraden och används också "
        "helt utan politisk innebörd, till exempel i runinskrifter och i historiska sammanhang.\n\n"
        "Nordiska motståndsrörelsen använder en stiliserad Tyr-runa i sin logotyp, ofta tillsammans med "
        "organisationens namn eller webbadress, på klistermärken, flygblad och flaggor. Säkerhetspolisen "
        "beskriver organisationen som en del av den våldsbejakande högerextrema miljön.",
        "",
        (40, 110, 70),
        12,
    ),
    Entry(
        "svarta-solen",
        "Svarta solen (Sonnenrad)",
        Environment.RIGHT_WING,
        "Ett hjul av tolv blixtliknande runor som strålar ut från en mittpunkt, oftast i svart. Förlagan finns "
        "i ett golv i Wewelsburgs slott, som SS använde under Nazityskland. Symbolen har tagits upp av "
        "nynazistiska och accelerationistiska grupper och förekommer på flaggor, kläder, i digitala bilder och "
        "i material från personer som har begått terrordåd.",
        "",
        (30, 30, 30),
        3,
    ),
    Entry(
        "keltiskt-kors-i-cirkel",
        "Keltiskt kors i cirkel",
        Environment.RIGHT_WING,
        "Ett likarmat kors i en cirkel, där korsets armar ofta når ut över cirkeln. Det kristna keltiska korset "
        "är mycket äldre och vanligt på kyrkogårdar och i kyrkor.\n\n"
        "I en förenklad, fyrkantig form används det internationellt som en symbol för vit makt, bland annat "
        "på klistermärken, flaggor och i klotter.",
        "",
        (70, 70, 140),
        2,
    ),
    Entry(
        "islamiska-statens-flagga",
        "Islamiska statens svarta flagga",
        Environment.ISLAMIST,
        "En svart flagga med den islamiska trosbekännelsen i vit text överst och en vit cirkel med text i "
        "mitten, en avbildning av ett sigill. Terrororganisationen Islamiska staten (IS) använde den som sin "
        "symbol, och den förekommer i propaganda på nätet och ibland i klotter.\n\n"
        "Trosbekännelsen i sig är en central del av islam och används helt utan koppling till extremism. Det "
        "är kombinationen med sigillet och sammanhanget som kännetecknar IS-flaggan.",
        "Material som uppmanar till eller hyllar terrorbrott kan vara brottsligt. Kontakta polisen om någon hotas.",
        (20, 20, 20),
        4,
    ),
    Entry(
        "antifascistisk-aktions-symbol",
        "Antifascistisk aktions symbol",
        Environment.LEFT_WING,
        "Två flaggor, ofta en röd och en svart, som fladdrar åt samma håll i en cirkel, ofta med texten "
        "Antifascistisk aktion eller förkortningen AFA. Symbolen används av många antifascistiska grupper och "
        "personer, de flesta utan koppling till våld.\n\n"
        "Säkerhetspolisen har beskrivit delar av den autonoma miljön, där nätverket Antifascistisk aktion har "
        "ingått, som våldsbejakande. Symbolen förekommer på klistermärken, affischer och i klotter, ibland med "
        "uppgifter om personer som pekas ut som motståndare.",
        "Står det namn, adresser eller bilder på personer på materialet: skriv inte av uppgifterna i rapporten, "
        "men berätta att de finns.",
        (150, 40, 40),
        5,
    ),
    Entry(
        "blandade-symboler-och-memes",
        "Blandade symboler och memes",
        Environment.HYBRID,
        "Bilder och uttryck från nätkultur, till exempel tecknade figurer, skämtbilder (memes) eller "
        "dödskallemasker, som blandas med symboler från olika extrema miljöer eller med hyllningar av "
        "personer som har begått attentat. Uttrycken ändras snabbt och är ofta gjorda för att vara svåra att "
        "tolka för utomstående.\n\n"
        "De flesta memes och figurer har ingen koppling till extremism. En varningssignal är blandningen med "
        "våldsförhärligande eller med symboler ur guiden.",
        "Sprid inte materialet vidare. Beskriv i rapporten vad du såg och var, och spara inte våldsskildringar.",
        (110, 60, 130),
        0,
    ),
]


def placeholder_png(colour: tuple[int, int, int]) -> bytes:
    """An abstract picture that says it is a placeholder: shapes and the word "Exempelbild"."""
    image = Image.new("RGB", (480, 320), (243, 242, 241))
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, 463, 303), outline=colour, width=6)
    draw.ellipse((40, 70, 200, 230), outline=colour, width=10)
    draw.line((240, 80, 440, 80), fill=colour, width=10)
    draw.line((240, 240, 440, 240), fill=colour, width=10)
    font = ImageFont.load_default(size=34)
    left, top, right, bottom = draw.textbbox((0, 0), "Exempelbild", font=font)
    draw.text((340 - (right - left) // 2, 160 - (bottom + top) // 2), "Exempelbild", fill=(11, 12, 12), font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _add_placeholder(symbol: Symbol, colour: tuple[int, int, int]) -> None:
    # Through the same checks and re-encoding as every uploaded image.
    clean = uploads.sanitise(SimpleUploadedFile("exempelbild.png", placeholder_png(colour), "image/png"))
    name = uploads.new_stored_name(clean.kind)
    uploads.write(name, clean.data)
    SymbolImage.objects.create(
        symbol=symbol,
        stored_name=name,
        content_type=clean.kind.content_type,
        width=clean.width,
        height=clean.height,
        alt_text=PLACEHOLDER_ALT,
        position=1,
    )


def _link_incidents(symbol: Symbol, count: int, today: datetime.date) -> int:
    if not count or symbol.incidents.exists():
        return 0
    since = today - datetime.timedelta(days=360)
    ids = list(
        Incident.objects.filter(
            submission_token__startswith=DEMO_TOKEN_PREFIX,
            symbol__isnull=True,
            environment=symbol.environment,
            category__in=[Category.PROPAGANDA, Category.GRAFFITI, Category.DIGITAL],
            occurred_on__gte=since,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    return Incident.objects.filter(pk__in=ids).update(symbol=symbol)


@uploads.kept_only_if_committed
@transaction.atomic
def seed_symbols(*, today: datetime.date | None = None) -> int:
    """Create the demo entries that are missing and link demo incidents to them. Returns how many entries
    were created."""
    today = today or timezone.localdate()
    created = 0
    for entry in ENTRIES:
        symbol, made = Symbol.objects.get_or_create(
            slug=entry.slug,
            defaults={
                "name": entry.name,
                "environment": entry.environment,
                "description": entry.description,
                "what_to_do": entry.what_to_do,
            },
        )
        if made:
            created += 1
            _add_placeholder(symbol, entry.colour)
        _link_incidents(symbol, entry.incidents, today)
    return created
