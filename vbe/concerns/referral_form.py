"""The case page's referral form: where the person or relative is referred, and the preconditions
confirmed (vbe.concerns.referrals)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vbe.concerns import referrals
from vbe.concerns.forms import ListedChoiceField, VersionedForm, _not_future
from vbe.concerns.models import ReferralKind
from vbe.core.form_fields import DATE, DATE_ERRORS


class ReferralForm(VersionedForm):
    """A referral with its preconditions confirmed as facts (vbe.concerns.referrals): a checklist."""

    id_prefix = "referral"
    kind = forms.ChoiceField(
        label=_("Vart hänvisas personen eller den anhöriga?"),
        choices=ReferralKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vart personen hänvisas.")},
    )
    referred_on = forms.DateField(label=_("Datum"), widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future])
    adult = forms.ChoiceField(
        label=_("Har personen fyllt 18 år?"),
        help_text=_("Avhopparverksamheten, Jobbtorg Citys avhopparteam och stödet till återvändare gäller vuxna."),
        choices=[("yes", _("Ja")), ("no", _("Nej"))],
        widget=forms.RadioSelect,
        required=False,
    )
    confirmed = forms.MultipleChoiceField(
        label=_("Vilka förutsättningar är uppfyllda?"),
        help_text=_("Kryssa bara i det som är bekräftat. Hänvisningen registreras när alla som krävs är uppfyllda."),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = ListedChoiceField(
        queryset=None,
        required=False,
        label=_("Personens samtycke till informationsdelning (för SIG)"),
        help_text=_("Ett gällande samtycke som är registrerat i ärendet."),
        empty_label=_("Välj samtycke"),
    )
    note = forms.CharField(
        label=_("Anteckning om hänvisningen (frivillig)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, consents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].choices = referrals.checklist()
        self.fields["consent"].queryset = consents
        self.fields["consent"].label_from_instance = lambda c: (
            _("%(purpose)s, lämnat %(given_on)s av %(given_by)s")
            % {
                "purpose": c.purpose,
                "given_on": f"{c.given_on:%Y-%m-%d}",
                "given_by": c.given_by,
            }
        )

    def clean_adult(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("adult") or "")
