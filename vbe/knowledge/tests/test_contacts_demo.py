"""The demo city's contact details: synthetic, at .example, no phone numbers, idempotent."""

from __future__ import annotations

from vbe.knowledge.demo_contacts import seed_contacts
from vbe.organisations.models import ContactPurpose, ContactRoute


def test_seed_fills_every_route_with_clearly_fake_details_once(reference_data):
    routes = ContactRoute.objects.count()

    assert seed_contacts() == routes
    assert seed_contacts() == 0  # a second run changes nothing

    for route in ContactRoute.objects.all():
        assert route.email.endswith(".example"), route.email
        assert route.opening_hours
        assert route.phone == ""  # no made-up number that could be someone's
    receptions = ContactRoute.objects.filter(purpose=ContactPurpose.CHILD_WELFARE_RECEPTION)
    assert all(".example/" in r.url for r in receptions)


def test_seed_never_overwrites_a_typed_value(reference_data):
    jarva = ContactRoute.objects.get(organisation__slug="jarva", purpose=ContactPurpose.CHILD_WELFARE_RECEPTION)
    jarva.email = "egen@jarva.example"
    jarva.save()

    seed_contacts()

    jarva.refresh_from_db()
    assert jarva.email == "egen@jarva.example"
    assert jarva.opening_hours  # the empty fields were filled
