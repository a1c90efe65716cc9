"""Forms for one's own trainings and the keepers' list of learners."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vbe.competence import certificates
from vbe.competence.models import Course, StaffGroup
from vbe.competence.own import check_completion_date
from vbe.organisations.models import Unit

PARTS = ("day", "month", "year")


class DatePartsWidget(forms.Widget):
    """GOV.UK's date input: day, month and year as three boxes named ``<name>-day`` and so on. The page
    renders the boxes itself (``competence/own/_date_input.html``) from ``DatePartsField.parts``."""

    def value_from_datadict(self, data, files, name):
        return [str(data.get(f"{name}-{part}", "")).strip() for part in PARTS]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part in PARTS)


class DatePartsField(forms.Field):
    widget = DatePartsWidget
    default_error_messages = {
        "required": _("Ange dag, månad och år."),
        "incomplete": _("Datumet måste innehålla dag, månad och år."),
        "invalid": _("Ange ett riktigt datum, till exempel 27 3 2025."),
    }

    def to_python(self, value):
        if isinstance(value, datetime.date) or value is None:
            return value
        parts = list(value)
        if not any(parts):
            return None
        if not all(parts):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if not all(p.isdigit() and len(p) <= 4 for p in parts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def date_parts(bound: forms.BoundField) -> dict[str, str]:
    """What the three boxes show: what the user typed, or the initial date."""
    value = bound.value()
    if isinstance(value, datetime.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    if isinstance(value, list | tuple) and len(value) == 3:
        return dict(zip(PARTS, (str(v) for v in value), strict=True))
    return dict.fromkeys(PARTS, "")


class RegisterForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        label=_("Utbildning"),
        empty_label=_("Välj utbildning"),
        error_messages={"required": _("Välj utbildning."), "invalid_choice": _("Välj en av utbildningarna i listan.")},
    )
    completed_on = DatePartsField(label=_("När genomförde du utbildningen?"), help_text=_("Till exempel 27 3 2025."))
    certificate = forms.FileField(
        label=_("Intyg (frivilligt)"),
        required=False,
        help_text=_("En PDF, JPEG eller PNG på högst 10 MB."),
        error_messages={"invalid": _("Filen gick inte att läsa. Välj den igen."), "empty": _("Filen är tom.")},
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Verksamhet"),
        help_text=_("Där du arbetar."),
        empty_label=_("Välj verksamhet"),
        error_messages={
            "required": _("Välj den verksamhet där du arbetar."),
            "invalid_choice": _("Välj en av verksamheterna i listan."),
        },
    )
    staff_group = forms.ModelChoiceField(
        queryset=StaffGroup.objects.none(),
        label=_("Personalgrupp"),
        empty_label=_("Välj personalgrupp"),
        error_messages={
            "required": _("Välj din personalgrupp."),
            "invalid_choice": _("Välj en av personalgrupperna i listan."),
        },
    )

    def __init__(self, *args, today: datetime.date, units: QuerySet[Unit] | None, **kwargs):
        """``units``: the units the user may be placed in, or None when they already have a placement
        (then neither unit nor staff group is asked)."""
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["course"].queryset = Course.objects.filter(is_active=True).order_by("level", "title")
        if units is None:
            del self.fields["unit"], self.fields["staff_group"]
        else:
            self.fields["unit"].queryset = units
            self.fields["staff_group"].queryset = StaffGroup.objects.filter(is_active=True)

    @property
    def asks_placement(self) -> bool:
        return "unit" in self.fields

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        check_completion_date(value, self.today)
        return value

    def clean_certificate(self):
        upload = self.cleaned_data.get("certificate")
        return certificates.check(upload) if upload else None


class PeopleFilterForm(forms.Form):
    """The learners list's filters and search (GET). Nothing here orders or ranks people."""

    enhet = forms.TypedChoiceField(
        label=_("Verksamhet"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Välj en av verksamheterna i listan.")},
    )
    grupp = forms.TypedChoiceField(
        label=_("Personalgrupp"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Välj en av personalgrupperna i listan.")},
    )
    saknar = forms.BooleanField(label=_("Bara de som saknar obligatorisk utbildning"), required=False)
    sok = forms.CharField(
        label=_("Sök på namn eller e-postadress"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Sök på högst 100 tecken.")},
    )

    def __init__(self, *args, units: list[Unit], staff_groups: list[StaffGroup], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enhet"].choices = [("", _("Alla verksamheter")), *((u.pk, u.name) for u in units)]
        self.fields["grupp"].choices = [("", _("Alla personalgrupper")), *((g.pk, g.name) for g in staff_groups)]
