"""Text that every document format can hold: one helper for the PDF, DOCX and XLSX builders.

Texts typed into the portal or pasted from elsewhere can carry characters that XML 1.0 (inside DOCX
and XLSX) cannot hold at all, and that break a build with an error instead of a file: C0 control
characters other than tab, newline and carriage return (a NUL, the escape character, the vertical tab
Word writes for a line break), the non-characters U+FFFE and U+FFFF, and lone surrogates, which cannot
even be written as UTF-8. DEL and the C1 controls (U+007F–U+009F) are allowed in XML but never meant
in a text, so they go too.

Vertical tab and form feed stand for a line or page break in pasted text, so they become a newline;
a lone surrogate becomes the replacement character; everything else listed is dropped.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

T = TypeVar("T")

_BREAKS = re.compile(r"[\x0b\x0c]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_UNWANTED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value: str) -> str:
    """The text without characters a document cannot hold (see the module's docstring)."""
    value = _BREAKS.sub("\n", value)
    value = _SURROGATES.sub("\ufffd", value)
    return _UNWANTED.sub("", value)


def clean(value: T) -> T:
    """A copy of a document's data (``vbe.reports.document``: frozen dataclasses, tuples and texts)
    with every text cleaned. Other values, and the ``extra`` of a document (objects the builders do
    not print), are kept as they are."""
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(clean(item) for item in value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [clean(item) for item in value]  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: clean(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init and f.name != "extra"
        }
        return dataclasses.replace(value, **changes)
    return value
