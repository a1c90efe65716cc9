"""The report form reads no district or neighbourhood shapes per request: its map is drawn once per
process (vbe.organisations.shapes) and drawn again when the districts change in the database, by a
merge or an edit from any process; its lists read names only. Its queries do not grow with the
number of districts, neighbourhoods or units."""

from __future__ import annotations

import copy
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.core import svg
from vbe.incidents.models import Incident
from vbe.incidents.tests.factories import JARVA
from vbe.incidents.tests.test_report import form_data
from vbe.organisations import shapes
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit, UnitKind
from vbe.organisations.services import merge_districts

PATH = "/handelser/rapportera/"
BROMMA = "80106"
# SQLite's row stamp (vbe.organisations.shapes) reads the length of the GeoJSON text, not the text.
SQLITE_STAMP = re.compile(r'LENGTH\(CAST\("organisations_district"\."geometry" AS text\)\)')


def _reads_geometry(sql: str) -> bool:
    return '"geometry"' in SQLITE_STAMP.sub("", sql)


def _requests(client) -> dict[str, list[str]]:
    """The SQL of a GET, a GET with a district chosen, a POST with errors and a POST that reports."""
    captured = {}
    for name, send in (
        ("get", lambda: client.get(PATH)),
        ("get chosen", lambda: client.get(PATH, {"omrade": JARVA})),
        ("post with errors", lambda: client.post(PATH, form_data(description=""))),
        ("post", lambda: client.post(PATH, form_data())),
    ):
        with CaptureQueriesContext(connection) as ctx:
            response = send()
        assert response.status_code == {"post with errors": 400, "post": 302}.get(name, 200), name
        captured[name] = [q["sql"] for q in ctx.captured_queries]
    return captured


def _counts(client) -> dict[str, int]:
    return {name: len(sql) for name, sql in _requests(client).items()}


def _map_paths(page: str) -> dict[str, str]:
    """Each district's path on the report form's map, by code."""
    return dict(
        re.findall(
            r'<a class="app-map__link" href="/handelser/rapportera/\?omrade=(\w+)#plats"[^>]*>'
            r'<title>[^<]*</title><path class="[^"]*" fill-rule="evenodd" d="([^"]+)"',
            page,
        )
    )


@pytest.fixture
def geometry_loads(monkeypatch) -> list[str]:
    """Every district or neighbourhood shape read from the database and decoded, by model."""
    loaded: list[str] = []
    for model in (District, Neighbourhood):
        field = model._meta.get_field("geometry")
        original = field.from_db_value

        def spy(value, expression, conn, *, _original=original, _name=model.__name__):
            loaded.append(_name)
            return _original(value, expression, conn)

        monkeypatch.setattr(field, "from_db_value", spy)
    return loaded


def test_no_shape_is_read_once_the_map_is_drawn(cast, geometry_loads):
    client = cast.client("staff")
    client.get(PATH)  # draws the map, if this process has not yet
    geometry_loads.clear()
    for name, queries in _requests(client).items():
        assert not [sql for sql in queries if _reads_geometry(sql)], name
    assert geometry_loads == []
    assert Incident.objects.filter(reporter=cast["staff"]).count() == 1  # the POST did report


def test_the_map_is_drawn_once_and_reused(cast, monkeypatch):
    drawn = []
    original = svg.draw_outlines
    monkeypatch.setattr(svg, "draw_outlines", lambda *a, **kw: drawn.append(1) or original(*a, **kw))
    client = cast.client("staff")
    first = client.get(PATH).content.decode()
    second = client.get(PATH).content.decode()
    assert len(drawn) <= 1  # none if an earlier test of this process drew the same districts
    assert _map_paths(first) == _map_paths(second) and len(_map_paths(first)) == 11


def test_queries_do_not_grow_with_districts_neighbourhoods_or_units(cast):
    client = cast.client("staff")
    _requests(client)  # draws the map; the first report also starts the reference and log counters
    before = _counts(client)
    square = {"type": "Polygon", "coordinates": [[[18.0, 59.2], [18.02, 59.2], [18.02, 59.21], [18.0, 59.2]]]}
    jarva_council = Organisation.objects.get(district__code=JARVA)
    for i in range(3):
        district = District.objects.create(code=f"9990{i}", name=f"Testområde {i}", geometry=square)
        for j in range(5):
            neighbourhood = Neighbourhood.objects.create(
                name=f"Teststadsdel {i}-{j}", district=district, geometry=square
            )
            Unit.objects.create(
                organisation=jarva_council,
                name=f"Testskolan {i}-{j}",
                kind=UnitKind.SCHOOL,
                neighbourhood=neighbourhood,
            )
    page = client.get(PATH).content.decode()  # the districts changed: the map is drawn again, once
    assert {"99900", "99901", "99902"} <= set(_map_paths(page)) and "Testskolan 2-4" in page
    after = _counts(client)
    assert after == before
    # The page: session, user, memberships, units, neighbourhoods, districts (the list, the map's one
    # small query). A report adds its writes, the access log, the notifications and the statistics'
    # recount of its month and district (vbe.statistics.summary: up to five).
    assert after["get"] <= 10 and after["get chosen"] <= 10 and after["post with errors"] <= 10
    assert after["post"] <= 32


def test_a_merge_shows_on_the_map_at_the_next_request(cast):
    client = cast.client("staff")
    before = _map_paths(client.get(PATH).content.decode())
    assert BROMMA in before
    jarva, bromma = District.objects.get(code=JARVA), District.objects.get(code=BROMMA)
    merge_districts(sources=[bromma], target=jarva, actor=None)
    page = client.get(PATH).content.decode()
    after = _map_paths(page)
    assert BROMMA not in after and f'<option value="{BROMMA}"' not in page
    assert after[JARVA] != before[JARVA]  # Järva's outline now holds Bromma's too
    assert len(after[JARVA]) > len(before[JARVA])


def test_a_shape_edited_elsewhere_shows_at_the_next_request(cast):
    """An UPDATE without Django's signals, as another app server's merge would look to this one."""
    client = cast.client("staff")
    before = _map_paths(client.get(PATH).content.decode())
    square = {"type": "Polygon", "coordinates": [[[17.9, 59.4], [17.95, 59.4], [17.95, 59.42], [17.9, 59.42]]]}
    District.objects.filter(code=JARVA).update(geometry=square)
    after = _map_paths(client.get(PATH).content.decode())
    assert after[JARVA] != before[JARVA]
    assert len(re.findall(r"[\d.]+", after[JARVA])) == 8  # the square's four corners


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the row version (xmin) exists on PostgreSQL")
def test_an_edit_that_keeps_the_text_length_shows_on_postgresql(cast):
    client = cast.client("staff")
    before = _map_paths(client.get(PATH).content.decode())
    geometry = copy.deepcopy(District.objects.get(code=JARVA).geometry)
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else geometry["coordinates"][0]
    rings[0].reverse()  # the same points the other way round: the same length of text, another path
    District.objects.filter(code=JARVA).update(geometry=geometry)
    after = _map_paths(client.get(PATH).content.decode())
    assert after[JARVA] != before[JARVA]


def test_the_districts_and_outlines_come_from_one_small_query_once_drawn(db):
    shapes.district_map()
    with CaptureQueriesContext(connection) as ctx:
        district_map = shapes.district_map()
    assert len(ctx.captured_queries) == 1 and not _reads_geometry(ctx.captured_queries[0]["sql"])
    active = set(District.objects.filter(is_active=True).values_list("code", flat=True))
    assert district_map.active_codes() == active
    assert {d.code for d in district_map.on_map()} == set(district_map.outlines.areas) == active
