"""One definition of "concerns in a year": the plan page, the statistics pages and the status report
count the same concerns, by the day they were received, in Swedish time."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest

from vbe.concerns.models import Concern
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.incidents.tests.factories import JARVA
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, make_plan
from vbe.reports import counts
from vbe.statistics import dating

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def straddling(cast):
    """Six concerns in Järva whose dates straddle new year: observed in December last year, received
    this year: three on 2 January, three half an hour into 1 January (still 31 December in UTC)."""
    for i in range(6):
        submit_test_concern(cast, key=f"ny{i}")
    early = datetime.datetime(THIS_YEAR, 1, 1, 0, 30, tzinfo=STOCKHOLM)
    later = datetime.datetime(THIS_YEAR, 1, 2, 10, 0, tzinfo=STOCKHOLM)
    keys = [f"ny{i}" for i in range(6)]
    Concern.objects.filter(idempotency_key__in=keys[:3]).update(
        created_at=early, observed_on=datetime.date(LAST_YEAR, 12, 31)
    )
    Concern.objects.filter(idempotency_key__in=keys[3:]).update(
        created_at=later, observed_on=datetime.date(LAST_YEAR, 12, 30)
    )
    assert early.astimezone(datetime.UTC).year == LAST_YEAR  # the instant is last year in UTC


def _plan_page_total(page: str) -> str:
    match = re.search(
        r'<th scope="row" class="govuk-table__header app-table__row-header">Rapporter om oro totalt</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>',
        page,
    )
    assert match, "no concern total on the plan page"
    return match.group(1)


def _statistics_page_months(page: str) -> list[str]:
    """The figures of the concern months table on a statistics page."""
    section = page.split('id="concern-months-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>', section)


def test_the_plan_page_and_the_statistics_page_count_the_same_concerns_in_a_year(cast, straddling):
    plan = make_plan(cast, measures=[])  # Järva's plan for this year: the figures need no measures
    client = cast.client("coordinator")
    plan_total = _plan_page_total(client.get(f"/planer/{plan.pk}/").content.decode())
    statistics = client.get(f"/handelser/statistik/{JARVA}/", {"ar": THIS_YEAR}).content.decode()
    months = _statistics_page_months(statistics)
    assert len(months) == 12 and all(m.isdigit() for m in months), months
    assert plan_total == str(sum(map(int, months))) == "6"


def test_the_status_report_counts_them_in_the_same_year(cast, straddling):
    figures = counts.concern_figures([LAST_YEAR, THIS_YEAR])
    assert (figures.total(LAST_YEAR).text, figures.total(THIS_YEAR).text) == ("0", "6")


def test_the_definition_is_the_day_of_receipt_in_swedish_time(cast, straddling):
    in_year = dating.CONCERNS.in_year(Concern.objects.all(), THIS_YEAR)
    assert in_year.count() == 6
    assert dating.CONCERNS.in_year(Concern.objects.all(), LAST_YEAR).count() == 0
    assert list(dating.CONCERNS.years_spanned(Concern.objects.all())) == [THIS_YEAR]
