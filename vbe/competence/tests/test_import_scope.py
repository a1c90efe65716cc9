"""What an import may reach (only people placed in the importer's units, or new people), what it may
show and keep of a personnummer (nothing, in any column), and the access log of its pages. Every
expectation is counted by hand from the files written here; personnummer are Skatteverket's test
numbers (data/stockholm/skatteverket-testpersonnummer.csv)."""

from __future__ import annotations

import datetime

import pytest

from vbe.audit.models import AccessLogEntry
from vbe.competence import imports
from vbe.competence.models import Completion, CompletionImport, ImportKind, ImportState, Learner, Placement
from vbe.competence.tests.imports_fixtures import (  # noqa: F401  (fixtures)
    checked,
    csv_file,
    imported,
    run_jobs,
    upload,
    upload_dir_fixture,
    world_fixture,
)
from vbe.organisations.models import Organisation, Unit, UnitKind

pytestmark = pytest.mark.django_db

HEADER = "E-post;Anställningsnummer;Namn;Kurs;Datum;Verksamhet;Personalgrupp\n"
NOT_AMONG_STAFF = "Personen finns inte bland medarbetarna i era verksamheter."
CANNOT_ADD = "Personen kan inte läggas till här: e-postadressen eller anställningsnumret finns redan i registret, utanför era verksamheter. Ett byte av arbetsplats mellan organisationer går inte att göra med en import."
PNR_12, PNR_10 = "199001012385", "900102-2384"  # Skatteverket's test numbers
WRITING = "Sparar i registret – antalet visas när allt är sparat"


@pytest.fixture(name="people")
def people_fixture(world) -> dict:
    """Karin, placed in Södermalm with a completion; Anna in Järva's library, Bo in Testfritidsgården."""
    sodermalm = Organisation.objects.get(slug="sodermalm")
    other_unit = Unit.objects.create(organisation=sodermalm, name="Södergården", kind=UnitKind.YOUTH_CENTRE)
    karin = Learner.objects.create(email="karin.k@example.invalid", employee_number="S100", name="Karin K")
    Placement.objects.create(learner=karin, unit=other_unit, staff_group=world["leisure"])
    Completion.objects.create(learner=karin, course=world["advanced"], completed_on=datetime.date(2024, 5, 1))
    anna = Learner.objects.create(email="anna.a@example.invalid", employee_number="A100", name="Anna A")
    Placement.objects.create(learner=anna, unit=world["library"], staff_group=world["libraries"])
    bo = Learner.objects.create(email="bo.b@example.invalid", employee_number="B200", name="Bo B")
    Placement.objects.create(learner=bo, unit=world["unit"], staff_group=world["leisure"])
    return {"karin": karin, "anna": anna, "bo": bo, "other_unit": other_unit}


def _register(learner: Learner) -> tuple[set, set]:
    return (
        set(learner.completions.values_list("course_id", "completed_on")),
        set(learner.placements.values_list("unit_id", "staff_group_id")),
    )


def test_a_coordinator_reaches_no_one_placed_in_another_organisation(cast, world, people):
    karin, anna = people["karin"], people["anna"]
    before = _register(karin)
    text = (
        HEADER
        + "karin.k@example.invalid;;;TEST-GRUND;2025-03-14;;\n"  # 2: placed elsewhere, no unit
        + "nobody.n@example.invalid;;;TEST-GRUND;2025-03-14;;\n"  # 3: unknown, no unit: the same text
        + ";S100;Karin K;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n"  # 4: would be added to Järva
        + "karin.k@example.invalid;A100;;TEST-GRUND;2025-03-14;;\n"  # 5: Anna by her number, no tell
        + "anna.a@example.invalid;B200;;TEST-GRUND;2025-03-14;;\n"  # 6: two people, both in Järva
        + "anna.a@example.invalid;;;TEST-FORDJ;2025-03-14;;\n"  # 7: fine
    )
    imp = checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file(text)))
    assert imp.state == ImportState.REJECTED
    assert imp.errors == [
        {"line": 2, "message": NOT_AMONG_STAFF},
        {"line": 3, "message": NOT_AMONG_STAFF},
        {"line": 4, "message": CANNOT_ADD},
        {"line": 6, "message": "E-postadressen och anställningsnumret hör till olika personer."},
    ]
    assert _register(karin) == before
    assert not anna.completions.exists() and Learner.objects.count() == 3

    # Without the refused rows the file goes in, for Anna alone (row 5 matched her by number).
    fine = (
        HEADER
        + "karin.k@example.invalid;A100;;TEST-GRUND;2025-03-14;;\nanna.a@example.invalid;;;TEST-FORDJ;2025-03-14;;\n"
    )
    done = imported(
        cast["coordinator"], checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file(fine)))
    )
    assert (done.state, done.created_count) == (ImportState.DONE, 2)
    assert set(anna.completions.values_list("course__code", flat=True)) == {"TEST-GRUND", "TEST-FORDJ"}
    assert _register(karin) == before


