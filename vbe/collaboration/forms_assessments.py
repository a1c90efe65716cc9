"""Forms of the democracy-condition assessments: starting one, the draft's working notes (a fieldset per
criterion), the decision, and the renew button."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from vbe.collaboration.assessments import MAX_TEXT, REASONS_REQUIRED, Draft, Ruling, default_valid_until
from vbe.collaboration.models import Assessment, Decision, Finding, LinkKind
from vbe.core.form_fields import DATE, DATE_ERRORS, LockForm
from vbe.core.textcheck import reject_identifying_numbers
from vbe.organisations.models import Organisation

TOO_LONG = {"max_length": _("Texten får vara högst %(limit_value)s tecken.")}

# The standard text on how to appeal, editable per decision. A board's decision can be appealed in two
# ways; a company's decision in neither (it is not an authority's decision), which the text says too.
APPEAL_INFORMATION = _(
    "Så överklagar du beslutet\n\n"
    "Laglighetsprövning (13 kap. kommunallagen): Alla som är medlemmar i kommunen kan begära att "
    "förvaltningsrätten prövar om beslutet har kommit till på lagligt sätt. Överklagandet ska ha kommit in "
    "till förvaltningsrätten inom tre veckor från den dag då det tillkännagavs på kommunens digitala "
    "anslagstavla att protokollet med beslutet har justerats.\n\n"
    "Förvaltningsbesvär (förvaltningslagen): Om beslutet angår er och har gått er emot kan ni i stället "
    "överklaga det enligt förvaltningslagen, om beslutet får överklagas på det sättet. Skicka då överklagandet "
    "till den nämnd som fattade beslutet. Det ska ha kommit in inom tre veckor från den dag ni fick del av "
    "beslutet.\n\n"
    "Skriv i överklagandet vilket beslut ni överklagar, varför ni anser att det är fel och vilken ändring ni "
    "vill ha. Ett beslut av ett kommunalt bolag kan inte överklagas på dessa sätt; kontakta bolaget om ni "
    "vill att beslutet ses över."
)


def _not_future(value: datetime.date) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))


class CreateForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Nämnd eller bolag som bedömer"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Välj nämnd eller bolag."),
            "invalid_choice": _("Välj en nämnd eller ett bolag som du gör bedömningar för."),
        },
    )
    purpose = forms.ChoiceField(
        label=_("Vad gäller bedömningen?"),
        choices=LinkKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vad bedömningen gäller."), "invalid_choice": _("Välj i listan.")},
    )

    def __init__(self, *args, organisation_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=sorted(organisation_ids)).order_by(
            "name"
        )


class DraftForm(LockForm):
    evidence = forms.CharField(
        label=_("Underlag"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Vad aktören gör: verksamhet, uttalanden, samarbeten. Skriv om organisationen, inte om enskilda."),
        validators=[reject_identifying_numbers],
        error_messages=TOO_LONG,
    )
    sources = forms.CharField(
        label=_("Källor"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Var uppgifterna kommer ifrån: dokument, webbplatser, diarienummer."),
        validators=[reject_identifying_numbers],
        error_messages=TOO_LONG,
    )

    def __init__(self, *args, assessment: Assessment, findings: list, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("lock_version", assessment.lock_version)
        initial.setdefault("evidence", assessment.evidence)
        initial.setdefault("sources", assessment.sources)
        super().__init__(*args, **kwargs)
        self.findings = findings
        for finding in findings:
            self.fields[f"finding_{finding.pk}"] = forms.ChoiceField(
                label=_("Bedömning"),
                choices=[("", _("Inte bedömt än")), *Finding.choices],
                required=False,
                initial=finding.finding,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Välj en av bedömningarna.")},
            )
            self.fields[f"note_{finding.pk}"] = forms.CharField(
                label=_("Anteckning"),
                required=False,
                initial=finding.note,
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
                validators=[reject_identifying_numbers],
                error_messages=TOO_LONG,
            )

    def criteria(self) -> list[tuple[object, forms.BoundField, forms.BoundField]]:
        """Per finding: the finding (its copied wording) and its two fields, for a fieldset each."""
        return [(f, self[f"finding_{f.pk}"], self[f"note_{f.pk}"]) for f in self.findings]

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            evidence=data["evidence"],
            sources=data["sources"],
            findings={f.pk: (data[f"finding_{f.pk}"], data[f"note_{f.pk}"]) for f in self.findings},
        )


class DecideForm(LockForm):
    decision = forms.ChoiceField(
        label=_("Beslut"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj ett beslut."), "invalid_choice": _("Välj ett av besluten.")},
    )
    deciding_body = forms.CharField(
        label=_("Beslutande organ"),
        max_length=200,
        help_text=_("Till exempel nämnden, dess arbetsutskott eller den tjänsteperson som har delegation."),
        error_messages={"required": _("Skriv vilket organ som fattade beslutet."), **TOO_LONG},
        validators=[reject_identifying_numbers],
    )
    decided_on = forms.DateField(
        label=_("Beslutsdatum"), widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future]
    )
    reasons = forms.CharField(
        label=_("Motivering"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Krävs när aktören inte uppfyller villkoret: vad aktören gör som är skälet till beslutet."),
        validators=[reject_identifying_numbers],
        error_messages=TOO_LONG,
    )
    appeal_information = forms.CharField(
        label=_("Hur man överklagar"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
        validators=[reject_identifying_numbers],
        error_messages=TOO_LONG,
    )
    valid_until = forms.DateField(
        label=_("Gäller till (frivilligt)"),
        required=False,
        widget=DATE,
        help_text=_(
            "Lämna tomt när aktören uppfyller villkoret, så gäller beslutet %(months)s månader från "
            "beslutsdatumet (till %(until)s om beslutet fattas i dag)."
        ),
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args, assessment: Assessment, months: int, **kwargs):
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("lock_version", assessment.lock_version)
        initial.setdefault("decided_on", today)
        initial.setdefault("appeal_information", APPEAL_INFORMATION)
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        until = formats.date_format(default_valid_until(today), "j F Y")
        self.fields["valid_until"].help_text = self.fields["valid_until"].help_text % {"months": months, "until": until}

    def clean(self):
        data = super().clean()
        decided_on, valid_until = data.get("decided_on"), data.get("valid_until")
        if (
            data.get("decision") == Decision.FAILS
            and not (data.get("reasons") or "").strip()
            and "reasons" not in self.errors
        ):
            self.add_error("reasons", REASONS_REQUIRED)
        started = timezone.localtime(self.assessment.created_at).date()
        if decided_on and decided_on < started:
            self.add_error(
                "decided_on",
                _("Beslutsdatumet kan inte ligga före den dag bedömningen påbörjades (%(day)s).")
                % {"day": started.isoformat()},
            )
        if decided_on and valid_until and valid_until <= decided_on:
            self.add_error("valid_until", _("Beslutet ska gälla till ett datum efter beslutsdatumet."))
        return data

    def ruling(self) -> Ruling:
        data = self.cleaned_data
        return Ruling(
            decision=data["decision"],
            deciding_body=data["deciding_body"],
            decided_on=data["decided_on"],
            reasons=data["reasons"],
            appeal_information=data["appeal_information"],
            valid_until=data["valid_until"],
        )


class RenewForm(LockForm):
    """The renew button posts the version the page was shown with."""
