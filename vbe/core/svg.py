"""Server-side SVG: bar charts and a map of areas, drawn without script and without inline style.

Every picture has a text alternative. A chart or a map is ``role="img"`` with a ``<title>`` and a
``<desc>`` (``aria-labelledby`` / ``aria-describedby``); a map whose areas are links is a labelled
group of links instead, since an image role would hide them. The page shows the same figures in a
table: the SVG is the picture, the table the data.

Colours come from CSS classes (``app-chart…`` and ``app-map…`` in static/src/app.scss): the portal's
Content Security Policy forbids style attributes, and a stylesheet can restyle the classes for
print or high contrast. Nothing here knows about any domain: callers pass labels and values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Point = tuple[float, float]
Ring = list[Point]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the length drawn
    text: str = ""  # the figure written at the bar (may differ from value, e.g. "<5")
    muted: bool = False  # drawn as a dashed outline: a figure shown only as a range


# --- Shared pieces -------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros: small, stable output."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _open_svg(*, chart_id: str, css: str, width: float, height: float, title: str, description: str, role: str) -> str:
    cid = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" id="{cid}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'role="{role}" aria-labelledby="{cid}-title" aria-describedby="{cid}-desc">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(description)}</desc>'
    )


def nice_step(top: float, *, ticks: int = 4) -> int:
    """A whole, round axis step (1, 2, 5, 10, 20, 50 …) giving about ``ticks`` grid lines up to ``top``."""
    raw = max(top / ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return max(1, int(multiple * magnitude))
    return int(10 * magnitude)


def _bar_class(bar: Bar) -> str:
    return "app-chart__bar app-chart__bar--muted" if bar.muted else "app-chart__bar"


# --- Column chart (e.g. per month) --------------------------------------------------------------


def column_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, description: str, width: int = 720, height: int = 300
) -> SafeString:
    """Vertical bars with a value above each and the label under it ("jan 2026" is set on two lines)."""
    left, right, top, bottom = 40, 8, 26, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max((b.value for b in bars), default=0)
    step = nice_step(highest)
    axis_max = step * max(1, math.ceil(highest / step))
    parts = [
        _open_svg(
            chart_id=chart_id,
            css="app-chart app-chart--columns",
            width=width,
            height=height,
            title=title,
            description=description,
            role="img",
        )
    ]
    for tick in range(0, axis_max + 1, step):
        y = top + plot_h - plot_h * tick / axis_max
        parts.append(
            f'<line class="app-chart__grid" x1="{left}" x2="{width - right}" y1="{_fmt(y)}" y2="{_fmt(y)}"/>'
            f'<text class="app-chart__tick" x="{left - 6}" y="{_fmt(y + 4)}" text-anchor="end">{tick}</text>'
        )
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * 0.64
    for i, bar in enumerate(bars):
        cx = left + slot * i + slot / 2
        h = plot_h * bar.value / axis_max if axis_max else 0
        y = top + plot_h - h
        if h > 0:
            parts.append(
                f'<rect class="{_bar_class(bar)}" x="{_fmt(cx - bar_w / 2)}" y="{_fmt(y)}" '
                f'width="{_fmt(bar_w)}" height="{_fmt(h)}"/>'
            )
        parts.append(
            f'<text class="app-chart__value" x="{_fmt(cx)}" y="{_fmt(y - 6)}" text-anchor="middle">{escape(bar.text)}</text>'
        )
        first, _, second = bar.label.partition(" ")
        label_y = top + plot_h + 18
        parts.append(
            f'<text class="app-chart__label" x="{_fmt(cx)}" y="{_fmt(label_y)}" text-anchor="middle">{escape(first)}'
            + (f'<tspan x="{_fmt(cx)}" dy="16">{escape(second)}</tspan>' if second else "")
            + "</text>"
        )
    parts.append(
        f'<line class="app-chart__axis" x1="{left}" x2="{width - right}" '
        f'y1="{_fmt(top + plot_h)}" y2="{_fmt(top + plot_h)}"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- Horizontal bar chart (e.g. per category) -----------------------------------------------------


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, description: str, width: int = 720) -> SafeString:
    """One row per bar: the label on its own line (long labels fit), the bar and its figure under it."""
    row_h, label_h, bar_h, value_room = 48, 18, 18, 56
    height = row_h * max(len(bars), 1) + 4
    highest = max((b.value for b in bars), default=0) or 1
    plot_w = width - value_room
    parts = [
        _open_svg(
            chart_id=chart_id,
            css="app-chart app-chart--bars",
            width=width,
            height=height,
            title=title,
            description=description,
            role="img",
        )
    ]
    for i, bar in enumerate(bars):
        y = i * row_h
        length = plot_w * bar.value / highest
        parts.append(f'<text class="app-chart__label" x="0" y="{y + label_h - 4}">{escape(bar.label)}</text>')
        if length > 0:
            parts.append(
                f'<rect class="{_bar_class(bar)}" x="1" y="{y + label_h + 2}" width="{_fmt(max(length, 2))}" height="{bar_h}"/>'
            )
        parts.append(
            f'<text class="app-chart__value" x="{_fmt(max(length, 0) + 8)}" y="{y + label_h + bar_h - 2}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- Map of areas (GeoJSON lon/lat, projected to the page) ----------------------------------------


@dataclass(frozen=True)
class MapArea:
    key: str
    name: str
    geometry: dict | None  # GeoJSON Polygon or MultiPolygon in lon/lat (CRS84)
    label: str = ""  # text at the area's centre; "\n" breaks lines
    shade: int = 0  # CSS class app-map__area--shade-N
    href: str = ""  # makes the area a link
    link_label: str = ""  # the link's accessible name (defaults to the area's name)
    selected: bool = False


def polygons(geometry: dict | None) -> list[list[Ring]]:
    """Polygons (each a list of rings, the first the outline) of a GeoJSON Polygon or MultiPolygon."""
    if not geometry:
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    raw = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in polygon] for polygon in raw]


@dataclass(frozen=True)
class Projection:
    """Equirectangular, corrected for latitude: true enough for one city, and needs no library."""

    min_lon: float
    max_lat: float
    kx: float
    scale: float
    padding: float
    width: float
    height: float

    @classmethod
    def fit(cls, geometries: Iterable[dict | None], *, width: float, padding: float = 8) -> Projection:
        lons, lats = [], []
        for geometry in geometries:
            for polygon in polygons(geometry):
                for lon, lat in polygon[0]:
                    lons.append(lon)
                    lats.append(lat)
        if not lons:
            return cls(0, 0, 1, 1, padding, width, width / 2)
        kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span = max((max(lons) - min(lons)) * kx, 1e-9)
        scale = (width - 2 * padding) / span
        height = (max(lats) - min(lats)) * scale + 2 * padding
        return cls(min(lons), max(lats), kx, scale, padding, width, height)

    def __call__(self, point: Point) -> Point:
        lon, lat = point
        return (
            self.padding + (lon - self.min_lon) * self.kx * self.scale,
            self.padding + (self.max_lat - lat) * self.scale,
        )


def _simplified(ring: Ring, project: Projection, *, tolerance: float = 0.8) -> Ring:
    """Projected points, dropping those closer than ``tolerance`` px to the last kept one."""
    kept: Ring = []
    for point in ring:
        x, y = project(point)
        if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= tolerance:
            kept.append((x, y))
    return kept if len(kept) >= 3 else []


# The width of one character of a map label (15 px bold), for the box drawn under it.
LABEL_CHAR_WIDTH = 9.5

# Holes smaller than this (px²) are slivers between the source's parts, not lakes: drawn as cracks.
MIN_HOLE_AREA = 30.0


def _polygon_rings(polygon: list[Ring], project: Projection) -> list[Ring]:
    """The outline and the holes worth drawing, projected; empty if the outline is too small to see."""
    outline = _simplified(polygon[0], project)
    if not outline:
        return []
    holes = [_simplified(ring, project) for ring in polygon[1:]]
    return [outline, *(h for h in holes if h and abs(_area(h)) >= MIN_HOLE_AREA)]


def _path(rings: Iterable[Ring]) -> str:
    parts = []
    for ring in rings:
        if ring:
            head, *tail = ring
            parts.append(f"M{_fmt(head[0])} {_fmt(head[1])}L" + " ".join(f"{_fmt(x)} {_fmt(y)}" for x, y in tail) + "Z")
    return "".join(parts)


def _area(ring: Ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _inside(point: Point, ring: Ring) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def label_point(ring: Ring) -> Point:
    """Where to write an area's label: its centroid, or, for a concave outline whose centroid falls
    outside, the middle of the widest inside stretch of the horizontal line through the centroid."""
    a = _area(ring)
    if abs(a) < 1e-9:
        return ring[0]
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
    centre = (cx / (6 * a), cy / (6 * a))
    if _inside(centre, ring):
        return centre
    y = centre[1]
    crossings = sorted(
        x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
        if (y1 > y) != (y2 > y)
    )
    stretches = list(zip(crossings[0::2], crossings[1::2], strict=False))
    if not stretches:
        return centre
    start, end = max(stretches, key=lambda s: s[1] - s[0])
    return ((start + end) / 2, y)


@dataclass(frozen=True)
class Outline:
    """One area drawn: its path and where its label goes, in the picture's coordinates."""

    path: str  # the ``d`` attribute
    anchor: Point


