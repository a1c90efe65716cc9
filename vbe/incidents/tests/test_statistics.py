"""Situation statistics: suppression, hand-computed figures, the charts' text alternatives, bounded queries."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.concerns.models import Concern
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import statistics
from vbe.incidents.models import Category, Incident
from vbe.incidents.statistics import shown_count
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident

# --- Suppression, on its own ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "exact", "shown"),
    [
        (0, False, "0"),
        (1, False, "<5"),
        (4, False, "<5"),
        (5, False, "5"),
        (123, False, "123"),
        (0, True, "0"),
        (1, True, "1"),
        (4, True, "4"),
        (5, True, "5"),
    ],
)
def test_small_counts_are_suppressed_outside_the_handling_organisation(count, exact, shown):
    assert shown_count(count, exact=exact) == shown


def test_suppressed_counts_are_drawn_alike():
    assert {statistics.drawn_count(n, exact=False) for n in (1, 2, 3, 4)} == {4}
    assert statistics.drawn_count(0, exact=False) == 0
    assert statistics.drawn_count(2, exact=True) == 2


def test_shade_classes_keep_1_to_4_together():
    classes = statistics.shade_classes([0, 3, 7, 40], suppressed=True)
    assert [c.label for c in classes] == ["0", "<5", "5–16", "17–28", "29–40"]
    assert [statistics.shade_of(n, classes) for n in (0, 1, 4, 5, 16, 17, 40)] == [0, 1, 1, 2, 2, 3, 4]
    assert [c.label for c in statistics.shade_classes([2, 3], suppressed=False)] == ["0", "1–4"]
    assert [c.label for c in statistics.shade_classes([6], suppressed=True)] == ["0", "<5", "5", "6"]


def test_periods():
    period = statistics.last_twelve_months(date(2026, 3, 15))
    assert (period.start, period.end) == (date(2025, 4, 1), date(2026, 3, 15))
    assert period.months[0] == date(2025, 4, 1) and period.months[-1] == date(2026, 3, 1) and len(period.months) == 12
    year = statistics.calendar_year(2025)
    assert (year.start, year.end, len(year.months)) == (date(2025, 1, 1), date(2025, 12, 31), 12)


# --- Counting matches hand-computed figures -------------------------------------------------------------


@pytest.fixture
def known(cast):
    """Järva: 3 incidents (2 propaganda this month, 1 threat last month). Södermalm: 6 propaganda."""
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    staff = cast["staff"]
    make_incident(reporter=staff, occurred_on=today, environment=Environment.RIGHT_WING)
    make_incident(reporter=staff, occurred_on=today, environment=Environment.ISLAMIST)
    make_incident(reporter=staff, occurred_on=last_month, category=Category.THREAT, environment=Environment.RIGHT_WING)
    for _ in range(6):
        make_incident(reporter=staff, district_code=SODERMALM, occurred_on=today)
    make_incident(reporter=staff, occurred_on=today - timedelta(days=800))  # outside the last twelve months
    return today, last_month


def test_breakdown_counts_in_the_database(known):
    today, last_month = known
    counts = statistics.breakdown(
        Incident.objects.filter(district__code=JARVA),
        period=statistics.last_twelve_months(today),
        date_field="occurred_on",
        fields=["category", "environment"],
    )
    assert counts.by_month == {today.replace(day=1): 2, last_month.replace(day=1): 1}
    assert counts.by_field["category"] == {"propaganda": 2, "threat": 1}
    assert counts.by_field["environment"] == {"right_wing": 2, "islamist": 1}
    assert counts.total == 3


def _cell(page: str, label: str) -> str:
    """The figure in the table row headed ``label``."""
    match = re.search(
        rf'<th scope="row" class="govuk-table__header">(?:<a [^>]*>)?{re.escape(str(label))}(?:</a>)?</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>',
        page,
    )
    assert match, f"no row {label!r}"
    return match.group(1)


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
    assert _cell(other, "Södermalm") == _cell(own, "Södermalm") == "6"
    assert _cell(central, "Bromma") == "0"
    assert "9 rapporterade händelser" in central  # the city: 3 + 6 within the last twelve months
    assert "Du ser exakta antal för Järva" in own and "Du ser exakta antal" not in central
    # The map's labels and description use the same shown figures.
    assert "Järva: &lt;5" in other and "Järva: 3" in own


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
    city = cast.client("coordinator").get("/handelser/statistik/").content.decode()
    assert 'id="chart-districts"' in city and "Teckenförklaring" in city and "app-map__area--shade-" in city


def test_no_style_attributes_for_the_strict_csp(cast, known):
    for path in ("/handelser/statistik/", f"/handelser/statistik/{JARVA}/", "/handelser/rapportera/"):
        assert " style=" not in cast.client("coordinator").get(path).content.decode(), path


# --- Bounded queries -------------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/handelser/statistik/",
        f"/handelser/statistik/{JARVA}/",
        "/handelser/statistik/?ar=2025",
        "/handelser/",
        "/handelser/mina/",
        "/handelser/rapportera/",
    ],
)
def test_query_count_is_bounded_and_does_not_grow_with_data(cast, path):
    client = cast.client("coordinator")
    make_incident(reporter=cast["coordinator"])
    _queries(client, path)  # the first request of a session fills caches
    small = _queries(client, path)
    today = timezone.localdate()
    for i in range(60):
        make_incident(
            reporter=cast["coordinator"],
            district_code=[JARVA, SODERMALM][i % 2],
            occurred_on=today - timedelta(days=i * 11),
            category=Category.values[i % len(Category.values)],
            environment=Environment.values[i % len(Environment.values)],
        )
    large = _queries(client, path)
    assert large == small
    assert large <= 20


def test_detail_query_count_is_bounded(cast):
    from vbe.incidents.tests.factories import attach_photo

    incident = make_incident(reporter=cast["staff"])
    client = cast.client("coordinator")
    _queries(client, f"/handelser/{incident.pk}/")  # the first request of a session fills caches
    small = _queries(client, f"/handelser/{incident.pk}/")
    for _ in range(3):
        attach_photo(incident)
    assert _queries(client, f"/handelser/{incident.pk}/") == small <= 20


def test_concerns_appear_in_the_situation_picture_suppressed(cast, known):
    import datetime

    from vbe.concerns.tests.conftest import submit_test_concern

    for i in range(6):
        submit_test_concern(cast, key=f"s{i}")
    Concern.objects.update(observed_on=datetime.date.today())
    page = cast.client("coordinator").get(f"/handelser/statistik/{JARVA}/").content.decode()
    section = page.split("Oro för individer per månad", 1)[1]
    assert ">6</td>" in section  # six concerns this month: above the limit, shown exactly
    Concern.objects.filter(idempotency_key__in=["s0", "s1", "s2"]).delete()
    page = cast.client("coordinator").get(f"/handelser/statistik/{JARVA}/").content.decode()
    assert "&lt;5</td>" in page.split("Oro för individer per månad", 1)[1]
