"""The status report's data and its PDF and DOCX, parsed back and compared with the data.

Scenario for 2025 (report period 2024–2025):
- incidents: 2025: 6 propaganda in Järva, 2 threats in Södermalm; 2024: 3 graffiti in Järva;
- concerns received: 2025: 7 right-wing, 1 islamist; 2024: none;
- Järva's decided plan for 2025 (focus areas 1, 2) and Utbildningsnämnden's draft handlingsplan (4).
Counts from 1 to 4 are shown as "<5", and a count beside one as "x" where a total would give it away.
"""

from __future__ import annotations

import datetime
import io
import secrets

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn
from pypdf import PdfReader

from vbe.concerns.models import Concern
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident
from vbe.incidents.signals import counted_rows_changed as incidents_changed
from vbe.organisations.models import Organisation
from vbe.reports import compile, plan_document
from vbe.reports.document import DocumentData, Table
from vbe.reports.documents import docx, pdf
from vbe.reports.models import StatusReport
from vbe.reports.tests.factories import make_plan
from vbe.statistics import summary

TZ = datetime.timezone(datetime.timedelta(hours=1))


def make_incidents(reporter, slug: str, n: int, *, category: str, day: datetime.date) -> None:
    council = Organisation.objects.select_related("district").get(slug=slug)
    created = Incident.objects.bulk_create(
        Incident(
            reference=f"HÄN-{day.year}-{secrets.randbelow(10**8):08d}",
            reporter=reporter,
            organisation=council,
            district=council.district,
            category=category,
            environment=Environment.RIGHT_WING,
            occurred_on=day,
            description="Klistermärken.",
            submission_token=secrets.token_hex(8),
        )
        for _ in range(n)
    )
    # Written in bulk, past post_save: the statistics are told, as every bulk write does.
    incidents_changed.send(sender=Incident, ids=[incident.pk for incident in created])


def make_concerns(reporter, n: int, *, environment: str, received: datetime.datetime) -> None:
    jarva = Organisation.objects.get(slug="jarva")
    for _ in range(n):
        concern = Concern.objects.create(
            reference=f"ORO-{received.year}-{secrets.randbelow(10**8):08d}",
            reporter=reporter,
            reporter_organisation=jarva,
            reported_to=jarva,
            organisation=jarva,
            idempotency_key=secrets.token_hex(8),
            observation="Testobservation",
            observed_on=received.date(),
            concerns_child="no",
            environment=environment,
        )
        Concern.objects.filter(pk=concern.pk).update(created_at=received)
    summary.rebuild()  # moved to another month past the services: the statistics count everything again


@pytest.fixture
def scenario(cast):
    staff = cast["staff"]
    make_incidents(staff, "jarva", 6, category=Category.PROPAGANDA, day=datetime.date(2025, 3, 1))
    make_incidents(staff, "sodermalm", 2, category=Category.THREAT, day=datetime.date(2025, 12, 31))
    make_incidents(staff, "jarva", 3, category=Category.GRAFFITI, day=datetime.date(2024, 6, 1))
    make_incidents(staff, "jarva", 9, category=Category.GRAFFITI, day=datetime.date(2023, 12, 31))  # outside
    make_concerns(staff, 7, environment=Environment.RIGHT_WING, received=datetime.datetime(2025, 5, 1, 12, tzinfo=TZ))
    make_concerns(staff, 1, environment=Environment.ISLAMIST, received=datetime.datetime(2025, 1, 1, 0, 30, tzinfo=TZ))
    make_plan(actor=cast["coordinator"], slug="jarva", year=2025, measures=[1, 2], state="decided")
    make_plan(actor=cast["coordinator_board"], slug="utbildningsnamnden", year=2024, measures=[4])
    actor = cast["central_coordinator"]
    report = StatusReport.objects.create(
        year=2025,
        created_by=actor,
        updated_by=actor,
        summary="Arbetet har kommit längre i stadsdelarna än i facknämnderna.\n\nTvå stycken.",
        analysis="Propagandan ökar.",
        conclusions="Fler planer ska beslutas i tid.",
    )
    return compile.status_report_document(compile.status_report_data(2025), report)


