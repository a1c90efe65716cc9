"""The form that attaches a file to a support resource."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vbe.knowledge import attachments


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"),
        error_messages={
            "required": _("Välj en fil att ladda upp."),
            "invalid": _("Filen gick inte att läsa. Välj den igen."),
            "empty": _("Filen är tom."),
        },
    )

    def clean_file(self) -> attachments.CleanAttachment:
        # The type, size and (for the Office formats) the zip's declared contents, from the file itself.
        return attachments.check(self.cleaned_data["file"])
