"""Training in the reports: the status report's section "Utbildning" and the compliance overview's lines,
checked against figures counted by hand, and query counts that do not grow with the learners.

The world, on 31 December 2025 (the day the report for 2025 is taken):

Järva, Testfritidsgården, fritid, headcount 10 for 2025 (100 for 2026 is not yet known then): six posts.
  L1 CVE basic 2020 (never expires) and the digital advanced course in February 2025: trained, both levels.
  L2 digital basic January 2024, L3 digital basic March 2023: valid (three years).
  L4 digital basic 1 June 2022: valid until 31 May 2025, expired. L5b, L6b: nothing.
  -> basic 3/10, advanced 1/10.
Järva, Annan skola, skola, headcount 5: L1 again (a post in each unit), L5 CVE basic 30 November 2025, L6 a
  completion on 5 January 2026 (after the day). -> basic 2/5, advanced 1/5.
Södermalm, Söderfritids, fritid, headcount 4 for 2024 (the latest up to 2025): L7 CVE basic. -> 1/4, a small
  group: hidden in the report ("färre än 5 anställda"), exact on the central coordinator's compliance page.

Järva: basic 5/15 = 33 %, advanced 2/15 = 13 %. City: basic 6/19 = 32 %, advanced 2/19 = 11 %.
Staff groups (city): fritid 4/14 = 29 % and 1/14 = 7 %; skola 2/5 = 40 % and 1/5 = 20 %.
Targets: basic 80 %, advanced 25 %.
"""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document as WordDocument
from pypdf import PdfReader

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
from vbe.reports import compile, training
from vbe.reports.compliance import compliance_for
from vbe.reports.document import BulletList, Figure, Paragraph
from vbe.reports.documents import docx, pdf
from vbe.reports.models import StatusReport

TODAY = datetime.date(2026, 3, 1)


def _course(title: str, level: str, validity: int | None) -> Course:
    return Course.objects.create(
        title=title, provider="Testanordnare", level=level, format=CourseFormat.DIGITAL, validity_years=validity
    )


def _complete(learner: Learner, course: Course, day: datetime.date) -> None:
    Completion.objects.create(learner=learner, course=course, completed_on=day, source=CompletionSource.MANUAL)


@pytest.fixture
def world(cast):
    fritid, skola = StaffGroup.objects.get(slug="fritid"), StaffGroup.objects.get(slug="skola")
    digital_basic = _course("Test: digital grund", Level.BASIC, 3)
    cve_basic = _course("Test: CVE grund", Level.BASIC, None)
    digital_advanced = _course("Test: digital fördjupning", Level.ADVANCED, 3)
    jarva, sodermalm = Organisation.objects.get(slug="jarva"), Organisation.objects.get(slug="sodermalm")
    unit_a = Unit.objects.get(organisation=jarva, name="Testfritidsgården")
    unit_b = Unit.objects.create(organisation=jarva, name="Annan skola", kind=UnitKind.SCHOOL)
    unit_c = Unit.objects.create(organisation=sodermalm, name="Söderfritids", kind=UnitKind.YOUTH_CENTRE)
    people = {
        n: Learner.objects.create(email=f"l{n}@vbe.example", name=f"Deltagare {n}")
        for n in ("1", "2", "3", "4", "5b", "6b", "5", "6", "7")
    }
    for n in ("1", "2", "3", "4", "5b", "6b"):
        Placement.objects.create(learner=people[n], unit=unit_a, staff_group=fritid)
    for n in ("1", "5", "6"):
        Placement.objects.create(learner=people[n], unit=unit_b, staff_group=skola)
    Placement.objects.create(learner=people["7"], unit=unit_c, staff_group=fritid)
    _complete(people["1"], cve_basic, datetime.date(2020, 5, 5))
    _complete(people["1"], digital_advanced, datetime.date(2025, 2, 1))
    _complete(people["2"], digital_basic, datetime.date(2024, 1, 10))
    _complete(people["3"], digital_basic, datetime.date(2023, 3, 1))
    _complete(people["4"], digital_basic, datetime.date(2022, 6, 1))
    _complete(people["5"], cve_basic, datetime.date(2025, 11, 30))
    _complete(people["6"], cve_basic, datetime.date(2026, 1, 5))
    _complete(people["7"], cve_basic, datetime.date(2024, 2, 2))
    Headcount.objects.create(unit=unit_a, staff_group=fritid, year=2025, count=10)
    Headcount.objects.create(unit=unit_a, staff_group=fritid, year=2026, count=100)
    Headcount.objects.create(unit=unit_b, staff_group=skola, year=2025, count=5)
    Headcount.objects.create(unit=unit_c, staff_group=fritid, year=2024, count=4)
    CoverageTarget.objects.create(level=Level.BASIC, percent=80)
    CoverageTarget.objects.create(level=Level.ADVANCED, percent=25)
    return {"unit_a": unit_a, "fritid": fritid, "digital_basic": digital_basic, "cve_basic": cve_basic}


def _section(data):
    [section] = [s for s in data.sections if s.key == "utbildning"]
    return section


def _tables(section):
    return [block.table for block in section.blocks if isinstance(block, Figure)]


