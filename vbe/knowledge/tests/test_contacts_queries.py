"""The contacts and partners pages keep to the query bound (≤ 20) with the city grown past its real
size, and make no more queries when it grows: 13+ districts, 60 organisations, many coordinators,
nested partners, and a user with memberships in several organisations."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import sign_in_client
from vbe.accounts.models import Membership, Role, User
from vbe.organisations.models import (
    ContactPurpose,
    ContactRoute,
    District,
    Neighbourhood,
    Organisation,
    OrganisationKind,
    Partner,
    PartnerKind,
    Unit,
    UnitKind,
)

MAX_QUERIES = 20


def _grow(n: int) -> None:
    """``n`` more districts with councils, receptions and coordinators, and ``n`` more partners."""
    start = District.objects.count()
    for i in range(start, start + n):
        district = District.objects.create(code=f"9{i:04d}", name=f"Testområde {i}")
        council = Organisation.objects.create(
            name=f"Testområde {i} stadsdelsnämnd",
            slug=f"testomrade-{i}",
            kind=OrganisationKind.DISTRICT_COUNCIL,
            district=district,
            requires_coordinator=True,
        )
        ContactRoute.objects.create(
            organisation=council, purpose=ContactPurpose.CHILD_WELFARE_RECEPTION, name=f"Mottagningen {i}"
        )
        user = User.objects.create_user(email=f"samordnare{i}@test.example", full_name=f"Samordnare {i}")
        Membership.objects.create(user=user, organisation=council, role=Role.COORDINATOR)
    police = Partner.objects.get(name="Polisregion Stockholm")
    for i in range(Partner.objects.count(), Partner.objects.count() + n):
        Partner.objects.create(name=f"Lokalpolisområde Test {i}", kind=PartnerKind.POLICE, parent=police)


def _busy_user(cast) -> User:
    """A user in five organisations, one membership through a unit in a district."""
    user = User.objects.create_user(email="manga@test.example", password="x-losenord-123", full_name="Många")
    unit = Unit.objects.create(
        organisation=Organisation.objects.get(slug="kulturnamnden"),
        name="Testbiblioteket",
        kind=UnitKind.LIBRARY,
        neighbourhood=Neighbourhood.objects.get(name="Skärholmen"),
    )
    Membership.objects.create(user=user, organisation=unit.organisation, unit=unit, role=Role.STAFF)
    for slug in ("jarva", "bromma", "socialnamnden", "forskolenamnden"):
        Membership.objects.create(user=user, organisation=Organisation.objects.get(slug=slug), role=Role.STAFF)
    return user


def _counts(client, paths: list[str]) -> dict[str, int]:
    counts = {}
    for path in paths:
        assert client.get(path).status_code == 200, path  # warm-up: per-process caches filled
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        counts[path] = len(queries)
    return counts


def test_contacts_and_partners_keep_to_the_bound_and_do_not_grow_with_the_city(cast):
    user = _busy_user(cast)
    client = cast.client(None)
    sign_in_client(client, user)
    partner = Partner.objects.get(name="Polisregion Stockholm").pk
    paths = ["/stod/kontakter/", "/stod/samverkanspartner/", f"/stod/samverkanspartner/{partner}/"]

    _grow(2)  # 13 districts
    small = _counts(client, paths)
    _grow(40)  # 53 districts; with the rest of the tree, well past 60 organisations
    assert Organisation.objects.count() >= 60 and District.objects.count() >= 13
    large = _counts(client, paths)

    assert max(large.values()) <= MAX_QUERIES, large
    assert large == small, (small, large)
    html = client.get("/stod/kontakter/").content.decode()
    assert html.count('id="mottagning-') == District.objects.count()
    assert "Ditt område: Skärholmen" in html and "Ditt område: Järva" in html
