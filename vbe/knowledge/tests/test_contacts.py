"""/stod/kontakter/: who to call, generated from the coordinator registry and the contact routes."""

from __future__ import annotations

import re

import pytest

from conftest import sign_in_client
from vbe.accounts.models import Membership, Role, User
from vbe.organisations.models import (
    ContactPurpose,
    ContactRoute,
    District,
    Neighbourhood,
    Organisation,
    Unit,
    UnitKind,
)

URL = "/stod/kontakter/"


def _member(cast, email: str, slug: str, role: str = Role.STAFF, unit: Unit | None = None):
    user = User.objects.create_user(email=email, password="x-losenord-123", full_name=email.split("@")[0])
    Membership.objects.create(user=user, organisation=Organisation.objects.get(slug=slug), role=role, unit=unit)
    client = cast.client(None)
    sign_in_client(client, user)
    return user, client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_staff_see_112_their_coordinator_their_district_first_and_every_district(cast):
    response = cast.client("staff").get(URL)

    assert response.status_code == 200
    html = _text(response)
    assert "Akut: ring 112." in html
    assert "Test Coordinator" in html and 'href="mailto:coordinator@test.example"' in html
    mine = html.index("Ditt område: Järva")
    table = html.index("Alla stadsdelsområden")
    assert mine < table  # their own district before the city's list
    assert html.count('id="mottagning-') == District.objects.filter(is_active=True).count() == 11
    assert "Socialtjänstens mottagning för barn och unga, Järva" in html
    assert "Central samordning mot våldsbejakande extremism" in html
    assert "Socialjouren" in html
    assert 'href="/stod/samverkanspartner/"' in html
    assert "uppgift saknas" in html  # the reference data gives no numbers
    assert "Vakant" not in html


def test_a_coordinator_of_another_district_sees_that_district_first(cast):
    html = _text(cast.client("coordinator_other").get(URL))
    assert "Ditt område: Södermalm" in html
    assert "Ditt område: Järva" not in html


def test_a_unit_in_a_district_makes_that_district_the_users_own(cast):
    school = Unit.objects.create(
        organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        name="Testskolan i Rinkeby",
        kind=UnitKind.SCHOOL,
        neighbourhood=Neighbourhood.objects.get(name="Rinkeby"),
    )
    _, client = _member(cast, "larare@test.example", "utbildningsnamnden", unit=school)

    html = _text(client.get(URL))

    assert "Ditt område: Järva" in html
    assert "Test Coordinator Board" in html  # utbildningsnämnden's coordinator


def test_a_vacant_post_says_so_and_points_to_the_central_office(cast):
    _, client = _member(cast, "bromma-staff@test.example", "bromma")
    central = ContactRoute.objects.get(purpose=ContactPurpose.CENTRAL_OFFICE)
    central.email = "central@stad.example"
    central.save()

    html = _text(client.get(URL))

    assert "Vakant — kontakta den centrala samordningen." in html
    assert 'href="mailto:central@stad.example"' in html
    assert "Ditt område: Bromma" in html


def test_a_deactivated_coordinator_never_appears(cast):
    coordinator = cast["coordinator"]
    coordinator.is_active = False
    coordinator.save()

    html = _text(cast.client("staff").get(URL))

    assert "Test Coordinator," not in html and "coordinator@test.example" not in html
    assert "Vakant — kontakta den centrala samordningen." in html


def test_an_organisation_without_the_duty_and_a_user_without_one(cast):
    _, client = _member(cast, "forskola@test.example", "forskolenamnden")
    html = _text(client.get(URL))
    assert "Organisationen ska inte ha någon lokal samordnare enligt riktlinjerna." in html
    assert "Vakant" not in html
    assert "Ditt område" not in html  # no district of their own: the city's list only

    loner = User.objects.create_user(email="ensam@test.example", password="x-losenord-123", full_name="Ensam")
    client = cast.client(None)
    sign_in_client(client, loner)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Du är inte kopplad till någon organisation." in _text(response)


def test_filled_details_show_and_an_inactive_council_drops_out(cast):
    ContactRoute.objects.filter(organisation__slug="farsta").update(
        phone="000-000 00 00",
        email="farsta@mottagning.example",
        url="https://farsta.example/anmal/",
        opening_hours="Vardagar 8–16",
    )
    Organisation.objects.filter(slug="skarholmen").update(is_active=False)

    html = _text(cast.client("staff").get(URL))

    assert 'href="tel:0000000000"' in html
    assert 'href="mailto:farsta@mottagning.example"' in html
    assert 'href="https://farsta.example/anmal/"' in html
    assert "Vardagar 8–16" in html
    assert "Skärholmen" not in html
    assert html.count('id="mottagning-') == 10


def test_a_council_without_a_reception_still_shows_its_district(cast):
    ContactRoute.objects.filter(organisation__slug="bromma").delete()
    html = _text(cast.client("staff").get(URL))
    row = html[html.index('id="mottagning-80106"') :]
    row = row[: row.index("</tr>")]
    assert "Bromma stadsdelsnämnd" in row and "uppgift saknas" in row


def test_missing_central_office_and_socialjour_say_uppgift_saknas(cast):
    ContactRoute.objects.filter(purpose__in=[ContactPurpose.CENTRAL_OFFICE, ContactPurpose.OUT_OF_HOURS]).delete()
    response = cast.client("staff").get(URL)
    assert response.status_code == 200
    assert _text(response).count("Uppgift saknas: ingen kontaktväg är registrerad.") == 2


@pytest.mark.parametrize(
    ("role", "link", "note"),
    [
        ("admin", True, False),
        ("central_coordinator", False, True),
        ("staff", False, False),
        ("coordinator", False, False),
    ],
)
def test_where_the_details_are_kept_is_said_to_those_who_keep_them(cast, role, link, note):
    html = _text(cast.client(role).get(URL))
    assert ('href="/admin/organisations/organisation/"' in html) is link
    assert ("ändras av systemadministratören" in html) is note


def test_anonymous_is_sent_to_sign_in_and_a_post_is_refused(cast):
    response = cast.client(None).get(URL)
    assert response.status_code == 302 and "/logga-in/" in response["Location"]
    assert cast.client("staff").post(URL).status_code == 405
