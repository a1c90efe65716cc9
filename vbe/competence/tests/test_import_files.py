"""Reading the files a learning platform or HR sends: XLSX, CSV in Windows-1252 with semicolons, a
BOM, tabs, Excel's dates; and progress reported while a large file is checked."""

from __future__ import annotations

import base64
import datetime
import io
import random
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from vbe.competence import import_files, imports
from vbe.competence.import_fields import parse_date
from vbe.competence.models import Completion, CompletionImport, ImportState, Learner
from vbe.competence.tests.imports_fixtures import (  # noqa: F401  (fixtures)
    checked,
    csv_file,
    imported,
    upload,
    upload_dir_fixture,
    world_fixture,
)
from vbe.jobs.models import Job

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_export_with_date_cells_and_numeric_employee_numbers(cast, world):
    data = _xlsx(
        [
            ["Anställningsnummer", "Namn", "Kurs", "Datum", "Verksamhet", "Personalgrupp"],
            [4711, "Åsa Ö", "TEST-GRUND", datetime.datetime(2025, 3, 14, 9, 30), "Biblioteket", "Bibliotek (test)"],
            [],  # an empty row: line 3, skipped
            [4712, "Per P", "test-fordj", datetime.date(2025, 4, 1), "Testfritidsgården", "fritid-test"],
            [4713, "Bad B", "TEST-GRUND", "i morgon", "Biblioteket", "Bibliotek (test)"],
        ]
    )
    imp = upload(cast["coordinator"], world["jarva"], SimpleUploadedFile("lms.xlsx", data))
    assert imp.file.endswith(".xlsx")
    assert imp.mapping == {"employee_number": 0, "name": 1, "course": 2, "completed_on": 3, "unit": 4, "staff_group": 5}
    imp = checked(cast["coordinator"], imp)
    assert imp.errors == [{"line": 5, "message": "Ogiltigt datum: i morgon. Skriv det som 2025-03-14 eller 14/3/2025."}]
    # Without the bad row it goes in.
    fixed = _xlsx(
        [
            ["Anställningsnummer", "Namn", "Kurs", "Datum", "Verksamhet", "Personalgrupp"],
            [4711, "Åsa Ö", "TEST-GRUND", datetime.datetime(2025, 3, 14, 9, 30), "Biblioteket", "Bibliotek (test)"],
            [4712, "Per P", "test-fordj", datetime.date(2025, 4, 1), "Testfritidsgården", "fritid-test"],
        ]
    )
    done = imported(
        cast["coordinator"],
        checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], SimpleUploadedFile("ok.xlsx", fixed))),
    )
    assert done.created_count == 2
    assert set(Completion.objects.values_list("learner__employee_number", "learner__name", "completed_on")) == {
        ("4711", "Åsa Ö", datetime.date(2025, 3, 14)),
        ("4712", "Per P", datetime.date(2025, 4, 1)),
    }


def test_a_windows_1252_csv_with_semicolons_as_excel_saves_it(cast, world):
    text = (
        "E-post;Namn;Kurs;Slutförd;Verksamhet;Personalgrupp\r\n"
        "asa.o@example.invalid;Åsa Öberg;grundkurs i våldsbejakande extremism (TEST);14/3/2025;Testfritidsgården;Fritid (test)\r\n"
    )
    raw = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    imp = upload(cast["coordinator"], world["jarva"], SimpleUploadedFile("excel.csv", raw))
    assert imp.headers == ["E-post", "Namn", "Kurs", "Slutförd", "Verksamhet", "Personalgrupp"]
    done = imported(cast["coordinator"], checked(cast["coordinator"], imp))
    assert done.state == ImportState.DONE and done.created_count == 1
    learner = Learner.objects.get()
    assert learner.name == "Åsa Öberg"
    assert learner.completions.get().course == world["basic"]


