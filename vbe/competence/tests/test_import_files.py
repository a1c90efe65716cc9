"""Reading the files a learning platform or HR sends: XLSX, CSV in Windows-1252 with semicolons, a
BOM, tabs, Excel's dates; and progress reported while a large file is checked."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vbe.competence import import_files, imports
from vbe.competence.import_rows import parse_date
from vbe.competence.models import Completion, ImportState, Learner
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
