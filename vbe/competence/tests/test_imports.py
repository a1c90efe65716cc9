"""Bulk import of completions and headcounts: upload, mapping, check, import, through the real job
queue (``run_jobs --batch``). Every expectation is counted by hand from the files written here."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.audit.models import AccessLogEntry
from vbe.competence import imports
from vbe.competence.models import (
    Completion,
    CompletionImport,
    CompletionSource,
    Headcount,
    ImportKind,
    ImportMapping,
    ImportState,
    Learner,
    Placement,
)
from vbe.competence.tests.imports_fixtures import (  # noqa: F401  (fixtures)
    checked,
    csv_file,
    imported,
    run_jobs,
    upload,
    upload_dir_fixture,
    world_fixture,
)
from vbe.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db

HEADER = "E-post;Anställningsnummer;Namn;Kurs;Datum;Verksamhet;Personalgrupp\n"
GOOD = (
    HEADER
    + "anna.a@example.invalid;A100;Anna A;TEST-GRUND;2025-03-14;Testfritidsgården;Fritid (test)\n"
    + "anna.a@example.invalid;A100;Anna A;test-fordj;14/4/2025;Testfritidsgården;Fritid (test)\n"
    + "bo.b@example.invalid;;Bo B;Grundkurs i våldsbejakande extremism (test);2025-05-02;Biblioteket;bibliotek-test\n"
    + "coordinator@test.example;;Test Coordinator;TEST-GRUND;2025-06-01;Biblioteket;Bibliotek (test)\n"
)


def test_upload_map_check_and_import_through_the_pages(cast, world, django_capture_on_commit_callbacks):
    client = cast.client("coordinator")
    response = client.post(
        "/utbildning/jarva/import/", {"kind": ImportKind.COMPLETIONS, "file": csv_file(GOOD, "lms.csv")}
    )
    imp = CompletionImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/utbildning/jarva/import/{imp.pk}/kolumner/"
    assert imp.state == ImportState.UPLOADED and imp.file.startswith("training-imports/")
    assert imp.file_name == "lms.csv" and "lms" not in imp.file  # stored under a random key
    # The headers are known words: every field is proposed.
    assert imp.mapping == {
        "email": 0,
        "employee_number": 1,
        "name": 2,
        "course": 3,
        "completed_on": 4,
        "unit": 5,
        "staff_group": 6,
    }
    page = client.get(f"/utbildning/jarva/import/{imp.pk}/kolumner/")
    assert page.status_code == 200 and "anna.a@example.invalid" in page.content.decode()

    response = client.post(
        f"/utbildning/jarva/import/{imp.pk}/kolumner/",
        {"lock_version": imp.lock_version, **{k: str(v) for k, v in imp.mapping.items()}},
    )
    job = Job.objects.get(kind="training_import_check")
    assert response.status_code == 302 and response["Location"] == f"/jobb/{job.pk}/"
    run_jobs()
    imp.refresh_from_db()
    job.refresh_from_db()
    assert imp.state == ImportState.READY and imp.rows == 4 and imp.errors == []
    assert job.state == JobState.DONE and (job.done, job.total) == (4, 4)
    assert job.result_url == f"/utbildning/jarva/import/{imp.pk}/"
    assert Completion.objects.count() == 0  # checked, not imported

    status = client.get(f"/utbildning/jarva/import/{imp.pk}/").content.decode()
    assert "Förhandsvisning" in status and "bo.b@example.invalid" in status

    response = client.post(f"/utbildning/jarva/import/{imp.pk}/", {"lock_version": imp.lock_version})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    imp.refresh_from_db()
    assert imp.state == ImportState.DONE
    assert (imp.created_count, imp.existing_count) == (4, 0)
    anna = Learner.objects.get(email="anna.a@example.invalid")
    assert (anna.employee_number, anna.name, anna.user) == ("A100", "Anna A", None)
    assert set(anna.completions.values_list("course__code", "completed_on")) == {
        ("TEST-GRUND", datetime.date(2025, 3, 14)),
        ("TEST-FORDJ", datetime.date(2025, 4, 14)),
    }
    assert Placement.objects.filter(learner=anna, unit=world["unit"], staff_group=world["leisure"]).exists()
    # A new learner with a portal account's e-mail is linked to it.
    assert Learner.objects.get(email="coordinator@test.example").user == cast["coordinator"]
    assert set(Completion.objects.values_list("source", "batch", "registered_by")) == {
        (CompletionSource.IMPORT, imp.pk, cast["coordinator"].pk)
    }
    assert AccessLogEntry.objects.filter(action="training_import_done", object_id=str(imp.pk)).count() == 1
    # The export is removed from the storage once imported.
    assert not (imports.default_storage.exists(imp.file))


def test_the_mapping_is_remembered_for_files_with_the_same_headers(cast, world):
    odd = "Deltagarens adress;Kursens kod;När\nanna.a@example.invalid;TEST-GRUND;2025-03-14\n"
    first = upload(cast["coordinator"], world["jarva"], csv_file(odd))
    assert first.mapping == {}  # nothing to guess from
    checked(cast["coordinator"], first, {"email": 0, "course": 1, "completed_on": 2})
    assert ImportMapping.objects.get(organisation=world["jarva"], kind=ImportKind.COMPLETIONS).mapping == {
        "email": 0,
        "course": 1,
        "completed_on": 2,
    }
    # The same headers, written a little differently, in another file: the mapping is proposed.
    again = "deltagarens  adress;KURSENS KOD;när\nbo.b@example.invalid;TEST-FORDJ;2025-04-01\n"
    second = upload(cast["coordinator"], world["jarva"], csv_file(again))
    assert second.mapping == {"email": 0, "course": 1, "completed_on": 2}
    page = cast.client("coordinator").get(f"/utbildning/jarva/import/{second.pk}/kolumner/").content.decode()
    assert '<option value="1" selected>KURSENS KOD</option>' in page
    # Another organisation remembers its own.
    sodermalm = world["jarva"].__class__.objects.get(slug="sodermalm")
    other = upload(cast["coordinator_other"], sodermalm, csv_file(again))
    assert other.mapping == {}


def test_a_file_with_bad_rows_is_rejected_with_its_line_numbers_and_nothing_is_saved(cast, world):
    text = (
        HEADER  # line 1
        + "anna.a@example.invalid;A100;Anna A;TEST-GRUND;2025-03-14;Testfritidsgården;Fritid (test)\n"  # 2
        + "bo.b@example.invalid;;Bo B;NO-SUCH-COURSE;2025-03-14;Biblioteket;Bibliotek (test)\n"  # 3: course
        + ";;;;;;\n"  # 4: blank, skipped but counted as a line
        + 'cy.c@example.invalid;;"Cy\nC";TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n'  # 5-6: fine
        + "dag.d@example.invalid;;Dag D;TEST-GRUND;31/2/2025;Biblioteket;Bibliotek (test)\n"  # 7: date
        + "eva.e@example.invalid;;Eva E;TEST-GRUND;2025-03-14;;\n"  # 8: unknown person without unit
        + "fia.f@example.invalid;;Fia F;TEST-GRUND;2025-03-14;Månbasen;Bibliotek (test)\n"  # 9: unit
        + ";;Gun G;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n"  # 10: nobody
        + "not-an-address;;Hed H;TEST-GRUND;2099-01-01;Biblioteket;Bibliotek (test)\n"  # 11: two errors
    )
    imp = checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file(text)))
    assert imp.state == ImportState.REJECTED
    assert imp.rows == 8  # data rows, the blank one left out
    assert imp.errors == [
        {"line": 3, "message": "Okänd utbildning: NO-SUCH-COURSE"},
        {"line": 7, "message": "Ogiltigt datum: 31/2/2025. Skriv det som 2025-03-14 eller 14/3/2025."},
        {"line": 8, "message": "Personen finns inte bland medarbetarna i era verksamheter."},
        {"line": 9, "message": "Okänd verksamhet: Månbasen"},
        {"line": 10, "message": "Raden saknar både e-postadress och anställningsnummer."},
        {"line": 11, "message": "Ogiltig e-postadress: not-an-address"},
        {"line": 11, "message": "Datumet 2099-01-01 ligger i framtiden."},
    ]
    assert imp.error_count == 7
    assert not Learner.objects.exists() and not Completion.objects.exists() and not Placement.objects.exists()
    assert AccessLogEntry.objects.filter(action="training_import_rejected", object_id=str(imp.pk)).count() == 1
    with pytest.raises(ValidationError):
        imports.request_import(actor=cast["coordinator"], import_id=imp.pk, lock_version=imp.lock_version)
    page = cast.client("coordinator").get(f"/utbildning/jarva/import/{imp.pk}/").content.decode()
    assert "Okänd utbildning: NO-SUCH-COURSE" in page and "inget har sparats" in page


def test_importing_the_same_file_again_changes_nothing(cast, world):
    coordinator = cast["coordinator"]
    first = imported(coordinator, checked(coordinator, upload(coordinator, world["jarva"], csv_file(GOOD))))
    assert (first.state, first.created_count, first.existing_count) == (ImportState.DONE, 4, 0)
    before = sorted(Completion.objects.values_list("pk", "learner_id", "course_id", "completed_on", "batch_id"))
    learners = sorted(Learner.objects.values_list("pk", "email"))
    second = imported(coordinator, checked(coordinator, upload(coordinator, world["jarva"], csv_file(GOOD))))
    assert (second.state, second.created_count, second.existing_count) == (ImportState.DONE, 0, 4)
    assert sorted(Completion.objects.values_list("pk", "learner_id", "course_id", "completed_on", "batch_id")) == before
    assert sorted(Learner.objects.values_list("pk", "email")) == learners
    assert Placement.objects.count() == 3


def test_a_known_person_is_matched_by_employee_number_and_needs_no_unit(cast, world):
    anna = Learner.objects.create(employee_number="A100", name="Anna A")
    Placement.objects.create(learner=anna, unit=world["library"], staff_group=world["libraries"])
    text = "Anställningsnummer;Kurs;Datum\nA100;TEST-GRUND;2025-03-14\nZ999;TEST-GRUND;2025-03-14\n"
    imp = checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file(text)))
    assert imp.errors == [{"line": 3, "message": "Personen finns inte bland medarbetarna i era verksamheter."}]


def test_a_unit_manager_imports_for_their_own_units_only(cast, world):
    manager = cast["unit_manager"]
    text = (
        HEADER
        + "anna.a@example.invalid;;Anna A;TEST-GRUND;2025-03-14;Testfritidsgården;Fritid (test)\n"
        + "bo.b@example.invalid;;Bo B;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n"
        + "cy.c@example.invalid;;Cy C;TEST-GRUND;2025-03-14;;\n"
    )
    imp = checked(manager, upload(manager, world["jarva"], csv_file(text)))
    assert imp.errors == [
        {"line": 3, "message": "Verksamheten Biblioteket är inte en av dina."},
        {"line": 4, "message": "Raden saknar verksamhet. Du kan bara importera för verksamheter du är chef för."},
    ]
    own = checked(manager, upload(manager, world["jarva"], csv_file(HEADER + GOOD.splitlines(True)[1])))
    assert imported(manager, own).created_count == 1
    # The coordinator's imports are not the unit manager's to see.
    coordinators = upload(cast["coordinator"], world["jarva"], csv_file(GOOD))
    assert cast.client("unit_manager").get(f"/utbildning/jarva/import/{coordinators.pk}/").status_code == 404
    assert list(imports.visible_imports(manager, world["jarva"])) == [own, imp]


def test_a_personnummer_column_is_refused_and_nothing_is_stored(cast, world, upload_dir):
    text = "E-post;Personnummer;Kurs;Datum\nanna.a@example.invalid;199001012385;TEST-GRUND;2025-03-14\n"
    response = cast.client("coordinator").post(
        "/utbildning/jarva/import/", {"kind": ImportKind.COMPLETIONS, "file": csv_file(text)}
    )
    assert response.status_code == 400
    assert "Filen har en kolumn med personnummer (Personnummer)" in response.content.decode()
    assert not CompletionImport.objects.exists()
    assert not list(upload_dir.rglob("*.csv"))


def test_a_personnummer_in_the_id_column_is_a_row_error_that_never_repeats_it(cast, world):
    text = (
        "Anställningsnummer;Kurs;Datum;Verksamhet;Personalgrupp\n"
        "19900102-2384;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n"
        "A100;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n"
    )
    imp = checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file(text)))
    assert imp.state == ImportState.REJECTED
    assert [e["line"] for e in imp.errors] == [2]
    assert "ser ut som ett personnummer" in imp.errors[0]["message"]
    assert "2384" not in imp.errors[0]["message"]
    assert not Learner.objects.exists()


def test_files_that_are_not_csv_or_xlsx_are_refused(cast, world):
    client = cast.client("coordinator")
    for name, data, message in (
        ("rapport.pdf", b"%PDF-1.7\n...", "varken en CSV-fil eller en Excel-fil"),
        ("gammal.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "varken en CSV-fil eller en Excel-fil"),
        ("fel.xlsx", _zip_without_workbook(), "inte en Excel-arbetsbok"),
        ("tom.csv", b"", "Filen är tom"),
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            "/utbildning/jarva/import/", {"kind": ImportKind.COMPLETIONS, "file": SimpleUploadedFile(name, data)}
        )
        assert response.status_code == 400, name
        assert message in response.content.decode(), name
    assert not CompletionImport.objects.exists()


def _zip_without_workbook() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "role, status", [("coordinator", 200), ("unit_manager", 200), ("central_coordinator", 200), ("caseworker", 403)]
)
def test_who_may_import_for_jarva(cast, world, role, status):
    client = cast.client(role)
    assert client.get("/utbildning/jarva/import/").status_code == status
    response = client.post("/utbildning/jarva/import/", {"kind": ImportKind.COMPLETIONS, "file": csv_file(GOOD)})
    assert response.status_code == (302 if status == 200 else 403)
    assert CompletionImport.objects.count() == (1 if status == 200 else 0)


def test_another_organisations_coordinator_may_not_upload_nor_map(cast, world):
    with pytest.raises(PermissionDenied):
        upload(cast["coordinator_other"], world["jarva"], csv_file(GOOD))
    imp = upload(cast["coordinator"], world["jarva"], csv_file(GOOD))
    with pytest.raises(PermissionDenied):
        imports.save_mapping(
            actor=cast["coordinator_other"], import_id=imp.pk, lock_version=imp.lock_version, mapping=imp.mapping
        )
    assert cast.client("coordinator_other").get(f"/utbildning/jarva/import/{imp.pk}/").status_code == 403


def test_a_mapping_without_a_way_to_know_the_person_is_refused_on_the_page(cast, world):
    imp = upload(cast["coordinator"], world["jarva"], csv_file(GOOD))
    response = cast.client("coordinator").post(
        f"/utbildning/jarva/import/{imp.pk}/kolumner/",
        {"lock_version": imp.lock_version, "course": "3", "completed_on": "3", "name": "2"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Välj kolumnen med e-postadress, anställningsnummer eller båda." in page
    assert "Kolumnen är redan vald för ett annat fält." in page
    assert '<option value="2" selected>Namn</option>' in page  # what the user chose is kept
    imp.refresh_from_db()
    assert imp.state == ImportState.UPLOADED and not Job.objects.exists()


def test_a_stale_import_button_is_refused(cast, world):
    coordinator = cast["coordinator"]
    imp = checked(coordinator, upload(coordinator, world["jarva"], csv_file(GOOD)))
    response = cast.client("coordinator").post(
        f"/utbildning/jarva/import/{imp.pk}/", {"lock_version": imp.lock_version - 1}
    )
    assert response.status_code == 400 and "ändrats av någon annan" in response.content.decode()
    assert not Job.objects.filter(kind="training_import").exists()


def test_headcounts_replace_the_years_cells_and_are_idempotent(cast, world):
    coordinator = cast["coordinator"]
    Headcount.objects.create(unit=world["unit"], staff_group=world["leisure"], year=2025, count=3)
    untouched = Headcount.objects.create(unit=world["library"], staff_group=world["libraries"], year=2024, count=9)
    text = "Verksamhet,Personalgrupp,Antal\nTestfritidsgården,Fritid (test),12\nBiblioteket,bibliotek-test,7\n"
    imp = upload(coordinator, world["jarva"], csv_file(text), kind=ImportKind.HEADCOUNTS, year=2025)
    assert imp.mapping == {"unit": 0, "staff_group": 1, "count": 2}
    done = imported(coordinator, checked(coordinator, imp))
    assert (done.state, done.created_count, done.existing_count) == (ImportState.DONE, 1, 1)
    counts = {(h.unit_id, h.staff_group_id, h.year): h.count for h in Headcount.objects.all()}
    assert counts == {
        (world["unit"].pk, world["leisure"].pk, 2025): 12,
        (world["library"].pk, world["libraries"].pk, 2025): 7,
        (world["library"].pk, world["libraries"].pk, 2024): 9,
    }
    untouched.refresh_from_db()
    assert untouched.lock_version == 0
    again = imported(
        coordinator,
        checked(
            coordinator, upload(coordinator, world["jarva"], csv_file(text), kind=ImportKind.HEADCOUNTS, year=2025)
        ),
    )
    assert (again.created_count, again.existing_count) == (0, 2)
    assert Headcount.objects.count() == 3


def test_two_headcount_files_for_the_same_year_checked_together_both_import_and_the_last_stands(cast, world):
    """The second was checked before the first added its cells: its write merges into them."""
    coordinator = cast["coordinator"]
    header = "Verksamhet,Personalgrupp,Antal\n"
    first_text = header + "Testfritidsgården,Fritid (test),12\nBiblioteket,Bibliotek (test),7\n"
    second_text = (
        header + "Testfritidsgården,Fritid (test),15\nBiblioteket,Bibliotek (test),7\nBiblioteket,Fritid (test),2\n"
    )
    first, second = (
        checked(
            coordinator,
            upload(coordinator, world["jarva"], csv_file(text), kind=ImportKind.HEADCOUNTS, year=2025),
        )
        for text in (first_text, second_text)
    )
    first = imported(coordinator, first)
    second = imported(coordinator, second)
    assert (first.state, first.created_count, first.existing_count) == (ImportState.DONE, 2, 0)
    assert (second.state, second.created_count, second.existing_count) == (ImportState.DONE, 1, 2)
    cells = {(h.unit_id, h.staff_group_id): (h.count, h.lock_version) for h in Headcount.objects.filter(year=2025)}
    assert cells == {
        (world["unit"].pk, world["leisure"].pk): (15, 1),  # changed by the second: a new version
        (world["library"].pk, world["libraries"].pk): (7, 0),  # the same count: untouched
        (world["library"].pk, world["leisure"].pk): (2, 0),
    }


def test_headcounts_need_a_year_and_one_row_per_cell(cast, world):
    client = cast.client("coordinator")
    text = "Verksamhet;Personalgrupp;Antal\nBiblioteket;Bibliotek (test);7\nbiblioteket;bibliotek-test;8\nBiblioteket;Fritid (test);många\n"
    response = client.post("/utbildning/jarva/import/", {"kind": ImportKind.HEADCOUNTS, "file": csv_file(text)})
    assert response.status_code == 400 and "Ange vilket år antalen gäller." in response.content.decode()
    imp = checked(
        cast["coordinator"],
        upload(cast["coordinator"], world["jarva"], csv_file(text), kind=ImportKind.HEADCOUNTS, year=2025),
    )
    assert imp.errors == [
        {"line": 3, "message": "Verksamheten och personalgruppen finns redan på rad 2."},
        {"line": 4, "message": "Ogiltigt antal: många. Skriv ett heltal, 0 eller mer."},
    ]
    assert not Headcount.objects.exists()


def test_the_pages_query_count_does_not_grow_with_rows_and_imports(cast, world, django_assert_max_num_queries):
    coordinator = cast["coordinator"]
    rows = "".join(f"p{i}@example.invalid;;;NO-SUCH;2025-01-01;;\n" for i in range(3_000))
    imp = checked(coordinator, upload(coordinator, world["jarva"], csv_file(HEADER + rows)))
    assert imp.error_count == 3_000 and len(imp.errors) == imports.MAX_ERRORS_KEPT
    for _n in range(30):
        upload(coordinator, world["jarva"], csv_file(GOOD))
    client = cast.client("coordinator")
    with django_assert_max_num_queries(20):
        page = client.get(f"/utbildning/jarva/import/{imp.pk}/")
    assert page.status_code == 200 and "2800 fel till" in page.content.decode()
    with django_assert_max_num_queries(20):
        assert client.get("/utbildning/jarva/import/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/utbildning/jarva/import/{imp.pk}/kolumner/").status_code == 200
