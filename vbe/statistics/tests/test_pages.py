"""The statistics pages: exact counts only for the district's own coordinators, every small count
protected (also from what the other pages show), the charts' text alternatives, bounded queries."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.concerns.models import Concern
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.organisations.models import District
from vbe.statistics import city, dating
from vbe.statistics.suppression import Line, Mark, Shown
from vbe.statistics.tests.test_suppression import solutions

BROMMA = "80106"


@pytest.fixture
def known(cast):
    """Järva: 3 incidents (2 propaganda this month, 1 threat last month). Södermalm: 6 propaganda.
    Bromma: 12 graffiti, 6 this month and 6 last month. One more in Järva, long ago."""
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    staff = cast["staff"]
    make_incident(reporter=staff, occurred_on=today, environment=Environment.RIGHT_WING)
    make_incident(reporter=staff, occurred_on=today, environment=Environment.ISLAMIST)
    make_incident(reporter=staff, occurred_on=last_month, category=Category.THREAT, environment=Environment.RIGHT_WING)
    for _ in range(6):
        make_incident(reporter=staff, district_code=SODERMALM, occurred_on=today)
    for day in (today, last_month):
        for _ in range(6):
            make_incident(reporter=staff, district_code=BROMMA, occurred_on=day, category=Category.GRAFFITI)
    make_incident(reporter=staff, occurred_on=today - timedelta(days=800))  # outside the last twelve months
    return today, last_month


def test_the_city_table_counts_in_the_database(known):
    today, last_month = known
    [counts] = city.incident_counts(dating.last_twelve_months(today))
    table = city.build(
        counts,
        dimensions=city.INCIDENT_DIMENSIONS,
        exact_places=set(District.objects.values_list("pk", flat=True)),
        districts_apart=True,
    )
    jarva = District.objects.get(code=JARVA).pk
    assert table.get(jarva, city.MONTH, today.replace(day=1)) == Shown(2)
    assert table.get(jarva, city.MONTH, last_month.replace(day=1)) == Shown(1)
    assert (table.get(jarva, "category", "propaganda"), table.get(jarva, "category", "threat")) == (Shown(2), Shown(1))
    assert table.get(jarva, "environment", "islamist") == Shown(1)
    assert table.total(jarva) == Shown(3)
    assert table.total() == Shown(3 + 6 + 12)  # the city; nothing hidden, every district exact
    assert table.get(city.CITY, "category", "graffiti") == Shown(12)


# --- Reading the pages -------------------------------------------------------------------------------------


def _cell(page: str, label: str) -> str:
    """The figure in the table row headed ``label``."""
    match = re.search(
        rf'<th scope="row" class="govuk-table__header">(?:<a [^>]*>)?{re.escape(str(label))}(?:</a>)?</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>',
        page,
    )
    assert match, f"no row {label!r}"
    return match.group(1)


def _section(page: str, key: str) -> str:
    return page.split(f'id="{key}-heading"', 1)[1].split("</section>", 1)[0]


def _rows(section: str) -> dict[str, str]:
    return {
        html.unescape(label): html.unescape(text)
        for label, text in re.findall(
            r'<th scope="row" class="govuk-table__header">(?:<a [^>]*>)?([^<]*)(?:</a>)?</th>'
            r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>',
            section,
        )
    }


def _total(page: str) -> str:
    return html.unescape(re.search(r'<p class="govuk-body-l">\s*(\S+) rapporterade händelser', page).group(1))


def _figure(text: str) -> Shown:
    if text == "<5":
        return Shown(0, Mark.PRIMARY)
    return Shown(0, Mark.SECONDARY) if text == "x" else Shown(int(text))


def _what_the_pages_show(client, districts: list[str]) -> tuple[dict, list[Line]]:
    """Every incident figure of the city page and the given districts' pages, and how they add up."""
    table, lines = {}, []
    city_page = client.get("/handelser/statistik/").content.decode()
    table[("city", "total")] = _figure(_total(city_page))
    names = {}
    for code in districts:
        page = client.get(f"/handelser/statistik/{code}/").content.decode()
        name = District.objects.get(code=code).name
        names[code] = name
        table[(code, "total")] = _figure(_total(page))
        for key in ("months", "categories", "environments"):
            rows = _rows(_section(page, key))
            table |= {(code, key, label): _figure(text) for label, text in rows.items()}
            lines.append(Line((code, "total"), tuple((code, key, label) for label in rows)))
        rows = _rows(_section(page, "neighbourhoods"))
        table |= {(code, "neighbourhood", label): _figure(text) for label, text in rows.items()}
        lines.append(Line((code, "total"), tuple((code, "neighbourhood", label) for label in rows)))
    district_rows = _rows(_section(city_page, "districts"))
    for code, name in names.items():
        # The city's row for a district is the district page's total.
        assert _figure(district_rows.pop(name)).text == table[(code, "total")].text
    table |= {("city", "district", name): _figure(text) for name, text in district_rows.items()}
    lines.append(
        Line(
            ("city", "total"), (*((code, "total") for code in names), *(("city", "district", n) for n in district_rows))
        )
    )
    for key in ("months", "categories", "environments"):
        rows = _rows(_section(city_page, key))
        table |= {("city", key, label): _figure(text) for label, text in rows.items()}
        lines.append(Line(("city", "total"), tuple(("city", key, label) for label in rows)))
        for label in rows:  # the city's figure is the districts' figures added up
            lines.append(Line(("city", key, label), tuple((code, key, label) for code in names)))
    return table, lines


