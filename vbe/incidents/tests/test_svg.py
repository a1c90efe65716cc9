"""vbe.core.svg: charts and maps with text alternatives, escaped text, coordinates inside the picture."""

from __future__ import annotations

import re

from vbe.core import svg

SQUARE = {"type": "Polygon", "coordinates": [[[18.0, 59.3], [18.1, 59.3], [18.1, 59.4], [18.0, 59.4], [18.0, 59.3]]]}
NEXT_DOOR = {
    "type": "MultiPolygon",
    "coordinates": [[[[18.1, 59.3], [18.2, 59.3], [18.2, 59.4], [18.1, 59.4], [18.1, 59.3]]]],
}


def test_charts_are_images_with_title_and_description():
    bars = [svg.Bar("jan 2026", 3, "3"), svg.Bar("feb", 4, "<5", muted=True), svg.Bar("mar", 0, "0")]
    for chart in (
        svg.column_chart(bars, chart_id="c1", title="Per månad", description="Stapeldiagram."),
        svg.bar_chart(bars, chart_id="c1", title="Per månad", description="Stapeldiagram."),
    ):
        assert chart.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        assert 'role="img" aria-labelledby="c1-title" aria-describedby="c1-desc"' in chart
        assert '<title id="c1-title">Per månad</title>' in chart and '<desc id="c1-desc">Stapeldiagram.</desc>' in chart
        assert "&lt;5" in chart and "app-chart__bar--muted" in chart
        assert " style=" not in chart
        assert chart.count("<rect") == 2  # nothing drawn for zero


def test_text_is_escaped():
    chart = svg.bar_chart(
        [svg.Bar('<script>alert("x")</script>', 1, "<b>")], chart_id='x"y', title="<t>", description="&"
    )
    assert "<script>" not in chart and "<b>" not in chart and 'id="x&quot;y"' in chart
    assert "&lt;script&gt;" in chart and '<title id="x&quot;y-title">&lt;t&gt;</title>' in chart


def test_nice_steps():
    assert [svg.nice_step(n) for n in (0, 3, 4, 9, 17, 40, 130)] == [1, 1, 1, 5, 5, 10, 50]


def test_column_chart_axis_covers_the_highest_bar():
    chart = svg.column_chart([svg.Bar("a", 17, "17")], chart_id="c", title="t", description="d")
    ticks = [int(t) for t in re.findall(r'class="app-chart__tick"[^>]*>(\d+)<', chart)]
    assert ticks == [0, 5, 10, 15, 20]


def test_map_projects_inside_its_viewbox_and_labels_inside_the_area():
    drawing = svg.area_map(
        [svg.MapArea("a", "Väst", SQUARE, label="3", shade=1), svg.MapArea("b", "Öst", NEXT_DOOR, label="<5", shade=2)],
        chart_id="m",
        title="Karta",
        description="Två områden.",
        width=400,
    )
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', drawing).groups())
    assert width == 400 and 350 < height < 450  # 0.1° of longitude is about half of 0.1° latitude here
    numbers = [float(v) for v in re.findall(r"[\d.]+", " ".join(re.findall(r' d="([^"]+)"', drawing)))]
    assert min(numbers) >= 0 and max(numbers) <= max(width, height)
    assert 'role="img"' in drawing and "app-map__area--shade-2" in drawing and "&lt;5" in drawing
    xs = [float(x) for x in re.findall(r'<tspan x="([\d.]+)"', drawing)]
    assert xs[0] < 200 < xs[1]  # each label over its own area


def test_map_with_links_is_a_group_of_named_links():
    drawing = svg.area_map(
        [svg.MapArea("a", "Väst", SQUARE, href="?omrade=a", link_label="Välj Väst", selected=True)],
        chart_id="m",
        title="Karta",
        description="Välj ett område.",
    )
    assert 'role="group"' in drawing
    assert '<a class="app-map__link" href="?omrade=a" aria-label="Välj Väst" aria-current="true">' in drawing
    assert "app-map__area--selected" in drawing


def test_label_point_of_a_concave_area_is_inside_it():
    u_shape = [(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)]
    x, y = svg.label_point(u_shape)
    assert svg._inside((x, y), u_shape)


def test_areas_without_geometry_are_left_out():
    drawing = svg.area_map([svg.MapArea("a", "Inget", None, label="1")], chart_id="m", title="t", description="d")
    assert "<path" not in drawing and drawing.endswith("</svg>")