@pytest.mark.parametrize(
    "raw, headers",
    [
        (
            "\ufeffE-post,Kurs,Datum\r\na@example.invalid,TEST-GRUND,2025-01-01\r\n".encode(),
            ["E-post", "Kurs", "Datum"],
        ),
        (b"E-post\tKurs\tDatum\na@example.invalid\tTEST-GRUND\t45717\n", ["E-post", "Kurs", "Datum"]),
        (b'"E-post; adress";Kurs\n', ["E-post; adress", "Kurs"]),
    ],
)
def test_encodings_and_delimiters_are_read(raw, headers):
    kind, read = import_files.inspect_upload(io.BytesIO(raw), len(raw))
    assert (kind, read) == (import_files.CSV, headers)


def test_dates_in_the_forms_exports_use():
    today = datetime.date(2026, 6, 1)
    assert parse_date("2025-03-14", today) == datetime.date(2025, 3, 14)
    assert parse_date("2025-03-14 13:45:00", today) == datetime.date(2025, 3, 14)
    assert parse_date("4/3/2025", today) == datetime.date(2025, 3, 4)
    assert parse_date("04.03.2025", today) == datetime.date(2025, 3, 4)
    assert parse_date("45717", today) == datetime.date(2025, 3, 1)  # Excel's day number
    assert parse_date("2026-06-02", today) == "Datumet 2026-06-02 ligger i framtiden."
    assert parse_date("1985-01-01", today) == "Datumet 1985-01-01 är orimligt tidigt."
    assert parse_date("", today) == "Datum saknas."


def test_the_size_and_a_zip_bomb_are_bounded(monkeypatch):
    with pytest.raises(Exception, match="för stor"):
        import_files.inspect_upload(io.BytesIO(b"a"), import_files.MAX_BYTES + 1)
    monkeypatch.setattr(import_files, "MAX_UNPACKED", 1_000)
    data = _xlsx([["E-post"], *[[f"p{i}@example.invalid"] for i in range(200)]])
    with pytest.raises(Exception, match="för stor uppackad"):
        import_files.inspect_upload(io.BytesIO(data), len(data))


def test_more_rows_than_the_limit_reject_the_file_at_the_row_past_it(cast, world, monkeypatch):
    monkeypatch.setattr("vbe.competence.import_rows.MAX_ROWS", 3)
    rows = "".join(f"p{i}@example.invalid;TEST-GRUND;2025-01-01\n" for i in range(5))
    imp = checked(
        cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file("E-post;Kurs;Datum\n" + rows))
    )
    assert imp.state == ImportState.REJECTED
    assert imp.errors[-1] == {"line": 5, "message": "Filen har fler än 3 rader. Dela upp den i flera filer."}


def test_a_large_file_reports_its_progress_every_2000_rows(cast, world, monkeypatch):
    reports = []
    real_report = imports.progress.report

    def spy(job_id, *, stage=None, done=None, total=None):
        reports.append((stage, done, total))
        real_report(job_id, stage=stage, done=done, total=total)

    monkeypatch.setattr(imports.progress, "report", spy)
    header = "E-post;Kurs;Datum;Verksamhet;Personalgrupp\n"
    rows = "".join(f"p{i}@example.invalid;TEST-GRUND;2025-01-01;Biblioteket;Bibliotek (test)\n" for i in range(5_000))
    imp = checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file(header + rows)))
    assert imp.state == ImportState.READY and imp.rows == 5_000
    counted = [(done, total) for stage, done, total in reports if stage == "Kontrollerar raderna" and done is not None]
    assert counted == [(0, 5_000), (2_000, 5_000), (4_000, 5_000), (5_000, 5_000)]
    job = Job.objects.get(kind="training_import_check")
    assert (job.done, job.total, job.percent) == (5_000, 5_000, 100)

    reports.clear()
    done = imported(cast["coordinator"], imp)
    assert done.created_count == 5_000
    stages = [stage for stage, _done, _total in reports]
    # Read again with counts, then the write phase: its stage once, before its transaction.
    assert stages[-1] == "Sparar i registret – antalet visas när allt är sparat"
    assert ("Läser och kontrollerar raderna igen", 4_000, 5_000) in reports


