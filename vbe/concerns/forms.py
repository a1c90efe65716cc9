from __future__ import annotations

import secrets
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vbe.accounts import recipients
from vbe.concerns.models import ActionKind, AssessmentArea, Outcome, YesNoUnknown
from vbe.core import personnummer
from vbe.core.form_fields import DATE, DATE_ERRORS
from vbe.guidelines.vocabulary import Environment
from vbe.organisations.models import District, Organisation, Unit


def _not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


def receiving_organisations():
    return recipients.organisations_marked_for_coordinator()


def without_coordinator_label(organisation: Organisation, *, central_exists: bool | None) -> str:
    if central_exists is None:  # a hand-over: the help text says where it waits
        return _("%(organisation)s (saknar lokal samordnare)") % {"organisation": organisation.name}
    if central_exists:
        return _("%(organisation)s (saknar lokal samordnare: tas emot av den centrala samordnaren)") % {
            "organisation": organisation.name
        }
    return _("%(organisation)s (saknar lokal samordnare, och ingen central samordnare finns)") % {
        "organisation": organisation.name
    }


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices read with one plain query. Django's iterator reads them through ``QuerySet.iterator()``,
    on PostgreSQL a server-side cursor (declared, fetched and closed: about twice the cost of the query),
    made for lists too long to hold in memory; these lists are short, and the case page shows up to five."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():  # a fresh queryset: each rendering reads the rows as they are now
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class ReceiverChoiceField(ListedChoiceField):
    """An organisation to send a concern to; one without an active coordinator says so in its label."""

    central_exists: bool | None = None

    def label_from_instance(self, obj: Organisation) -> str:
        if getattr(obj, "has_coordinator", True):
            return obj.name
        return without_coordinator_label(obj, central_exists=self.central_exists)


@dataclass(frozen=True)
class Receivers:
    """Where a report can go, and what happens there: organisations without an active coordinator are
    marked, so the reporter knows before sending that the central coordinator will receive it."""

    choices: list
    without_coordinator: list[Organisation]  # of the reporter's own organisations
    central_exists: bool


def receivers(*, own_ids: list[int], field: ReceiverChoiceField) -> Receivers:
    """The reporter's own organisations first, then the others. Two queries."""
    field.central_exists = recipients.central_coordinators().exists()
    own, others, uncovered = [], [], []
    for organisation in receiving_organisations():
        mine = organisation.pk in own_ids
        (own if mine else others).append((organisation.pk, field.label_from_instance(organisation)))
        if mine and not organisation.has_coordinator:
            uncovered.append(organisation)
    choices = [(_("Dina organisationer"), own), (_("Andra organisationer"), others)] if own else others
    return Receivers(choices=choices, without_coordinator=uncovered, central_exists=field.central_exists)