def test_no_hidden_figure_can_be_worked_out_from_the_pages_together(cast, known):
    """A reader outside the councils subtracts every shown figure from every shown total, on the city
    page, the district pages and between them (the city's month is the districts' months added up)."""
    client = cast.client("central_coordinator")
    table, lines = _what_the_pages_show(client, [JARVA, SODERMALM, BROMMA])
    assert table[(JARVA, "total")].text == "<5" and table[(JARVA, "categories", "Hot")].text == "<5"
    # Every other district is shown on the city page as 0: the lines hold only the three with incidents.
    cap = 3 + 6 + 12
    found = solutions({k: f for k, f in table.items()}, lines, cap)
    assert found and all(len(values) > 1 for values in found.values()), {k: v for k, v in found.items() if len(v) == 1}


def test_district_page_shows_exact_counts_only_to_its_own_council(cast, known):
    own = cast.client("coordinator").get(f"/handelser/statistik/{JARVA}/").content.decode()
    other = cast.client("coordinator_other").get(f"/handelser/statistik/{JARVA}/").content.decode()
    assert "3 rapporterade händelser" in own
    assert "&lt;5 rapporterade händelser" in other
    category = Category.PROPAGANDA.label
    assert (_cell(own, category), _cell(other, category)) == ("2", "&lt;5")
    assert (_cell(own, "Hot"), _cell(other, "Hot")) == ("1", "&lt;5")
    assert _cell(other, "Våld") == "0"
    assert _cell(own, Environment.ISLAMIST.label) == "1"
    # Nothing in the chart tells the other council the exact figure either.
    assert "Hot: 1" not in other and "Hot: &lt;5" in other


def test_city_page_suppresses_each_district_except_for_its_own_coordinators(cast, known):
    own = cast.client("coordinator").get("/handelser/statistik/").content.decode()
    other = cast.client("coordinator_other").get("/handelser/statistik/").content.decode()
    central = cast.client("central_coordinator").get("/handelser/statistik/").content.decode()
    assert (_cell(own, "Järva"), _cell(other, "Järva"), _cell(central, "Järva")) == ("3", "&lt;5", "&lt;5")
    assert _cell(central, "Skärholmen") == "0"
    # Järva's coordinator knows Järva's counts: nothing else is small, so nothing is hidden for them.
    assert (_cell(own, "Södermalm"), _cell(own, "Bromma")) == ("6", "12") and "21 rapporterade händelser" in own
    # For everyone else the city's 21 less Södermalm's 6 and Bromma's 12 would give Järva's 3 away:
    # a count beside it goes too.
    for page in (other, central):
        beside = [_cell(page, "Södermalm"), _cell(page, "Bromma"), _total(page)]
        assert "x" in beside, beside
    assert "x är ett antal på 5 eller fler" in central and "x är ett antal" not in own
    assert "Du ser exakta antal för Järva" in own and "Du ser exakta antal" not in central
    # The map's labels and description use the same shown figures.
    assert "Järva: &lt;5" in other and "Järva: 3" in own
    assert f"Södermalm: {_cell(central, 'Södermalm')}" in central


