"""The compliance cells for a constructed scenario, at fixed dates (the cells depend on the due dates).

Year 2025, seen on 10 January 2026 (after every due date of 2025):
- Järva: a coordinator, a decided plan for 2025, all six duties reported → all ok;
- Södermalm: a coordinator, only a draft plan for 2025 → late; three of six duties → partly, a gap;
- Bromma: no coordinator, no plan, no self-report → three gaps;
- Utbildningsnämnden: the handlingsplan 2024–2025 decided, one of two measures followed up for 2025 →
  follow-up late;
- Socialnämnden: decided handlingsplan, every measure followed up for 2025 → done (no coordinator);
- Kulturnämnden: a draft handlingsplan → plan late, and no decided plan to follow up.
"""

from __future__ import annotations

import datetime

import pytest

from vbe.plans import services as plan_services
from vbe.reports.compliance import compliance_for, organisation_compliance, parse_year
from vbe.reports.models import StatusReport, StatusReportState
from vbe.reports.requirements import Level, Requirement
from vbe.reports.tests.factories import follow_up, make_plan, organisation, report_duties

AFTER = datetime.date(2026, 1, 10)
EARLY = datetime.date(2025, 3, 1)


@pytest.fixture
def scenario(cast):
    jarva, sodermalm, board = cast["coordinator"], cast["coordinator_other"], cast["coordinator_board"]
    make_plan(actor=jarva, slug="jarva", year=2025, measures=[1, 2], state="decided")
    report_duties(actor=jarva, slug="jarva", year=2025)
    make_plan(actor=sodermalm, slug="sodermalm", year=2025, measures=[1], state="draft")
    report_duties(actor=sodermalm, slug="sodermalm", year=2025, count=3)
    education = make_plan(actor=board, slug="utbildningsnamnden", year=2024, measures=[1, 4], state="decided")
    follow_up(education, actor=board, year=2025, count=1)
    social = make_plan(actor=board, slug="socialnamnden", year=2024, measures=[6, 7], state="decided")
    follow_up(social, actor=board, year=2025)
    make_plan(actor=board, slug="kulturnamnden", year=2024, measures=[2], state="draft")
    return cast


def cells(year: int, today: datetime.date) -> dict[str, dict[str, tuple[str, str]]]:
    """{slug: {requirement: (level, text)}}"""
    overview = compliance_for(year, today=today)
    return {
        row.organisation.slug: {key: (cell.level, cell.text) for key, cell in row.cells.items()}
        for row in overview.rows
    }


def test_the_scenario_after_every_due_date(scenario):
    got = cells(2025, AFTER)
    assert got["jarva"] == {
        Requirement.COORDINATOR: (Level.OK, "Finns"),
        Requirement.DISTRICT_PLAN: (Level.OK, "Beslutad"),
        Requirement.DUTY_REPORT: (Level.OK, "Klar"),
    }
    assert got["sodermalm"] == {
        Requirement.COORDINATOR: (Level.OK, "Finns"),
        Requirement.DISTRICT_PLAN: (Level.GAP, "Utkast – försenad"),
        Requirement.DUTY_REPORT: (Level.GAP, "Delvis"),
    }
    assert got["bromma"] == {
        Requirement.COORDINATOR: (Level.GAP, "Saknas"),
        Requirement.DISTRICT_PLAN: (Level.GAP, "Saknas – försenad"),
        Requirement.DUTY_REPORT: (Level.GAP, "Saknas"),
    }
    education = got["utbildningsnamnden"]
    assert education[Requirement.BOARD_PLAN] == (Level.OK, "Beslutad")  # the plan of 2024 covers 2025
    assert education[Requirement.BOARD_FOLLOW_UP] == (Level.GAP, "Påbörjad – försenad")
    assert got["socialnamnden"][Requirement.BOARD_FOLLOW_UP] == (Level.OK, "Klar")
    assert got["socialnamnden"][Requirement.COORDINATOR] == (Level.GAP, "Saknas")
    assert got["kulturnamnden"][Requirement.BOARD_PLAN] == (Level.GAP, "Utkast – försenad")
    assert got["kulturnamnden"][Requirement.BOARD_FOLLOW_UP] == (Level.GAP, "Ingen beslutad plan – försenad")
    # KS owes the status report in odd years; none exists and 30 November has passed.
    assert got["ks"] == {Requirement.STATUS_REPORT: (Level.GAP, "Saknas – försenad")}
    # Companies and foundations: a coordinator and the self-report only. Förskolenämnden owes nothing.
    assert set(got["sisab"]) == {Requirement.COORDINATOR, Requirement.DUTY_REPORT}
    assert "forskolenamnden" not in got and "kf" not in got


