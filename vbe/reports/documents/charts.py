"""Bar charts as PNG (Pillow), for the DOCX: the same bars as the SVG charts of the page and the PDF.

Laid out like ``vbe.core.svg.bar_chart``: each label on its own line, the bar under it with its
figure at the end; a suppressed figure ("<5") is a dashed outline of the same length whatever the
true count. Drawn at twice the size it is shown, so it stays sharp when printed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from vbe.core import svg

BRAND = (11, 61, 102)
TEXT = (11, 12, 12)
WHITE = (255, 255, 255)
FONT_FILES = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
BOLD_FONT_FILES = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)
SCALE = 2


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in BOLD_FONT_FILES if bold else FONT_FILES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _dashed_rect(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], width: int) -> None:
    x0, y0, x1, y1 = box
    dash, gap = 8 * SCALE, 6 * SCALE
    for y in (y0, y1):
        x = x0
        while x < x1:
            draw.line([(x, y), (min(x + dash, x1), y)], fill=BRAND, width=width)
            x += dash + gap
    for x in (x0, x1):
        y = y0
        while y < y1:
            draw.line([(x, y), (x, min(y + dash, y1))], fill=BRAND, width=width)
            y += dash + gap


def bar_chart_png(bars: Sequence[svg.Bar], *, width: int = 720) -> bytes:
    row_h, label_h, bar_h, value_room = 48, 18, 18, 56
    w, height = width * SCALE, (row_h * max(len(bars), 1) + 4) * SCALE
    image = Image.new("RGB", (w, height), WHITE)
    draw = ImageDraw.Draw(image)
    label_font, value_font = _font(13 * SCALE), _font(14 * SCALE, bold=True)
    highest = max((b.value for b in bars), default=0) or 1
    plot_w = (width - value_room) * SCALE
    for i, bar in enumerate(bars):
        y = i * row_h * SCALE
        draw.text((0, y), bar.label, font=label_font, fill=TEXT)
        length = plot_w * bar.value / highest
        top, bottom = y + (label_h + 2) * SCALE, y + (label_h + 2 + bar_h) * SCALE
        if length > 0:
            box = (SCALE, top, SCALE + max(length, 2 * SCALE), bottom)
            if bar.muted:
                _dashed_rect(draw, box, width=2 * SCALE)
            else:
                draw.rectangle(box, fill=BRAND)
        draw.text((max(length, 0) + 8 * SCALE, top - SCALE), bar.text, font=value_font, fill=TEXT)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()
