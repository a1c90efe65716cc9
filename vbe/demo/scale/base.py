"""What every city-year of the synthetic city builds on: the volumes, the year's dates, the people and
units a year may draw on, and the helpers for writing rows in bulk."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone

from vbe.accounts.models import Membership, User
from vbe.accounts.permissions import active_coordinator_memberships
from vbe.concerns.demo import _test_personnummer
from vbe.core import sequences
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import District, Neighbourhood, Organisation, OrganisationKind, Unit

SCALE_DOMAIN = "skala.vbe.example"
UNUSABLE_PASSWORD = "!synthetic-account"  # noqa: S105 - Django's mark of a password that never matches
BATCH = 5000
UNIT_MARK = ", enhet "  # a synthetic unit's name: "Förskolan Rinkeby, enhet 3.17" (year 3, unit 17)


@dataclass(frozen=True)
class Volumes:
    units: int = 200
    users: int = 4500
    concerns: int = 2000
    incidents: int = 10_000
    plans: int = 100
    measures_per_plan: int = 20
    log_rows: int = 300_000
    resources: int = 450  # support material (/stod/): ten years, some five thousand
    actors: int = 300  # civil-society actors (/samverkan/aktorer/): ten years, some three thousand
    meetings_per_forum: int = 10


PER_YEAR = Volumes()


@dataclass(frozen=True)
class Year:
    """City-year ``number`` (1 = the twelve months up to ``today``)."""

    number: int
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def of(cls, number: int, now: datetime.datetime) -> Year:
        end = now - datetime.timedelta(days=365 * (number - 1))
        return cls(number, end - datetime.timedelta(days=365), end)

    def moments(self, rng: random.Random, count: int) -> list[datetime.datetime]:
        """``count`` random moments of the year, in time order."""
        span = (self.end - self.start).total_seconds()
        return sorted(self.start + datetime.timedelta(seconds=rng.random() * span) for _ in range(count))


def email_of(year: int, n: int) -> str:
    return f"person{year:02d}-{n:05d}@{SCALE_DOMAIN}"


def years_present() -> set[int]:
    """The city-years already generated: each year's first account marks it (a year is one transaction)."""
    emails = User.objects.filter(
        email__startswith="person", email__endswith=f"@{SCALE_DOMAIN}", email__contains="-00000@"
    )
    return {int(email.removeprefix("person").split("-")[0]) for email in emails.values_list("email", flat=True)}


@contextmanager
def stored_as_given(*fields: models.Field) -> Iterator[None]:
    """Bulk rows carry their historical timestamps: ``auto_now``/``auto_now_add`` would overwrite them.
    The flags are the model's own, so this is for the generator's own process only, never a server."""
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def field_of(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


class City:
    """What every year builds on, read once per run: organisations, districts, units, people."""

    def __init__(self) -> None:
        self.organisations = list(Organisation.objects.filter(is_active=True).order_by("slug"))
        self.by_slug = {o.slug: o for o in self.organisations}
        self.councils = [o for o in self.organisations if o.kind == OrganisationKind.DISTRICT_COUNCIL]
        self.council_of_district = {o.district_id: o for o in self.councils}
        self.districts = list(
            District.objects.filter(is_active=True, pk__in=list(self.council_of_district))
            .defer("geometry")
            .order_by("pk")
        )
        self.neighbourhoods: dict[int, list[int]] = {}
        for n in Neighbourhood.objects.filter(district__in=self.districts).only("pk", "district_id").order_by("pk"):
            self.neighbourhoods.setdefault(n.district_id, []).append(n.pk)
        self.coordinated = {o.slug for o in self.organisations if o.requires_coordinator}
        self.focus_areas = list(FocusArea.objects.order_by("pk").values_list("pk", flat=True))
        self.pnr = _test_personnummer()

    def refresh(self, year: int | None = None) -> None:
        """The people and units a year draws from: the demo city's, and those the year itself added.
        Never another synthetic year's, so that a year's rows do not depend on which years exist."""
        synthetic_units = Q(name__contains=UNIT_MARK)
        synthetic_users = Q(user__email__endswith=f"@{SCALE_DOMAIN}")
        if year is not None:
            synthetic_units &= ~Q(name__contains=f"{UNIT_MARK}{year}.")
            synthetic_users &= ~Q(user__email__startswith=f"person{year:02d}-")
        self.units: dict[int, list[int]] = {}
        for unit_id, organisation_id in (
            Unit.objects.filter(is_active=True)
            .exclude(synthetic_units)
            .values_list("pk", "organisation_id")
            .order_by("pk")
        ):
            self.units.setdefault(organisation_id, []).append(unit_id)
        memberships = Membership.objects.filter(user__is_active=True).exclude(synthetic_users).order_by("pk")
        self.members: dict[int, list[int]] = {}
        for user_id, organisation_id in memberships.values_list("user_id", "organisation_id"):
            self.members.setdefault(organisation_id, []).append(user_id)
        self.coordinators: dict[int, list[int]] = {}
        for user_id, organisation_id in (
            active_coordinator_memberships()
            .exclude(synthetic_users)
            .values_list("user_id", "organisation_id")
            .order_by("pk")
        ):
            self.coordinators.setdefault(organisation_id, []).append(user_id)
        self.people = list(memberships.values_list("user_id", "user__email", "role", "organisation__name"))


def reference_numbers(prefix: str, moments: Sequence[datetime.datetime]) -> list[str]:
    """Numbers from the portal's own counters, one block per calendar year, in time order."""
    wanted: dict[int, int] = {}
    for moment in moments:
        y = timezone.localtime(moment).year
        wanted[y] = wanted.get(y, 0) + 1
    blocks = {y: iter(sequences.allocate(prefix=prefix, year=y, count=n)) for y, n in wanted.items()}
    return [next(blocks[timezone.localtime(moment).year]) for moment in moments]
