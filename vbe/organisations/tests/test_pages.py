from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.accounts.models import Membership, Role, User
from vbe.organisations.models import Organisation, Unit, UnitKind


def test_organisation_list_groups_by_kind(cast):
    page = cast.client("staff").get("/organisationer/").content.decode()
    assert "Stadsdelsnämnd" in page and "Järva stadsdelsnämnd" in page and "AB Stockholmshem" in page


def test_organisation_page_shows_units_coordinators_and_responsibilities(cast):
    Unit.objects.create(
        organisation=Organisation.objects.get(slug="jarva"), name="Tensta testbibliotek", kind=UnitKind.LIBRARY
    )
    page = cast.client("staff").get("/organisationer/jarva/").content.decode()
    assert "Tensta testbibliotek" in page
    assert "coordinator@test.example" in page
    assert "Anhörigstöd" in page  # a focus area the district council is responsible for
    assert "Rinkeby" in page  # a neighbourhood of the district
    assert "Åtgärdsplan" in page  # a document the council owes every year


def test_unknown_organisation_is_404(cast):
    assert cast.client("staff").get("/organisationer/finns-inte/").status_code == 404


def test_organisation_page_paginates_units_and_survives_a_bad_page_number(cast):
    jarva = Organisation.objects.get(slug="jarva")
    Unit.objects.bulk_create(Unit(organisation=jarva, name=f"Enhet {i:03}", kind=UnitKind.OTHER) for i in range(120))
    client = cast.client("staff")
    assert "Enhet 000" in client.get("/organisationer/jarva/").content.decode()
    assert client.get("/organisationer/jarva/", {"sida": "3"}).status_code == 200
    assert client.get("/organisationer/jarva/", {"sida": "ett"}).status_code == 200


def test_coordinator_page_flags_organisations_without_one(cast):
    page = cast.client("staff").get("/organisationer/samordnare/").content.decode()
    assert "saknar lokal samordnare" in page
    gap_section = page.split("govuk-notification-banner__content")[1].split("</div>")[0]
    assert "Skärholmen stadsdelsnämnd" in gap_section
    assert "Järva stadsdelsnämnd" not in gap_section  # the cast has a coordinator there
    assert "Förskolenämnden" not in page  # not required to have one


def test_inactive_coordinator_does_not_count(cast):
    User.objects.filter(pk=cast["coordinator_other"].pk).update(is_active=False)
    page = cast.client("staff").get("/organisationer/samordnare/").content.decode()
    gap_section = page.split("govuk-notification-banner__content")[1].split("</div>")[0]
    assert "Södermalm stadsdelsnämnd" in gap_section


@pytest.mark.parametrize("path", ["/organisationer/", "/organisationer/samordnare/", "/organisationer/jarva/"])
def test_query_count_does_not_grow_with_data(cast, path):
    client = cast.client("staff")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    jarva = Organisation.objects.get(slug="jarva")
    for org in Organisation.objects.filter(requires_coordinator=True):
        for i in range(5):
            user = User.objects.create_user(email=f"c{i}.{org.slug}@test.example", password="x", full_name=f"C {i}")
            Membership.objects.create(user=user, organisation=org, role=Role.COORDINATOR)
    Unit.objects.bulk_create(Unit(organisation=jarva, name=f"Enhet {i}", kind=UnitKind.OTHER) for i in range(200))
    large = count()
    assert large == small
    assert large <= 20