def _text(section) -> str:
    return " ".join(block.text for block in section.blocks if isinstance(block, Paragraph))


def test_the_section_shows_coverage_per_organisation_and_staff_group_against_the_targets(world):
    section = _section(compile.status_report_data(2025, today=TODAY))
    by_organisation, by_group = _tables(section)
    assert by_organisation.columns == ("Organisation", "Grundläggande", "Fördjupning")
    assert by_organisation.caption == "Andel anställda med giltig utbildning per organisation, 31 december 2025"
    rows = {row[0]: row[1:] for row in by_organisation.rows}
    assert rows["Järva stadsdelsnämnd"] == ("33 %", "13 %")
    assert rows["Södermalm stadsdelsnämnd"] == ("färre än 5 anställda", "färre än 5 anställda")  # leaves the portal
    assert rows["Hela staden"] == ("32 %", "11 %")
    assert rows["Mål"] == ("80 %", "25 %")
    groups = {row[0]: row[1:] for row in by_group.rows}
    assert groups == {"Fritidsverksamhet": ("29 %", "7 %"), "Skola": ("40 %", "20 %")}
    text = _text(section)
    assert "Den 31 december 2025 hade 32 % av stadens anställda en giltig grundläggande utbildning" in text
    assert "Målet är att 80 % ska ha grundläggande utbildning och 25 % fördjupning." in text
    assert "Andelen utbildade är den andel av de anställda som den 31 december 2025 har en giltig" in text
    # Only Järva is known to be under the basic target: Södermalm's share is not shown.
    [below] = [b for b in section.blocks if isinstance(b, BulletList)]
    assert below.items == ("Järva stadsdelsnämnd",)


def test_without_headcounts_the_section_says_so(cast):
    section = _section(compile.status_report_data(2025, today=TODAY))
    assert not _tables(section)
    text = _text(section)
    assert "Det finns ännu inga uppgifter om utbildning i portalen." in text
    assert "när organisationerna har fört in hur många som arbetar" in text


def test_pdf_and_docx_carry_the_training_tables(world):
    data = compile.status_report_data(2025, today=TODAY)
    report = StatusReport(year=2025)
    document = compile.status_report_document(data, report)
    word = WordDocument(BytesIO(docx.build_docx(document)))
    tables = [[tuple(c.text for c in row.cells) for row in t.rows] for t in word.tables]
    assert ("Järva stadsdelsnämnd", "33 %", "13 %") in [row for t in tables for row in t]
    reader = PdfReader(BytesIO(pdf.build_pdf(document)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Järva stadsdelsnämnd 33 % 13 %" in text
    assert "Skola 40 % 20 %" in text


def test_compliance_lines_are_exact_for_the_central_coordinator(world):
    lines = training.training_lines(compliance_for(2025, today=TODAY), on=datetime.date(2025, 12, 31))
    by_slug = {line.organisation.slug: line.cell for line in lines}
    assert (by_slug["jarva"].text, by_slug["jarva"].target_text, by_slug["jarva"].below) == ("33 %", "80 %", True)
    assert (by_slug["sodermalm"].text, by_slug["sodermalm"].below) == ("25 %", True)
    assert by_slug["farsta"].text == "Antal anställda saknas" and not by_slug["farsta"].below
    assert all(line.organisation.requires_coordinator for line in lines)  # the coordinator's duty


def test_compliance_page_shows_the_training_lines(world, cast):
    html = cast.client("central_coordinator").get("/rapporter/efterlevnad/?ar=2025").content.decode()
    assert 'id="utbildning-jarva"' in html
    row = html[html.index('id="utbildning-jarva"') :]
    row = row[: row.index("</tr>")]
    assert "33 %" in row and "80 %" in row and "Under målet" in row
    assert "/utbildning/tackning/jarva/" in row


def _grow(world, n: int) -> None:
    """``n`` more learners at Testfritidsgården, each with a basic course: rows, not new cells."""
    Learner.objects.bulk_create(Learner(email=f"extra{i}@vbe.example") for i in range(n))
    learners = list(Learner.objects.filter(email__startswith="extra"))
    Placement.objects.bulk_create(
        Placement(learner=le, unit=world["unit_a"], staff_group=world["fritid"]) for le in learners
    )
    Completion.objects.bulk_create(
        Completion(
            learner=le,
            course=world["cve_basic"],
            completed_on=datetime.date(2025, 1, 1),
            source=CompletionSource.IMPORT,
        )
        for le in learners
    )


def test_queries_do_not_grow_with_the_learners(world, cast):
    client = cast.client("central_coordinator")
    actor = cast["central_coordinator"]
    StatusReport.objects.create(year=2025, created_by=actor, updated_by=actor)
    paths = ["/rapporter/nulagesrapport/2025/", "/rapporter/efterlevnad/?ar=2025"]

    def counts() -> list[int]:
        result = []
        for path in paths:
            client.get(path)  # warm-up: per-process caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            result.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            compile.status_report_data(2025, today=TODAY)
        return [*result, len(queries)]

    few = counts()
    _grow(world, 300)
    assert Placement.objects.count() > 300
    assert counts() == few
