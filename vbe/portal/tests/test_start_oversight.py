"""The start pages of the unit manager, the board reader and the central coordinator, and the board
reader's reading of the final status reports. Every figure is checked against what the fixtures below
make, counted by hand."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.utils import timezone

from vbe.accounts.models import Membership, Role
from vbe.concerns.models import Concern
from vbe.incidents.models import Category
from vbe.incidents.tests.factories import JARVA, make_incident
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit, UnitKind
from vbe.plans.cycle import plan_cycle
from vbe.plans.models import PlanKind, PlanState
from vbe.reports.models import StatusReport, StatusReportState
from vbe.reports.tests.factories import follow_up, make_plan
from vbe.statistics import city, summary

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def _year() -> int:
    return timezone.localdate().year


def _concern(reporter, *, received: datetime.datetime, organisation: str = "jarva", **fields) -> Concern:
    org = Organisation.objects.get(slug=organisation)
    concern = Concern.objects.create(
        reference=f"ORO-{received.year}-{secrets.randbelow(10**8):08d}",
        reporter=reporter,
        reporter_organisation=org,
        reported_to=org,
        organisation=org,
        idempotency_key=secrets.token_hex(8),
        observation="Testobservation",
        observed_on=received.date(),
        concerns_child="no",
        **fields,
    )
    Concern.objects.filter(pk=concern.pk).update(created_at=received)
    return concern


def _home(cast, role: str, django_assert_max_num_queries):
    city.forget()  # count the page as a process that has summed nothing yet
    client = cast.client(role)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    return response


# --- Unit manager ------------------------------------------------------------------------------------


@pytest.fixture
def unit_world(cast):
    """Testfritidsgården (the unit manager's and the staff member's unit) in a Järva neighbourhood."""
    year = _year()
    jan_1 = datetime.date(year, 1, 1)
    unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    neighbourhood = Neighbourhood.objects.filter(district__code=JARVA).order_by("name").first()
    unit.neighbourhood = neighbourhood
    unit.save()
    other_unit = Unit.objects.create(
        organisation=unit.organisation, name="Annan fritidsgård", kind=UnitKind.YOUTH_CENTRE
    )
    staff, coordinator = cast["staff"], cast["coordinator"]
    # At my unit this year: 2 propaganda and 1 threat, all in January, in the unit's neighbourhood.
    for category in (Category.PROPAGANDA, Category.PROPAGANDA, Category.THREAT):
        make_incident(reporter=staff, unit=unit, category=category, occurred_on=jan_1, neighbourhood=neighbourhood)
    # Not counted as this year's at my unit: last year's, and one at another unit (by someone else).
    make_incident(reporter=staff, unit=unit, occurred_on=datetime.date(year - 1, 12, 31))
    make_incident(reporter=coordinator, unit=other_unit, occurred_on=jan_1)
    # Concerns: two by my staff this year, one last year, one by a coordinator outside my units.
    noon = datetime.datetime(year, 1, 1, 12, tzinfo=timezone.get_current_timezone())
    _concern(staff, received=noon)
    _concern(staff, received=noon)
    _concern(staff, received=noon.replace(year=year - 1))
    _concern(coordinator, received=noon)
    summary.rebuild()
    return {"unit": unit, "neighbourhood": neighbourhood}


def test_unit_manager_sees_this_years_incidents_at_units_by_category_and_month(
    cast, unit_world, django_assert_max_num_queries
):
    response = _home(cast, "unit_manager", django_assert_max_num_queries)
    ctx = response.context
    assert ctx["unit_incidents_total"] == 3
    assert [(line.label, line.count) for line in ctx["unit_incidents_by_category"]] == [
        (str(Category.PROPAGANDA.label), 2),
        (str(Category.THREAT.label), 1),
    ]
    assert ctx["unit_incidents_by_category"][0].href == "/handelser/?category=propaganda"
    [january] = ctx["unit_incidents_by_month"]
    assert january.count == 3
    assert january.href == f"/handelser/?month={_year()}-01"


def test_unit_manager_sees_staff_report_counts_never_who(cast, unit_world, django_assert_max_num_queries):
    response = _home(cast, "unit_manager", django_assert_max_num_queries)
    # Concerns: last year's one, shown as "färre än 5" (this year's two are not counted: a figure that
    # moves while the manager watches tells the day a colleague reported).
    assert response.context["staff_concerns"] == "färre än 5"
    # Staff's incidents this year: the three at the unit (last year's is not this year's).
    assert response.context["staff_incidents"] == 3
    html = response.content.decode()
    assert 'data-figure="staff-concerns">färre än 5<' in html
    assert cast["staff"].full_name not in html
    assert "Testobservation" not in html


def test_unit_manager_sees_last_years_staff_concerns_exactly_from_five(cast, unit_world, django_assert_max_num_queries):
    last_year = datetime.datetime(_year() - 1, 6, 1, 12, tzinfo=timezone.get_current_timezone())
    for _n in range(4):  # with the fixture's one from last year: five
        _concern(cast["staff"], received=last_year)
    _concern(cast["staff"], received=last_year.replace(year=_year() - 2))  # the year before: not counted
    response = _home(cast, "unit_manager", django_assert_max_num_queries)
    assert response.context["staff_concerns"] == "5"


def test_unit_manager_cannot_tell_no_concern_from_one(cast, django_assert_max_num_queries):
    response = _home(cast, "unit_manager", django_assert_max_num_queries)
    assert response.context["staff_concerns"] == "färre än 5"  # none at all, shown like one


def test_unit_manager_sees_neighbourhood_counts_protected_and_their_units_training(
    cast, unit_world, django_assert_max_num_queries
):
    response = _home(cast, "unit_manager", django_assert_max_num_queries)
    [line] = response.context["neighbourhood_lines"]
    assert line.name == unit_world["neighbourhood"].name
    assert line.shown == "<5"  # three incidents, hidden outside Järva's council as on the statistics page
    assert line.href == f"/handelser/statistik/{JARVA}/?ar={_year()}"
    # The training section is real figures now (vbe/portal/tests/test_start_training.py checks them).
    assert "Utbildad personal i dina verksamheter" in response.content.decode()


def test_unit_manager_without_unit_is_told_so(cast, django_assert_max_num_queries):
    Membership.objects.filter(user=cast["unit_manager"], role=Role.UNIT_MANAGER).update(unit=None)
    response = _home(cast, "unit_manager", django_assert_max_num_queries)
    assert response.context["units"] == []
    assert "inte kopplad till någon verksamhet" in response.content.decode()


# --- Board reader ----------------------------------------------------------------------------------


def _board_plan(cast, *, state: str, measures=(1, 2)):
    year = plan_cycle(PlanKind.BOARD).first_year_covering(_year())
    return make_plan(
        actor=cast["coordinator_board"], slug="utbildningsnamnden", year=year, state=state, measures=measures
    )


def _duties(response) -> dict[str, object]:
    [board] = response.context["boards"]
    assert board.organisation.slug == "utbildningsnamnden"
    return {duty.label: duty for duty in board.duties}


def test_board_reader_status_panel_shows_decided_plan_and_follow_up(cast, django_assert_max_num_queries):
    plan = _board_plan(cast, state=PlanState.DECIDED)
    follow_up(plan, actor=cast["coordinator_board"], year=_year(), count=1)
    response = _home(cast, "board_reader", django_assert_max_num_queries)
    duties = _duties(response)
    assert duties["Handlingsplan"].status == "Beslutad"
    assert duties["Handlingsplan"].href == f"/planer/{plan.pk}/"
    # The follow-up duty is yearly: one of the plan's two measures is followed up this year.
    follow = duties["Uppföljning av handlingsplan"]
    assert follow.note.startswith("1 av 2 åtgärder")
    assert follow.href == f"/planer/uppfoljning/{_year()}/"
    assert duties["Lokal samordnare"].status == "Finns"  # the cast's coordinator_board
    assert [p.pk for p in response.context["decided_plans"]] == [plan.pk]


def test_board_reader_is_not_sent_to_a_draft_plan(cast, django_assert_max_num_queries):
    _board_plan(cast, state=PlanState.DRAFT)
    response = _home(cast, "board_reader", django_assert_max_num_queries)
    duty = _duties(response)["Handlingsplan"]
    assert duty.status.startswith("Utkast")  # late or not, by today
    assert duty.href == ""
    assert response.context["decided_plans"] == []


@pytest.fixture
def reports(cast):
    central = cast["central_coordinator"]
    final = StatusReport.objects.create(
        year=2025,
        state=StatusReportState.FINAL,
        summary="Sammanfattningen för nämnderna.",
        created_by=central,
        updated_by=central,
        finalised_at=timezone.now(),
    )
    draft = StatusReport.objects.create(year=2027, summary="Hemligt utkast.", created_by=central, updated_by=central)
    return final, draft


def test_board_reader_reads_final_status_reports_only(cast, reports):
    client = cast.client("board_reader")
    listing = client.get("/rapporter/nulagesrapport/")
    assert listing.status_code == 200
    assert [r.year for r in listing.context["reports"]] == [2025]
    assert "Skapa utkast" not in listing.content.decode()
    page = client.get("/rapporter/nulagesrapport/2025/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sammanfattningen för nämnderna." in html
    assert "Öppna som utkast igen" not in html and 'name="summary"' not in html
    assert client.get("/rapporter/nulagesrapport/2027/").status_code == 404
    assert client.get("/rapporter/nulagesrapport/2027.docx").status_code == 404
    docx = client.get("/rapporter/nulagesrapport/2025.docx")
    assert docx.status_code == 200
    assert docx["Content-Disposition"].endswith('.docx"')
    # Writing stays the central coordinator's.
    assert client.post("/rapporter/nulagesrapport/2025/", {"summary": "x"}).status_code == 403
    assert client.post("/rapporter/nulagesrapport/", {"year": "2029"}).status_code == 403
    index = client.get("/rapporter/")
    assert index.status_code == 200
    assert [r.year for r in index.context["final_reports"]] == [2025]
    assert "/rapporter/efterlevnad/" not in index.content.decode()


def test_other_roles_still_cannot_read_status_reports(cast, reports):
    for role in ("coordinator", "staff", "unit_manager"):
        assert cast.client(role).get("/rapporter/nulagesrapport/2025/").status_code == 403


def test_central_coordinator_still_manages_the_draft(cast, reports):
    page = cast.client("central_coordinator").get("/rapporter/nulagesrapport/2027/")
    assert page.status_code == 200
    assert 'name="summary"' in page.content.decode()


# --- Central coordinator --------------------------------------------------------------------------


def _no_coordinator_council() -> tuple[Organisation, District]:
    coordinated = Membership.objects.filter(role=Role.COORDINATOR).values("organisation_id")
    council = (
        Organisation.objects.filter(district__isnull=False, is_active=True)
        .exclude(pk__in=coordinated)
        .order_by("name")
        .first()
    )
    return council, council.district


def test_central_dashboard_counts(cast, django_assert_max_num_queries):
    council, district = _no_coordinator_council()
    staff = cast["staff"]
    today = timezone.localdate()
    # Central queue: two incidents and one concern that arrived without a coordinator; two closed incidents
    # and one that arrived with a coordinator (waiting for a new one) are not in it.
    for _ in range(2):
        make_incident(reporter=staff, district_code=district.code, without_coordinator=True, occurred_on=today)
    for _ in range(2):
        make_incident(reporter=staff, district_code=district.code, without_coordinator=True, status="closed")
    make_incident(reporter=staff, district_code=district.code, without_coordinator=False, occurred_on=today)
    now = timezone.now()
    _concern(staff, received=now, organisation=council.slug, without_coordinator=True)
    # Six incidents in Järva this month: with the five above, eleven in the city this month (no count
    # below five anywhere, so nothing is hidden).
    for _ in range(6):
        make_incident(reporter=staff, district_code=JARVA, occurred_on=today)
    summary.rebuild()

    response = _home(cast, "central_coordinator", django_assert_max_num_queries)
    ctx = response.context
    assert ctx["queue_incidents"] == 2
    assert ctx["queue_concerns"] == 1
    assert ctx["awaiting_incidents"] == 1
    assert ctx["awaiting_concerns"] == 0

    required = Organisation.objects.filter(requires_coordinator=True, is_active=True)
    coordinated = required.filter(slug__in=["jarva", "sodermalm", "utbildningsnamnden"]).count()
    assert ctx["required_count"] == required.count()
    assert len(ctx["organisations_without_coordinator"]) == required.count() - coordinated
    [coordinators] = [line for line in ctx["compliance_lines"] if line.label == "Lokal samordnare"]
    assert (coordinators.ok, coordinators.pending, coordinators.gap) == (coordinated, 0, required.count() - coordinated)

    rows = {row.label: row.shown for row in ctx["incident_trend"].rows}
    this_month = list(rows)[-1]
    assert rows[this_month] == "11"
    jarva = {row.label: row.shown for row in ctx["district_rows"]}[District.objects.get(code=JARVA).name]
    assert jarva == "6"
    html = response.content.decode()
    assert f'href="/rapporter/efterlevnad/?ar={_year()}"' in html
    assert 'data-figure="queue-incidents"' in html
    assert "<svg" in html


def test_central_dashboard_lists_late_plans(cast, django_assert_max_num_queries):
    response = _home(cast, "central_coordinator", django_assert_max_num_queries)
    for line in response.context["late_plans"]:
        assert line.href.startswith(f"/rapporter/efterlevnad/{_year()}/")
        assert "försenad" in line.status


@pytest.mark.parametrize("role", ["admin", "auditor", "staff", "board_reader", "unit_manager"])
def test_other_start_pages_are_bounded(cast, role, django_assert_max_num_queries):
    _home(cast, role, django_assert_max_num_queries)