class ReportForm(forms.Form):
    """The staff member's report. One screen; works without JavaScript."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    observation = forms.CharField(
        label=_("Vad har du sett eller hört?"),
        help_text=_(
            "Beskriv vad som hände och vad som oroar dig. Tro eller politiska åsikter är i sig inte tecken på våldsbejakande extremism."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Beskriv vad du har sett eller hört.")},
    )
    observed_on = forms.DateField(
        label=_("När hände det?"), widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future]
    )
    district = ListedChoiceField(
        queryset=District.objects.filter(is_active=True).defer("geometry"),
        required=False,
        label=_("Var hände det? Stadsdelsområde (om du vet)"),
        empty_label=_("Vet inte / inte i ett område"),
    )
    unit = ListedChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("I vilken verksamhet? (om det gäller din verksamhet)"),
        empty_label=_("Ingen särskild verksamhet"),
    )
    # No "which environment" question: a reporter is not asked to label a person's ideology (special-
    # category data, and the guideline warns against labelling). The coordinator assesses it in the case.
    concerns_child = forms.ChoiceField(
        label=_("Gäller oron ett barn (under 18 år)?"),
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Svara på om oron gäller ett barn.")},
    )
    child_report_made = forms.ChoiceField(
        label=_("Har en orosanmälan redan gjorts till socialtjänsten?"),
        help_text=_("Svara om oron gäller ett barn."),
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    organisation = ReceiverChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        label=_("Vilken organisation ska ta emot rapporten?"),
        help_text=_(
            "Normalt din egen organisations lokala samordnare. Välj till exempel stadsdelsnämnden där personen bor "
            "om den är bättre placerad att agera. En organisation som saknar lokal samordnare är markerad: "
            "dit tas rapporten emot av den centrala samordnaren."
        ),
        error_messages={
            "required": _("Välj vilken organisation som ska ta emot rapporten."),
            "invalid_choice": _("Välj en organisation i listan."),
        },
    )
    person_name = forms.CharField(label=_("Personens namn"), required=False, max_length=200)
    person_pnr = forms.CharField(
        label=_("Personnummer eller samordningsnummer"),
        help_text=_("ÅÅÅÅMMDD-NNNN"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}),
    )
    person_contact = forms.CharField(
        label=_("Kontaktuppgifter"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisation_ids: list[int], default_organisation: Organisation | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation_id__in=organisation_ids, is_active=True)
        self.fields["organisation"].initial = default_organisation
        self.receivers = receivers(own_ids=organisation_ids, field=self.fields["organisation"])
        self.fields["organisation"].choices = self.receivers.choices
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))

    def clean_person_pnr(self) -> str:
        value = self.cleaned_data["person_pnr"].strip()
        return personnummer.normalise(value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("concerns_child") == YesNoUnknown.YES and not data.get("child_report_made"):
            self.add_error("child_report_made", _("Svara på om en orosanmälan redan har gjorts."))
        return data


class CasePageForm(forms.Form):
    """A form of the case page, where every form is shown at once: its fields' ids start with the form's
    own name (``advance-note``, ``action-note``), so no two fields on the page share an id and the error
    summary's links land on the right one."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class VersionedForm(CasePageForm):
    """Carries the version of the concern the user saw, so a concurrent change is never overwritten."""

    id_prefix = "version"
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class AdvanceForm(VersionedForm):
    """Forward to any later step in one decision (closing has its own form)."""

    id_prefix = "advance"
    to_state = forms.ChoiceField(
        label=_("Till vilket steg?"),
        help_text=_("Välj ett senare steg än nästa om ärendet redan har gått igenom stegen emellan."),
        choices=(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj vilket steg ärendet ska gå vidare till."),
            "invalid_choice": _("Välj ett av de senare stegen i listan."),
        },
    )
    note = forms.CharField(
        label=_("Anteckning (frivillig)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, later_steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [(step.value, step.label) for step in later_steps]


class AssessmentForm(VersionedForm):
    id_prefix = "assessment"
    environment = forms.ChoiceField(
        label=_("Vilken våldsbejakande miljö bedömer du att oron gäller?"),
        help_text=_(
            "Din bedömning som handläggare, med riktlinjens begrepp. Det är den som räknas i statistiken. "
            "Välj ”Inte bedömd” tills du har underlag."
        ),
        choices=Environment.choices,
        widget=forms.RadioSelect,
        required=False,  # left out: the assessed environment stays as it is
    )
    areas = forms.MultipleChoiceField(
        label=_("Vilka områden har du beaktat?"),
        help_text=_(
            "En minneslista för din professionella bedömning. Portalen räknar inte fram något och rangordnar ingen."
        ),
        choices=AssessmentArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    text = forms.CharField(
        label=_("Din bedömning"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": _("Skriv din bedömning.")},
    )


# Raising the concern in SSPF or BUS has its own page (vbe.collaboration: consent or a legal ground, and
# the forum), so the plain action neither offers nor accepts those kinds.
RAISED_IN_FORUM = (ActionKind.RAISED_IN_SSPF, ActionKind.RAISED_IN_BUS)
PLAIN_ACTION_KINDS = [(value, label) for value, label in ActionKind.choices if value not in RAISED_IN_FORUM]


class ActionForm(VersionedForm):
    id_prefix = "action"
    kind = forms.ChoiceField(
        label=_("Åtgärd"),
        choices=PLAIN_ACTION_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj vilken åtgärd som har vidtagits."),
            "invalid_choice": _(
                "Välj en av åtgärderna i listan. Lyft i SSPF eller BUS registreras på sidan ”Lyft i SSPF eller BUS”."
            ),
        },
    )
    done_on = forms.DateField(label=_("Datum"), widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future])
    district = ListedChoiceField(
        queryset=District.objects.filter(is_active=True).defer("geometry"),
        required=False,
        label=_("Till vilket stadsdelsområdes socialtjänst (för orosanmälan)"),
        empty_label=_("Välj område"),
    )
    made_by = forms.CharField(
        label=_("Vem gjorde orosanmälan? (för orosanmälan)"),
        help_text=_("Namn eller befattning, till exempel ”mentor” eller ”rektor”."),
        required=False,
        max_length=200,
    )
    note = forms.CharField(
        label=_("Anteckning (frivillig)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == ActionKind.CHILD_WELFARE_REPORT:
            if not data.get("district"):
                self.add_error("district", _("Ange vilket område orosanmälan skickades till."))
            if not (data.get("made_by") or "").strip():
                self.add_error("made_by", _("Ange vem som gjorde orosanmälan (namn eller befattning)."))
        return data


class ConsentForm(VersionedForm):
    id_prefix = "consent"
    purpose = forms.CharField(label=_("Samtycke till"), initial=_("Social insatsgrupp (SIG)"), max_length=200)
    given_by = forms.CharField(
        label=_("Lämnat av"),
        help_text=_("Personen själv, eller vårdnadshavare för ett barn."),
        max_length=200,
        error_messages={"required": _("Ange vem som lämnade samtycket.")},
    )
    given_on = forms.DateField(label=_("Datum"), widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future])


class AssignForm(VersionedForm):
    id_prefix = "assign"
    caseworker = ListedChoiceField(queryset=None, required=False, label=_("Handläggare"), empty_label=_("Ingen"))

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers


class TransferForm(VersionedForm):
    id_prefix = "transfer"
    to_organisation = ReceiverChoiceField(
        queryset=receiving_organisations(),
        label=_("Till organisation"),
        help_text=_(
            "En organisation som saknar lokal samordnare är markerad: där väntar ärendet hos den centrala samordnaren."
        ),
        error_messages={"required": _("Välj organisation."), "invalid_choice": _("Välj en organisation i listan.")},
    )
    legal_ground = forms.CharField(
        label=_("Rättslig grund"),
        max_length=300,
        help_text=_("T.ex. sekretessbrytande bestämmelse i offentlighets- och sekretesslagen."),
        error_messages={"required": _("Ange den rättsliga grunden.")},
    )


class DisclosureForm(CasePageForm):
    id_prefix = "disclosure"
    to_organisation = ListedChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        label=_("Visa för organisation"),
        error_messages={"required": _("Välj organisation.")},
    )
    legal_ground = forms.CharField(
        label=_("Rättslig grund"), max_length=300, error_messages={"required": _("Ange den rättsliga grunden.")}
    )
    decided_by = forms.CharField(
        label=_("Beslutat av (namn och befattning)"),
        max_length=200,
        error_messages={"required": _("Ange vem som har fattat beslutet.")},
    )


class CloseForm(VersionedForm):
    id_prefix = "close"
    outcome = forms.ChoiceField(
        label=_("Utfall"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj utfall.")},
    )
    reason = forms.CharField(
        label=_("Motivering"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Krävs när ingen vidare åtgärd vidtas."),
    )
    # Only for a concern about a child without an orosanmälan on record (``child_report=True``).
    child_report = forms.ChoiceField(
        label=_("Har en orosanmälan gjorts till socialtjänsten?"),
        choices=[
            ("made", _("Ja, en orosanmälan har gjorts")),
            ("not_made", _("Nej, ingen orosanmälan har gjorts")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    child_report_made_by = forms.CharField(
        label=_("Vem gjorde orosanmälan?"),
        help_text=_("Om en orosanmälan har gjorts. Namn eller befattning, till exempel ”rektor”."),
        required=False,
        max_length=200,
    )
    child_report_made_on = forms.DateField(
        label=_("När gjordes orosanmälan?"),
        help_text=_("Om en orosanmälan har gjorts. ÅÅÅÅ-MM-DD"),
        widget=DATE,
        required=False,
        error_messages=DATE_ERRORS,
        validators=[_not_future],
    )
    child_report_district = ListedChoiceField(
        queryset=District.objects.filter(is_active=True).defer("geometry"),
        required=False,
        label=_("Till vilket stadsdelsområdes socialtjänst?"),
        empty_label=_("Välj område"),
    )
    child_report_reason = forms.CharField(
        label=_("Varför har ingen orosanmälan gjorts?"),
        help_text=_("Om ingen orosanmälan har gjorts."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    CHILD_FIELDS = (
        "child_report",
        "child_report_made_by",
        "child_report_made_on",
        "child_report_district",
        "child_report_reason",
    )

    def __init__(self, *args, child_report: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_child_report = child_report
        if not child_report:
            for name in self.CHILD_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.NO_FURTHER_ACTION and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Skriv varför ingen vidare åtgärd behövs."))
        if self.asks_child_report:
            choice = data.get("child_report")
            if choice == "made":
                if not (data.get("child_report_made_by") or "").strip():
                    self.add_error(
                        "child_report_made_by", _("Ange vem som gjorde orosanmälan (namn eller befattning).")
                    )
                if not data.get("child_report_made_on") and "child_report_made_on" not in self.errors:
                    self.add_error("child_report_made_on", _("Ange när orosanmälan gjordes."))
                if not data.get("child_report_district"):
                    self.add_error("child_report_district", _("Ange vilket område orosanmälan skickades till."))
            elif choice == "not_made":
                if not (data.get("child_report_reason") or "").strip():
                    self.add_error("child_report_reason", _("Skriv varför ingen orosanmälan har gjorts."))
            else:
                self.add_error("child_report", _("Ange om en orosanmälan har gjorts till socialtjänsten."))
        return data


class WithdrawDisclosureForm(forms.Form):
    """One per disclosure on the page (prefix ``d<id>``), so each has its own field ids and errors."""

    reason = forms.CharField(
        label=_("Varför återkallas röjandet?"),
        help_text=_("Sparas krypterat i ärendet. Skrivs inte i loggen."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv varför röjandet återkallas.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Skriv varför röjandet återkallas."))
        return reason


class LegalHoldForm(VersionedForm):
    id_prefix = "hold"
    hold = forms.BooleanField(required=False, label=_("Bevara ärendet trots gallringsfristen"))
    reason = forms.CharField(label=_("Skäl"), required=False, max_length=300)


class PersonnummerSearchForm(forms.Form):
    pnr = forms.CharField(
        label=_("Personnummer"),
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"required": _("Skriv ett personnummer.")},
    )

    def clean_pnr(self) -> str:
        return personnummer.normalise(self.cleaned_data["pnr"])
