"""Template helpers for the reports: charts made ready for the PDF."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from vbe.reports.documents.pdf import pdf_svg as _pdf_svg

register = template.Library()


@register.filter
def pdf_svg(chart_svg: str) -> SafeString:
    """An SVG chart with its colours inside it, for WeasyPrint."""
    return _pdf_svg(chart_svg)
