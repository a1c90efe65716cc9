"""A small document model: sections of paragraphs, lists, and tables with their charts.

The compiled data of a document (``compile.status_report_data``, ``plan_document.plan_document_data``) is
built once as these objects; the HTML page, the PDF (through an HTML template) and the DOCX are each a
renderer of the same objects. So a figure on the screen is the figure in both files.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from vbe.core import svg


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]  # the first heads the row headers
    rows: tuple[tuple[str, ...], ...]  # the first value of each row is its row header
    numeric_from: int = 1  # columns from this index hold figures (right-aligned); len(columns): none

    def is_numeric(self, index: int) -> bool:
        return index >= self.numeric_from

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        return [(text, self.is_numeric(i)) for i, text in enumerate(self.columns)]

    @property
    def body(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """Each row as (row header, [(value, numeric)]) for templates."""
        return [(row[0], [(v, self.is_numeric(i)) for i, v in enumerate(row[1:], start=1)]) for row in self.rows]


@dataclass(frozen=True)
class Chart:
    """A bar chart: drawn as SVG (page and PDF) or PNG (DOCX) from the same bars."""

    key: str
    title: str
    bars: tuple[svg.Bar, ...]
    note: str = ""  # e.g. how small counts are shown

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def description(self) -> str:
        """The text alternative: every figure, so nothing is only in the picture."""
        figures = "; ".join(f"{bar.label}: {bar.text}" for bar in self.bars)
        parts = [_("Stapeldiagram."), f"{figures}.", *([self.note] if self.note else [])]
        return " ".join([*parts, _("Samma siffror finns i tabellen under diagrammet.")])

    def svg(self) -> SafeString:
        return svg.bar_chart(list(self.bars), chart_id=self.chart_id, title=self.title, description=self.description)


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    kind: str = "list"


@dataclass(frozen=True)
class Figure:
    """A table, and optionally a chart of the same figures shown above it."""

    table: Table
    chart: Chart | None = None
    kind: str = "figure"


Block = Paragraph | BulletList | Figure


@dataclass(frozen=True)
class Section:
    heading: str
    key: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()
    narrative: str = ""  # the field of the report whose text fills this section

    @property
    def anchor(self) -> str:
        return f"avsnitt-{self.key}"


@dataclass(frozen=True)
class DocumentData:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    facts: tuple[tuple[str, str], ...] = ()  # shown under the title: (label, value)
    compiled_at: datetime.datetime | None = None
    filename: str = "dokument"
    extra: dict = field(default_factory=dict, compare=False)

    def figures(self) -> list[Figure]:
        def walk(sections: tuple[Section, ...]):
            for section in sections:
                yield from (b for b in section.blocks if isinstance(b, Figure))
                yield from walk(section.subsections)

        return list(walk(self.sections))

    def tables(self) -> list[Table]:
        return [f.table for f in self.figures()]

    def headings(self) -> list[tuple[int, str]]:
        """(level, text) of every heading under the title (which is level 1)."""

        def walk(sections: tuple[Section, ...], level: int):
            for section in sections:
                yield level, section.heading
                yield from walk(section.subsections, level + 1)

        return list(walk(self.sections, 2))


def paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Free text as paragraphs: a blank line starts a new one."""
    parts = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
    return tuple(Paragraph(p) for p in parts if p)


def with_narrative(data: DocumentData, texts: dict[str, str], *, placeholder: str) -> DocumentData:
    """The document with each narrative section filled from ``texts`` (field name -> text)."""

    def fill(section: Section) -> Section:
        if section.narrative:
            body = paragraphs(texts.get(section.narrative, "")) or (Paragraph(placeholder),)
            return replace(section, blocks=body + section.blocks)
        return replace(section, subsections=tuple(fill(s) for s in section.subsections))

    return replace(data, sections=tuple(fill(s) for s in data.sections))
