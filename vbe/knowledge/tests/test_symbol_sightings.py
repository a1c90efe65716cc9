"""An entry's "Här har den setts": the incidents that named the symbol in the last 12 months, per district,
with small counts suppressed as every figure shown outside the handling organisation is. The expected
figures are worked out by hand in each test."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from vbe.guidelines.vocabulary import Environment
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.incidents.tests.test_symbols import make_symbol
from vbe.knowledge.views_symbols import sightings, year_before
from vbe.organisations.models import District

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def rune(cast):
    return make_symbol(cast, "Tyr-runan")


def seen(cast, symbol, district_code: str, n: int, *, on: datetime.date = TODAY) -> None:
    for _ in range(n):
        make_incident(reporter=cast["staff"], district_code=district_code, occurred_on=on, symbol=symbol)


def figures(result) -> dict[str, str]:
    names = {District.objects.get(code=JARVA).name: "jarva", District.objects.get(code=SODERMALM).name: "sodermalm"}
    shown = {names.get(row.district, row.district): row.text for row in result.rows}
    return {"jarva": shown["jarva"], "sodermalm": shown["sodermalm"], "city": result.total_text} | {
        "others": sorted({text for key, text in shown.items() if key not in ("jarva", "sodermalm")})
    }


def test_a_small_count_is_fewer_than_5_and_the_next_smallest_hides_it_from_the_total(cast, rune):
    # Järva 3, Södermalm 7, the city 10: "färre än 5" alone would be 10 - 7 = 3, so Södermalm's 7 is
    # hidden too ("x"); the total stays. A reader then knows only Järva 1-4 and Södermalm 6-9.
    seen(cast, rune, JARVA, 3)
    seen(cast, rune, SODERMALM, 7)
    result = sightings(rune, cast["staff"], today=TODAY)
    assert figures(result) == {"jarva": "färre än 5", "sodermalm": "x", "city": "10", "others": ["0"]}
    assert "färre än 5" in result.note and "x är ett antal på 5 eller fler" in result.note


def test_a_districts_coordinator_sees_its_count_and_what_follows_from_it(cast, rune):
    seen(cast, rune, JARVA, 3)
    seen(cast, rune, SODERMALM, 7)
    # Järva's coordinator knows Järva's 3, and so Södermalm's 7 from the total: nothing to hide.
    assert figures(sightings(rune, cast["coordinator"], today=TODAY)) == {
        "jarva": "3",
        "sodermalm": "7",
        "city": "10",
        "others": ["0"],
    }
    # Södermalm's coordinator knows only Södermalm's 7: the city's 10 would give Järva's 3 away, and no
    # district's count is left to hide instead, so the total is hidden.
    assert figures(sightings(rune, cast["coordinator_other"], today=TODAY)) == {
        "jarva": "färre än 5",
        "sodermalm": "7",
        "city": "x",
        "others": ["0"],
    }


def test_all_counts_small_hide_the_total_too(cast, rune):
    # Järva 2, Södermalm 1, the city 3: all three 1-4, all "färre än 5"; nothing pins any of them.
    seen(cast, rune, JARVA, 2)
    seen(cast, rune, SODERMALM, 1)
    assert figures(sightings(rune, cast["central_coordinator"], today=TODAY)) == {
        "jarva": "färre än 5",
        "sodermalm": "färre än 5",
        "city": "färre än 5",
        "others": ["0"],
    }


def test_only_the_last_12_months_and_only_this_symbol_count(cast, rune):
    other = make_symbol(cast, "Svarta solen")
    first_day = year_before(TODAY) + datetime.timedelta(days=1)
    seen(cast, rune, JARVA, 5, on=first_day)
    seen(cast, rune, JARVA, 2, on=year_before(TODAY))  # a day too old
    seen(cast, other, JARVA, 4)
    make_incident(reporter=cast["staff"], occurred_on=TODAY, environment=Environment.RIGHT_WING)  # no symbol
    result = sightings(rune, cast["staff"], today=TODAY)
    assert (result.first_day, result.last_day) == (datetime.date(2025, 6, 16), TODAY)
    assert figures(result) == {"jarva": "5", "sodermalm": "0", "city": "5", "others": ["0"]}
    assert result.note == ""


def test_a_leap_day_counts_back_to_the_28th_of_february():
    assert year_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)


def test_the_entry_page_shows_the_table_with_the_suppressed_figures(cast, rune):
    today = timezone.localdate()
    seen(cast, rune, JARVA, 3, on=today)
    seen(cast, rune, SODERMALM, 7, on=today)
    html = cast.client("staff").get("/stod/symboler/tyr-runan/").content.decode()
    jarva, sodermalm = District.objects.get(code=JARVA).name, District.objects.get(code=SODERMALM).name
    assert f'data-figure="{jarva}">färre än 5<' in html
    assert f'data-figure="{sodermalm}">x<' in html
    assert 'data-figure="city">10<' in html
    assert ">3<" not in html and ">7<" not in html
    assert "Antal från 1 till 4 visas som ”färre än 5”" in html
