"""The form of a criterion of the democracy condition."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vbe.collaboration.assessments_criteria import MAX_TEXT, Wording
from vbe.collaboration.models import Criterion
from vbe.core.form_fields import LockForm
from vbe.core.textcheck import reject_identifying_numbers


class CriterionForm(LockForm):
    number = forms.IntegerField(
        label=_("Nummer"),
        min_value=1,
        max_value=999,
        help_text=_("Kriterierna visas i nummerordning."),
        error_messages={
            "required": _("Skriv ett nummer."),
            "invalid": _("Skriv numret med siffror, till exempel 6."),
            "min_value": _("Numret ska vara mellan 1 och 999."),
            "max_value": _("Numret ska vara mellan 1 och 999."),
        },
    )
    text = forms.CharField(
        label=_("Lydelse"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stadens lydelse. En ändring påverkar inte bedömningar som redan är påbörjade."),
        validators=[reject_identifying_numbers],
        error_messages={"required": _("Skriv kriteriets lydelse."), "max_length": _("Texten är för lång.")},
    )
    guidance = forms.CharField(
        label=_("Vägledning (frivillig)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hur kriteriet ska förstås och vad som kan vara underlag."),
        validators=[reject_identifying_numbers],
        error_messages={"max_length": _("Texten är för lång.")},
    )
    is_active = forms.BooleanField(
        label=_("Kriteriet gäller"),
        required=False,
        help_text=_("Ta bort bocken för att pensionera kriteriet. Nya bedömningar besvarar bara kriterier som gäller."),
    )

    def __init__(self, *args, criterion: Criterion | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if criterion is not None:
            initial.setdefault("lock_version", criterion.lock_version)
            initial.setdefault("number", criterion.number)
            initial.setdefault("text", criterion.text)
            initial.setdefault("guidance", criterion.guidance)
            initial.setdefault("is_active", criterion.is_active)
        else:
            initial.setdefault("lock_version", 0)
            initial.setdefault("is_active", True)
        super().__init__(*args, **kwargs)

    def wording(self) -> Wording:
        data = self.cleaned_data
        return Wording(data["number"], data["text"], data["guidance"], data["is_active"])
