"""The organisation's choice about reminders to its staff."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReminderSettingForm(forms.Form):
    staff_reminders = forms.BooleanField(label=_("Skicka påminnelser till medarbetarna"), required=False)
    # The version the page was shown with (the setting's last change), so a save never undoes another's.
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