def test_a_unit_manager_reaches_only_people_placed_in_their_own_units(cast, world, people):
    manager = cast["unit_manager"]
    karin, anna, bo = people["karin"], people["anna"], people["bo"]
    before = {person.pk: _register(person) for person in (karin, anna)}
    text = (
        HEADER
        # 2: Karin into the manager's unit (then her record and certificate would be his to read)
        + "karin.k@example.invalid;;;TEST-GRUND;2025-03-14;Testfritidsgården;Fritid (test)\n"
        # 3: Anna, in Järva but in the library, not his unit
        + "anna.a@example.invalid;;;TEST-GRUND;2025-03-14;Testfritidsgården;Fritid (test)\n"
        # 4: Bo, his own
        + "bo.b@example.invalid;;;TEST-GRUND;2025-03-14;Testfritidsgården;Fritid (test)\n"
    )
    imp = checked(manager, upload(manager, world["jarva"], csv_file(text)))
    assert imp.errors == [{"line": 2, "message": CANNOT_ADD}, {"line": 3, "message": CANNOT_ADD}]
    assert {person.pk: _register(person) for person in (karin, anna)} == before
    assert not bo.completions.exists()
    done = imported(
        manager, checked(manager, upload(manager, world["jarva"], csv_file(HEADER + text.splitlines(True)[3])))
    )
    assert (done.state, done.created_count) == (ImportState.DONE, 1)
    assert set(bo.completions.values_list("course__code", flat=True)) == {"TEST-GRUND"}


@pytest.fixture(name="between_check_and_write")
def between_check_and_write_fixture(monkeypatch):
    """Runs a function once, after the import job has read the rows again and before it writes."""
    hooks = []
    real_report = imports.progress.report

    def spy(job_id, *, stage=None, done=None, total=None):
        if stage == WRITING and hooks:
            hooks.pop()()
        real_report(job_id, stage=stage, done=done, total=total)

    monkeypatch.setattr(imports.progress, "report", spy)
    return hooks.append


def test_a_person_added_elsewhere_after_the_check_is_not_written_into(cast, world, people, between_check_and_write):
    coordinator = cast["coordinator"]
    text = HEADER + "nya.n@example.invalid;N1;Nya N;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n"
    imp = checked(coordinator, upload(coordinator, world["jarva"], csv_file(text)))
    assert imp.state == ImportState.READY

    def added_in_sodermalm() -> None:
        nya = Learner.objects.create(email="nya.n@example.invalid", name="Nya (Södermalm)")
        Placement.objects.create(learner=nya, unit=people["other_unit"], staff_group=world["leisure"])

    between_check_and_write(added_in_sodermalm)
    imp = imported(coordinator, imp)
    assert imp.state == ImportState.REJECTED
    assert imp.errors == [{"line": 2, "message": CANNOT_ADD}]
    nya = Learner.objects.get(email="nya.n@example.invalid")
    assert _register(nya) == (set(), {(people["other_unit"].pk, world["leisure"].pk)})
    assert not Completion.objects.filter(batch=imp).exists()


def test_a_person_moved_out_after_the_check_is_not_written_into(cast, world, people, between_check_and_write):
    coordinator = cast["coordinator"]
    anna = people["anna"]
    text = HEADER + "bo.b@example.invalid;;;TEST-GRUND;2025-03-14;;\nanna.a@example.invalid;;;TEST-GRUND;2025-03-14;;\n"
    imp = checked(coordinator, upload(coordinator, world["jarva"], csv_file(text)))
    assert imp.state == ImportState.READY

    def moved() -> None:
        Placement.objects.filter(learner=anna).update(unit=people["other_unit"])

    between_check_and_write(moved)
    imp = imported(coordinator, imp)
    assert imp.state == ImportState.REJECTED
    assert imp.errors == [{"line": 3, "message": NOT_AMONG_STAFF}]
    assert not Completion.objects.filter(batch=imp).exists()  # Bo's row neither: nothing half-imported


# --- Personnummer: checked in every cell, never repeated, never stored ----------------------------


