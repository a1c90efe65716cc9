"""URL × role entries for the symbol guide.

Everyone signed in reads the guide, its entries and their images; only the central coordinator keeps it.
The POST-only routes refuse a GET before anyone's role is asked.
"""

from __future__ import annotations

from tests.matrix import NOT_ALLOWED, OK, Entry, expect, only

KEEPER = ("central_coordinator",)
SLUG = "matrix-symbol"
# A fixed name, replaced on every run: the matrix test has no per-test upload directory.
IMAGE_NAME = "matrix-test-symbol.png"


def _symbol():
    from vbe.guidelines.vocabulary import Environment
    from vbe.incidents.symbol_models import Symbol

    symbol, _ = Symbol.objects.get_or_create(
        slug=SLUG,
        defaults={"name": "Matrissymbol", "environment": Environment.HYBRID, "description": "En symbol för test."},
    )
    return symbol


def _image_path(ctx: dict) -> str:
    from vbe.incidents import uploads
    from vbe.incidents.symbol_models import SymbolImage
    from vbe.incidents.tests.factories import image_bytes

    symbol = _symbol()
    uploads.remove(IMAGE_NAME)
    uploads.write(IMAGE_NAME, image_bytes("PNG"))
    image, _ = SymbolImage.objects.get_or_create(
        stored_name=IMAGE_NAME,
        defaults={"symbol": symbol, "content_type": "image/png", "width": 40, "height": 30, "alt_text": "Röd yta"},
    )
    return f"/stod/symboler/{SLUG}/bilder/{image.pk}/"


def _path(suffix: str):
    def build(ctx: dict) -> str:
        _symbol()
        return f"/stod/symboler/{SLUG}/{suffix}"

    return build


MATRIX = {
    "knowledge:symbols": Entry(lambda ctx: "/stod/symboler/", expect(OK)),
    "knowledge:symbol_create": Entry(lambda ctx: "/stod/symboler/ny/", only(*KEEPER)),
    "knowledge:symbol": Entry(_path(""), expect(OK)),
    "knowledge:symbol_edit": Entry(_path("andra/"), only(*KEEPER)),
    "knowledge:symbol_active": Entry(_path("aktiv/"), expect(NOT_ALLOWED)),
    "knowledge:symbol_image_add": Entry(_path("bilder/ny/"), only(*KEEPER)),
    "knowledge:symbol_image": Entry(_image_path, expect(OK)),
    "knowledge:symbol_image_remove": Entry(lambda ctx: _image_path(ctx) + "ta-bort/", expect(NOT_ALLOWED)),
}
