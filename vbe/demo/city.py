"""A believable synthetic city on top of Stockholm's reference data.

Everything is made up: unit names are generic descriptions of a neighbourhood's services, people's
names are random pairs from common Swedish first and last names, and e-mail addresses use the
reserved domain .example. Running it again creates nothing new (get_or_create throughout).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import transaction

from vbe.accounts.models import Membership, Role, User
from vbe.collaboration.demo import seed_collaboration
from vbe.concerns.demo import seed_concerns
from vbe.incidents.demo import seed_incidents
from vbe.knowledge.demo_contacts import seed_contacts
from vbe.knowledge.demo_resources import seed_resources
from vbe.knowledge.demo_symbols import seed_symbols
from vbe.organisations.models import Neighbourhood, Organisation, OrganisationKind, Unit, UnitKind
from vbe.plans.demo import seed_plans
from vbe.statistics import summary

DEMO_PASSWORD = "vbe-demo-2026"  # noqa: S105 - the documented shared password of the demo accounts
DEMO_DOMAIN = "vbe.example"

FIRST_NAMES = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Emma",
    "Kerstin",
    "Ingrid",
    "Malin",
    "Sofia",
    "Linnea",
    "Lars",
    "Mikael",
    "Anders",
    "Johan",
    "Erik",
    "Per",
    "Karl",
    "Peter",
    "Jonas",
    "Daniel",
    "Ali",
    "Amira",
    "Yusuf",
    "Leyla",
    "Nikola",
    "Elif",
    "Hanna",
    "Oskar",
    "Fatima",
    "Mohammed",
    "Tove",
    "Henrik",
    "Agnes",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Lindberg",
    "Lindqvist",
    "Berg",
    "Holm",
    "Ek",
    "Sandberg",
    "Yilmaz",
    "Hassan",
    "Novak",
    "Ahmadi",
    "Lindholm",
    "Björk",
    "Falk",
    "Nyström",
    "Åberg",
    "Öberg",
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    organisation_slug: str
    unit_name: str = ""

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


# One demo account per role; coordinators in two district councils and one specialist board.
ACCOUNTS = [
    DemoAccount("medarbetare@vbe.example", "Mira Medarbetare", Role.STAFF, "jarva", "Fritidsgården i Rinkeby"),
    DemoAccount(
        "verksamhetschef@vbe.example", "Viktor Verksamhetschef", Role.UNIT_MANAGER, "jarva", "Fritidsgården i Rinkeby"
    ),
    DemoAccount("samordnare.jarva@vbe.example", "Sam Samordnare", Role.COORDINATOR, "jarva"),
    DemoAccount("samordnare.sodermalm@vbe.example", "Siri Samordnare", Role.COORDINATOR, "sodermalm"),
    DemoAccount(
        "samordnare.utbildning@vbe.example", "Ulf Utbildningssamordnare", Role.COORDINATOR, "utbildningsnamnden"
    ),
    DemoAccount("handlaggare@vbe.example", "Hedda Handläggare", Role.CASEWORKER, "jarva"),
    DemoAccount("central@vbe.example", "Cecilia Central", Role.CENTRAL_COORDINATOR, "ks"),
    DemoAccount("namnd@vbe.example", "Nils Nämndläsare", Role.BOARD_READER, "utbildningsnamnden"),
    DemoAccount("granskare@vbe.example", "Greta Granskare", Role.AUDITOR, "ks"),
    DemoAccount("admin@vbe.example", "Adam Administratör", Role.ADMIN, "ks"),
]

# Organisations left without a coordinator on purpose, so the compliance gap shows in the demo.
WITHOUT_COORDINATOR = {"skarholmen", "sisab"}

# Which organisation runs which kind of unit, and how the unit is named after its neighbourhood.
UNIT_PATTERNS = [
    ("utbildningsnamnden", UnitKind.SCHOOL, "{n}skolan"),
    ("forskolenamnden", UnitKind.PRESCHOOL, "Förskolan {n}"),
    ("@district", UnitKind.YOUTH_CENTRE, "Fritidsgården i {n}"),
    ("kulturnamnden", UnitKind.LIBRARY, "{n} bibliotek"),
    ("idrottsnamnden", UnitKind.SPORTS_FACILITY, "{n} idrottsplats"),
]
DISTRICT_UNITS = [
    (UnitKind.SOCIAL_SERVICES, "Socialtjänsten {d}"),
    (UnitKind.FIELD_TEAM, "Fältgruppen {d}"),
    (UnitKind.ADMINISTRATION, "{d} stadsdelsförvaltning"),
]
CITY_UNITS = [
    ("arbetsmarknadsnamnden", UnitKind.JOB_CENTRE, "Jobbtorg City"),
    ("arbetsmarknadsnamnden", UnitKind.JOB_CENTRE, "Jobbtorg Järva"),
    ("arbetsmarknadsnamnden", UnitKind.ADULT_EDUCATION, "Vuxenutbildning Söder"),
    ("socialnamnden", UnitKind.SOCIAL_SERVICES, "Socialjouren"),
    ("socialnamnden", UnitKind.SOCIAL_SERVICES, "Behandlingsenheten"),
    ("familjebostader", UnitKind.HOUSING_OFFICE, "Kundcenter Familjebostäder"),
    ("stockholmshem", UnitKind.HOUSING_OFFICE, "Kundcenter Stockholmshem"),
    ("svenska-bostader", UnitKind.HOUSING_OFFICE, "Kundcenter Svenska Bostäder"),
    ("shis", UnitKind.HOUSING_OFFICE, "SHIS boenden"),
    ("sisab", UnitKind.ADMINISTRATION, "SISAB förvaltning"),
    ("ks", UnitKind.ADMINISTRATION, "Stadsledningskontoret"),
]


def _unit(organisation: Organisation, name: str, kind: str, neighbourhood: Neighbourhood | None = None) -> bool:
    _, created = Unit.objects.get_or_create(
        organisation=organisation, name=name, defaults={"kind": kind, "neighbourhood": neighbourhood}
    )
    return created


def create_units() -> int:
    orgs = {o.slug: o for o in Organisation.objects.all()}
    councils = {o.district_id: o for o in orgs.values() if o.kind == OrganisationKind.DISTRICT_COUNCIL}
    created = 0
    for i, n in enumerate(Neighbourhood.objects.select_related("district").order_by("name")):
        for j, (slug, kind, pattern) in enumerate(UNIT_PATTERNS):
            if (i + j) % 2 and slug != "@district":  # every neighbourhood gets some, not all, services
                continue
            owner = councils.get(n.district_id) if slug == "@district" else orgs.get(slug)
            if owner is not None:
                created += _unit(owner, pattern.format(n=n.name), kind, n)
    for council in councils.values():
        first = council.district.neighbourhoods.order_by("name").first()
        for kind, pattern in DISTRICT_UNITS:
            created += _unit(council, pattern.format(d=council.short_name or council.name), kind, first)
    for slug, kind, name in CITY_UNITS:
        if slug in orgs:
            created += _unit(orgs[slug], name, kind)
    return created


@cache
def _demo_password_hash() -> str:
    # Hashed once: Argon2 is slow on purpose, and every demo account shares the password.
    return make_password(DEMO_PASSWORD)


def _user(email: str, full_name: str) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    return User.objects.create(email=email, password=_demo_password_hash(), full_name=full_name), True


def create_accounts() -> int:
    created = 0
    for account in ACCOUNTS:
        user, was_created = _user(account.email, account.full_name)
        created += was_created
        organisation = Organisation.objects.get(slug=account.organisation_slug)
        unit = (
            Unit.objects.filter(organisation=organisation, name=account.unit_name).first()
            if account.unit_name
            else None
        )
        Membership.objects.get_or_create(
            user=user, organisation=organisation, role=account.role, defaults={"unit": unit}
        )
    return created


def create_colleagues(seed: int = 2026) -> int:
    """Coordinators for most required organisations, and a few staff in every organisation."""
    rng = random.Random(seed)
    created = 0
    for organisation in Organisation.objects.filter(is_active=True).order_by("slug"):
        wanted = []
        has_demo_coordinator = any(
            a.organisation_slug == organisation.slug and a.role == Role.COORDINATOR for a in ACCOUNTS
        )
        if (
            organisation.requires_coordinator
            and organisation.slug not in WITHOUT_COORDINATOR
            and not has_demo_coordinator
        ):
            wanted.append(Role.COORDINATOR)
        wanted += [Role.STAFF] * 3
        for n, role in enumerate(wanted, start=1):
            full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            email = f"{role.replace('_', '')}{n}.{organisation.slug}@{DEMO_DOMAIN}"
            user, was_created = _user(email, full_name)
            created += was_created
            Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return created


@transaction.atomic
def seed() -> dict[str, int]:
    counts = {"units": create_units(), "demo_accounts": create_accounts(), "colleagues": create_colleagues()}
    counts["concerns"] = seed_concerns()
    if counts["concerns"]:
        summary.rebuild()  # the demo's concerns were dated back in bulk, which sends no post_save
    counts["incidents"] = seed_incidents()
    counts["symbols"] = seed_symbols()  # after the incidents, some of which it names as sightings
    counts["plans"] = seed_plans()
    from vbe.demo.training import seed_training  # here: it imports this module's names

    counts["training"] = seed_training()
    counts["resources"] = seed_resources()
    counts["contacts"] = seed_contacts()
    counts["collaboration"] = seed_collaboration()
    return counts
