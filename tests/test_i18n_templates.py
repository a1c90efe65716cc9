"""Every piece of text a template shows is marked for translation (issue "Honest i18n").

Each template under templates/ is split with Django's own template lexer. Text outside
``{% translate %}`` / ``{% blocktranslate %}`` is then read as HTML: a run of text between tags, or a
user-facing attribute (aria-label, title, placeholder, alt, the value of a button), that still holds a
letter is unmarked text. So are literal strings handed to the template as text to show: the fallback
of ``default``, ``yesno`` and ``join``, the labels of ``{% breadcrumbs %}`` and the values passed with
``{% include … with %}``; those are marked as ``_("…")``. In a stylesheet only ``content:`` strings
are text. Markup, entities, punctuation, digits and comments are not.

Swedish is the source language: the message ids are the Swedish text, and locale/sv holds the
catalogue that ``make messages`` regenerates, so that another language follows as a translation.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.base import DebugLexer, TokenType, Variable
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation
from django.utils.text import smart_split

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"

# A stand-in for a template tag or variable: not a letter, so it never counts as text by itself.
TAG = "\x00"
LETTER = re.compile(r"[^\W\d_]")
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
# Attributes a person reads or hears; any other attribute value is markup.
SPOKEN_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "label",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
}
BUTTON_TYPES = {"submit", "button", "reset"}
META_TEXT = {"description", "author", "keywords"}
RAW_TEXT_ELEMENTS = {"script", "style"}
TRANSLATE_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
# Literal strings shown as text: filter arguments, tag arguments and include/with values.
STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
SHOWN_FILTER_ARGUMENT = re.compile(rf"\|\s*(?:default|default_if_none|yesno|join)\s*:\s*({STRING})")


@dataclass(frozen=True)
class Unmarked:
    line: int
    text: str


def _has_words(text: str) -> bool:
    return bool(LETTER.search(ENTITY.sub(" ", text.replace(TAG, " "))))


def _shown(text: str) -> str:
    """The text as reported: one line, each run of tags as "…"."""
    text = re.sub(f"{TAG}+", "…", text.strip(f"{TAG} \t\r\n"))
    return " ".join(text.split())


def _shown_literals(token_type: TokenType, contents: str) -> list[str]:
    """Literal strings inside a tag or variable that reach the page as text."""
    found = [m.group(1) for m in SHOWN_FILTER_ARGUMENT.finditer(contents)]
    bits = list(smart_split(contents)) if token_type is TokenType.BLOCK else []
    if bits[:1] in (["include"], ["with"]):
        found += [b.split("=", 1)[1] for b in bits if re.fullmatch(rf"\w+={STRING}", b)]
    elif bits[:1] == ["breadcrumbs"]:
        found += [b for b in bits if re.fullmatch(STRING, b)]
    return [s for s in found if LETTER.search(s)]


def _skeleton(source: str) -> tuple[str, list[int], list[Unmarked]]:
    """The template's text with every tag and every translated passage replaced by TAG.

    Returns the skeleton, the source line of each of its characters, and the literal strings in tags
    that are shown unmarked."""
    chars: list[str] = []
    lines: list[int] = []
    literals: list[Unmarked] = []
    closing: str | None = None  # the end tag of the translate block or comment we are inside
    for token in DebugLexer(source).tokenize():
        contents = token.contents
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            literals += [Unmarked(token.lineno, s) for s in _shown_literals(token.token_type, contents)]
        if token.token_type is TokenType.BLOCK:
            name = contents.split(maxsplit=1)[0] if contents.strip() else ""
            if closing is None and name in TRANSLATE_BLOCKS:
                closing = TRANSLATE_BLOCKS[name]
            elif closing is None and name == "comment":
                closing = "endcomment"
            elif name == closing:
                closing = None
        if token.token_type is TokenType.TEXT and closing is None:
            line = token.lineno
            for char in contents:
                chars.append(char)
                lines.append(line)
                line += char == "\n"
        elif token.token_type is not TokenType.COMMENT:
            chars.append(TAG)
            lines.append(token.lineno)
    return "".join(chars), lines, literals


def _attributes(tag: str) -> dict[str, str]:
    """Attribute names (lower case) and values of one start tag's inside, e.g. 'a href="/" title="x"'."""
    found: dict[str, str] = {}
    for m in re.finditer(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""", tag):
        value = m.group(2) or ""
        if value[:1] in "\"'":
            value = value[1:-1]
        found.setdefault(m.group(1).lower(), value)
    return found


def _spoken_attributes(element: str, attributes: dict[str, str]) -> list[str]:
    spoken = [v for k, v in attributes.items() if k in SPOKEN_ATTRIBUTES]
    # A button element shows its content; only an input button shows its value.
    if element == "input" and attributes.get("type", "").lower() in BUTTON_TYPES:
        spoken.append(attributes.get("value", ""))
    if element == "meta" and attributes.get("name", "").lower() in META_TEXT:
        spoken.append(attributes.get("content", ""))
    return spoken


def _scan_html(text: str, lines: list[int]) -> list[Unmarked]:
    """Text runs and spoken attribute values with letters in an HTML skeleton."""
    found: list[Unmarked] = []

    def report(start: int, end: int) -> None:
        run = text[start:end]
        if _has_words(run):
            first = next(i for i, c in enumerate(run) if not c.isspace() and c != TAG)
            found.append(Unmarked(lines[start + first], _shown(run)))

    i, run_start, n = 0, 0, len(text)
    while i < n:
        if text[i] != "<":
            i += 1
            continue
        if text.startswith("<!--", i):
            report(run_start, i)
            end = text.find("-->", i)
            i = run_start = n if end < 0 else end + 3
            continue
        m = re.match(r"</?([A-Za-z][A-Za-z0-9-]*)|<!", text[i:])
        if not m:  # a "<" that starts no tag, e.g. "<5": text
            i += 1
            continue
        report(run_start, i)
        element = (m.group(1) or "").lower()
        # The tag ends at the first ">" outside quotes.
        j, quote = i + m.end(), ""
        while j < n and (quote or text[j] != ">"):
            if quote and text[j] == quote:
                quote = ""
            elif not quote and text[j] in "\"'" and text[j - 1] in "= \t\n":
                quote = text[j]
            j += 1
        inside = text[i + m.end() : j]
        if not text.startswith("</", i):  # a start tag
            for value in _spoken_attributes(element, _attributes(inside)):
                if _has_words(value):
                    offset = text.find(value, i) if value else i
                    found.append(Unmarked(lines[max(offset, i)], _shown(value)))
        closing_tag = text.startswith("</", i)
        i = run_start = j + 1
        if element in RAW_TEXT_ELEMENTS and not closing_tag:
            end = text.lower().find(f"</{element}", i)
            i = run_start = n if end < 0 else end
    report(run_start, n)
    return found


def unmarked_text(source: str, name: str = "template.html") -> list[Unmarked]:
    """Places in a template's source where text is shown without being marked for translation."""
    skeleton, lines, found = _skeleton(source)
    if name.endswith(".css"):
        for m in re.finditer(r"""content\s*:\s*([^;}]*)""", skeleton):
            for s in re.finditer(STRING, m.group(1)):
                if _has_words(s.group(0)):
                    found.append(Unmarked(lines[m.start(1) + s.start()], s.group(0)))
    else:
        found += _scan_html(skeleton, lines)
    return sorted(found, key=lambda u: u.line)


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_is_marked_for_translation(path):
    found = unmarked_text(path.read_text(encoding="utf-8"), path.name)
    where = "\n".join(f"  {path.relative_to(ROOT)}:{u.line}: {u.text}" for u in found)
    assert not found, f"Text not marked for translation:\n{where}"


def test_templates_are_found():
    names = {str(p.relative_to(TEMPLATES)) for p in _templates()}
    assert {"base.html", "incidents/email/new_incident.txt", "reports/document.html"} <= names


# --- The check itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "text"),
    [
        ('{% load i18n %}<p class="govuk-body">\n  Ärendet är gallrat.</p>', 2, "Ärendet är gallrat."),
        ("{% block title %}Start{% endblock %}", 1, "Start"),
        ("<p>Gallras om {{ days_left }} dagar</p>", 1, "Gallras om … dagar"),
        ('<button aria-label="Stäng">×</button>', 1, "Stäng"),
        ('<input type="submit" value="Föreslå sammanslagning">', 1, "Föreslå sammanslagning"),
        ('<img src="{% static "a.svg" %}" alt="Karta">', 1, "Karta"),
        ('<a href="/"{% if x %} title="Till start"{% endif %}>{{ x }}</a>', 1, "Till start"),
        ("{% if a %}Hej{% else %}{% translate 'Hej' %}{% endif %}", 1, "Hej"),
        ('{{ name|default:"Ingen tilldelad" }}', 1, '"Ingen tilldelad"'),
        ("{% breadcrumbs _('Start') home 'Planer' '' %}", 1, "'Planer'"),
        ('{% breadcrumbs _("Vad gör jag?") guide "Rapportera oro" "" %}', 1, '"Rapportera oro"'),
        ('{% include "x.html" with label="Månad" %}', 1, '"Månad"'),
        ("Hej {{ name }},\n\nLogga in.", 1, "Hej …, Logga in."),
    ],
)
def test_the_check_reports_unmarked_text(source, line, text):
    assert unmarked_text(source) == [Unmarked(line, text)]


