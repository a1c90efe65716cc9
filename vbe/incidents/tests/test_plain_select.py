"""The report form's lists are written out in Python (PlainSelect) with the markup of Django's own
select: the same HTML for every kind of choice, selection, group and attribute, escaped alike."""

from __future__ import annotations

import pytest
from django import forms

from vbe.incidents.forms import PlainSelect

CHOICES = [
    ("", "Välj <något>"),
    ("Söder & Väst", [(1, "Gamla stan"), (2, 'Södermalm "öst"')]),
    ("Norr", [(3, "Vasastan")]),
    (4, "Utan grupp"),
]


@pytest.mark.parametrize("value", [None, "", "2", 3, "4", "finns inte"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"class": "govuk-select", "aria-describedby": "id_x-hint id_x-error"},
        {"disabled": True, "required": False, "data-x": '<"&>'},
    ],
)
def test_the_same_html_as_djangos_select(value, attrs):
    ours = PlainSelect(choices=CHOICES).render("omrade", value, attrs={"id": "id_omrade", **(attrs or {})})
    djangos = forms.Select(choices=CHOICES).render("omrade", value, attrs={"id": "id_omrade", **(attrs or {})})
    assert str(ours) == str(djangos)


def test_a_model_choice_field_renders_the_same(db):
    from vbe.organisations.models import District

    def field(widget):
        return forms.ModelChoiceField(
            queryset=District.objects.defer("geometry").order_by("name"), to_field_name="code", widget=widget
        )

    class Both(forms.Form):
        ours = field(PlainSelect)
        djangos = field(forms.Select)

    form = Both(initial={"ours": "80132", "djangos": "80132"})
    assert str(form["ours"]).replace("ours", "X") == str(form["djangos"]).replace("djangos", "X")
    assert '<option value="80132" selected>' in str(form["ours"])
