"""Forms of the symbol guide: its filter, and the central coordinator's entry and image forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from vbe.core.form_fields import LockForm
from vbe.core.textcheck import reject_identifying_numbers
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import symbols, uploads
from vbe.incidents.symbol_models import MAX_ALT_TEXT


class SymbolFilterForm(forms.Form):
    """The guide's filter (GET): an ordinary form, without JavaScript."""

    miljo = forms.ChoiceField(
        label=_("Miljö"),
        required=False,
        choices=[("", _("Alla miljöer")), *Environment.choices],
        error_messages={"invalid_choice": _("Välj en av miljöerna i listan.")},
    )


class SymbolForm(LockForm):
    name = forms.CharField(
        label=_("Namn"),
        max_length=symbols.MAX_NAME,
        validators=[reject_identifying_numbers],
        error_messages={
            "required": _("Skriv vad symbolen heter."),
            "max_length": _("Namnet får vara högst %(limit_value)d tecken."),
        },
    )
    environment = forms.ChoiceField(
        label=_("Miljö"),
        help_text=_("Miljön i riktlinjernas ord. Välj Hybrid eller oklar om symbolen används i flera miljöer."),
        choices=Environment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj miljö."), "invalid_choice": _("Välj en av miljöerna i listan.")},
    )
    description = forms.CharField(
        label=_("Beskrivning"),
        help_text=_("Hur symbolen ser ut, vad den står för och var den brukar synas. Vanlig text."),
        max_length=symbols.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[reject_identifying_numbers],
        error_messages={
            "required": _("Beskriv symbolen."),
            "max_length": _("Beskrivningen får vara högst %(limit_value)d tecken."),
        },
    )
    what_to_do = forms.CharField(
        label=_("Särskilda råd om man ser den (frivilligt)"),
        help_text=_("Lämna tomt om stadens vanliga råd räcker. De visas alltid på sidan."),
        max_length=symbols.MAX_WHAT_TO_DO,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_identifying_numbers],
        error_messages={"max_length": _("Råden får vara högst %(limit_value)d tecken.")},
    )

    def symbol_fields(self) -> dict[str, str]:
        data = self.cleaned_data
        return {key: data[key] for key in ("name", "environment", "description", "what_to_do")}


class ActiveForm(LockForm):
    active = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SymbolImageForm(forms.Form):
    image = forms.FileField(
        label=_("Bild"),
        help_text=format_lazy(
            _(
                "JPEG, PNG eller WebP, högst {mb} MB. Platsuppgifter och annan information i bildfilen tas bort. "
                "Använd bara bilder som staden får visa, och inga bilder på personer."
            ),
            mb=uploads.MAX_BYTES // (1024 * 1024),
        ),
        error_messages={"required": _("Välj en bild."), "empty": _("Filen är tom. Välj en annan bild.")},
    )
    alt_text = forms.CharField(
        label=_("Bildbeskrivning"),
        help_text=_(
            "Beskriv vad bilden visar för den som inte kan se den, till exempel ”Svart runa som liknar en pil "
            "uppåt, på ett vitt klistermärke”."
        ),
        max_length=MAX_ALT_TEXT,
        validators=[reject_identifying_numbers],
        error_messages={
            "required": _("Skriv en bildbeskrivning."),
            "max_length": _("Bildbeskrivningen får vara högst %(limit_value)d tecken."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].widget.attrs["accept"] = ",".join(uploads.ALLOWED_CONTENT_TYPES)

    def clean_image(self) -> uploads.CleanImage:
        """Checked and re-encoded here, as an incident's photos are (magic bytes, pixel limits, metadata)."""
        upload = self.cleaned_data["image"]
        try:
            return uploads.sanitise(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_alt_text(self) -> str:
        text = " ".join(self.cleaned_data["alt_text"].split())
        if not text:
            raise ValidationError(_("Skriv en bildbeskrivning."))
        return text


class RemoveImageForm(forms.Form):
    """Nothing to fill in: the button is the choice (the form carries the CSRF token)."""
