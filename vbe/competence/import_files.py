"""Reading an export from a learning platform or HR: CSV or XLSX, as a stream of rows.

What a client sends is not trusted (docs/security.md, uploads): the type is read from the file's
first bytes, never its name; the size is bounded on upload, the rows while reading; an XLSX file is a
zip, so its entries' uncompressed sizes are bounded before openpyxl opens it. A CSV file may be
UTF-8 (with or without the BOM Excel writes) or Windows-1252 (what Excel in Swedish saves as "CSV
(semikolonavgränsad)"); its delimiter (semicolon, comma or tab) is read from the header line. Rows are
read one at a time (openpyxl's read-only mode for XLSX), so a large file never sits in memory whole.

Line numbers are the file's: the header is line 1. In a CSV file a quoted value may run over several
lines; a row is numbered by the line it starts on.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vbe.core import zip_bounds

CSV, XLSX = "csv", "xlsx"
MAX_BYTES = 50 * 1024 * 1024  # 100,000 rows of a learning platform's export are about 8 MB
MAX_ROWS = 500_000
MAX_COLUMNS = 200
# An XLSX file's parts unpacked: a sheet of 500,000 short rows is about 150 MB of XML.
MAX_UNPACKED = 400 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
# A part other than a worksheet (the shared strings above all, also styles, the workbook, charts) is read
# whole by openpyxl as it opens the file, even in read-only mode: millions of tiny strings in a small
# zip would hold the upload request for minutes. A real export's shared strings are a few MB.
MAX_PART = 32 * 1024 * 1024
MAX_RATIO = 100  # unpacked : packed, for a part over RATIO_FROM; text compresses about 10:1
RATIO_FROM = 1024 * 1024
MAX_MANIFEST = 1024 * 1024  # [Content_Types].xml and each .rels part: a few kB in a real workbook
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MAX_CELL = 1_000  # characters of one value; a longer one is cut (no field we fill is near it)
CHUNK = 1024 * 1024
DELIMITERS = (";", ",", "\t")


class FileProblem(Exception):
    """The file cannot be read on from ``line`` on; the message is Swedish and names no value."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def sniff(head: bytes) -> str | None:
    """CSV or XLSX from the file's first bytes, or None for anything else."""
    if head.startswith(b"PK\x03\x04"):
        return XLSX  # a zip; that it is a workbook is checked in check_zip
    refused = (
        b"\xd0\xcf\x11\xe0",  # the old Excel format (.xls) and other OLE files
        b"%PDF",
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF8",
        b"\x1f\x8b",  # gzip
        b"\xff\xfe",  # UTF-16, refused with the rest: save as UTF-8
        b"\xfe\xff",
    )
    if not head or head.startswith(refused) or b"\x00" in head:
        return None
    return CSV


