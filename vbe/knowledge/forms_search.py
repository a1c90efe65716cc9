"""The search form of /stod/ (GET): words, filters and the page position, all optional."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge.models import Kind
from vbe.knowledge.search_query import MAX_QUERY_LENGTH

# A position this page made: "<id>" in the list by title, "<rank>_<id>" among the hits of a query.
CURSOR = re.compile(r"^(?:\d{1,19}|-?[0-9.e+-]{1,32}_\d{1,19})$")
CURSOR_ERROR = _("Sidan finns inte längre. Börja om från första sidan.")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sök bland stödmaterial"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={"max_length": _("Skriv högst %(limit_value)d tecken i sökrutan.")},
    )
    typ = forms.ChoiceField(label=_("Typ"), required=False)
    omrade = forms.ModelChoiceField(
        label=_("Område i riktlinjerna"),
        queryset=FocusArea.objects.none(),
        required=False,
        to_field_name="number",
        error_messages={"invalid_choice": _("Välj ett av områdena i listan.")},
    )
    metod = forms.ModelChoiceField(
        label=_("Metod"),
        queryset=Method.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Välj en av metoderna i listan.")},
    )
    malgrupp = forms.ModelChoiceField(
        label=_("Personalgrupp"),
        queryset=StaffGroup.objects.none(),
        required=False,
        to_field_name="slug",
        error_messages={"invalid_choice": _("Välj en av personalgrupperna i listan.")},
    )
    efter = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)

    def __init__(
        self,
        *args,
        focus_areas: Sequence[FocusArea],
        methods: Sequence[Method],
        groups: Sequence[StaffGroup],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["typ"].choices = [("", _("Alla typer")), *Kind.choices]
        self.fields["typ"].error_messages["invalid_choice"] = _("Välj en av typerna i listan.")
        # The lists are read once by the view; the querysets only validate the choice.
        omrade, metod, malgrupp = self.fields["omrade"], self.fields["metod"], self.fields["malgrupp"]
        omrade.queryset = FocusArea.objects.filter(intervention_area__guideline__is_current=True)
        omrade.choices = [("", _("Alla områden")), *((f.number, f"{f.number}. {f.name}") for f in focus_areas)]
        metod.queryset = Method.objects.filter(focus_area__intervention_area__guideline__is_current=True)
        metod.choices = [("", _("Alla metoder")), *((m.pk, f"{m.focus_area.number}. {m.name}") for m in methods)]
        malgrupp.queryset = StaffGroup.objects.filter(is_active=True)
        malgrupp.choices = [("", _("Alla personalgrupper")), *((g.slug, g.name) for g in groups)]

    def clean(self) -> dict:
        # The position is not a field anyone types: its error is the page's, not a field's.
        data = super().clean()
        if data.get("efter") and not CURSOR.match(data["efter"]):
            raise forms.ValidationError(CURSOR_ERROR)
        return data
