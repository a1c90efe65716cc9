"""The coverage matrix against counts worked out by hand.

Plans (year 2025 unless said), measures by focus area number:
- Järva 2025, decided: 1, 1, 2, and a cancelled one in 3 → (1: 2), (2: 1); 3 not counted;
- Utbildningsnämnden 2024–2025, draft: 1, 4, 7 → (1: 1), (4: 1), (7: 1); 7 is not its area;
- Södermalm 2025: decided, then a new version (draft, a copy of the measures): 5, 5 → (5: 2), once;
- Kulturnämnden 2026: 2 → does not cover 2025, not counted;
- Bromma 2024: 1 → a district plan covers one year only, not counted.
"""

from __future__ import annotations

import pytest

from vbe.plans import services as plan_services
from vbe.reports.coverage import coverage_for
from vbe.reports.tests.factories import make_plan

DISTRICTS = [
    "bromma",
    "enskede-arsta-vantor",
    "farsta",
    "hagersten-alvsjo",
    "hasselby-vallingby",
    "jarva",
    "kungsholmen",
    "norra-innerstaden",
    "skarpnack",
    "skarholmen",
    "sodermalm",
]


@pytest.fixture
def plans(cast):
    jarva, board, sodermalm = cast["coordinator"], cast["coordinator_board"], cast["coordinator_other"]
    make_plan(actor=jarva, slug="jarva", year=2025, measures=[1, 1, 2, 3], cancelled=[3], state="decided")
    make_plan(actor=board, slug="utbildningsnamnden", year=2024, measures=[1, 4, 7])
    decided = make_plan(actor=sodermalm, slug="sodermalm", year=2025, measures=[5, 5], state="decided")
    plan_services.new_version(plan_id=decided.pk, actor=sodermalm, lock_version=decided.lock_version)
    make_plan(actor=board, slug="kulturnamnden", year=2026, measures=[2])
    make_plan(actor=jarva, slug="bromma", year=2024, measures=[1])


def test_counts_match_the_hand_computed_matrix(plans):
    coverage = coverage_for(2025)
    assert coverage.counts() == {
        ("jarva", 1): 2,
        ("jarva", 2): 1,
        ("utbildningsnamnden", 1): 1,
        ("utbildningsnamnden", 4): 1,
        ("utbildningsnamnden", 7): 1,
        ("sodermalm", 5): 2,
    }
    assert [a.number for a in coverage.focus_areas] == [1, 2, 3, 4, 5, 6, 7]
    assert coverage.area_totals == [3, 1, 0, 1, 2, 0, 1]
    assert coverage.total == 8


def test_missing_where_named_responsible_without_a_measure(plans):
    coverage = coverage_for(2025)
    rows = {row.organisation.slug: row for row in coverage.rows}
    # Districts are responsible for all seven areas.
    assert [a.number for a in rows["jarva"].missing] == [3, 4, 5, 6, 7]
    assert [a.number for a in rows["sodermalm"].missing] == [1, 2, 3, 4, 6, 7]
    assert [a.number for a in rows["bromma"].missing] == [1, 2, 3, 4, 5, 6, 7]
    # Utbildningsnämnden: responsible for 1–5; its measure in 7 counts but is no "missing" case.
    education = rows["utbildningsnamnden"]
    assert [a.number for a in education.missing] == [2, 3, 5]
    seventh = education.cells[6]
    assert (seventh.count, seventh.responsible, seventh.missing) == (1, False, False)
    # Organisations named for some area are rows even without any plan; those named for none are not.
    assert [a.number for a in rows["forskolenamnden"].missing] == [1, 2, 4]
    assert [a.number for a in rows["ks"].missing] == [2, 3, 4, 5]
    assert [a.number for a in rows["sisab"].missing] == [4]
    assert "kf" not in rows
    # Every (organisation, area) pair: 11 districts × 7 = 77, less Järva's 2 and Södermalm's 1 covered.
    district_missing = [(o.slug, a.number) for o, a in coverage.missing if o.slug in DISTRICTS]
    assert len(district_missing) == 77 - 2 - 1


def test_a_later_year_counts_other_plans(plans):
    coverage = coverage_for(2026)
    assert coverage.counts() == {("kulturnamnden", 2): 1}


def test_rows_are_grouped_by_kind_then_name(plans):
    slugs = [row.organisation.slug for row in coverage_for(2025).rows]
    assert slugs[0] == "ks"
    assert slugs[1:12] == DISTRICTS
    assert slugs.index("utbildningsnamnden") > slugs.index("sodermalm")


def test_counting_is_one_aggregate_whatever_the_data(plans, django_assert_max_num_queries):
    # Areas, their responsible organisations, the measures (plans and lists), plan duties, organisations.
    with django_assert_max_num_queries(5):
        coverage_for(2025)
