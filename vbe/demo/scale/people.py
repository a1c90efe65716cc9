"""A city-year's units and staff, with their memberships."""

from __future__ import annotations

import random

from vbe.accounts.models import Membership, Role, User
from vbe.demo.city import FIRST_NAMES, LAST_NAMES, UNIT_PATTERNS
from vbe.demo.scale.base import (
    BATCH,
    SCALE_DOMAIN,
    UNIT_MARK,
    UNUSABLE_PASSWORD,
    City,
    Volumes,
    Year,
    email_of,
)
from vbe.organisations.models import Neighbourhood, Unit

# Of a year's new staff: the share in each role (the rest are staff members at a unit).
ROLE_SHARES = [(Role.UNIT_MANAGER, 0.04), (Role.BOARD_READER, 0.002)]
CASEWORKERS_PER_COUNCIL = 1


def add_units(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
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


def add_users(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    count = volumes.users
    joined = year.moments(rng, count)
    users = [
        User(
            email=email_of(year.number, n),
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
