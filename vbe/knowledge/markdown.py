"""A resource's Markdown as safe HTML, rendered on the server.

Two layers, so a slip in one is caught by the other: markdown-it-py in CommonMark mode with raw HTML
turned off (``<script>`` in the text comes out as text), then nh3 with an allow-list of tags and
attributes, links limited to http, https, mailto and relative addresses, and ``rel="noopener
noreferrer"`` on every link. Images are not rendered: the Content Security Policy allows only the
portal's own assets, and a picture from elsewhere would tell its host who read the page.

The text's headings start at level 2, under the page's own heading, and the elements get GOV.UK
Frontend's classes, so a resource reads like the rest of the portal.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Tag -> the class it gets. Set after cleaning, so no class typed in the text survives.
CLASSES = {
    "h2": "govuk-heading-l",
    "h3": "govuk-heading-m",
    "h4": "govuk-heading-s",
    "h5": "govuk-heading-s",
    "h6": "govuk-heading-s",
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "blockquote": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}
TAGS = frozenset({*CLASSES, "li", "strong", "em", "code", "pre", "br"})
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable("image")

    # A heading of the text is one level below the page's own h1 (an h6 stays h6).
    def shifted_heading(renderer, tokens, idx, options, env):
        token = tokens[idx]
        token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        return renderer.renderToken(tokens, idx, options, env)

    parser.add_render_rule("heading_open", shifted_heading)
    parser.add_render_rule("heading_close", shifted_heading)
    return parser


def _cleaner_options() -> dict:
    return {
        "tags": set(TAGS),
        "attributes": {tag: set(names) for tag, names in ATTRIBUTES.items()},
        "url_schemes": set(URL_SCHEMES),
        "link_rel": "noopener noreferrer",
        "strip_comments": True,
        "clean_content_tags": {"script", "style"},
        "set_tag_attribute_values": {tag: {"class": css} for tag, css in CLASSES.items()},
    }


def sanitise(html: str) -> str:
    """Any HTML fragment through the allow-list: what ``render`` does after Markdown."""
    return nh3.clean(html, **_cleaner_options())


def render(text: str) -> Markup:
    """Markdown to HTML that is safe to put in a page as it is."""
    if not text.strip():
        return Markup("")
    return Markup(sanitise(_parser().render(text)))  # noqa: S704 - sanitised by nh3 just above
