"""The form of raising a concern in SSPF or BUS (vbe.collaboration.raising checks it all again under the
concern's row lock)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vbe.collaboration.models import ForumKind
from vbe.collaboration.raising import FORUM_KIND, MIN_LEGAL_GROUND_LENGTH, forums_for
from vbe.concerns.models import Concern
from vbe.core.form_fields import DATE, RELOAD
from vbe.core.textcheck import reject_identifying_numbers

DATE_ERRORS = {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."), "required": _("Ange vilken dag ärendet lyftes.")}
KINDS = [(kind.value, kind.label) for kind in FORUM_KIND]


def _not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


class RaiseForm(forms.Form):
    """Kind, forum, day and exactly one ground: a recorded consent of the concern, or a legal ground."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=RELOAD)
    kind = forms.ChoiceField(
        label=_("Var lyftes ärendet?"),
        choices=KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj om ärendet lyftes i SSPF eller i BUS."),
            "invalid_choice": _("Välj om ärendet lyftes i SSPF eller i BUS."),
        },
    )
    forum = forms.TypedChoiceField(
        label=_("Forum"),
        coerce=int,
        help_text=_("Forum av typen SSPF eller BUS som organisationen deltar i."),
        error_messages={
            "required": _("Välj forum."),
            "invalid_choice": _("Välj ett av forumen i listan."),
        },
    )
    done_on = forms.DateField(
        label=_("Datum då ärendet lyftes"), widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future]
    )
    consent = forms.TypedChoiceField(
        label=_("Samtycke"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Ett gällande samtycke som är registrerat i ärendet."),
        error_messages={"invalid_choice": _("Välj ett av de gällande samtyckena i listan.")},
    )
    legal_ground = forms.CharField(
        label=_("Eller: rättslig grund"),
        required=False,
        max_length=300,
        help_text=_("Om personen inte har samtyckt. Till exempel ”Offentlighets- och sekretesslagen 10 kap. 2 §”."),
        validators=[reject_identifying_numbers],
    )

    def __init__(self, *args, concern: Concern, **kwargs):
        super().__init__(*args, **kwargs)
        forums = list(forums_for(concern))
        groups = []
        for kind in FORUM_KIND.values():
            members = [(f.pk, f.name) for f in forums if f.kind == kind]
            if members:
                groups.append((str(ForumKind(kind).label), members))
        self.fields["forum"].choices = [("", _("Välj forum")), *groups]
        consents = concern.consents.filter(withdrawn_on=None).only("pk", "purpose", "given_on")
        self.fields["consent"].choices = [
            ("", _("Inget samtycke: ange rättslig grund")),
            *((c.pk, f"{c.purpose} ({c.given_on:%Y-%m-%d})") for c in consents),
        ]

    def clean(self):
        data = super().clean()
        consent, ground = data.get("consent"), (data.get("legal_ground") or "").strip()
        if "consent" in self.errors or "legal_ground" in self.errors:
            return data
        if consent and ground:
            self.add_error("legal_ground", _("Ange antingen ett samtycke eller en rättslig grund, inte båda."))
        elif not consent and not ground:
            self.add_error(
                "consent",
                _(
                    "En person får lyftas bara med samtycke eller annat rättsligt stöd. Välj ett samtycke eller skriv den rättsliga grunden."
                ),
            )
        elif ground and len(ground) < MIN_LEGAL_GROUND_LENGTH:
            self.add_error(
                "legal_ground",
                _("Skriv ut den rättsliga grunden, till exempel ”Offentlighets- och sekretesslagen 10 kap. 2 §”."),
            )
        return data
