"""The contacts reference data (data/stockholm/contacts.json): loaded with the organisations, loading
twice changes nothing, and nothing an administrator typed is ever overwritten."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from vbe.organisations.models import ContactPurpose, ContactRoute, Organisation, OrganisationKind, Partner
from vbe.organisations.reference import load_contacts, load_organisations


def _state() -> tuple[list, list]:
    routes = list(ContactRoute.objects.order_by("pk").values())
    partners = list(Partner.objects.order_by("pk").values())
    return routes, partners


def test_every_district_council_has_a_reception_and_the_city_one_central_office_and_socialjour(reference_data):
    councils = Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COUNCIL)
    receptions = ContactRoute.objects.filter(purpose=ContactPurpose.CHILD_WELFARE_RECEPTION)
    assert set(receptions.values_list("organisation__slug", flat=True)) == set(councils.values_list("slug", flat=True))
    assert ContactRoute.objects.get(purpose=ContactPurpose.CENTRAL_OFFICE).organisation.slug == "ks"
    assert ContactRoute.objects.get(purpose=ContactPurpose.OUT_OF_HOURS).organisation.slug == "socialnamnden"
    # No detail the guideline does not give: the page says "uppgift saknas" until an administrator fills it.
    assert not ContactRoute.objects.exclude(phone="", email="", url="", opening_hours="").exists()


def test_partners_get_their_role_in_this_work_and_redex_sits_under_the_police(reference_data):
    assert Partner.objects.filter(is_active=True).exclude(role="").count() == Partner.objects.count()
    redex = Partner.objects.get(name="Redex (Reduktion av extremism)")
    assert redex.parent.name == "Polisregion Stockholm"
    assert "socialjouren" in redex.when_to_contact
    assert Partner.objects.get(name="Säkerhetspolisen").website.startswith("https://www.sakerhetspolisen.se/")
    assert not Partner.objects.exclude(phone="").exists()  # none is in the guideline


def test_loading_twice_changes_nothing(reference_data):
    before = _state()
    assert load_contacts() == {"contact_routes": 0, "partners": 0}
    counts = load_organisations()
    assert counts["contact_routes"] == 0 and counts["partners"] == 0
    assert _state() == before


def test_loading_never_overwrites_what_an_administrator_typed_or_emptied(reference_data):
    jarva = ContactRoute.objects.get(organisation__slug="jarva", purpose=ContactPurpose.CHILD_WELFARE_RECEPTION)
    jarva.name = "Mottagningen Järva (nytt namn)"
    jarva.description = ""  # emptied on purpose: stays empty
    jarva.email = "mottagning@jarva.example"
    jarva.save()
    police = Partner.objects.get(name="Polisregion Stockholm")
    police.role = "Egen text från administratören."
    police.phone = "112"
    police.save()
    sapo = Partner.objects.get(name="Säkerhetspolisen")
    sapo.website = ""  # emptied on purpose: stays empty
    sapo.save()

    load_contacts()

    jarva.refresh_from_db()
    police.refresh_from_db()
    sapo.refresh_from_db()
    assert (jarva.name, jarva.email, jarva.description) == (
        "Mottagningen Järva (nytt namn)",
        "mottagning@jarva.example",
        "",
    )
    assert (police.role, police.phone) == ("Egen text från administratören.", "112")
    assert sapo.website == "" and sapo.role  # the rest of what the file says is still there


def test_a_partner_from_before_contact_details_gets_them_once(reference_data):
    region = Partner.objects.get(name="Region Stockholm")
    Partner.objects.filter(pk=region.pk).update(role="", when_to_contact="")  # as rows were before 0002

    load_contacts()

    region.refresh_from_db()
    assert region.role and region.when_to_contact
    Partner.objects.filter(pk=region.pk).update(when_to_contact="")  # an administrator empties one field
    load_contacts()
    region.refresh_from_db()
    assert region.when_to_contact == ""


def test_a_moved_central_office_is_not_recreated_and_a_removed_route_is(reference_data):
    central = ContactRoute.objects.get(purpose=ContactPurpose.CENTRAL_OFFICE)
    central.organisation = Organisation.objects.get(slug="kf")
    central.save()
    ContactRoute.objects.filter(organisation__slug="farsta").delete()

    assert load_contacts()["contact_routes"] == 1  # Farsta's reception again; the central office stays moved

    assert list(
        ContactRoute.objects.filter(purpose=ContactPurpose.CENTRAL_OFFICE).values_list("organisation__slug", flat=True)
    ) == ["kf"]
    assert ContactRoute.objects.filter(organisation__slug="farsta").count() == 1


def test_an_organisation_the_file_names_but_the_database_lacks_is_skipped(reference_data):
    ContactRoute.objects.filter(organisation__slug="bromma").delete()
    Organisation.objects.filter(slug="bromma").update(slug="bromma-ny")

    assert load_contacts()["contact_routes"] == 0
    assert not ContactRoute.objects.filter(organisation__slug="bromma-ny").exists()


def test_the_city_has_one_central_office_and_one_route_per_purpose(reference_data):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRoute.objects.create(
            organisation=Organisation.objects.get(slug="kf"), purpose=ContactPurpose.CENTRAL_OFFICE, name="Andra"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRoute.objects.create(
            organisation=Organisation.objects.get(slug="jarva"),
            purpose=ContactPurpose.CHILD_WELFARE_RECEPTION,
            name="Andra mottagningen",
        )
    # Receptions are per organisation: another council may have its own.
    assert ContactRoute.objects.filter(purpose=ContactPurpose.CHILD_WELFARE_RECEPTION).count() == 11


def test_the_admin_site_shows_the_contact_details(cast):
    client = cast.client("admin")
    partner = Partner.objects.get(name="Region Stockholm")
    html = client.get(f"/admin/organisations/partner/{partner.pk}/change/").content.decode()
    for name in ("role", "when_to_contact", "phone", "email", "website"):
        assert f'name="{name}"' in html
    jarva = Organisation.objects.get(slug="jarva")
    html = client.get(f"/admin/organisations/organisation/{jarva.pk}/change/").content.decode()
    for name in ("purpose", "phone", "email", "url", "opening_hours"):
        assert f'name="contact_routes-0-{name}"' in html
    assert client.get(f"/admin/organisations/partner/{partner.pk}/change/").status_code == 200
    # The central coordinator reads the support pages but does not keep the register.
    assert (
        cast.client("central_coordinator").get(f"/admin/organisations/partner/{partner.pk}/change/").status_code == 403
    )


def test_every_change_of_contact_details_in_the_admin_site_is_logged(cast):
    """A reception's web form or a partner's number swapped for a false one is traced to its account."""
    from vbe.accounts.tests.test_four_eyes_hardening import organisation_form
    from vbe.audit.models import AccessLogEntry

    client = cast.client("admin")
    partner = Partner.objects.get(name="Region Stockholm")
    page = client.get(f"/admin/organisations/partner/{partner.pk}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(name=partner.name, kind=partner.kind, parent=partner.parent_id or "", phone="08-000 00 00")
    data["is_active"] = "on"
    response = client.post(f"/admin/organisations/partner/{partner.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    logged = AccessLogEntry.objects.get(action="partner_changed")
    assert (logged.object_id, logged.actor_id, logged.detail) == (str(partner.pk), cast["admin"].pk, "fält: phone")

    jarva = Organisation.objects.get(slug="jarva")
    route = jarva.contact_routes.get()
    form = organisation_form(jarva)
    form.update(
        {
            "contact_routes-TOTAL_FORMS": "1",
            "contact_routes-INITIAL_FORMS": "1",
            "contact_routes-0-id": route.pk,
            "contact_routes-0-organisation": jarva.pk,
            "contact_routes-0-purpose": route.purpose,
            "contact_routes-0-name": route.name,
            "contact_routes-0-description": route.description,
            "contact_routes-0-url": "https://falsk.example/orosanmalan",
        }
    )
    response = client.post(f"/admin/organisations/organisation/{jarva.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    logged = AccessLogEntry.objects.get(action="contact_route_changed")
    assert (logged.object_id, logged.detail) == (str(route.pk), "fält: url")
