"""Template helpers for the design system: fields with errors, error summary, breadcrumbs."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


@register.inclusion_tag("includes/_field.html")
def govuk_field(field: BoundField, width: str = "", label_size: str = "") -> dict:
    """A labelled field: hint and error message tied to the input with aria-describedby."""
    widget = field.field.widget
    css = next((c for kind, c in WIDGET_CLASSES.items() if isinstance(widget, kind)), "govuk-input")
    if field.errors:
        css += f" {css.split()[0]}--error"
    if width:
        css += f" govuk-input--width-{width}" if css.startswith("govuk-input") else ""
    described = [f"{field.auto_id}-hint"] if field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return {"field": field, "widget_html": field.as_widget(attrs=attrs), "label_size": label_size}


@register.inclusion_tag("includes/_error_summary.html")
def error_summary(form: forms.Form) -> dict:
    """The error summary at the top of a form: each error links to its field."""
    items = [{"text": e, "href": ""} for e in form.non_field_errors()]
    for field in form:
        items.extend({"text": e, "href": f"#{field.auto_id}"} for e in field.errors)
    return {"items": items}


@register.inclusion_tag("includes/_breadcrumbs.html")
def breadcrumbs(*pairs: str) -> dict:
    """{% breadcrumbs "Start" start_url "Här" "" %}: label/url pairs; the last is the current page."""
    crumbs = list(zip(pairs[0::2], pairs[1::2], strict=True))
    return {"crumbs": crumbs}


@register.inclusion_tag("includes/_choices.html")
def govuk_radios(
    field: BoundField, inline: bool = False, legend_size: str = "s", heading: bool = False, small: bool = False
) -> dict:
    """Radios (or, for a multiple-choice field, checkboxes) in a fieldset with legend, hint and error.

    The first input carries the field's id, so the error summary's link lands on something focusable.
    ``heading`` makes the legend the section's h2."""
    multiple = isinstance(field.field.widget, forms.CheckboxSelectMultiple)
    return {
        "field": field,
        "inline": inline,
        "legend_size": legend_size,
        "heading": heading,
        "small": small or multiple,
        "kind": "checkboxes" if multiple else "radios",
    }
