"""The symbol guide's pages: the list and its filter, an entry, its images, and the central coordinator's
forms (which keep what was typed when something is wrong)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vbe.guidelines.vocabulary import Environment
from vbe.incidents import symbols
from vbe.incidents.symbol_models import Symbol, SymbolImage
from vbe.incidents.tests.factories import image_bytes
from vbe.incidents.tests.test_symbols import clean_png, make_symbol, stored_files


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Uploads go to a fresh directory per test, never into the project's var/."""
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads" / "incidents"


def with_image(cast, symbol: Symbol, alt_text: str = "Svart runa på vitt klistermärke") -> SymbolImage:
    return symbols.add_image(
        actor=cast["central_coordinator"], symbol_id=symbol.pk, image=clean_png(), alt_text=alt_text
    )


# --- Reading ----------------------------------------------------------------------------------------


def test_the_guide_lists_active_entries_with_thumbnails_and_filters_by_environment(cast):
    rune = make_symbol(cast, "Tyr-runan")
    flag = make_symbol(cast, "Svart flagga", environment=Environment.ISLAMIST)
    old = make_symbol(cast, "Gammal symbol")
    symbols.set_symbol_active(actor=cast["central_coordinator"], symbol_id=old.pk, lock_version=0, active=False)
    image = with_image(cast, rune)
    client = cast.client("staff")

    response = client.get("/stod/symboler/")
    html = response.content.decode()
    assert [s.name for s in response.context["symbols"]] == ["Svart flagga", "Tyr-runan"]
    assert f'src="/stod/symboler/tyr-runan/bilder/{image.pk}/"' in html
    assert 'alt="Svart runa på vitt klistermärke"' in html
    assert 'width="96" height="72"' in html  # 40 × 30, shown 96 wide
    assert "Ny symbol" not in html

    response = client.get("/stod/symboler/?miljo=islamist")
    assert [s.name for s in response.context["symbols"]] == ["Svart flagga"]
    assert "1 symbol: Våldsbejakande islamism" in response.content.decode()
    assert flag.get_absolute_url() == "/stod/symboler/svart-flagga/"


def test_a_bad_filter_is_a_clear_400_with_the_whole_guide(cast):
    make_symbol(cast)
    response = cast.client("staff").get("/stod/symboler/?miljo=nazism")
    assert response.status_code == 400
    assert "Välj en av miljöerna i listan." in response.content.decode()
    assert len(response.context["symbols"]) == 1


def test_the_keeper_also_sees_inactive_entries_marked_as_such(cast):
    old = make_symbol(cast, "Gammal symbol")
    symbols.set_symbol_active(actor=cast["central_coordinator"], symbol_id=old.pk, lock_version=0, active=False)
    client = cast.client("central_coordinator")
    html = client.get("/stod/symboler/").content.decode()
    assert "Gammal symbol" in html and "Inaktiv" in html and "Ny symbol" in html
    assert client.get("/stod/symboler/gammal-symbol/").status_code == 200
    assert cast.client("staff").get("/stod/symboler/gammal-symbol/").status_code == 404


