from __future__ import annotations

import datetime

import pytest

from vbe.guidelines.duties import duties_for
from vbe.guidelines.models import Document, ReportingDuty
from vbe.organisations.models import Organisation


def _owed(slug: str, year: int) -> list[str]:
    return [d.duty.document for d in duties_for(Organisation.objects.get(slug=slug), year)]


@pytest.mark.parametrize("year", range(2024, 2032))
def test_cycle_rules_for_every_year(db, year):
    even = year % 2 == 0
    assert _owed("jarva", year) == [Document.SITUATION_PICTURE, Document.DISTRICT_PLAN]
    assert _owed("socialnamnden", year) == ([Document.BOARD_PLAN] if even else []) + [Document.BOARD_FOLLOW_UP]
    assert _owed("ks", year) == ([] if even else [Document.STATUS_REPORT])
    assert _owed("forskolenamnden", year) == []
    assert _owed("sisab", year) == []


def test_due_date_falls_back_to_the_last_day_of_the_month(db):
    duty = ReportingDuty.objects.get(document=Document.DISTRICT_PLAN)
    duty.due_month, duty.due_day = 2, 30
    assert duty.due_date(2028) == datetime.date(2028, 2, 29)
    assert duty.due_date(2027) == datetime.date(2027, 2, 28)


def test_mission_of_a_district_council_coordinator(cast):
    page = cast.client("coordinator").get("/riktlinjer/mitt-uppdrag/").content.decode()
    assert "Järva stadsdelsnämnd" in page
    assert "ska ha en lokal samordnare" in page
    for name in ("Anhörigstöd", "Arbete mot extremistisk propaganda", "Stöd att lämna"):
        assert name in page
    assert "Lägesbild" in page and "Åtgärdsplan" in page
    assert "Bevaka och följa frågan" in page  # the six coordinator duties


def test_mission_of_a_specialist_board(cast):
    page = cast.client("board_reader").get("/riktlinjer/mitt-uppdrag/").content.decode()
    assert "Utbildningsnämnden" in page
    assert "Handlingsplan" in page or "Uppföljning av handlingsplan" in page
    assert "Anhörigstöd" not in page  # not responsible for focus area 7
    assert "Källkritik och källtillit i undervisningen" in page


def test_mission_of_the_executive_board(cast):
    page = cast.client("central_coordinator").get("/riktlinjer/mitt-uppdrag/").content.decode()
    assert "Nulägesrapport till kommunfullmäktige" in page
    assert "Riktlinjerna kräver ingen lokal samordnare" in page


def test_method_limited_to_some_organisations_is_shown_only_to_them(cast):
    from vbe.guidelines.models import FocusArea, Method

    area = FocusArea.objects.get(number=4)
    method = Method.objects.create(focus_area=area, name="Särskild testmetod för Södermalm")
    method.applies_to.add(Organisation.objects.get(slug="sodermalm"))
    assert "Särskild testmetod" not in cast.client("coordinator").get("/riktlinjer/mitt-uppdrag/").content.decode()
    assert "Särskild testmetod" in cast.client("coordinator_other").get("/riktlinjer/mitt-uppdrag/").content.decode()


def test_guideline_pages(cast):
    client = cast.client("staff")
    overview = client.get("/riktlinjer/").content.decode()
    assert "Förebyggande arbete" in overview and "Riktade sociala insatser" in overview
    area = client.get("/riktlinjer/omraden/samordnade-stodinsatser/").content.decode()
    assert "BUS-grupper" in area and "Socialnämnden" in area
    assert client.get("/riktlinjer/omraden/finns-inte/").status_code == 404


START_PAGE_HEADINGS = {
    "staff": "Din organisation",
    "unit_manager": "Din verksamhet",
    "coordinator": "Lokal samordnare för Järva stadsdelsnämnd",
    "coordinator_other": "Lokal samordnare för Södermalm stadsdelsnämnd",
    "coordinator_board": "Lokal samordnare för Utbildningsnämnden",
    "caseworker": "Handläggare i Järva stadsdelsnämnd",
    "central_coordinator": "Stadens samordning",
    "board_reader": "Utbildningsnämnden",
    "auditor": "Loggkontroll",
    "admin": "Systemadministration",
}


@pytest.mark.parametrize("name", list(START_PAGE_HEADINGS))
def test_each_role_has_its_start_page(cast, name):
    page = cast.client(name).get("/").content.decode()
    assert f'<h2 class="govuk-heading-m">{START_PAGE_HEADINGS[name]}' in page
    assert "ring 112" in page


def test_central_coordinator_sees_the_coordinator_gaps_first(cast):
    page = cast.client("central_coordinator").get("/").content.decode()
    assert "saknar en" in page and "Skärholmen stadsdelsnämnd" in page
