"""A compiled document (``vbe.reports.document``) as JSON, and back: how a final status report keeps the
document that was decided (``StatusReport.frozen_document``).

The format is explicit and versioned (``VERSION``): every dataclass has its own shape, and ``from_json``
reads exactly those shapes. A key missing or too many, a value of the wrong type, an unknown block type
or another version is refused with ``FrozenDocumentError`` naming where in the document it is, rather
than read as something else: a decided report is shown as it was stored or not at all.

``from_json(to_json(document)) == document`` for every document the compiler builds. The document's
``extra`` (objects for callers, never printed) is not stored: it is not part of what was decided.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise

from vbe.core import svg
from vbe.reports.document import BulletList, Chart, DocumentData, Figure, Paragraph, Section, Table

VERSION = 1


class FrozenDocumentError(ValueError):
    """The stored JSON is not a frozen document this code can read, or a document holds something the
    format cannot store."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"Frozen document, {where}: {problem}")
        self.where, self.problem = where, problem


# --- To JSON ---------------------------------------------------------------------------------------------


def _text(value: object, where: str) -> str:
    # Lazy translations are texts too; stored as the text they were when the report was frozen.
    if isinstance(value, str | Promise):
        return str(value)
    raise FrozenDocumentError(where, f"expected a text, got {type(value).__name__}")


def _texts(values: object, where: str) -> list[str]:
    if not isinstance(values, tuple):
        raise FrozenDocumentError(where, f"expected a tuple of texts, got {type(values).__name__}")
    return [_text(v, f"{where}[{i}]") for i, v in enumerate(values)]


def _tuple(values: object, where: str) -> tuple:
    # Lists would come back as tuples: only tuples are stored, so that the round trip is exact.
    if not isinstance(values, tuple):
        raise FrozenDocumentError(where, f"expected a tuple, got {type(values).__name__}")
    return values


