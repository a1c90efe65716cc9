"""The guide names the child's district council's reception for orosanmälan from its ContactRoute, and
keeps its default advice when the council has none registered."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vbe.organisations.models import ContactPurpose, ContactRoute

JARVA = {"barn": "ja", "omrade": "80132"}


def _reception():
    return ContactRoute.objects.filter(organisation__slug="jarva", purpose=ContactPurpose.CHILD_WELFARE_RECEPTION)


def test_guide_shows_the_councils_reception_route(db):
    _reception().update(phone="08-123 456 78", url="https://mottagning.example/jarva")
    page = Client().get("/oro/", JARVA).content.decode()
    box = page.split('id="mottagning"')[1].split("</div>")[0]
    assert "Järva stadsdelsnämnd" in box
    assert "Socialtjänstens mottagning för barn och unga, Järva" in box
    assert "stadsdelsområdet Järva" in box  # the route's text
    assert 'href="tel:0812345678"' in box and 'href="https://mottagning.example/jarva"' in box
    assert "via stadens växel" not in box and "08-508" not in page


def test_guide_keeps_its_default_advice_without_a_route(db):
    _reception().delete()
    page = Client().get("/oro/", JARVA).content.decode()
    box = page.split('id="mottagning"')[1].split("</div>")[0]
    assert "Järva stadsdelsnämnd" in box
    assert "Kontakta stadsdelsförvaltningens socialtjänst via stadens växel." in box


def test_guide_reads_the_route_with_the_council(db):
    """One query for the council and one for its routes, whether or not a route exists."""

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get("/oro/", JARVA).status_code == 200
        return len(ctx.captured_queries)

    with_route = count()
    _reception().delete()
    assert count() == with_route
    assert with_route <= 20