def test_figures_for_a_chosen_year(cast, known):
    today, _ = known
    old_year = (today - timedelta(days=800)).year
    page = cast.client("coordinator").get(f"/handelser/statistik/{JARVA}/", {"ar": old_year}).content.decode()
    assert "1 rapporterade händelser" in page
    assert f"{old_year}" in page


@pytest.mark.parametrize("ar", ["tjugo", "1900", "<script>"])
def test_bad_year_is_an_error_summary_not_a_crash(cast, ar):
    response = cast.client("staff").get("/handelser/statistik/", {"ar": ar})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Välj ett av åren i listan." in page and "<script>" not in page


def test_unknown_district_is_404(cast):
    assert cast.client("staff").get("/handelser/statistik/99999/").status_code == 404


def test_charts_have_text_alternatives_and_tables(cast, known):
    page = cast.client("coordinator").get(f"/handelser/statistik/{JARVA}/").content.decode()
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 5  # incidents per month, type and environment; concerns per month and environment
    for tag in svgs:
        assert 'role="img"' in tag and "aria-labelledby" in tag and "aria-describedby" in tag
    assert page.count("<title id=") == 5 and page.count("<desc id=") == 5
    assert page.count("Siffrorna i diagrammet") == 5
    city_page = cast.client("coordinator").get("/handelser/statistik/").content.decode()
    assert 'id="chart-districts"' in city_page and "Teckenförklaring" in city_page
    assert "app-map__area--shade-" in city_page


def test_no_style_attributes_for_the_strict_csp(cast, known):
    for path in ("/handelser/statistik/", f"/handelser/statistik/{JARVA}/"):
        assert " style=" not in cast.client("coordinator").get(path).content.decode(), path


def test_concerns_appear_in_the_situation_picture_protected(cast, known):
    from vbe.concerns.tests.conftest import submit_test_concern

    for i in range(6):
        submit_test_concern(cast, key=f"s{i}")
    page = cast.client("coordinator").get(f"/handelser/statistik/{JARVA}/").content.decode()
    section = page.split("Oro för individer per månad", 1)[1]
    assert ">6</td>" in section  # six concerns received this month: above the limit, shown exactly
    assert "dagen då rapporten togs emot: 6 under perioden" in page
    Concern.objects.filter(idempotency_key__in=["s0", "s1", "s2"]).delete()
    page = cast.client("coordinator").get(f"/handelser/statistik/{JARVA}/").content.decode()
    assert "&lt;5</td>" in page.split("Oro för individer per månad", 1)[1]  # never exact, even to the coordinator
    assert "dagen då rapporten togs emot: &lt;5 under perioden" in page


# --- Bounded queries -------------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path", ["/handelser/statistik/", f"/handelser/statistik/{JARVA}/", "/handelser/statistik/?ar=2025"]
)
def test_query_count_is_bounded_and_does_not_grow_with_data(cast, path):
    """A page sums the summary tables once after they changed (any write counted) and then reads only the
    snapshot of them until they change again: either way the same number of queries, however many rows."""
    client = cast.client("coordinator")
    make_incident(reporter=cast["coordinator"])
    _queries(client, path)  # the first request of a session fills caches
    kept = _queries(client, path)
    make_incident(reporter=cast["coordinator"])
    summed = _queries(client, path)
    today = timezone.localdate()
    for i in range(60):
        make_incident(
            reporter=cast["coordinator"],
            district_code=[JARVA, SODERMALM][i % 2],
            occurred_on=today - timedelta(days=i * 11),
            category=Category.values[i % len(Category.values)],
            environment=Environment.values[i % len(Environment.values)],
        )
    assert (_queries(client, path), _queries(client, path)) == (summed, kept)
    assert kept < summed <= 20
