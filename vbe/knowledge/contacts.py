"""Who to contact, read from the registers and never typed into a page: the local coordinators of the
user's organisations (the coordinator registry, vbe.accounts), the districts' receptions for
orosanmälan, the central coordinating office and the socialjour (ContactRoute), and the partners
outside the city (Partner). An administrator keeps these in the admin site; the pages follow at once.

Every selector here makes a fixed number of queries, whatever the number of districts, organisations,
coordinators or partners.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.http import Http404

from vbe.accounts import permissions
from vbe.accounts.guarded import Person
from vbe.accounts.models import Membership, Role
from vbe.accounts.permissions import Action
from vbe.organisations.models import (
    ContactPurpose,
    ContactRoute,
    District,
    Neighbourhood,
    Organisation,
    OrganisationKind,
    Partner,
    PartnerKind,
)

# --- Contacts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalCoordinators:
    """One of the user's organisations with its active local coordinators."""

    organisation: Organisation
    coordinators: list[Membership]

    @property
    def is_vacant(self) -> bool:
        """The guideline requires a coordinator here and nobody active holds the post."""
        return self.organisation.requires_coordinator and not self.coordinators


@dataclass(frozen=True)
class Reception:
    """A district and its council's reception for orosanmälan (None: the council has not given one)."""

    district: District
    council: Organisation
    route: ContactRoute | None
    is_mine: bool


@dataclass(frozen=True)
class Contacts:
    local: list[LocalCoordinators]
    receptions: list[Reception]  # every active district, by name
    central_office: ContactRoute | None
    out_of_hours: ContactRoute | None

    @property
    def my_receptions(self) -> list[Reception]:
        return [r for r in self.receptions if r.is_mine]


def _my_district_ids(memberships: list[Membership]) -> set[int]:
    """The districts the user works in: a district council's own area, and the area of the unit a
    membership names (a school of utbildningsnämnden lies in some district too). One query at most."""
    districts = {m.organisation.district_id for m in memberships if m.organisation.district_id}
    neighbourhood_ids = {m.unit.neighbourhood_id for m in memberships if m.unit and m.unit.neighbourhood_id}
    if neighbourhood_ids:
        districts |= set(Neighbourhood.objects.filter(pk__in=neighbourhood_ids).values_list("district_id", flat=True))
    return districts


def _local_coordinators(memberships: list[Membership]) -> list[LocalCoordinators]:
    organisations = {m.organisation_id: m.organisation for m in memberships}
    if not organisations:
        return []
    found: dict[int, list[Membership]] = defaultdict(list)
    # The registry's one definition of an active coordinator: a deactivated account never shows.
    for membership in (
        permissions.active_coordinator_memberships()
        .filter(organisation_id__in=organisations)
        .select_related("user", "unit")
        .order_by("user__full_name", "user__email")
    ):
        found[membership.organisation_id].append(membership)
    return [
        LocalCoordinators(organisation, found[pk])
        for pk, organisation in sorted(organisations.items(), key=lambda item: item[1].name)
    ]


def contacts_for(user: Person) -> Contacts:
    """Everything the contacts page shows to ``user``. At most four queries after the memberships."""
    memberships = permissions.memberships(user)
    mine = _my_district_ids(memberships)
    councils = (
        Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COUNCIL, is_active=True, district__is_active=True)
        .select_related("district")
        .order_by("district__name")
    )
    routes = list(ContactRoute.objects.filter(organisation__is_active=True).select_related("organisation"))
    receptions = {r.organisation_id: r for r in routes if r.purpose == ContactPurpose.CHILD_WELFARE_RECEPTION}
    by_purpose = {r.purpose: r for r in routes if r.purpose != ContactPurpose.CHILD_WELFARE_RECEPTION}
    return Contacts(
        local=_local_coordinators(memberships),
        receptions=[
            Reception(council.district, council, receptions.get(council.pk), council.district_id in mine)
            for council in councils
        ],
        central_office=by_purpose.get(ContactPurpose.CENTRAL_OFFICE),
        out_of_hours=by_purpose.get(ContactPurpose.OUT_OF_HOURS),
    )


# --- Partners -----------------------------------------------------------------------------------------


@dataclass
class PartnerNode:
    partner: Partner
    parts: list[PartnerNode] = field(default_factory=list)


@dataclass(frozen=True)
class PartnerGroup:
    kind: str
    label: str
    nodes: list[PartnerNode]


def partner_groups() -> list[PartnerGroup]:
    """Active partners as trees (a local police area under its police region), grouped by the kind of
    the tree's top partner, kinds in their declared order. One query.

    A part whose parent is inactive stands on its own; a loop of parents typed in the admin site is cut
    where it is found, so every partner shows exactly once.
    """
    partners = list(Partner.objects.filter(is_active=True).order_by("name"))
    active = {p.pk for p in partners}
    children: dict[int, list[Partner]] = defaultdict(list)
    for partner in partners:
        if partner.parent_id in active:
            children[partner.parent_id].append(partner)
    placed: set[int] = set()

    def build(partner: Partner) -> PartnerNode:
        placed.add(partner.pk)
        return PartnerNode(partner, [build(c) for c in children[partner.pk] if c.pk not in placed])

    roots = [build(p) for p in partners if p.parent_id not in active]
    roots += [build(p) for p in partners if p.pk not in placed]  # only a loop of parents gets here
    by_kind: dict[str, list[PartnerNode]] = defaultdict(list)
    for node in roots:
        by_kind[node.partner.kind].append(node)
    return [PartnerGroup(kind, label, by_kind[kind]) for kind, label in PartnerKind.choices if by_kind[kind]]


@dataclass(frozen=True)
class PartnerPage:
    partner: Partner
    parts: list[Partner]


def partner_page(pk: int) -> PartnerPage:
    """An active partner with its parent and its active parts; 404 for an unknown or inactive one. Two
    queries."""
    partner = Partner.objects.filter(pk=pk, is_active=True).select_related("parent").first()
    if partner is None:
        raise Http404
    parts = list(partner.parts.filter(is_active=True).order_by("name"))
    return PartnerPage(partner, parts)


def editing(user: Person) -> dict[str, bool]:
    """What the contacts and partners pages say about editing: the details are kept in the admin site's
    register, linked only for whoever may edit it; the central coordinator is told whom to ask."""
    return {
        "can_edit": permissions.can(user, Action.MANAGE_ORGANISATIONS),
        "is_central": permissions.has_role(user, Role.CENTRAL_COORDINATOR),
    }