def inspect_upload(fileobj: IO[bytes], size: int | None) -> tuple[str, list[str]]:
    """The file's type and header row, or ValidationError in Swedish. Reads no more than it needs."""
    if size is None or size > MAX_BYTES:
        raise ValidationError(
            _("Filen är för stor. Den får vara högst %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise ValidationError(_("Filen är tom."))
    fileobj.seek(0)
    kind = sniff(fileobj.read(8192))
    fileobj.seek(0)
    if kind is None:
        raise ValidationError(
            _("Filen är varken en CSV-fil eller en Excel-fil (.xlsx). Spara exporten i något av de formaten.")
        )
    try:
        with open_table(fileobj, kind) as table:
            headers = table.headers
    except FileProblem as problem:
        raise ValidationError(problem.message) from None
    if not any(headers):
        raise ValidationError(_("Filens första rad ska vara kolumnernas rubriker, men den är tom."))
    return kind, headers


def check_zip(fileobj: IO[bytes]) -> None:
    """An XLSX file is a zip: a workbook's parts, within the bounds, before anything is unpacked.

    Only the sizes the zip declares are read (Python's zipfile never unpacks more than the declared
    size of a part, so a false one cuts the part short instead of getting past the bound), and the
    small manifest and relationship parts that say which part is what."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "xl/workbook.xml" not in names:
                raise FileProblem(_("Filen är inte en Excel-arbetsbok (.xlsx)."))
            too_large = FileProblem(_("Excel-filen är för stor uppackad. Dela upp den eller spara den som CSV."))
            # The bound of one part (MAX_PART) is below: it holds only for the parts read whole, not worksheets.
            if not zip_bounds.within_bounds(
                entries,
                max_members=MAX_ZIP_ENTRIES,
                max_unpacked=MAX_UNPACKED,
                max_ratio=MAX_RATIO,
                ratio_from=RATIO_FROM,
            ):
                raise too_large
            large = {entry.filename for entry in entries if entry.file_size > MAX_PART}
            # The shared strings by their usual name, and any part under any name that is not a worksheet.
            if "xl/sharedStrings.xml" in large or (large and not large <= _streamed_parts(archive, large)):
                raise too_large
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, ElementTree.ParseError, zipfile.LargeZipFile):
        raise FileProblem(_("Excel-filen går inte att läsa. Den kan vara skadad.")) from None
    finally:
        fileobj.seek(0)


def _small_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> ElementTree.Element:
    if info.file_size > MAX_MANIFEST:
        raise FileProblem(_("Excel-filen är för stor uppackad. Dela upp den eller spara den som CSV."))
    # Expat (2.4.1 and later) refuses entity expansion bombs; the size is bounded above.
    return ElementTree.fromstring(archive.read(info))  # noqa: S314 - bounded, expat's own limits


def _streamed_parts(archive: zipfile.ZipFile, large: set[str]) -> set[str]:
    """Of the parts in ``large``, those openpyxl streams in read-only mode: worksheets, by the
    manifest's content type and by every relationship that points at them. Any other part (shared
    strings, a chart sheet, styles …) is read whole, wherever in the zip it lies and whatever its name."""
    streamed = set(large)
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for info in archive.infolist():
        name = info.filename
        if name == "[Content_Types].xml":
            for element in _small_xml(archive, info):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "Default":
                    defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
                elif tag == "Override":
                    overrides[element.get("PartName", "").lstrip("/")] = element.get("ContentType", "")
        elif name.endswith(".rels"):
            # "xl/_rels/workbook.xml.rels" speaks of parts relative to "xl/".
            base = posixpath.dirname(posixpath.dirname(name))
            for element in _small_xml(archive, info):
                target = element.get("Target", "")
                if element.get("TargetMode") == "External" or not target:
                    continue
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
                if posixpath.normpath(path) in large and not element.get("Type", "").endswith("/worksheet"):
                    streamed.discard(posixpath.normpath(path))
    for name in large:
        content_type = overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower(), "")
        if content_type != WORKSHEET:
            streamed.discard(name)
    return streamed


def _encoding(fileobj: IO[bytes]) -> str:
    """UTF-8 (BOM or not) if every byte decodes as UTF-8, else Windows-1252 if every byte does."""
    fileobj.seek(0)
    if fileobj.read(3) == codecs.BOM_UTF8:
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        fileobj.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := fileobj.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileProblem(_("Filens teckenkodning känns inte igen. Spara den som CSV med UTF-8."))


def _delimiter(first_line: str) -> str:
    """The delimiter that splits the header line the most (semicolon when none does)."""
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def cell_text(value: object) -> str:
    """A cell as text: dates as ISO dates, whole numbers without decimals, the rest stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL]


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line, cells), blank rows left out
    total: int | None  # data rows, roughly (None: not known before reading)


@contextmanager
def open_table(fileobj: IO[bytes], kind: str, *, count: bool = False) -> Iterator[Table]:
    """The header and the rows of a file of ``kind``. ``count``: estimate the rows first (a CSV
    file's line count, an XLSX sheet's recorded size), for the progress shown while it is read."""
    fileobj.seek(0)
    if kind == XLSX:
        with _xlsx(fileobj) as table:
            yield table
    else:
        with _csv(fileobj, count=count) as table:
            yield table


