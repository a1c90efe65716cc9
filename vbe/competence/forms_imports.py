"""Forms of the imports: the upload, the column mapping, and the button that starts an import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.competence import import_fields, import_files
from vbe.competence.imports import check_mapping
from vbe.competence.models import ImportKind

FIRST_YEAR = 2000


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Vad innehåller filen?"),
        choices=ImportKind.choices,
        initial=ImportKind.COMPLETIONS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Välj vad filen innehåller.")},
    )
    year = forms.IntegerField(
        label=gettext_lazy("År som antalen gäller"),
        help_text=gettext_lazy("Bara för antal anställda. Antalen i filen ersätter de som finns för året."),
        required=False,
        error_messages={"invalid": gettext_lazy("Skriv året med fyra siffror, till exempel 2026.")},
    )
    file = forms.FileField(
        label=gettext_lazy("Fil"),
        help_text=gettext_lazy(
            "En CSV-fil (semikolon, komma eller tabb mellan kolumnerna) eller en Excel-fil (.xlsx), högst "
            "%(mb)s MB, med kolumnernas rubriker på första raden. Personnummer tas inte emot."
        )
        % {"mb": import_files.MAX_BYTES // (1024 * 1024)},
        error_messages={"required": gettext_lazy("Välj en fil."), "empty": gettext_lazy("Filen är tom.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        this_year = timezone.localdate().year
        if year is not None and not FIRST_YEAR <= year <= this_year + 1:
            raise ValidationError(
                _("Året ska vara mellan %(first)s och %(last)s.") % {"first": FIRST_YEAR, "last": this_year + 1}
            )
        return year

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == ImportKind.HEADCOUNTS and data.get("year") is None and "year" not in self.errors:
            self.add_error("year", _("Ange vilket år antalen gäller."))
        return data


class MappingForm(forms.Form):
    """One select per field, offering the file's columns by their headers."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, headers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.headers = headers
        choices = [("", _("Ingen kolumn"))] + [
            (str(i), label) for i, label in enumerate(import_files.header_labels(headers))
        ]
        required = import_fields.REQUIRED[ImportKind(kind)]
        for name, label in import_fields.fields_of(kind):
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("Krävs.") if name in required else "",
            )
        if kind == ImportKind.COMPLETIONS:
            self.fields["email"].help_text = _("E-postadress, anställningsnummer eller båda krävs.")
            self.fields["unit"].help_text = _(
                "Behövs för personer som inte redan finns i registret, tillsammans med personalgrupp."
            )

    def mapping(self) -> dict[str, int]:
        return {
            name: self.cleaned_data[name]
            for name, _label in import_fields.fields_of(self.kind)
            if self.cleaned_data.get(name) is not None
        }

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            try:
                check_mapping(self.kind, self.headers, self.mapping())
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class StartImportForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
