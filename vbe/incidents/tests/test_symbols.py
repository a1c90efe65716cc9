"""The symbol guide's write path (vbe.incidents.symbols): entries, images and who may keep them; and an
incident that names the symbol its reporter saw."""

from __future__ import annotations

import secrets
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import services, symbols, uploads
from vbe.incidents.models import Category, Incident
from vbe.incidents.symbol_models import Symbol, SymbolImage
from vbe.incidents.tests.factories import JARVA, image_bytes
from vbe.organisations.models import District


def make_symbol(cast, name: str = "Tyr-runan", **fields) -> Symbol:
    return symbols.create_symbol(
        actor=cast["central_coordinator"],
        name=name,
        environment=fields.pop("environment", Environment.RIGHT_WING),
        description=fields.pop("description", "En runa som liknar en pil uppåt."),
        **fields,
    )


def clean_png() -> uploads.CleanImage:
    return uploads.sanitise(SimpleUploadedFile("bild.png", image_bytes("PNG"), "image/png"))


def stored_files(upload_dir) -> list[str]:
    return sorted(p.name for p in upload_dir.iterdir()) if upload_dir.exists() else []


# --- Entries ---------------------------------------------------------------------------------------


def test_the_central_coordinator_creates_an_entry_with_an_address_made_from_its_name(cast):
    symbol = make_symbol(cast, "  Svarta solen (Sonnenrad) ", what_to_do="Ring polisen om någon hotas.")
    symbol.refresh_from_db()
    assert symbol.slug == "svarta-solen-sonnenrad"
    assert symbol.name == "Svarta solen (Sonnenrad)"
    assert symbol.is_active and symbol.lock_version == 0
    assert symbol.what_to_do == "Ring polisen om någon hotas."
    entry = AccessLogEntry.objects.get(action="symbol_created")
    assert entry.actor_id == cast["central_coordinator"].pk and entry.object_id == str(symbol.pk)


def test_a_name_taken_in_another_case_is_refused_and_a_reserved_address_is_never_given(cast):
    make_symbol(cast, "Åttiåtta")
    with pytest.raises(ValidationError, match="finns redan"):
        make_symbol(cast, "ÅTTIÅTTA")
    assert Symbol.objects.count() == 1
    assert make_symbol(cast, "Ny").slug == "ny-2"  # "ny" is the guide's page for a new entry