def test_the_check_reports_text_in_a_stylesheet():
    assert unmarked_text('@page { content: "Sida " counter(page); }', "pdf.css") == [Unmarked(1, '"Sida "')]


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<p class="govuk-body">\n  {% translate "Ärendet är gallrat." %}</p>',
        "{% load i18n %}<p>{% blocktranslate trimmed %}\n  Gallras om {{ days_left }} dagar\n{% endblocktranslate %}</p>",
        '{% load i18n %}<button aria-label="{% translate "Stäng" %}">×</button>',
        '{% load i18n %}<input type="submit" value="{% translate "Föreslå" %}">',
        '<input type="hidden" name="action" value="merge">',
        '<button type="submit" name="decision" value="approve">{% translate "Godkänn" %}</button>',
        '<html lang="sv"><meta charset="utf-8"><span class="govuk-tag govuk-tag--grey" id="a-b"></span></html>',
        "<p>{{ a }}, {{ b }} – {{ c }}&nbsp;&ndash; (1/2) · 3 %</p>",
        "{# Ingen text: en kommentar #}<!-- inte heller detta -->",
        "{% comment %}Vad mallen får: ett formulär.{% endcomment %}",
        '<script src="a.js">var x = "inte text";</script><style>p { color: red; }</style>',
        "<p>&lt;5 {% translate 'och' %} {{ x }}</p>",
        "<td>< 5</td>",
        '{{ name|default:_("Ingen tilldelad") }}{{ d|date:"j F Y" }}{% if s == "closed" %}{% endif %}',
        "{% breadcrumbs _('Start') home _('Planer') '' %}",
        '{% breadcrumbs _("Vad gör jag vid oro?") guide _("Rapportera oro") "" %}',
        '{% include "x.html" with label=_("Månad") %}{% url "plans:detail" plan.pk %}',
        '{% govuk_field form.year width="4" label_size="s" %}',
    ],
)
def test_the_check_passes_marked_and_non_linguistic_text(source):
    assert unmarked_text(source) == []


