"""Form fields the portal's forms share: a choice of several rows, the version a page carries, a date."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# What an integer primary key can be: SQLite binds at most 64 bits, PostgreSQL's bigint the same.
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


class RowsField(forms.ModelMultipleChoiceField):
    """Several rows chosen by key (check boxes or a multiple select). For an integer key, a value that no
    such key can be (anything but 1 to 18 ASCII digits) is an invalid choice before the database is asked:
    Django checks the choices with one ``pk__in`` query, and SQLite cannot bind a number past 64 bits,
    so a posted "99999999999999999999" would otherwise fail the request instead of the form."""

    def _check_values(self, value: Any) -> Any:
        meta = self.queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if isinstance(key, models.IntegerField) and isinstance(value, list | tuple):
            for pk in value:
                if not _ID.fullmatch(str(pk)):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(value)


# The hidden fields a page carries (the version it showed, a marker it sent): when one is missing or
# garbled, the page is stale or tampered with, and reloading it is the one thing to do.
RELOAD_TEXT = _("Sidan saknar uppgifter som behövs. Ladda om sidan och försök igen.")
RELOAD = {"required": RELOAD_TEXT, "invalid": RELOAD_TEXT, "min_value": RELOAD_TEXT}

# A date field the browser's date picker fills, and shown back as it reads it.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."), "required": _("Ange ett datum.")}


class LockForm(forms.Form):
    """Carries the version the user saw, so a concurrent change is never overwritten: the service
    compares it under the row's lock and refuses a stale one."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=RELOAD)
