from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-postadress"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": _("Skriv din e-postadress."),
            "invalid": _("Skriv e-postadressen i formatet namn@exempel.se."),
        },
    )
    password = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        max_length=512,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Skriv ditt lösenord.")},
    )


def code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Engångskod"),
        help_text=_("Sex siffror från din autentiseringsapp."),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": _("Skriv engångskoden från appen.")},
    )


class CodeForm(forms.Form):
    code = code_field()


class ReauthenticateForm(forms.Form):
    """Password, and a current code when the user has a second factor."""

    password = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        max_length=512,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Skriv ditt lösenord.")},
    )
    code = code_field()

    def __init__(self, *args, with_code: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Godkänn")), ("reject", _("Avslå"))])
    reason = forms.CharField(
        label=_("Motivering (frivillig, visas bara här)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ChoosePasswordForm(SetPasswordForm):
    """Django's form, with a hint in plain words (the design system's hint is text, not a list)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nytt lösenord")
        self.fields["new_password1"].help_text = _(
            "Minst 12 tecken. Inte ett vanligt lösenord, inte bara siffror och inte likt din e-postadress."
        )
        self.fields["new_password2"].label = _("Skriv lösenordet igen")
        self.fields["new_password2"].help_text = ""
