"""Forms of the yearly measures list (``vbe.plans.measure_lists``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vbe.core.form_fields import LockForm
from vbe.guidelines.models import FocusArea, Method
from vbe.plans.forms import measure_description_field, measure_title_field
from vbe.plans.models import ListedMeasure, MeasureStatus


class ListedMeasureForm(LockForm):
    title = measure_title_field()
    description = measure_description_field(_("Vad görs, för vilka och varför?"), rows=4)
    focus_area = forms.ModelChoiceField(
        queryset=FocusArea.objects.none(),
        label=_("Vilket område i riktlinjerna hör åtgärden till?"),
        help_text=_("Områdena som riktlinjerna pekar ut organisationen som ansvarig för."),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Välj vilket område i riktlinjerna åtgärden hör till."),
            "invalid_choice": _("Välj ett av områdena i listan."),
        },
    )
    method = forms.ModelChoiceField(
        queryset=Method.objects.none(),
        label=_("Metod (frivillig)"),
        help_text=_("En metod ur riktlinjernas katalog, under det område du valde."),
        required=False,
        empty_label=_("Ingen särskild metod"),
        error_messages={"invalid_choice": _("Välj en metod ur listan.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=MeasureStatus.choices,
        initial=MeasureStatus.PLANNED,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj status."), "invalid_choice": _("Välj en av statusarna.")},
    )

    def __init__(
        self,
        data=None,
        *,
        areas: list[FocusArea],
        measure: ListedMeasure | None = None,
        initial: dict | None = None,
    ):
        if measure is not None:
            initial = {
                "title": measure.title,
                "description": measure.description,
                "focus_area": measure.focus_area_id,
                "method": measure.method_id,
                "status": measure.status,
                **(initial or {}),
            }
        super().__init__(data, initial=initial)
        area_ids = [area.pk for area in areas]
        self.fields["focus_area"].queryset = FocusArea.objects.filter(pk__in=area_ids).order_by("number")
        method_field = self.fields["method"]
        method_field.queryset = (
            Method.objects.filter(focus_area_id__in=area_ids)
            .select_related("focus_area")
            .order_by("focus_area__number", "name")
        )
        method_field.label_from_instance = lambda m: f"{m.focus_area.number}. {m.name}"

    def clean(self):
        data = super().clean()
        area, method = data.get("focus_area"), data.get("method")
        if area is not None and method is not None and method.focus_area_id != area.pk:
            self.add_error("method", _("Metoden hör till ett annat område. Välj en metod under det område du valde."))
        return data

    def measure_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "focus_area": data["focus_area"],
            "method": data["method"],
            "status": data["status"],
        }
