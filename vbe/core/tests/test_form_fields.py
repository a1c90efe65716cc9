"""RowsField: a choice of several rows refuses a value no integer key can be as an invalid choice,
before the database is asked (SQLite cannot bind a number past 64 bits)."""

from __future__ import annotations

import pytest
from django import forms

from vbe.core.form_fields import RowsField
from vbe.organisations.models import Organisation


class _Form(forms.Form):
    organisations = RowsField(queryset=Organisation.objects.all(), error_messages={"invalid_choice": "Välj i listan."})
    by_slug = RowsField(queryset=Organisation.objects.all(), to_field_name="slug", required=False)


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "1.5", "²", "1 OR 1=1", ""])
def test_a_value_no_key_can_be_is_an_invalid_choice(reference_data, value):
    form = _Form({"organisations": [value]})
    assert not form.is_valid()
    assert form.errors["organisations"] == ["Välj i listan."]


def test_real_rows_are_chosen_and_a_slug_key_is_read_as_a_slug(reference_data):
    jarva = Organisation.objects.get(slug="jarva")
    form = _Form({"organisations": [str(jarva.pk)], "by_slug": ["jarva"]})
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["organisations"]) == [jarva]
    assert list(form.cleaned_data["by_slug"]) == [jarva]
