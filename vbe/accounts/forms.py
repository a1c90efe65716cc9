from django import forms
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


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Engångskod"),
        help_text=_("Sex siffror från din autentiseringsapp."),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": _("Skriv engångskoden från appen.")},
    )