def table(document: DocumentData, caption: str) -> Table:
    return next(t for t in document.tables() if t.caption == caption)


def rows(t: Table) -> dict[str, tuple[str, ...]]:
    return {row[0]: row[1:] for row in t.rows}


# --- The data ------------------------------------------------------------------------------------


def test_the_figures(scenario):
    categories = rows(table(scenario, "Händelser per typ"))
    assert table(scenario, "Händelser per typ").columns == ("Typ av händelse", "2024", "2025")
    # 2025: 8 in all, 6 propaganda and 2 threats: 8 − 6 would give the threats away, so the 6 is
    # hidden too ("x", 5 or more), and so are Järva's 6 beside Södermalm's 2.
    assert categories["Propaganda: klistermärken eller affischer"] == ("0", "x")
    assert categories["Hot"] == ("0", "<5")
    assert categories["Klotter eller symboler"] == ("<5", "0")
    assert categories["Totalt"] == ("<5", "8")
    districts = rows(table(scenario, "Händelser per stadsdelsområde"))
    assert districts["Järva"] == ("<5", "x") and districts["Södermalm"] == ("0", "<5")
    concerns = rows(table(scenario, "Oro för en individ per miljö"))
    assert concerns["Våldsbejakande högerextremism"] == ("0", "x")
    assert concerns["Våldsbejakande islamism"] == ("0", "<5")  # received 00:30 on 1 January, Swedish time
    assert concerns["Totalt"] == ("0", "8")
    areas = rows(table(scenario, "Åtgärder per område i riktlinjerna, 2025"))
    assert areas["1. Främjande insatser för att förhindra att barn och vuxna hamnar i en negativ utveckling"][0] == "1"
    assert areas["4. Kunskap om våldsbejakande extremism och hur man ska agera vid oro"][0] == "1"
    districts_plan = rows(table(scenario, "Stadsdelsnämnder: läget 2025"))
    assert districts_plan["Järva stadsdelsnämnd"][1].startswith("Beslutad")


def test_each_chart_shows_the_figures_of_its_table(scenario):
    figures = [f for f in scenario.figures() if f.chart]
    assert {f.chart.key for f in figures} == {
        "focus-areas",
        "incidents-category",
        "incidents-district",
        "concerns-environment",
    }
    for figure in figures:
        column = 1 if figure.chart.key == "focus-areas" else -1  # the chart shows the report's year
        by_label = {row[0]: row[column] for row in figure.table.rows}
        for bar in figure.chart.bars:
            assert bar.text == by_label[bar.label]
        assert all(f"{bar.label}: {bar.text}" in figure.chart.description for bar in figure.chart.bars)


def test_suppressed_bars_all_look_the_same(scenario):
    chart = next(f.chart for f in scenario.figures() if f.chart and f.chart.key == "incidents-category")
    threat = next(b for b in chart.bars if b.label == "Hot")
    assert (threat.text, threat.muted, threat.value) == ("<5", True, 4)


def test_the_narrative_fills_its_sections(scenario):
    summary = scenario.sections[0]
    assert summary.heading == "Sammanfattning"
    assert [b.text for b in summary.blocks] == [
        "Arbetet har kommit längre i stadsdelarna än i facknämnderna.",
        "Två stycken.",
    ]
    assert scenario.sections[-1].blocks[0].text == "Fler planer ska beslutas i tid."


def test_compiling_reads_a_bounded_number_of_queries(scenario, django_assert_max_num_queries):
    with django_assert_max_num_queries(18):
        compile.status_report_data(2025)


# --- PDF -----------------------------------------------------------------------------------------------


def _struct_types(reader: PdfReader) -> tuple[set[str], list[str]]:
    """The structure element types in the PDF's tag tree, and every figure's alternate text."""
    types, alts = set(), []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            types.add(str(node["/S"]))
            if node["/S"] == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return types, alts


def _outline(reader: PdfReader) -> list[tuple[int, str]]:
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title))

    walk(reader.outline, 1)
    return found