@contextmanager
def _csv(fileobj: IO[bytes], *, count: bool) -> Iterator[Table]:
    encoding = _encoding(fileobj)
    total = None
    if count:
        fileobj.seek(0)
        lines = 0
        last = b""
        while chunk := fileobj.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk
        total = max(0, lines - (1 if last.endswith(b"\n") else 0))
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        first = text.readline()
        text.seek(0)
        reader = csv.reader(text, delimiter=_delimiter(first))
        try:
            header = next(reader, [])
        except csv.Error:
            raise FileProblem(_("Filens första rad går inte att läsa som CSV."), 1) from None
        if len(header) > MAX_COLUMNS:
            raise FileProblem(_("Filen har fler än %(max)s kolumner.") % {"max": MAX_COLUMNS}, 1)
        yield Table([cell_text(h) for h in header], _csv_rows(reader), total)
    finally:
        # Detached, or the wrapper would close the caller's file when it is collected.
        text.detach()


def _csv_rows(reader: csv.reader) -> Iterator[tuple[int, list[str]]]:  # type: ignore[valid-type]
    line = reader.line_num + 1  # where the next record starts
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise FileProblem(
                _("Raden går inte att läsa som CSV (ett citattecken som inte avslutas?)."), line
            ) from None
        cells = [c.strip()[:MAX_CELL] for c in cells]
        if any(cells):
            yield line, cells
        line = reader.line_num + 1


@contextmanager
def _xlsx(fileobj: IO[bytes]) -> Iterator[Table]:
    import openpyxl  # only where a workbook is read: it is a large import

    check_zip(fileobj)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken file
        raise FileProblem(_("Excel-filen går inte att läsa. Den kan vara skadad.")) from None
    try:
        if not workbook.worksheets:
            raise FileProblem(_("Excel-filen har inget kalkylblad."))
        sheet = workbook.worksheets[0]
        recorded = sheet.max_row
        # The recorded size is only a hint: rows past it would be cut off, so read to the end.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        try:
            header = next(rows, ())
        except Exception:
            raise FileProblem(_("Excel-filen går inte att läsa. Den kan vara skadad."), 1) from None
        if len(header) > MAX_COLUMNS:
            raise FileProblem(_("Filen har fler än %(max)s kolumner.") % {"max": MAX_COLUMNS}, 1)
        total = recorded - 1 if recorded and recorded > 1 else None
        yield Table([cell_text(h) for h in header], _xlsx_rows(rows), total)
    finally:
        workbook.close()


def _xlsx_rows(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[int, list[str]]]:
    line = 1
    while True:
        line += 1
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception:
            raise FileProblem(
                _("Excel-filen går inte att läsa från den här raden. Den kan vara skadad."), line
            ) from None
        cells = [cell_text(v) for v in values]
        if any(cells):
            yield line, cells


# --- Headers ------------------------------------------------------------------------------------

_PERSONNUMMER_HEADER = re.compile(
    r"person\s*-?\s*n(umme)?r|pers\.?\s*nr|^p-?nr$|personnr|samordningsn|social\s*security|\bssn\b|"
    r"personal\s*identity|födelsenummer|identitetsnummer",
    re.IGNORECASE,
)


def personnummer_headers(headers: list[str]) -> list[str]:
    """The headers that name a personnummer column: such a file is not taken in at all."""
    return [h for h in headers if _PERSONNUMMER_HEADER.search(h)]


def signature(headers: list[str]) -> str:
    """The same headers (case and spaces aside) give the same signature: the remembered mapping's key."""
    normal = "\x1f".join(" ".join(h.lower().split()) for h in headers)
    return hashlib.sha256(normal.encode()).hexdigest()


def header_labels(headers: list[str]) -> list[str]:
    """What the mapping screen shows for each column: its header, or its position when blank."""
    return [h or _("Kolumn %(n)s (utan rubrik)") % {"n": i + 1} for i, h in enumerate(headers)]