def test_an_entry_shows_its_images_description_advice_and_the_report_button(cast):
    rune = make_symbol(cast, "Tyr-runan", what_to_do="Titta efter en webbadress på klistermärket.")
    with_image(cast, rune)
    response = cast.client("staff").get("/stod/symboler/tyr-runan/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'alt="Svart runa på vitt klistermärke"' in html
    assert "En runa som liknar en pil uppåt." in html
    assert "Titta efter en webbadress på klistermärket." in html
    assert "ring 112" in html
    assert 'href="/handelser/rapportera/?symbol=tyr-runan"' in html
    assert "Rapportera en händelse med den här symbolen" in html
    assert "Ingen händelse med symbolen har rapporterats de senaste 12 månaderna." in html
    assert "Ändra texten" not in html and "Ta bort bild" not in html


def test_an_unknown_entry_is_404(cast):
    assert cast.client("staff").get("/stod/symboler/finns-inte/").status_code == 404


def test_an_image_is_served_as_a_download_that_is_never_sniffed(cast):
    rune = make_symbol(cast)
    image = with_image(cast, rune)
    response = cast.client("staff").get(f"/stod/symboler/tyr-runan/bilder/{image.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # Another entry's address, or an image gone from storage: 404.
    make_symbol(cast, "Annan")
    assert cast.client("staff").get(f"/stod/symboler/annan/bilder/{image.pk}/").status_code == 404


def test_an_image_is_stored_in_no_cache(cast):
    image = with_image(cast, make_symbol(cast))
    response = cast.client("staff").get(f"/stod/symboler/tyr-runan/bilder/{image.pk}/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_an_image_of_an_inactive_entry_is_the_keepers_only(cast):
    rune = make_symbol(cast)
    image = with_image(cast, rune)
    symbols.set_symbol_active(actor=cast["central_coordinator"], symbol_id=rune.pk, lock_version=0, active=False)
    path = f"/stod/symboler/tyr-runan/bilder/{image.pk}/"
    assert cast.client("staff").get(path).status_code == 404
    assert cast.client("central_coordinator").get(path).status_code == 200


# --- Keeping the guide ------------------------------------------------------------------------------


def test_the_keeper_creates_an_entry_and_bad_input_keeps_what_was_typed(cast):
    client = cast.client("central_coordinator")
    data = {"lock_version": "0", "name": "Keltiskt kors", "environment": "", "description": "Ett kors i en cirkel."}
    response = client.post("/stod/symboler/ny/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Välj miljö." in html and 'value="Keltiskt kors"' in html and "Ett kors i en cirkel." in html
    assert not Symbol.objects.exists()

    response = client.post("/stod/symboler/ny/", {**data, "environment": Environment.RIGHT_WING})
    assert response.status_code == 302 and response["Location"] == "/stod/symboler/keltiskt-kors/"
    assert Symbol.objects.get().environment == Environment.RIGHT_WING


def test_a_stale_edit_is_refused_and_nothing_changes(cast):
    make_symbol(cast)
    client = cast.client("central_coordinator")
    data = {"name": "Pilrunan", "environment": Environment.HYBRID, "description": "Ny text.", "what_to_do": ""}
    assert client.get("/stod/symboler/tyr-runan/andra/").status_code == 200
    assert client.post("/stod/symboler/tyr-runan/andra/", {**data, "lock_version": "0"}).status_code == 302
    response = client.post("/stod/symboler/tyr-runan/andra/", {**data, "name": "Tredje", "lock_version": "0"})
    assert response.status_code == 400
    assert "ändrats av någon annan" in response.content.decode()
    assert Symbol.objects.get().name == "Pilrunan"


def test_the_keeper_deactivates_an_entry(cast):
    make_symbol(cast)
    client = cast.client("central_coordinator")
    response = client.post("/stod/symboler/tyr-runan/aktiv/", {"lock_version": "0", "active": "False"})
    assert response.status_code == 302
    assert Symbol.objects.get().is_active is False
    response = client.post("/stod/symboler/tyr-runan/aktiv/", {"lock_version": "0", "active": "True"})
    assert response.status_code == 400 and "ändrats av någon annan" in response.content.decode()
    assert Symbol.objects.get().is_active is False


@pytest.mark.parametrize("role", ["staff", "coordinator", "auditor", "admin"])
def test_others_may_not_write_to_the_guide(cast, role):
    make_symbol(cast)
    client = cast.client(role)
    data = {"lock_version": "0", "name": "X", "environment": Environment.HYBRID, "description": "Y"}
    assert client.post("/stod/symboler/ny/", data).status_code == 403
    assert client.post("/stod/symboler/tyr-runan/andra/", data).status_code == 403
    assert client.post("/stod/symboler/tyr-runan/aktiv/", {"lock_version": "0", "active": "False"}).status_code == 403
    upload = SimpleUploadedFile("bild.png", image_bytes("PNG"), "image/png")
    assert client.post("/stod/symboler/tyr-runan/bilder/ny/", {"image": upload, "alt_text": "Yta"}).status_code == 403
    assert (Symbol.objects.count(), Symbol.objects.get().name, Symbol.objects.get().is_active) == (1, "Tyr-runan", True)
    assert not SymbolImage.objects.exists()


def test_the_keeper_uploads_an_image_with_alt_text_and_removes_it(cast, upload_dir):
    make_symbol(cast)
    client = cast.client("central_coordinator")
    upload = SimpleUploadedFile("foto.jpg", image_bytes("JPEG"), "image/jpeg")
    response = client.post("/stod/symboler/tyr-runan/bilder/ny/", {"image": upload, "alt_text": "Grön runa"})
    assert response.status_code == 302
    image = SymbolImage.objects.get()
    assert (image.alt_text, image.content_type) == ("Grön runa", "image/jpeg")
    html = client.get("/stod/symboler/tyr-runan/").content.decode()
    assert "Ta bort bild 1" in html and "Ändra texten" in html

    response = client.post(f"/stod/symboler/tyr-runan/bilder/{image.pk}/ta-bort/")
    assert response.status_code == 302
    assert not SymbolImage.objects.exists()
    response = client.post(f"/stod/symboler/tyr-runan/bilder/{image.pk}/ta-bort/")
    assert response.status_code == 400 and "redan borttagen" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "alt_text", "message"),
    [
        (b"GIF89a not what it claims", "Grön runa", "inte en bild i formatet JPEG, PNG eller WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "Grön runa", "inte en bild"),
        (None, "", "Skriv en bildbeskrivning."),
        (None, "   ", "Skriv en bildbeskrivning."),
    ],
)
def test_an_upload_is_refused_with_a_clear_error_and_nothing_stored(cast, upload_dir, content, alt_text, message):
    make_symbol(cast)
    upload = SimpleUploadedFile("bild.png", content or image_bytes("PNG"), "image/png")
    response = cast.client("central_coordinator").post(
        "/stod/symboler/tyr-runan/bilder/ny/", {"image": upload, "alt_text": alt_text}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "välj den igen" in html
    if alt_text.strip():
        assert f'value="{alt_text}"' in html  # what was typed is kept
    assert not SymbolImage.objects.exists()
    assert stored_files(upload_dir) == []
