"""A resource's Markdown as HTML: the ordinary formatting comes through with GOV.UK classes, and
hostile input (scripts, raw HTML, event attributes, javascript: and data: links, images) does not."""

from __future__ import annotations

import pytest

from vbe.knowledge.markdown import render, sanitise


def test_ordinary_markdown_is_rendered_with_govuk_classes():
    html = render("# Rubrik\n\nText med **fetstil** och *kursiv*.\n\n- ett\n- två\n\n1. först\n2. sedan")
    assert '<h2 class="govuk-heading-l">Rubrik</h2>' in html
    assert '<p class="govuk-body">Text med <strong>fetstil</strong> och <em>kursiv</em>.</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html and "<li>ett</li>" in html
    assert '<ol class="govuk-list govuk-list--number">' in html


def test_headings_start_below_the_page_heading():
    html = render("# Ett\n\n## Två\n\n###### Sex")
    assert "<h1" not in html
    assert '<h2 class="govuk-heading-l">Ett</h2>' in html
    assert '<h3 class="govuk-heading-m">Två</h3>' in html
    assert "<h6" in html and "Sex</h6>" in html


@pytest.mark.parametrize(
    "href",
    ["https://start.stockholm/", "http://exempel.example/sida", "mailto:samordnare@stad.example", "/stod/12/"],
)
def test_allowed_links_keep_their_address_and_get_rel(href):
    html = render(f"[länk]({href})")
    assert f'href="{href}"' in html
    assert 'rel="noopener noreferrer"' in html
    assert 'class="govuk-link"' in html


@pytest.mark.parametrize(
    "text",
    [
        "[klicka](javascript:alert(1))",
        "[klicka](JAVASCRIPT:alert(1))",
        "[klicka](vbscript:msgbox(1))",
        "[klicka](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "[klicka](tel:0812345678)",
    ],
)
def test_dangerous_and_unlisted_link_schemes_are_dropped(text):
    html = render(text).lower()
    assert 'href="javascript' not in html
    assert 'href="vbscript' not in html
    assert 'href="data:' not in html
    assert 'href="tel:' not in html


def test_raw_html_is_shown_as_text_not_run():
    html = render('<script>alert("x")</script>\n\n<a href="https://x.example" onclick="steal()">hej</a>')
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;a href=" in html  # the tag typed is text
    assert "<a " not in html  # and no element of its own


def test_the_sanitiser_alone_strips_scripts_event_attributes_and_styles():
    dirty = (
        '<p onclick="x()" style="color:red" class="evil">hej<script>alert(1)</script></p>'
        '<img src="https://spion.example/pixel.gif" onerror="x()">'
        '<iframe src="https://x.example"></iframe><a href="javascript:alert(1)" target="_blank">länk</a>'
        "<!-- kommentar --><style>body{display:none}</style>"
    )
    html = sanitise(dirty)
    for forbidden in ("onclick", "onerror", "style", "evil", "<script", "alert(1)", "<img", "<iframe", "javascript:"):
        assert forbidden not in html, forbidden
    assert "target" not in html and "kommentar" not in html and "display:none" not in html
    assert '<p class="govuk-body">hej</p>' in html


def test_images_are_not_rendered():
    html = render("![spårningspixel](https://spion.example/pixel.gif)")
    assert "<img" not in html


def test_code_keeps_markup_as_text():
    html = render("```\n<b>fet</b>\n```")
    assert "<pre><code>&lt;b&gt;fet&lt;/b&gt;" in html


def test_empty_text_renders_nothing():
    assert render("") == "" and render("   \n ") == ""
