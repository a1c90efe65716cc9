"""Shared pieces of the import tests (fixtures imported by name, e.g. ``world_fixture`` as ``world``): synthetic courses, units and staff groups in Järva, a private
upload directory, files as the learning platform would send them, and running the job queue."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from vbe.competence import imports
from vbe.competence.models import CompletionImport, Course, CourseFormat, ImportKind, Level, StaffGroup
from vbe.organisations.models import Organisation, Unit, UnitKind


@pytest.fixture(autouse=True, name="upload_dir")
def upload_dir_fixture(settings, tmp_path):
    """Uploads in the test's own directory (the default storage's location)."""
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


@pytest.fixture(name="world")
def world_fixture(cast) -> dict:
    """Järva with two units (the unit manager's Testfritidsgården and Biblioteket), two staff groups
    and two courses."""
    jarva = Organisation.objects.get(slug="jarva")
    own_unit = Unit.objects.get(organisation=jarva, name="Testfritidsgården")
    library, _ = Unit.objects.get_or_create(organisation=jarva, name="Biblioteket", defaults={"kind": UnitKind.LIBRARY})
    leisure, _ = StaffGroup.objects.get_or_create(slug="fritid-test", defaults={"name": "Fritid (test)"})
    libraries, _ = StaffGroup.objects.get_or_create(slug="bibliotek-test", defaults={"name": "Bibliotek (test)"})
    basic, _ = Course.objects.get_or_create(
        code="TEST-GRUND",
        defaults={
            "title": "Grundkurs i våldsbejakande extremism (test)",
            "provider": "Staden",
            "level": Level.BASIC,
            "format": CourseFormat.DIGITAL,
        },
    )
    advanced, _ = Course.objects.get_or_create(
        code="TEST-FORDJ",
        defaults={
            "title": "Fördjupning: oro för en ungdom (test)",
            "provider": "CVE",
            "level": Level.ADVANCED,
            "format": CourseFormat.CLASSROOM,
        },
    )
    return {
        "jarva": jarva,
        "unit": own_unit,
        "library": library,
        "leisure": leisure,
        "libraries": libraries,
        "basic": basic,
        "advanced": advanced,
    }


def csv_file(text: str, name: str = "export.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def run_jobs() -> None:
    call_command("run_jobs", batch=True, verbosity=0)


def upload(actor, organisation, upload_file, kind=ImportKind.COMPLETIONS, year=None) -> CompletionImport:
    return imports.upload(actor=actor, organisation=organisation, kind=kind, year=year, file=upload_file)


def checked(actor, imp: CompletionImport, mapping: dict[str, int] | None = None) -> CompletionImport:
    """Maps (the proposed mapping unless given), runs the check job, and returns the import afresh."""
    imp.refresh_from_db()
    imports.save_mapping(actor=actor, import_id=imp.pk, lock_version=imp.lock_version, mapping=mapping or imp.mapping)
    run_jobs()
    imp.refresh_from_db()
    return imp


def imported(actor, imp: CompletionImport) -> CompletionImport:
    imp.refresh_from_db()
    imports.request_import(actor=actor, import_id=imp.pk, lock_version=imp.lock_version)
    run_jobs()
    imp.refresh_from_db()
    return imp