def test_a_personnummer_in_any_column_is_a_row_error_that_never_repeats_nor_keeps_it(cast, world, people):
    text = (
        "E-post;Namn;Kurs;Datum;Verksamhet;Personalgrupp;Anteckning\n"
        + f"ny.a@example.invalid;Ny A;{PNR_12};2025-03-14;Biblioteket;Bibliotek (test);\n"  # 2: course
        + f"ny.b@example.invalid;Ny B;TEST-GRUND;{PNR_10};Biblioteket;Bibliotek (test);\n"  # 3: date
        + f"ny.c@example.invalid;Ny C {PNR_10};TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test);\n"  # 4: name
        + f"ny.d@example.invalid;Ny D;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test);pnr {PNR_12}\n"  # 5: unmapped
        + f"ny.e@example.invalid;Ny E;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test);;{PNR_12}\n"  # 6: past the headers
        + "ny.f@example.invalid;Ny F;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test);\n"  # 7: fine
    )
    coordinator = cast["coordinator"]
    imp = checked(coordinator, upload(coordinator, world["jarva"], csv_file(text)))
    assert imp.state == ImportState.REJECTED
    message = (
        "Värdet i kolumnen {} ser ut som ett personnummer. Personnummer tas inte emot: ta bort det ur filen och "
        "ange personen med e-postadress eller anställningsnummer."
    )
    assert imp.errors == [
        {"line": 2, "message": message.format("Kurs")},
        {"line": 3, "message": message.format("Datum")},
        {"line": 4, "message": message.format("Namn")},
        {"line": 5, "message": message.format("Anteckning")},
        {"line": 6, "message": message.format("Kolumn 8 (utan rubrik)")},
    ]
    page = cast.client("coordinator").get(f"/utbildning/jarva/import/{imp.pk}/").content.decode()
    for shown in (str(imp.errors), page):
        assert "2385" not in shown and "2384" not in shown
    assert "ser ut som ett personnummer" in page
    assert not Learner.objects.filter(email__startswith="ny.").exists()


def test_a_personnummer_in_a_headcount_file_is_not_repeated(cast, world):
    text = f"Verksamhet;Personalgrupp;Antal\nBiblioteket;Bibliotek (test);{PNR_10}\n{PNR_12};Fritid (test);3\n"
    coordinator = cast["coordinator"]
    imp = checked(
        coordinator, upload(coordinator, world["jarva"], csv_file(text), kind=ImportKind.HEADCOUNTS, year=2025)
    )
    assert [error["line"] for error in imp.errors] == [2, 3]
    assert all("ser ut som ett personnummer" in e["message"] and "238" not in e["message"] for e in imp.errors)


def test_the_mapping_page_shows_one_masked_example_per_column(cast, world):
    text = (
        "E-post;Kurs;Datum;Anteckning;Övrigt\n"
        + f"first.f@example.invalid;TEST-GRUND;2025-03-14;{PNR_10};\n"
        + "second.s@example.invalid;TEST-GRUND;2025-03-15;intern;x\n"
    )
    imp = upload(cast["coordinator"], world["jarva"], csv_file(text))
    page = cast.client("coordinator").get(f"/utbildning/jarva/import/{imp.pk}/kolumner/").content.decode()
    assert "first.f@example.invalid" in page and "2025-03-14" in page
    # One value per column: the second row's address is not shown; its note only where the first had none.
    assert "second.s@example.invalid" not in page and "intern" not in page and ">x</td>" in page
    assert "(ett personnummer, visas inte)" in page and "2384" not in page
    # The preview of the status page masks too.
    assert imports.masked(PNR_12) == "(ett personnummer, visas inte)"
    assert imports.masked("a" * 100) == "a" * 59 + "…"


def test_a_personnummer_in_the_header_row_is_refused(cast, world, upload_dir):
    text = f"anna.a@example.invalid;{PNR_12};TEST-GRUND\nbo.b@example.invalid;A1;TEST-GRUND\n"
    response = cast.client("coordinator").post(
        "/utbildning/jarva/import/", {"kind": ImportKind.COMPLETIONS, "file": csv_file(text)}
    )
    assert response.status_code == 400
    assert "Filens första rad innehåller ett personnummer" in response.content.decode()
    assert "2385" not in response.content.decode()
    assert not CompletionImport.objects.exists() and not list(upload_dir.rglob("*.csv"))


# --- The access log --------------------------------------------------------------------------------


def test_each_view_of_the_mapping_and_status_pages_is_logged(cast, world):
    coordinator = cast["coordinator"]
    imp = upload(coordinator, world["jarva"], csv_file(HEADER + "a@example.invalid;;A;TEST-GRUND;2025-03-14;;\n"))
    client = cast.client("coordinator")
    for url in (f"/utbildning/jarva/import/{imp.pk}/kolumner/", f"/utbildning/jarva/import/{imp.pk}/"):
        assert client.get(url).status_code == 200
    assert client.get(f"/utbildning/jarva/import/{imp.pk}/").status_code == 200
    rows = AccessLogEntry.objects.filter(action="training_import_viewed").order_by("pk")
    assert [(r.actor_id, r.object_type, r.object_id) for r in rows] == [
        (coordinator.pk, "competence.completionimport", str(imp.pk))
    ] * 3
    assert [r.detail.split()[0] for r in rows] == ["page=mapping", "page=status", "page=status"]
    # A page refused (another import's 404) logs nothing.
    assert cast.client("unit_manager").get(f"/utbildning/jarva/import/{imp.pk}/").status_code == 404
    assert rows.count() == 3
