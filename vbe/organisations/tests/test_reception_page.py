"""The organisation page shows the council's reception for orosanmälan from its ContactRoute."""

from __future__ import annotations

from vbe.organisations.models import ContactPurpose, ContactRoute, Organisation


def test_organisation_page_shows_the_reception_route(cast):
    ContactRoute.objects.filter(organisation__slug="jarva", purpose=ContactPurpose.CHILD_WELFARE_RECEPTION).update(
        phone="08-123 456 78", email="mottagning.jarva@stad.example", opening_hours="Vardagar 8–16"
    )
    page = cast.client("staff").get("/organisationer/jarva/").content.decode()
    assert "Orosanmälan om barn" in page
    assert "Socialtjänstens mottagning för barn och unga, Järva" in page
    assert 'href="tel:0812345678"' in page and "mottagning.jarva@stad.example" in page and "Vardagar 8–16" in page
    assert "08-508" not in page


def test_organisation_without_a_reception_shows_no_reception_row(cast):
    ContactRoute.objects.filter(organisation__slug="jarva", purpose=ContactPurpose.CHILD_WELFARE_RECEPTION).delete()
    page = cast.client("staff").get("/organisationer/jarva/").content.decode()
    assert "Orosanmälan om barn" not in page
    assert Organisation.objects.get(slug="jarva").contact_routes.filter(purpose="child_welfare_reception").count() == 0
