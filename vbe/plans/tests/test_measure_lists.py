"""Yearly measures lists of organisations responsible for focus areas without a plan duty.

Familjebostäder is named responsible for focus areas 3 and 4 (data/stockholm/guideline-2024.json)
and owes no plan; Kommunstyrelsen for 2, 3, 4 and 5. The hand-computed coverage below follows from
the measures each test writes.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import sign_in_client
from vbe.accounts.models import Membership, Role, User
from vbe.audit.models import AccessLogEntry
from vbe.organisations.models import Organisation
from vbe.plans import measure_lists
from vbe.plans.models import ListedMeasure, MeasureList
from vbe.plans.tests.conftest import THIS_YEAR, focus_area
from vbe.reports.compile import status_report_data
from vbe.reports.coverage import coverage_for

URL = f"/planer/atgardslista/familjebostader/{THIS_YEAR}/"


@pytest.fixture
def company(reference_data) -> Organisation:
    return Organisation.objects.get(slug="familjebostader")


def _member(organisation: Organisation, role: str, name: str) -> User:
    user = User.objects.create_user(email=f"{name}@test.example", password="x-Secret-2026!", full_name=name)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def housing_coordinator(company) -> User:
    return _member(company, Role.COORDINATOR, "bostadssamordnare")


def _add(actor, organisation, *, title: str, area: int, status: str = "planned", year: int = THIS_YEAR):
    return measure_lists.save_listed_measure(
        actor=actor,
        organisation=organisation,
        year=year,
        lock_version=measure_lists.current_lock_version(organisation, year),
        title=title,
        focus_area=focus_area(area),
        status=status,
    )


def _report(actor, organisation, year: int = THIS_YEAR) -> MeasureList:
    return measure_lists.report_measure_list(
        actor=actor,
        organisation=organisation,
        year=year,
        lock_version=measure_lists.current_lock_version(organisation, year),
    )


def _row(coverage, slug: str):
    return next(row for row in coverage.rows if row.organisation.slug == slug)


def test_who_keeps_a_list(cast, company):
    assert measure_lists.keeps_measure_list(company)
    assert measure_lists.keeps_measure_list(Organisation.objects.get(slug="ks"))
    assert not measure_lists.keeps_measure_list(Organisation.objects.get(slug="jarva"))  # district plan
    assert not measure_lists.keeps_measure_list(Organisation.objects.get(slug="utbildningsnamnden"))  # board plan
    assert not measure_lists.keeps_measure_list(Organisation.objects.get(slug="kf"))  # responsible for nothing
    assert [a.number for a in measure_lists.responsible_areas(company)] == [3, 4]


def test_coverage_before_and_after_a_reported_list(cast, company, housing_coordinator):
    before = coverage_for(THIS_YEAR)
    row = _row(before, "familjebostader")
    assert [a.number for a in row.missing] == [3, 4]
    assert row.keeps_list and row.missing_text == "Inga åtgärder rapporterade"
    assert {c.missing_text for c in row.cells if c.missing} == {"Inga åtgärder rapporterade"}
    assert _row(before, "jarva").missing_text == "Saknar åtgärd"
    assert not any(slug == "familjebostader" for slug, _area in before.counts())

    _add(housing_coordinator, company, title="Trygghetsvandringar", area=3)
    _add(housing_coordinator, company, title="Lokalupplåtelse enligt demokrativillkoret", area=3)
    _add(housing_coordinator, company, title="Inställd föreläsning", area=4, status="cancelled")
    # Written but not reported: nothing counts yet.
    assert [a.number for a in _row(coverage_for(THIS_YEAR), "familjebostader").missing] == [3, 4]

    _report(housing_coordinator, company)
    after = coverage_for(THIS_YEAR)
    row = _row(after, "familjebostader")
    # Two measures in 3; the only one in 4 is cancelled, so 4 is still an (honest) gap.
    assert {k: n for k, n in after.counts().items() if k[0] == "familjebostader"} == {("familjebostader", 3): 2}
    assert [a.number for a in row.missing] == [4]
    assert row.total == 2
    assert after.total == before.total + 2

    _add(housing_coordinator, company, title="Utbildning för bovärdar", area=4, status="ongoing")
    row = _row(coverage_for(THIS_YEAR), "familjebostader")
    assert row.missing == [] and row.total == 3
    # Another year's list is not counted this year.
    assert _row(coverage_for(THIS_YEAR - 1), "familjebostader").total == 0


def test_status_report_names_the_gap_they_can_close(cast, company, housing_coordinator):
    def coverage_text() -> str:
        data = status_report_data(THIS_YEAR)
        section = next(s for s in data.sections if s.key == "omraden")
        return " ".join(getattr(b, "text", "") + " ".join(getattr(b, "items", ())) for b in section.blocks)

    text = coverage_text()
    assert "4. Kunskap om våldsbejakande extremism" in text
    assert "AB Familjebostäder (inga åtgärder rapporterade)" in text
    _add(housing_coordinator, company, title="Trygghetsvandringar", area=3)
    _add(housing_coordinator, company, title="Utbildning för bovärdar", area=4)
    _report(housing_coordinator, company)
    text = coverage_text()
    assert "AB Familjebostäder" not in text
    assert "Kommunstyrelsen (inga åtgärder rapporterade)" in text


def test_the_write_path_refuses_and_logs(cast, company, housing_coordinator):
    with pytest.raises(ValidationError, match="minst en åtgärd"):
        _report(housing_coordinator, company)
    with pytest.raises(ValidationError, match="ansvarig för"):
        _add(housing_coordinator, company, title="Föräldraträffar", area=1)  # not its area
    with pytest.raises(ValidationError, match="kan inte längre ändras"):
        _add(housing_coordinator, company, title="Gammal", area=3, year=THIS_YEAR - 2)
    measure = _add(housing_coordinator, company, title="Trygghetsvandringar", area=3)
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        measure_lists.save_listed_measure(
            actor=housing_coordinator,
            organisation=company,
            year=THIS_YEAR,
            lock_version=0,  # the version before the first save
            measure_id=measure.pk,
            title="Ändrad",
            focus_area=focus_area(3),
        )
    with pytest.raises(PermissionDenied):
        _add(cast["coordinator"], company, title="Från Järva", area=3)
    with pytest.raises(ValidationError, match="skriver en plan"):
        _add(cast["coordinator"], Organisation.objects.get(slug="jarva"), title="I planen", area=3)
    assert ListedMeasure.objects.get().title == "Trygghetsvandringar"
    _report(housing_coordinator, company)
    actions = list(
        AccessLogEntry.objects.filter(action__startswith="measure_list_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["measure_list_changed", "measure_list_reported"]


def test_pages_for_the_coordinator(cast, company, housing_coordinator, django_assert_max_num_queries):
    client = cast.client(None)
    sign_in_client(client, housing_coordinator)
    with django_assert_max_num_queries(20):
        page = client.get(URL)
    assert page.status_code == 200
    assert "Ingen åtgärd ännu" in page.content.decode()
    # The plan list links to this year's list.
    assert URL in client.get("/planer/").content.decode()

    # Bad input keeps what was typed, with an error summary and "Fel:" in the title.
    bad = client.post(URL + "ny/", {"lock_version": 0, "title": "Trygghetsvandringar", "status": "planned"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "<title>Fel:" in body and "govuk-error-summary" in body and 'value="Trygghetsvandringar"' in body

    done = client.post(
        URL + "ny/",
        {"lock_version": 0, "title": "Trygghetsvandringar", "focus_area": focus_area(3).pk, "status": "done"},
    )
    assert done.status_code == 302
    measure = ListedMeasure.objects.get()
    edit = client.post(
        f"{URL}{measure.pk}/",
        {"lock_version": 1, "title": "Trygghetsvandringar i Hjulsta", "focus_area": focus_area(3).pk, "status": "done"},
    )
    assert edit.status_code == 302
    stale = client.post(URL + "rapportera/", {"lock_version": 1})
    assert stale.status_code == 400 and "ändrats av någon annan" in stale.content.decode()
    assert client.post(URL + "rapportera/", {"lock_version": 2}).status_code == 302
    measure_list = MeasureList.objects.get()
    assert measure_list.is_reported and measure_list.reported_by == housing_coordinator
    with django_assert_max_num_queries(20):
        page = client.get(URL)
    assert "Trygghetsvandringar i Hjulsta" in page.content.decode()
    assert "app-table-scroll" in page.content.decode()
    with django_assert_max_num_queries(20):
        assert client.get(f"{URL}{measure.pk}/").status_code == 200


def test_permissions(cast, company, housing_coordinator):
    _add(housing_coordinator, company, title="Trygghetsvandringar", area=3)
    reader = _member(company, Role.BOARD_READER, "bostadslasare")
    staff = _member(company, Role.STAFF, "bostadsmedarbetare")
    reader_client, staff_client = cast.client(None), cast.client(None)
    sign_in_client(reader_client, reader)
    sign_in_client(staff_client, staff)
    other = cast.client("coordinator")  # another organisation's coordinator

    # Not reported yet: the board's reader does not see it (like an undecided plan).
    assert reader_client.get(URL).status_code == 404
    assert staff_client.get(URL).status_code == 404
    assert other.get(URL).status_code == 404
    assert other.post(URL + "ny/", {"lock_version": 1, "title": "x"}).status_code == 404
    assert cast.client("central_coordinator").get(URL).status_code == 200
    assert cast.client("central_coordinator").get(URL + "ny/").status_code == 403

    _report(housing_coordinator, company)
    assert reader_client.get(URL).status_code == 200  # read-only
    assert reader_client.get(URL + "ny/").status_code == 403
    assert reader_client.post(URL + "rapportera/", {"lock_version": 2}).status_code == 403
    assert staff_client.get(URL).status_code == 404
    assert "Lägg till åtgärd" not in reader_client.get(URL).content.decode()
    # An organisation with a plan duty has no list.
    assert cast.client("coordinator").get(f"/planer/atgardslista/jarva/{THIS_YEAR}/").status_code == 404
    assert cast.client("central_coordinator").get("/planer/atgardslista/familjebostader/1999/").status_code == 404


def test_demo_lists_close_two_organisations_gaps(cast, company):
    from vbe.plans import demo

    for slug in demo.MEASURE_LISTS:
        _member(Organisation.objects.get(slug=slug), Role.STAFF, f"demo-{slug}")
    coordinators = demo._Coordinators()
    demo._seed_measure_lists(THIS_YEAR, coordinators)
    coordinators.leave()
    assert not Membership.objects.filter(role=Role.COORDINATOR, organisation__slug__in=demo.MEASURE_LISTS).exists()
    coverage = coverage_for(THIS_YEAR)
    # KS: areas 2–5, one measure each; Familjebostäder: areas 3 and 4, one each. SISAB reported nothing.
    assert [a.number for a in _row(coverage, "ks").missing] == []
    assert _row(coverage, "ks").total == 4 and _row(coverage, "familjebostader").total == 2
    assert [a.number for a in _row(coverage, "sisab").missing] == [4]
    assert MeasureList.objects.filter(reported_at__isnull=False).count() == 4  # two organisations, two years
