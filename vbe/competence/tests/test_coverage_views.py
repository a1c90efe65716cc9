"""The coverage pages and their XLSX: who sees what, suppression by role, targets, scope."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from vbe.competence.models import (
    Completion,
    CompletionSource,
    Course,
    CourseFormat,
    CoverageTarget,
    Headcount,
    Learner,
    Level,
    Placement,
    StaffGroup,
)
from vbe.organisations.models import Organisation, Unit, UnitKind

D = datetime.date
ON = "2025-06-30"


def _org_data(slug: str, small_unit_name: str = "Lilla enheten") -> dict:
    """Two units of one staff group: a small one (3 employed, 1 trained) and one of 10 (4 trained).
    Organisation: 5 / 13 = 38 %. Basic target 80 %."""
    org = Organisation.objects.get(slug=slug)
    small, _ = Unit.objects.get_or_create(organisation=org, name=small_unit_name, defaults={"kind": UnitKind.SCHOOL})
    big = Unit.objects.create(organisation=org, name="Stora skolan", kind=UnitKind.SCHOOL)
    group = StaffGroup.objects.create(name="Provgrupp", slug="provgrupp", position=900)
    course, _ = Course.objects.get_or_create(
        title="Provkurs", defaults={"provider": "Staden", "level": Level.BASIC, "format": CourseFormat.DIGITAL}
    )
    Headcount.objects.create(unit=small, staff_group=group, year=2025, count=3)
    Headcount.objects.create(unit=big, staff_group=group, year=2025, count=10)
    for i, (unit, trained) in enumerate([(small, True), (small, False), (big, True)] + [(big, True)] * 3):
        learner = Learner.objects.create(email=f"{slug}{i}@example.test")
        Placement.objects.create(learner=learner, unit=unit, staff_group=group)
        if trained:
            Completion.objects.create(
                learner=learner, course=course, completed_on=D(2024, 1, 1), source=CompletionSource.IMPORT
            )
    CoverageTarget.objects.update_or_create(level=Level.BASIC, defaults={"percent": 80})
    CoverageTarget.objects.filter(level=Level.ADVANCED).delete()
    return {"org": org, "small": small, "big": big, "group": group}


def _xlsx(response) -> dict[str, list[list]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


@pytest.mark.django_db
def test_coordinator_sees_exact_figures_and_the_target(cast):
    _org_data("jarva", "Testfritidsgården")
    response = cast.client("coordinator").get("/utbildning/tackning/jarva/", {"per": ON})
    assert response.status_code == 200
    html = response.content.decode()
    assert "33 %" in html and "40 %" in html and "38 %" in html  # 1/3, 4/10, 5/13
    assert "5 av 13 tjänster" in html
    assert "färre än 5 anställda" not in html.split("Grupper med 1 till 4")[0]
    assert "Mål 80 %" in html  # the chart's target line
    assert "0 av 2 med visade andelar når målet 80 %" in html
    assert "andel tjänster med giltig utbildning" in html
    assert "räknas i båda" in html
    sheets = _xlsx(cast.client("coordinator").get("/utbildning/tackning/jarva.xlsx", {"per": ON}))
    per_unit = sheets["Per verksamhet"]
    assert per_unit[0][:3] == [
        "Verksamhet",
        "Grundläggande: andel (%)",
        "Grundläggande: tjänster med giltig utbildning",
    ]
    rows = {row[0]: row for row in per_unit[1:]}
    assert rows["Testfritidsgården"][1:3] == [33, 1]
    assert rows["Stora skolan"][1:3] == [40, 4]
    assert per_unit[-1][0] == Organisation.objects.get(slug="jarva").name
    assert per_unit[-1][1:3] == [38, 5]  # the organisation's total
    assert rows["Stora skolan"][-1] == 10
    note = " ".join(str(c) for row in sheets["Förklaring"] for c in row)
    assert "Andel tjänster med giltig utbildning" in note and "80 %" in note


@pytest.mark.django_db
def test_board_reader_sees_the_organisation_and_its_groups_but_no_unit_and_no_counts(cast):
    data = _org_data("utbildningsnamnden")
    # A second, small staff group (3 employed, none trained): hidden as a group of fewer than five.
    small_group = StaffGroup.objects.create(name="Liten provgrupp", slug="liten-provgrupp", position=901)
    Headcount.objects.create(unit=data["big"], staff_group=small_group, year=2025, count=3)
    html = cast.client("board_reader").get("/utbildning/tackning/utbildningsnamnden/", {"per": ON}).content.decode()
    # The organisation: 5 trained of 16 = 31 %; Provgrupp 5 / 13 = 38 %; Liten provgrupp hidden.
    assert "31 %" in html and "38 %" in html
    assert "färre än 5 anställda" in html
    # Unit by unit the small unit's figure could be worked out from the total: no unit is shown.
    assert "Lilla enheten" not in html and "Stora skolan" not in html and "40 %" not in html and "33 %" not in html
    assert "Siffror per verksamhet visas bara för organisationens samordnare" in html
    assert "5 av 16" not in html and "Anställda</th>" not in html
    sheets = _xlsx(cast.client("board_reader").get("/utbildning/tackning/utbildningsnamnden.xlsx", {"per": ON}))
    assert "Per verksamhet" not in sheets and "Per verksamhet och grupp" not in sheets
    assert sheets["Organisationen"][1:] == [["Utbildningsnämnden", 31, 0]]
    assert "Lilla enheten" not in str(sheets) and "Stora skolan" not in str(sheets)
    note = " ".join(str(c) for row in sheets["Förklaring"] for c in row)
    assert "färre än 5 anställda" in note
    # The board's own coordinator sees the same unit exactly.
    html = cast.client("coordinator_board").get("/utbildning/tackning/utbildningsnamnden/", {"per": ON})
    assert "33 %" in html.content.decode()


@pytest.mark.django_db
def test_unit_manager_sees_only_their_units(cast):
    data = _org_data("jarva", "Testfritidsgården")
    html = cast.client("unit_manager").get("/utbildning/tackning/jarva/", {"per": ON}).content.decode()
    assert "Testfritidsgården" in html
    assert "Stora skolan" not in html
    assert "1 av 3 tjänster" in html  # the total is their unit's, exact
    assert "Du ser de verksamheter där du är chef" in html
    sheets = _xlsx(cast.client("unit_manager").get("/utbildning/tackning/jarva.xlsx", {"per": ON}))
    names = [row[0] for row in sheets["Per verksamhet"][1:]]
    assert names == ["Testfritidsgården", "Dina verksamheter"]
    assert data["big"].name not in str(sheets)


@pytest.mark.django_db
def test_city_view_per_organisation_with_links_and_default_today(cast):
    _org_data("jarva", "Testfritidsgården")
    client = cast.client("central_coordinator")
    response = client.get("/utbildning/tackning/", {"per": ON})
    assert response.status_code == 200
    html = response.content.decode()
    assert "/utbildning/tackning/jarva/?per=2025-06-30" in html
    assert "38 %" in html  # Järva and the city (only Järva has figures)
    assert "Provgrupp" in html
    assert response.context["report"].on == D(2025, 6, 1).replace(day=30)
    assert [year for year, _ in response.context["report"].trend] == [2021, 2022, 2023, 2024, 2025]
    sheets = _xlsx(client.get("/utbildning/tackning.xlsx", {"per": ON}))
    rows = {row[0]: row for row in sheets["Per organisation"][1:]}
    assert rows["Hela staden"][1:3] == [38, 5]
    assert [row[0] for row in sheets["Per år"][1:]] == [2021, 2022, 2023, 2024, 2025]
    # Without a day: today.
    from django.utils import timezone

    assert client.get("/utbildning/tackning/").context["report"].on == timezone.localdate()


@pytest.mark.django_db
def test_a_bad_day_is_400_with_the_error_and_the_page(cast):
    response = cast.client("central_coordinator").get("/utbildning/tackning/", {"per": "31-02-2025"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Skriv dagen som ÅÅÅÅ-MM-DD" in html
    assert 'value="31-02-2025"' in html
    future = cast.client("central_coordinator").get("/utbildning/tackning/", {"per": "2999-01-01"})
    assert future.status_code == 400


@pytest.mark.django_db
def test_other_organisations_and_unknown_slugs(cast):
    assert cast.client("coordinator_other").get("/utbildning/tackning/jarva/").status_code == 403
    assert cast.client("board_reader").get("/utbildning/tackning/jarva.xlsx").status_code == 403
    assert cast.client("central_coordinator").get("/utbildning/tackning/finns-inte/").status_code == 404