def _number(value: object, where: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FrozenDocumentError(where, f"expected a number, got {type(value).__name__}")
    return value


def _table_to_json(table: Table, where: str) -> dict[str, Any]:
    if type(table) is not Table:
        raise FrozenDocumentError(where, f"expected a Table, got {type(table).__name__}")
    numeric_from = _number(table.numeric_from, f"{where}.numeric_from")
    if not isinstance(numeric_from, int):
        raise FrozenDocumentError(f"{where}.numeric_from", "expected a whole number")
    return {
        "caption": _text(table.caption, f"{where}.caption"),
        "columns": _texts(table.columns, f"{where}.columns"),
        "rows": [_texts(row, f"{where}.rows[{i}]") for i, row in enumerate(_tuple(table.rows, f"{where}.rows"))],
        "numeric_from": numeric_from,
    }


def _chart_to_json(chart: Chart, where: str) -> dict[str, Any]:
    if type(chart) is not Chart:
        raise FrozenDocumentError(where, f"expected a Chart, got {type(chart).__name__}")
    bars = []
    for i, bar in enumerate(_tuple(chart.bars, f"{where}.bars")):
        at = f"{where}.bars[{i}]"
        if type(bar) is not svg.Bar or not isinstance(bar.muted, bool):
            raise FrozenDocumentError(at, f"expected a bar, got {type(bar).__name__}")
        bars.append(
            {
                "label": _text(bar.label, f"{at}.label"),
                "value": _number(bar.value, f"{at}.value"),
                "text": _text(bar.text, f"{at}.text"),
                "muted": bar.muted,
            }
        )
    return {
        "key": _text(chart.key, f"{where}.key"),
        "title": _text(chart.title, f"{where}.title"),
        "bars": bars,
        "note": _text(chart.note, f"{where}.note"),
    }


def _block_to_json(block: object, where: str) -> dict[str, Any]:
    # Each block's ``kind`` is fixed by its class (the templates branch on it): stored as its type.
    if type(block) is Paragraph and block.kind == "paragraph":
        return {"type": "paragraph", "text": _text(block.text, f"{where}.text")}
    if type(block) is BulletList and block.kind == "list":
        return {"type": "list", "items": _texts(block.items, f"{where}.items")}
    if type(block) is Figure and block.kind == "figure":
        return {
            "type": "figure",
            "table": _table_to_json(block.table, f"{where}.table"),
            "chart": None if block.chart is None else _chart_to_json(block.chart, f"{where}.chart"),
        }
    raise FrozenDocumentError(where, f"a block of an unknown type: {type(block).__name__}")


def _section_to_json(section: Section, where: str) -> dict[str, Any]:
    if type(section) is not Section:
        raise FrozenDocumentError(where, f"expected a Section, got {type(section).__name__}")
    return {
        "heading": _text(section.heading, f"{where}.heading"),
        "key": _text(section.key, f"{where}.key"),
        "narrative": _text(section.narrative, f"{where}.narrative"),
        "blocks": [
            _block_to_json(b, f"{where}.blocks[{i}]") for i, b in enumerate(_tuple(section.blocks, f"{where}.blocks"))
        ],
        "subsections": [
            _section_to_json(s, f"{where}.subsections[{i}]")
            for i, s in enumerate(_tuple(section.subsections, f"{where}.subsections"))
        ],
    }


def to_json(document: DocumentData) -> dict[str, Any]:
    """The document as JSON-ready data (dicts, lists, texts, numbers, booleans and None)."""
    if type(document) is not DocumentData:
        raise FrozenDocumentError("document", f"expected DocumentData, got {type(document).__name__}")
    compiled_at = document.compiled_at
    if compiled_at is not None and (not isinstance(compiled_at, datetime.datetime) or compiled_at.tzinfo is None):
        raise FrozenDocumentError("compiled_at", "expected a datetime with a time zone, or None")
    if not isinstance(document.facts, tuple):
        raise FrozenDocumentError("facts", "expected a tuple of (label, value)")
    facts = []
    for i, fact in enumerate(document.facts):
        if not isinstance(fact, tuple) or len(fact) != 2:
            raise FrozenDocumentError(f"facts[{i}]", "expected a (label, value) pair")
        facts.append(_texts(fact, f"facts[{i}]"))
    return {
        "version": VERSION,
        "title": _text(document.title, "title"),
        "subtitle": _text(document.subtitle, "subtitle"),
        "facts": facts,
        "compiled_at": None if compiled_at is None else compiled_at.isoformat(),
        "filename": _text(document.filename, "filename"),
        "sections": [
            _section_to_json(s, f"sections[{i}]") for i, s in enumerate(_tuple(document.sections, "sections"))
        ],
    }


# --- From JSON -------------------------------------------------------------------------------------------


def _object(data: object, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FrozenDocumentError(where, f"expected an object, got {type(data).__name__}")
    if set(data) != keys:
        missing, unknown = sorted(keys - set(data)), sorted(set(data) - keys)
        raise FrozenDocumentError(where, f"keys missing {missing}, unknown {unknown}")
    return data


def _str(data: object, where: str) -> str:
    if not isinstance(data, str):
        raise FrozenDocumentError(where, f"expected a text, got {type(data).__name__}")
    return data


def _list(data: object, where: str, item: Callable[[object, str], Any]) -> tuple:
    if not isinstance(data, list):
        raise FrozenDocumentError(where, f"expected a list, got {type(data).__name__}")
    return tuple(item(value, f"{where}[{i}]") for i, value in enumerate(data))


def _str_list(data: object, where: str) -> tuple[str, ...]:
    return _list(data, where, _str)


def _table(data: object, where: str) -> Table:
    d = _object(data, where, {"caption", "columns", "rows", "numeric_from"})
    numeric_from = d["numeric_from"]
    if isinstance(numeric_from, bool) or not isinstance(numeric_from, int):
        raise FrozenDocumentError(f"{where}.numeric_from", "expected a whole number")
    return Table(
        caption=_str(d["caption"], f"{where}.caption"),
        columns=_str_list(d["columns"], f"{where}.columns"),
        rows=_list(d["rows"], f"{where}.rows", _str_list),
        numeric_from=numeric_from,
    )


def _bar(data: object, where: str) -> svg.Bar:
    d = _object(data, where, {"label", "value", "text", "muted"})
    value = d["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FrozenDocumentError(f"{where}.value", "expected a number")
    if not isinstance(d["muted"], bool):
        raise FrozenDocumentError(f"{where}.muted", "expected true or false")
    return svg.Bar(
        label=_str(d["label"], f"{where}.label"), value=value, text=_str(d["text"], f"{where}.text"), muted=d["muted"]
    )


def _chart(data: object, where: str) -> Chart:
    d = _object(data, where, {"key", "title", "bars", "note"})
    return Chart(
        key=_str(d["key"], f"{where}.key"),
        title=_str(d["title"], f"{where}.title"),
        bars=_list(d["bars"], f"{where}.bars", _bar),
        note=_str(d["note"], f"{where}.note"),
    )


def _block(data: object, where: str) -> Paragraph | BulletList | Figure:
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "paragraph":
        d = _object(data, where, {"type", "text"})
        return Paragraph(_str(d["text"], f"{where}.text"))
    if kind == "list":
        d = _object(data, where, {"type", "items"})
        return BulletList(_str_list(d["items"], f"{where}.items"))
    if kind == "figure":
        d = _object(data, where, {"type", "table", "chart"})
        chart = None if d["chart"] is None else _chart(d["chart"], f"{where}.chart")
        return Figure(_table(d["table"], f"{where}.table"), chart)
    raise FrozenDocumentError(where, f"a block of an unknown type: {kind!r}")


def _section(data: object, where: str) -> Section:
    d = _object(data, where, {"heading", "key", "narrative", "blocks", "subsections"})
    return Section(
        heading=_str(d["heading"], f"{where}.heading"),
        key=_str(d["key"], f"{where}.key"),
        blocks=_list(d["blocks"], f"{where}.blocks", _block),
        subsections=_list(d["subsections"], f"{where}.subsections", _section),
        narrative=_str(d["narrative"], f"{where}.narrative"),
    )


def _fact(data: object, where: str) -> tuple[str, str]:
    pair = _str_list(data, where)
    if len(pair) != 2:
        raise FrozenDocumentError(where, "expected a (label, value) pair")
    return pair


def from_json(data: object) -> DocumentData:
    """The document ``to_json`` stored. Anything else raises ``FrozenDocumentError``."""
    if not isinstance(data, dict):
        raise FrozenDocumentError("document", f"expected an object, got {type(data).__name__}")
    if data.get("version") != VERSION:
        raise FrozenDocumentError("version", f"this code reads version {VERSION}, not {data.get('version')!r}")
    d = _object(data, "document", {"version", "title", "subtitle", "facts", "compiled_at", "filename", "sections"})
    compiled_at = None
    if d["compiled_at"] is not None:
        try:
            compiled_at = datetime.datetime.fromisoformat(_str(d["compiled_at"], "compiled_at"))
        except ValueError:
            raise FrozenDocumentError("compiled_at", "not an ISO 8601 date and time") from None
        if compiled_at.tzinfo is None:
            raise FrozenDocumentError("compiled_at", "a date and time without a time zone")
    return DocumentData(
        title=_str(d["title"], "title"),
        subtitle=_str(d["subtitle"], "subtitle"),
        sections=_list(d["sections"], "sections", _section),
        facts=_list(d["facts"], "facts", _fact),
        compiled_at=compiled_at,
        filename=_str(d["filename"], "filename"),
    )