def test_before_the_due_dates_missing_work_is_pending_not_a_gap(scenario):
    got = cells(2025, EARLY)
    assert got["bromma"][Requirement.DISTRICT_PLAN] == (Level.PENDING, "Saknas")
    assert got["sodermalm"][Requirement.DISTRICT_PLAN] == (Level.PENDING, "Utkast")
    assert got["sodermalm"][Requirement.DUTY_REPORT] == (Level.PENDING, "Delvis")
    assert got["utbildningsnamnden"][Requirement.BOARD_FOLLOW_UP] == (Level.PENDING, "Påbörjad")
    assert got["ks"][Requirement.STATUS_REPORT] == (Level.PENDING, "Saknas")
    # A missing coordinator is a gap at once.
    assert got["bromma"][Requirement.COORDINATOR] == (Level.GAP, "Saknas")


def test_ready_plan_and_the_even_year(scenario):
    plan = make_plan(actor=scenario["coordinator"], slug="jarva", year=2026, state="ready")
    got = cells(2026, datetime.date(2026, 4, 1))
    assert got["jarva"][Requirement.DISTRICT_PLAN] == (Level.PENDING, "Lämnad")
    assert got["ks"] == {Requirement.STATUS_REPORT: (Level.NOT_APPLICABLE, "Inte aktuellt")}
    # In 2026 the handlingsplan of 2024 no longer counts: a new one is due by 30 June 2026.
    assert got["utbildningsnamnden"][Requirement.BOARD_PLAN] == (Level.PENDING, "Saknas")
    assert plan.state == "ready"


def test_the_status_report_counts_once_final(scenario):
    actor = scenario["central_coordinator"]
    report = StatusReport.objects.create(year=2025, created_by=actor, updated_by=actor)
    assert cells(2025, AFTER)["ks"][Requirement.STATUS_REPORT] == (Level.GAP, "Utkast – försenad")
    report.state = StatusReportState.FINAL
    report.save()
    assert cells(2025, AFTER)["ks"][Requirement.STATUS_REPORT] == (Level.OK, "Färdig")


def test_only_the_current_version_counts(scenario):
    """A decided plan that got a new draft version: the current version (the draft) is what counts."""
    jarva = scenario["coordinator"]
    plan = organisation("jarva").plans.get(year=2025)
    plan_services.new_version(plan_id=plan.pk, actor=jarva, lock_version=plan.lock_version)
    assert cells(2025, AFTER)["jarva"][Requirement.DISTRICT_PLAN] == (Level.GAP, "Utkast – försenad")


def test_an_inactive_coordinator_does_not_count(scenario):
    user = scenario["coordinator"]
    user.is_active = False
    user.save()
    assert cells(2025, AFTER)["jarva"][Requirement.COORDINATOR] == (Level.GAP, "Saknas")


def test_drill_down_lists_what_is_missing(scenario):
    detail = organisation_compliance(organisation("utbildningsnamnden"), 2025, today=AFTER)
    assert detail.missing_follow_ups == ["Åtgärd 2 inom område 4"]
    assert len(detail.missing_duties) == 6
    assert [m.user.email for m in detail.coordinators] == ["coordinator_board@test.example"]
    sodermalm = organisation_compliance(organisation("sodermalm"), 2025, today=AFTER)
    assert [d.number for d in sodermalm.missing_duties] == [4, 5, 6]


def test_compliance_reads_a_fixed_number_of_queries(scenario, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        compliance_for(2025, today=AFTER)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025", 2025),
        (" 2024 ", 2024),
        ("", 2026),
        (None, 2026),
        ("abc", 2026),
        ("99999", 2026),
        ("2025.5", 2026),
        ("\x00", 2026),
        ("-1", 2026),
    ],
)
def test_parse_year(value, expected):
    assert parse_year(value, today=datetime.date(2026, 5, 1)) == expected