def test_pdf_is_tagged_and_holds_the_figures(scenario):
    content = pdf.build_pdf(scenario)
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Nulägesrapport om arbetet mot våldsbejakande extremism 2025"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    types, alts = _struct_types(reader)
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Figure", "/L", "/LI"} <= types
    assert "Händelser per typ, 2025" in alts and "Åtgärder per område i riktlinjerna, 2025" in alts
    # The headings are real: the PDF's outline is the document's headings, nested the same way.
    assert _outline(reader) == [
        (1, "Nulägesrapport om arbetet mot våldsbejakande extremism 2025"),
        *scenario.headings(),
    ]
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    text = " ".join(text.split())
    for expected in (
        "Nulägesrapport om arbetet mot våldsbejakande extremism 2025",
        "Samordnare, planer och uppföljning 2025",
        "Arbetet har kommit längre i stadsdelarna än i facknämnderna.",
        "Det finns ännu inga uppgifter om utbildning i portalen.",
        "2025: 8 händelser.",
        "1 av 11 stadsdelsnämnder har en beslutad lägesbild och åtgärdsplan för 2025.",
        "Propaganda: klistermärken eller affischer 0 x",
        "Våldsbejakande högerextremism 0 x",
        "Våldsbejakande islamism 0 <5",
        "x är ett antal på 5 eller fler som inte visas",
    ):
        assert expected in text, expected


# --- DOCX ------------------------------------------------------------------------------------------------


def test_docx_headings_tables_and_pictures(scenario):
    word = WordDocument(io.BytesIO(docx.build_docx(scenario)))
    headings = [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in word.paragraphs
        if p.style.name.startswith("Heading ")
    ]
    assert headings == [(1, "Nulägesrapport om arbetet mot våldsbejakande extremism 2025"), *scenario.headings()]
    assert word.core_properties.title == "Nulägesrapport om arbetet mot våldsbejakande extremism 2025"
    lang = word.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "sv-SE"
    # Every table: the header row marked as such, and the same values as the compiled data.
    expected = scenario.tables()
    assert len(word.tables) == len(expected)
    for got, want in zip(word.tables, expected, strict=True):
        header = got.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in got.rows[1:])
        values = [tuple(cell.text for cell in row.cells) for row in got.rows]
        assert values == [want.columns, *want.rows]
    # Charts: a picture with alternate text (docPr descr) for each, then its table.
    charts = [f.chart for f in scenario.figures() if f.chart]
    doc_prs = word.element.body.findall(".//" + qn("wp:docPr"))
    assert [d.get("descr") for d in doc_prs] == [c.description for c in charts]
    assert [d.get("title") for d in doc_prs] == [c.title for c in charts]
    assert len(word.inline_shapes) == len(charts)
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Propagandan ökar." in text and "Det finns ännu inga uppgifter om utbildning i portalen." in text


# --- A plan as a document ---------------------------------------------------------------------------------


def test_plan_documents(cast):
    plan = make_plan(
        actor=cast["coordinator"],
        slug="jarva",
        year=2025,
        measures=[(1, "Föräldraträffar"), (4, "Utbildning för personal")],
        state="decided",
    )
    data = plan_document.plan_document_data(plan)
    assert data.headings() == [
        (2, "Lägesbild"),
        (2, "Åtgärder"),
        (3, "1. Främjande insatser för att förhindra att barn och vuxna hamnar i en negativ utveckling"),
        (3, "4. Kunskap om våldsbejakande extremism och hur man ska agera vid oro"),
        (2, "Uppföljning"),
    ]
    reader = PdfReader(io.BytesIO(pdf.build_pdf(data, "reports/plan_document.html")))
    text = " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())
    assert plan.title in text and "Föräldraträffar" in text and "Beslutad 15 januari 2020, § 12" in text
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    word = WordDocument(io.BytesIO(docx.build_docx(data)))
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 1"] == [plan.title]
    measures = [row.cells[0].text for t in word.tables for row in t.rows[1:] if t.rows[0].cells[0].text == "Åtgärd"]
    assert measures == ["Föräldraträffar", "Utbildning för personal"]


def test_plan_document_reads_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    plan = make_plan(actor=cast["coordinator"], slug="jarva", year=2025, measures=[1, 2, 3, 4, 5])
    with django_assert_max_num_queries(5):
        plan_document.plan_document_data(plan)
