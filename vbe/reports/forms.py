from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vbe.guidelines.cycle import Cycle
from vbe.reports import services
from vbe.reports.cycle import year_hint
from vbe.reports.models import NARRATIVE_SECTIONS

YEAR_ERRORS = {
    "required": _("Ange vilket år rapporten gäller."),
    "invalid": _("Skriv året med fyra siffror, till exempel 2027."),
}


class CreateStatusReportForm(forms.Form):
    year = forms.IntegerField(
        label=_("År"),
        error_messages=YEAR_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, cycle: Cycle, **kwargs) -> None:
        """``cycle``: the status report's cycle (``vbe.reports.cycle.status_report_cycle``), read once by the view."""
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["year"].help_text = year_hint(cycle, timezone.localdate().year)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        services.check_year(year, self.cycle)  # raises ValidationError with the message shown at the field
        return year


NARRATIVE_HINTS = {
    "summary": _("Det viktigaste i rapporten, i korthet. En tom rad börjar ett nytt stycke."),
    "analysis": _("Er bedömning av läget utifrån siffrorna och nämndernas underlag."),
    "conclusions": _("Vad staden behöver göra härnäst, och vem som ansvarar."),
}


STALE_FORM = {
    "required": _("Sidan saknar uppgifter som behövs. Ladda om sidan och försök igen."),
    "invalid": _("Sidan saknar uppgifter som behövs. Ladda om sidan och försök igen."),
}


class NarrativeForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, error_messages=STALE_FORM)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, heading in NARRATIVE_SECTIONS.items():
            self.fields[name] = forms.CharField(
                label=heading,
                help_text=NARRATIVE_HINTS.get(name, ""),
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 8}),
                error_messages={"max_length": _("Texten får vara högst %(limit_value)d tecken (nu %(show_value)d).")},
            )

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in NARRATIVE_SECTIONS}


STATE_BROKEN = _("Det gick inte att ändra rapportens status. Ladda om sidan och försök igen.")


class StateForm(forms.Form):
    """Finalise the report or open it again as a draft: hidden fields only, so anything wrong with
    them is one message for the whole form."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(
        choices=[("final", _("Färdigställ")), ("draft", _("Öppna som utkast"))], widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, object]:
        if self._errors:
            self._errors.clear()
            raise ValidationError(STATE_BROKEN)
        return super().clean()