def test_the_check_reads_a_stylesheet_without_text_as_clean():
    assert unmarked_text('h1 { string-set: doc-title content(); font: 8pt "Liberation Sans"; }', "pdf.css") == []


# --- The catalogue --------------------------------------------------------------------------

# Django's own English ids, kept in templates/admin/base_site.html (a copy of Django's): Django's
# catalogue translates them.
DJANGO_IDS = {"Django site admin", "Django administration"}


@dataclass(frozen=True)
class Message:
    context: str
    msgid: str
    plural: str = ""


def _catalogue() -> set[Message]:
    """The entries of the Swedish catalogue, without the header. Each quoted line is a C string."""
    entries, entry, field = set(), {}, ""
    for line in [*CATALOGUE.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            field, _, quoted = line.partition(" ")
            if field == "msgctxt" or (field == "msgid" and "msgid" in entry):
                entry = {}
            entry[field] = ast.literal_eval(quoted)
        elif line.startswith('"') and field:
            entry[field] += ast.literal_eval(line)
        elif not line.strip() and entry.get("msgid"):
            entries.add(Message(entry.get("msgctxt", ""), entry["msgid"], entry.get("msgid_plural", "")))
            entry, field = {}, ""
    return entries


def _context(value: object) -> str:
    """The literal of a message context (a filter expression whose value is a constant string)."""
    if value is None:
        return ""
    var = getattr(value, "var", value)
    return str(getattr(var, "literal", var))


def _template_messages(source: str) -> set[Message]:
    """The messages a template asks for when it is rendered, as Django builds their ids."""
    nodelist = engines["django"].from_string(source).template.nodelist
    found = set()
    for node in nodelist.get_nodes_by_type(TranslateNode):
        var = node.filter_expression.var
        if isinstance(var, Variable) and var.literal is not None:
            found.add(Message(_context(node.message_context), var.literal.replace("%", "%%")))
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        plural = node.render_token_list(node.plural)[0] if node.plural else ""
        found.add(Message(_context(node.message_context), node.render_token_list(node.singular)[0], plural))
    for token in DebugLexer(source).tokenize():
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            found |= {Message("", ast.literal_eval(m)) for m in re.findall(rf"\b_\(({STRING})\)", token.contents)}
    return found


def test_the_swedish_catalogue_holds_every_template_message():
    """locale/sv is regenerated with `make messages` whenever template text changes."""
    catalogue = _catalogue()
    missing = [
        f"  {path.relative_to(ROOT)}: {m.msgid!r}"
        for path in _templates()
        if path.suffix in {".html", ".txt"}
        for m in sorted(_template_messages(path.read_text(encoding="utf-8")), key=lambda m: m.msgid)
        if m not in catalogue
    ]
    assert not missing, "Not in locale/sv/LC_MESSAGES/django.po (run `make messages`):\n" + "\n".join(missing)


def test_the_catalogue_check_reads_template_messages():
    source = (
        "{% load i18n %}{% translate 'Logga ut' %}{% translate 'Sida' context 'sidfot' %}"
        "{% blocktranslate trimmed with n=x.y %}\n  Gallras om {{ n }}\n  dagar{% endblocktranslate %}"
        "{% blocktranslate count plans=n %}{{ plans }} plan{% plural %}{{ plans }} planer{% endblocktranslate %}"
        '{{ a|default:_("Ingen") }}'
    )
    assert _template_messages(source) == {
        Message("", "Logga ut"),
        Message("sidfot", "Sida"),
        Message("", "Gallras om %(n)s dagar"),
        Message("", "%(plans)s plan", "%(plans)s planer"),
        Message("", "Ingen"),
    }


def test_swedish_message_ids_are_shown_as_written():
    """The ids are the Swedish text: no other catalogue (Django's, an app's) turns one into something else."""
    assert settings.LANGUAGE_CODE == "sv"
    changed = []
    with translation.override("sv"):
        for m in _catalogue():
            if m.msgid in DJANGO_IDS:
                continue
            if m.plural:
                forms = [(m.msgid, m.plural, n) for n in (1, 2)]
                shown = [translation.npgettext(m.context, *f) if m.context else translation.ngettext(*f) for f in forms]
                expected = [m.msgid, m.plural]
            else:
                shown = [translation.pgettext(m.context, m.msgid) if m.context else translation.gettext(m.msgid)]
                expected = [m.msgid]
            if shown != expected:
                changed.append((m.msgid, shown))
    assert not changed, f"Swedish ids translated into something else: {changed}"


def test_the_catalogue_is_read_with_contexts_and_plurals():
    assert {
        Message("", "Logga ut"),
        Message("sidfot: Sida 1 av 3", "Sida"),
        Message("", "%(plans)s plan", "%(plans)s planer"),
        Message("", "Föreslå sammanslagning"),
    } <= _catalogue()
