from __future__ import annotations

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from vbe.concerns.models import ActionKind, AssessmentArea, Outcome, YesNoUnknown
from vbe.core import personnummer
from vbe.guidelines.vocabulary import Environment
from vbe.organisations.models import District, Organisation, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Skriv datumet som ÅÅÅÅ-MM-DD.", "required": "Ange ett datum."}


def _not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError("Datumet kan inte ligga i framtiden.")
    return value


class ReportForm(forms.Form):
    """The staff member's report. One screen; works without JavaScript."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    observation = forms.CharField(
        label="Vad har du sett eller hört?",
        help_text="Beskriv vad som hände och vad som oroar dig. Tro eller politiska åsikter är i sig inte tecken på våldsbejakande extremism.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Beskriv vad du har sett eller hört."},
    )
    observed_on = forms.DateField(
        label="När hände det?", widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future]
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.filter(is_active=True).defer("geometry"),
        required=False,
        label="Var hände det? Stadsdelsområde (om du vet)",
        empty_label="Vet inte / inte i ett område",
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label="I vilken verksamhet? (om det gäller din verksamhet)",
        empty_label="Ingen särskild verksamhet",
    )
    environment = forms.ChoiceField(
        label="Vilken miljö tror du att det handlar om?",
        help_text="Bara om du har en uppfattning. Det är din bedömning, inte ett faktum.",
        choices=Environment.choices,
        initial=Environment.UNKNOWN,
        widget=forms.RadioSelect,
    )
    concerns_child = forms.ChoiceField(
        label="Gäller oron ett barn (under 18 år)?",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Svara på om oron gäller ett barn."},
    )
    child_report_made = forms.ChoiceField(
        label="Har en orosanmälan redan gjorts till socialtjänsten?",
        help_text="Svara om oron gäller ett barn.",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        label="Vilken organisation ska ta emot rapporten?",
        help_text="Normalt din egen organisations lokala samordnare. Välj till exempel stadsdelsnämnden där personen bor om den är bättre placerad att agera.",
        error_messages={"required": "Välj vilken organisation som ska ta emot rapporten."},
    )
    person_name = forms.CharField(label="Personens namn", required=False, max_length=200)
    person_pnr = forms.CharField(
        label="Personnummer eller samordningsnummer",
        help_text="ÅÅÅÅMMDD-NNNN",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}),
    )
    person_contact = forms.CharField(
        label="Kontaktuppgifter", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisation_ids: list[int], default_organisation: Organisation | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation_id__in=organisation_ids, is_active=True)
        self.fields["organisation"].initial = default_organisation
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))

    def clean_person_pnr(self) -> str:
        value = self.cleaned_data["person_pnr"].strip()
        return personnummer.normalise(value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("concerns_child") == YesNoUnknown.YES and not data.get("child_report_made"):
            self.add_error("child_report_made", "Svara på om en orosanmälan redan har gjorts.")
        return data


class VersionedForm(forms.Form):
    """Carries the version of the concern the user saw, so a concurrent change is never overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AdvanceForm(VersionedForm):
    note = forms.CharField(
        label="Anteckning (frivillig)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssessmentForm(VersionedForm):
    areas = forms.MultipleChoiceField(
        label="Vilka områden har du beaktat?",
        help_text="En minneslista för din professionella bedömning. Portalen räknar inte fram något och rangordnar ingen.",
        choices=AssessmentArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    text = forms.CharField(
        label="Din bedömning",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Skriv din bedömning."},
    )


class ActionForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Åtgärd",
        choices=ActionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Välj vilken åtgärd som har vidtagits."},
    )
    done_on = forms.DateField(label="Datum", widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future])
    district = forms.ModelChoiceField(
        queryset=District.objects.filter(is_active=True).defer("geometry"),
        required=False,
        label="Till vilket stadsdelsområdes socialtjänst (för orosanmälan)",
        empty_label="Välj område",
    )
    note = forms.CharField(
        label="Anteckning (frivillig)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == ActionKind.CHILD_WELFARE_REPORT and not data.get("district"):
            self.add_error("district", "Ange vilket område orosanmälan skickades till.")
        return data


class ConsentForm(VersionedForm):
    purpose = forms.CharField(label="Samtycke till", initial="Social insatsgrupp (SIG)", max_length=200)
    given_by = forms.CharField(
        label="Lämnat av",
        help_text="Personen själv, eller vårdnadshavare för ett barn.",
        max_length=200,
        error_messages={"required": "Ange vem som lämnade samtycket."},
    )
    given_on = forms.DateField(label="Datum", widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future])


class AssignForm(VersionedForm):
    caseworker = forms.ModelChoiceField(queryset=None, required=False, label="Handläggare", empty_label="Ingen")

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers


class TransferForm(VersionedForm):
    to_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        label="Till organisation",
        error_messages={"required": "Välj organisation."},
    )
    legal_ground = forms.CharField(
        label="Rättslig grund",
        max_length=300,
        help_text="T.ex. sekretessbrytande bestämmelse i offentlighets- och sekretesslagen.",
        error_messages={"required": "Ange den rättsliga grunden."},
    )


class DisclosureForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        label="Visa för organisation",
        error_messages={"required": "Välj organisation."},
    )
    legal_ground = forms.CharField(
        label="Rättslig grund", max_length=300, error_messages={"required": "Ange den rättsliga grunden."}
    )
    decided_by = forms.CharField(
        label="Beslutat av (namn och befattning)",
        max_length=200,
        error_messages={"required": "Ange vem som har fattat beslutet."},
    )


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="Utfall", choices=Outcome.choices, widget=forms.RadioSelect, error_messages={"required": "Välj utfall."}
    )
    reason = forms.CharField(
        label="Motivering",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Krävs när ingen vidare åtgärd vidtas.",
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.NO_FURTHER_ACTION and not (data.get("reason") or "").strip():
            self.add_error("reason", "Skriv varför ingen vidare åtgärd behövs.")
        return data


class LegalHoldForm(VersionedForm):
    hold = forms.BooleanField(required=False, label="Bevara ärendet trots gallringsfristen")
    reason = forms.CharField(label="Skäl", required=False, max_length=300)


class PersonnummerSearchForm(forms.Form):
    pnr = forms.CharField(
        label="Personnummer",
        max_length=20,
        help_text="ÅÅÅÅMMDD-NNNN",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"required": "Skriv ett personnummer."},
    )

    def clean_pnr(self) -> str:
        return personnummer.normalise(self.cleaned_data["pnr"])
