"""HTML → tagged PDF with WeasyPrint: context builder + template + converter.

The document is rendered from an HTML template with real headings, tables with ``<th scope>``,
and charts as inline SVG whose ``<title>`` becomes the figure's alternate text; WeasyPrint writes it
as PDF/UA-1 (tagged, with the document's language and title). Fonts are the system's Liberation Sans
or DejaVu Sans, embedded in the file: nothing is fetched from elsewhere.
"""

from __future__ import annotations

import logging
from functools import cache

from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from vbe.reports.document import DocumentData
from vbe.reports.documents.text import clean

PDF_VARIANT = "pdf/ua-1"
# WeasyPrint reports every layout step at INFO: noise in the portal's log for each download.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@cache
def stylesheet() -> str:
    return get_template("reports/pdf.css").template.source


@cache
def chart_stylesheet() -> str:
    return get_template("reports/pdf_chart.css").template.source


def pdf_svg(chart_svg: str) -> SafeString:
    """The chart with its colours inside it: WeasyPrint does not apply the page's CSS within an SVG,
    and an SVG's own ``<style>`` is not subject to the portal's Content Security Policy here."""
    head, sep, rest = str(chart_svg).partition(">")
    if not sep:
        return mark_safe(chart_svg)  # noqa: S308 - the chart is built by vbe.core.svg, every text escaped
    return mark_safe(f"{head}><style>{chart_stylesheet()}</style>{rest}")  # noqa: S308 - as above


def render_html(document: DocumentData, template: str = "reports/status_report_document.html") -> str:
    # Control characters cleaned as for DOCX and XLSX: a lone surrogate cannot even be encoded.
    context = {"document": clean(document), "stylesheet": mark_safe(stylesheet())}  # noqa: S308
    return render_to_string(template, context)


def build_pdf(document: DocumentData, template: str = "reports/status_report_document.html") -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which only document builds need

    html = render_html(document, template)
    return HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
