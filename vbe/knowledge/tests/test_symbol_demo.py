"""The demo city's symbol guide: entries with placeholder pictures that say so, some demo incidents naming
them, and a second run that changes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from vbe.incidents import uploads
from vbe.incidents.demo import seed_incidents
from vbe.incidents.models import Incident
from vbe.incidents.symbol_models import Symbol, SymbolImage
from vbe.knowledge.demo_symbols import ENTRIES, PLACEHOLDER_ALT, seed_symbols


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads" / "incidents"


def test_the_demo_guide_is_seeded_once_with_placeholders_and_linked_incidents(cast, upload_dir):
    seed_incidents(count=300, seed=11)
    assert seed_symbols() == len(ENTRIES) == Symbol.objects.count()
    assert 6 <= len(ENTRIES) <= 8
    assert len({s.environment for s in Symbol.objects.all()}) >= 4
    images = list(SymbolImage.objects.all())
    assert len(images) == len(ENTRIES)
    assert all(image.alt_text == PLACEHOLDER_ALT and "Exempelbild" in image.alt_text for image in images)
    with uploads.open_photo(images[0].stored_name) as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        assert picture.format == "PNG" and picture.size == (480, 320)
    linked = dict(Incident.objects.filter(symbol__isnull=False).values_list("pk", "symbol"))
    assert linked
    assert all(
        Incident.objects.get(pk=pk).environment == Symbol.objects.get(pk=symbol).environment
        for pk, symbol in linked.items()
    )

    assert seed_symbols() == 0
    assert Symbol.objects.count() == len(ENTRIES) and SymbolImage.objects.count() == len(ENTRIES)
    assert dict(Incident.objects.filter(symbol__isnull=False).values_list("pk", "symbol")) == linked
    assert len(list(upload_dir.iterdir())) == len(ENTRIES)


def test_the_demo_texts_name_no_one_and_hold_no_numbers_that_identify(cast):
    from vbe.core.textcheck import reject_identifying_numbers

    for entry in ENTRIES:
        for text in (entry.name, entry.description, entry.what_to_do):
            reject_identifying_numbers(text)
        assert "@" not in entry.description
