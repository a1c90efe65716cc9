from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PeriodForm(forms.Form):
    """Statistics: the last twelve months, or one calendar year."""

    ar = forms.TypedChoiceField(label=gettext_lazy("Period"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [("", _("De senaste tolv månaderna")), *((y, str(y)) for y in years)]
        self.fields["ar"].error_messages["invalid_choice"] = _("Välj ett av åren i listan.")