# --- Zip bombs: refused from the sizes the zip declares, before openpyxl reads a byte -------------------

SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _rebuilt(data: bytes, replace: dict[str, bytes | list[bytes]], manifest_extra: str = "") -> bytes:
    """The workbook ``data`` with parts replaced or added (a list of chunks is written as a stream, so a
    part of millions of elements is never one string in memory), and Override entries added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in replace:
                continue
            content = source.read(info)
            if info.filename == "[Content_Types].xml" and manifest_extra:
                content = content.replace(b"</Types>", manifest_extra.encode() + b"</Types>")
            target.writestr(info.filename, content)
        for name, content in replace.items():
            with target.open(name, "w") as part:
                for chunk in content if isinstance(content, list) else [content]:
                    part.write(chunk)
    return out.getvalue()


def _strings_bomb(count: int) -> list[bytes]:
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    block = b"<si><t>a</t></si>" * 100_000
    return [head, *([block] * (count // 100_000)), b"</sst>"]


@pytest.fixture(name="no_openpyxl")
def no_openpyxl_fixture(monkeypatch):
    """openpyxl must never open the file: that is where the minutes went."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the zip's sizes should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.mark.parametrize("count", [2_200_000, 1_000_000])  # 37 MB, over the part limit; 17 MB, under it
def test_a_shared_strings_bomb_is_refused_before_openpyxl_opens_it(cast, world, no_openpyxl, upload_dir, count):
    data = _rebuilt(
        _xlsx([["E-post", "Kurs"], ["a@example.invalid", "TEST-GRUND"]]), {"xl/sharedStrings.xml": _strings_bomb(count)}
    )
    assert len(data) < 200_000  # tiny on the wire
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size >= count * 17
    response = cast.client("coordinator").post(
        "/utbildning/jarva/import/", {"kind": "completions", "file": SimpleUploadedFile("bomb.xlsx", data)}
    )
    assert response.status_code == 400
    assert "Excel-filen är för stor uppackad" in response.content.decode()
    assert not CompletionImport.objects.exists() and not list(upload_dir.rglob("*.xlsx"))


def test_a_large_part_that_is_not_a_worksheet_is_refused_under_any_name(monkeypatch, no_openpyxl):
    """Shared strings may lie under any name the manifest gives them: a part over MAX_PART (made small
    here) must be a worksheet by the manifest and by every relationship pointing at it."""
    monkeypatch.setattr(import_files, "MAX_PART", 50_000)
    # Text that does not compress: its ratio is fine, only its size and its kind matter.
    noise = base64.b64encode(random.Random(11).randbytes(60_000))
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + noise + b"</t></si></sst>"
    )
    base = _xlsx([["E-post", "Kurs"], ["a@example.invalid", "TEST-GRUND"]])
    for name, extra in (
        ("xl/sharedStrings.xml", ""),  # by its usual name
        ("xl/worksheets/sheet9.xml", f'<Override PartName="/xl/worksheets/sheet9.xml" ContentType="{SST}"/>'),
        ("xl/styles.xml", ""),
    ):
        data = _rebuilt(base, {name: strings}, extra)
        with pytest.raises(ValidationError, match="för stor uppackad"):
            import_files.inspect_upload(io.BytesIO(data), len(data))


def test_a_large_worksheet_is_read(monkeypatch):
    """A sheet over MAX_PART (made small here) is streamed, not read whole: it is taken."""
    monkeypatch.setattr(import_files, "MAX_PART", 50_000)
    rng = random.Random(5)
    rows = [["E-post", "Kurs"]] + [
        [f"{rng.randbytes(8).hex()}@example.invalid", rng.randbytes(8).hex()] for _ in range(2_000)
    ]
    data = _xlsx(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 50_000
    assert import_files.inspect_upload(io.BytesIO(data), len(data)) == (import_files.XLSX, ["E-post", "Kurs"])