@dataclass(frozen=True)
class Outlines:
    """Areas projected together onto one picture, by key. Projecting and simplifying GeoJSON is the
    slow part of a map and depends only on the shapes, so a caller that draws the same areas on many
    pages keeps this and passes it to ``area_map``."""

    width: float
    height: float
    areas: Mapping[str, Outline]


def draw_outlines(geometries: Iterable[tuple[str, dict | None]], *, width: int = 640) -> Outlines:
    """The outlines of ``(key, GeoJSON)`` pairs, fitted together to ``width``; areas too small to see
    or without geometry are left out."""
    items = list(geometries)
    project = Projection.fit((geometry for _key, geometry in items), width=width)
    areas: dict[str, Outline] = {}
    for key, geometry in items:
        shapes = [_polygon_rings(polygon, project) for polygon in polygons(geometry)]
        shapes = [rings for rings in shapes if rings]
        if not shapes:
            continue
        anchor = label_point(max((rings[0] for rings in shapes), key=lambda r: abs(_area(r))))
        areas[key] = Outline(path=_path(r for rings in shapes for r in rings), anchor=anchor)
    return Outlines(width=width, height=project.height, areas=areas)


def area_map(
    areas: Sequence[MapArea],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: int = 640,
    outlines: Outlines | None = None,
) -> SafeString:
    """A map of ``areas`` shaded by class; with ``href`` set, each area is a keyboard-reachable link.

    ``outlines``: the areas already drawn (by key; their geometry is then not read), else they are
    drawn from each area's geometry here."""
    drawn = outlines if outlines is not None else draw_outlines(((a.key, a.geometry) for a in areas), width=width)
    interactive = any(a.href for a in areas)
    parts = [
        _open_svg(
            chart_id=chart_id,
            css="app-map" + (" app-map--links" if interactive else ""),
            width=drawn.width,
            height=drawn.height,
            title=title,
            description=description,
            role="group" if interactive else "img",
        )
    ]
    labels = []
    for area in areas:
        outline = drawn.areas.get(area.key)
        if outline is None:
            continue
        css = f"app-map__area app-map__area--shade-{int(area.shade)}" + (
            " app-map__area--selected" if area.selected else ""
        )
        path = f'<path class="{css}" fill-rule="evenodd" d="{outline.path}"/>'
        text = ""
        if area.label:
            x, y = outline.anchor
            lines = area.label.split("\n")
            y0 = y - (len(lines) - 1) * 7 + 4
            tspans = "".join(
                f'<tspan x="{_fmt(x)}" y="{_fmt(y0 + i * 14)}">{escape(line)}</tspan>' for i, line in enumerate(lines)
            )
            # Each label sits on its own light box: a label can reach over a neighbour of another shade,
            # and text measured against whichever area lies under it would need a colour per place
            # (WCAG 1.4.3). The width is estimated from the characters: about 0.6 em each at 15 px.
            box_w = max(len(line) for line in lines) * LABEL_CHAR_WIDTH + 8
            box_h = len(lines) * 14 + 6
            text = (
                f'<g class="app-map__label-group" aria-hidden="true">'
                f'<rect class="app-map__label-box" x="{_fmt(x - box_w / 2)}" y="{_fmt(y0 - 14)}" '
                f'width="{_fmt(box_w)}" height="{_fmt(box_h)}" rx="3"/>'
                f'<text class="app-map__label" text-anchor="middle">{tspans}</text></g>'
            )
        if area.href:
            current = ' aria-current="true"' if area.selected else ""
            name = escape(area.link_label or area.name)
            parts.append(
                f'<a class="app-map__link" href="{escape(area.href)}" aria-label="{name}"{current}>'
                f"<title>{name}</title>{path}</a>"
            )
        else:
            parts.append(f'<g class="app-map__region">{path}</g>')
        # Labels go after every area so no neighbour covers one; CSS lets clicks pass through them.
        labels.append(text)
    parts.extend(labels)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