@pytest.mark.parametrize(
    ("name", "environment", "description", "message"),
    [
        ("  ", Environment.RIGHT_WING, "Text", "Skriv vad symbolen heter"),
        ("Runa", "nazism", "Text", "Välj miljö"),
        ("Runa", Environment.RIGHT_WING, " ", "Beskriv symbolen"),
        ("Runa", Environment.RIGHT_WING, "Ring 070-123 45 67", "telefonnummer"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(cast, name, environment, description, message):
    with pytest.raises(ValidationError, match=message):
        make_symbol(cast, name, environment=environment, description=description)
    assert not Symbol.objects.exists()
    assert not AccessLogEntry.objects.filter(action="symbol_created").exists()


@pytest.mark.parametrize("role", ["staff", "coordinator", "unit_manager", "auditor", "admin"])
def test_only_the_central_coordinator_keeps_the_guide(cast, role):
    symbol = make_symbol(cast)
    with pytest.raises(PermissionDenied):
        symbols.create_symbol(actor=cast[role], name="Annan", environment=Environment.HYBRID, description="Text")
    with pytest.raises(PermissionDenied):
        symbols.update_symbol(
            actor=cast[role],
            symbol_id=symbol.pk,
            lock_version=0,
            name="Annan",
            environment=Environment.HYBRID,
            description="Text",
        )
    with pytest.raises(PermissionDenied):
        symbols.set_symbol_active(actor=cast[role], symbol_id=symbol.pk, lock_version=0, active=False)
    with pytest.raises(PermissionDenied):
        symbols.add_image(actor=cast[role], symbol_id=symbol.pk, image=clean_png(), alt_text="Röd yta")
    symbol.refresh_from_db()
    assert (Symbol.objects.count(), symbol.name, symbol.is_active) == (1, "Tyr-runan", True)
    assert not SymbolImage.objects.exists()


def test_an_update_keeps_the_address_and_a_stale_version_is_refused(cast):
    symbol = make_symbol(cast)
    changed = symbols.update_symbol(
        actor=cast["central_coordinator"],
        symbol_id=symbol.pk,
        lock_version=0,
        name="Pilrunan",
        environment=Environment.HYBRID,
        description="Ny text.",
    )
    assert (changed.slug, changed.name, changed.environment, changed.lock_version) == (
        "tyr-runan",
        "Pilrunan",
        Environment.HYBRID,
        1,
    )
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        symbols.update_symbol(
            actor=cast["central_coordinator"],
            symbol_id=symbol.pk,
            lock_version=0,
            name="Tredje namnet",
            environment=Environment.HYBRID,
            description="Text.",
        )
    symbol.refresh_from_db()
    assert symbol.name == "Pilrunan"
    assert AccessLogEntry.objects.filter(action="symbol_changed").count() == 1


def test_deactivating_keeps_the_entry_and_its_incidents_and_is_logged_once(cast):
    symbol = make_symbol(cast)
    actor = cast["central_coordinator"]
    off = symbols.set_symbol_active(actor=actor, symbol_id=symbol.pk, lock_version=0, active=False)
    again = symbols.set_symbol_active(actor=actor, symbol_id=symbol.pk, lock_version=1, active=False)
    assert (off.is_active, again.lock_version) == (False, 1)
    assert AccessLogEntry.objects.filter(action="symbol_deactivated").count() == 1
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        symbols.set_symbol_active(actor=actor, symbol_id=symbol.pk, lock_version=0, active=True)
    assert Symbol.objects.get(pk=symbol.pk).is_active is False


# --- Images ----------------------------------------------------------------------------------------


def test_an_image_is_stored_re_encoded_under_a_random_name_with_its_alt_text(cast, upload_dir):
    symbol = make_symbol(cast)
    actor = cast["central_coordinator"]
    first = symbols.add_image(actor=actor, symbol_id=symbol.pk, image=clean_png(), alt_text="  Röd \n yta  ")
    second = symbols.add_image(actor=actor, symbol_id=symbol.pk, image=clean_png(), alt_text="Samma yta igen")
    assert (first.alt_text, first.position, second.position) == ("Röd yta", 1, 2)
    assert (first.content_type, first.width, first.height, first.uploaded_by) == ("image/png", 40, 30, actor)
    assert stored_files(upload_dir) == sorted([first.stored_name, second.stored_name])
    assert AccessLogEntry.objects.filter(action="symbol_image_added").count() == 2


@pytest.mark.parametrize(("alt_text", "message"), [("   ", "Beskriv vad bilden visar"), ("x" * 251, "högst 250")])
def test_an_image_without_a_usable_alt_text_is_refused_and_no_file_is_left(cast, upload_dir, alt_text, message):
    symbol = make_symbol(cast)
    with pytest.raises(ValidationError, match=message):
        symbols.add_image(actor=cast["central_coordinator"], symbol_id=symbol.pk, image=clean_png(), alt_text=alt_text)
    assert not SymbolImage.objects.exists()
    assert stored_files(upload_dir) == []


def test_the_database_refuses_an_image_row_without_alt_text(cast):
    symbol = make_symbol(cast)
    with pytest.raises(IntegrityError):
        SymbolImage.objects.create(symbol=symbol, stored_name="a.png", content_type="image/png", width=1, height=1)


def test_a_file_that_is_not_an_image_never_reaches_the_guide(cast):
    """What add_image stores comes from uploads.sanitise, which reads the file's first bytes."""
    with pytest.raises(ValidationError, match="inte en bild"):
        uploads.sanitise(SimpleUploadedFile("symbol.png", b"<svg onload=alert(1)></svg>", "image/png"))


def test_a_failed_write_removes_the_file_it_had_written(cast, upload_dir):
    symbol = make_symbol(cast)
    with mock.patch("vbe.incidents.symbols.record", side_effect=RuntimeError("log down")), pytest.raises(RuntimeError):
        symbols.add_image(actor=cast["central_coordinator"], symbol_id=symbol.pk, image=clean_png(), alt_text="Yta")
    assert not SymbolImage.objects.exists()
    assert stored_files(upload_dir) == []


def test_no_more_than_the_limit_of_images(cast, upload_dir):
    symbol = make_symbol(cast)
    actor = cast["central_coordinator"]
    for _ in range(symbols.MAX_IMAGES):
        symbols.add_image(actor=actor, symbol_id=symbol.pk, image=clean_png(), alt_text="Yta")
    with pytest.raises(ValidationError, match="högst 6 bilder"):
        symbols.add_image(actor=actor, symbol_id=symbol.pk, image=clean_png(), alt_text="Yta")
    assert SymbolImage.objects.count() == symbols.MAX_IMAGES == len(stored_files(upload_dir))


def test_removing_an_image_deletes_its_file_once_committed(cast, upload_dir, django_capture_on_commit_callbacks):
    symbol = make_symbol(cast)
    actor = cast["central_coordinator"]
    image = symbols.add_image(actor=actor, symbol_id=symbol.pk, image=clean_png(), alt_text="Yta")
    with django_capture_on_commit_callbacks(execute=True):
        symbols.remove_image(actor=actor, symbol_id=symbol.pk, image_id=image.pk)
    assert not SymbolImage.objects.exists()
    assert stored_files(upload_dir) == []
    assert AccessLogEntry.objects.filter(action="symbol_image_removed").count() == 1
    with pytest.raises(ValidationError, match="redan borttagen"):
        symbols.remove_image(actor=actor, symbol_id=symbol.pk, image_id=image.pk)
    with pytest.raises(PermissionDenied):
        symbols.remove_image(actor=cast["coordinator"], symbol_id=symbol.pk, image_id=image.pk)


# --- An incident names its symbol --------------------------------------------------------------------


def _report(cast, symbol: Symbol | None) -> Incident:
    incident, _created = services.report_incident(
        reporter=cast["staff"],
        reporter_organisation=None,
        district=District.objects.get(code=JARVA),
        category=Category.PROPAGANDA,
        environment=Environment.RIGHT_WING,
        occurred_on=timezone.localdate(),
        description="Klistermärken på en busskur.",
        symbol=symbol,
        submission_token=secrets.token_hex(16),
    )
    return incident


def test_an_incident_stores_the_symbol_its_reporter_chose(cast):
    symbol = make_symbol(cast)
    incident = _report(cast, symbol)
    assert Incident.objects.get(pk=incident.pk).symbol == symbol
    assert AccessLogEntry.objects.get(action="incident_reported").detail.endswith("; symbol tyr-runan")
    assert _report(cast, None).symbol is None


def test_an_inactive_symbol_is_refused_and_no_incident_is_stored(cast):
    symbol = make_symbol(cast)
    symbols.set_symbol_active(actor=cast["central_coordinator"], symbol_id=symbol.pk, lock_version=0, active=False)
    with pytest.raises(ValidationError, match="finns inte längre"):
        _report(cast, symbol)
    assert not Incident.objects.exists()
