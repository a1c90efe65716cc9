"""Forms of the training catalogue, staff groups, coverage targets and the headcount grid."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vbe.competence import catalogue, headcounts
from vbe.competence.models import MAX_VALIDITY_YEARS, Course, CourseFormat, Headcount, Level, StaffGroup
from vbe.core.form_fields import RELOAD, RELOAD_TEXT, LockForm, RowsField
from vbe.core.textcheck import reject_identifying_numbers
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import Unit


def _focus_areas():
    return FocusArea.objects.filter(intervention_area__guideline__is_current=True).order_by("number")


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters (GET): they work as an ordinary form, without JavaScript."""

    niva = forms.ChoiceField(label=_("Nivå"), required=False)
    grupp = forms.ModelChoiceField(
        label=_("Personalgrupp"),
        queryset=StaffGroup.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("Alla personalgrupper"),
        error_messages={"invalid_choice": _("Välj en av personalgrupperna i listan.")},
    )
    omrade = forms.ModelChoiceField(
        label=_("Område i riktlinjerna"),
        queryset=FocusArea.objects.none(),
        required=False,
        to_field_name="number",
        empty_label=_("Alla områden"),
        error_messages={"invalid_choice": _("Välj ett av områdena i listan.")},
    )
    inaktiva = forms.BooleanField(label=_("Visa även inaktiva utbildningar"), required=False)

    def __init__(self, *args, groups: Sequence[StaffGroup], focus_areas: Sequence[FocusArea], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niva"].choices = [("", _("Alla nivåer")), *Level.choices]
        self.fields["niva"].error_messages["invalid_choice"] = _("Välj en av nivåerna i listan.")
        # The lists are read once by the view; the querysets only validate the choice.
        grupp, omrade = self.fields["grupp"], self.fields["omrade"]
        grupp.queryset = StaffGroup.objects.all()
        grupp.choices = [("", _("Alla personalgrupper")), *((g.slug, g.name) for g in groups)]
        omrade.queryset = _focus_areas()
        omrade.choices = [("", _("Alla områden")), *((f.number, f"{f.number}. {f.name}") for f in focus_areas)]


class CourseForm(LockForm):
    title = forms.CharField(
        label=_("Namn"), max_length=200, error_messages={"required": _("Skriv vad utbildningen heter.")}
    )
    provider = forms.CharField(
        label=_("Anordnare"), max_length=200, error_messages={"required": _("Skriv vem som anordnar utbildningen.")}
    )
    code = forms.CharField(
        label=_("Kurskod (frivillig)"),
        max_length=60,
        required=False,
        help_text=_("Koden i lärplattformen. Importer av genomförda utbildningar känner igen kursen på den."),
    )
    level = forms.ChoiceField(
        label=_("Nivå"), choices=Level.choices, widget=forms.RadioSelect, error_messages={"required": _("Välj nivå.")}
    )
    course_format = forms.ChoiceField(
        label=_("Form"),
        choices=CourseFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj form.")},
    )
    length_minutes = forms.IntegerField(
        label=_("Längd i minuter (frivillig)"),
        required=False,
        min_value=1,
        max_value=catalogue.MAX_LENGTH_MINUTES,
        error_messages={
            "invalid": _("Skriv längden i hela minuter, till exempel 45."),
            "min_value": _("Längden ska vara minst 1 minut."),
            "max_value": _("Längden kan vara högst %(limit_value)s minuter."),
        },
    )
    validity_years = forms.IntegerField(
        label=_("Förnyas efter antal år (frivillig)"),
        required=False,
        min_value=1,
        max_value=MAX_VALIDITY_YEARS,
        help_text=_("Lämna tomt om utbildningen gäller tills vidare."),
        error_messages={
            "invalid": _("Skriv antalet år med siffror, till exempel 3."),
            "min_value": _("Giltighetstiden ska vara minst 1 år."),
            "max_value": _("Giltighetstiden kan vara högst %(limit_value)s år."),
        },
    )
    url = forms.URLField(
        label=_("Länk (frivillig)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Skriv en fullständig webbadress, till exempel https://start.stockholm/.")},
    )
    description = forms.CharField(
        label=_("Beskrivning"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_identifying_numbers],
    )
    target_groups = RowsField(
        label=_("Målgrupper"),
        queryset=StaffGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland personalgrupperna i listan.")},
    )
    required_for = RowsField(
        label=_("Obligatorisk för"),
        queryset=StaffGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("En obligatorisk utbildning räknas också som riktad till gruppen."),
        error_messages={"invalid_choice": _("Välj bland personalgrupperna i listan.")},
    )
    focus_areas = RowsField(
        label=_("Områden i riktlinjerna"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland områdena i listan.")},
    )

    def __init__(self, *args, course: Course | None = None, **kwargs):
        if course is not None:
            initial = kwargs.setdefault("initial", {})
            initial.update(
                lock_version=course.lock_version,
                title=course.title,
                provider=course.provider,
                code=course.code,
                level=course.level,
                course_format=course.format,
                length_minutes=course.length_minutes,
                validity_years=course.validity_years,
                url=course.url,
                description=course.description,
                target_groups=[g.pk for g in course.target_groups.all()],
                required_for=[g.pk for g in course.required_for.all()],
                focus_areas=[f.pk for f in course.focus_areas.all()],
            )
        super().__init__(*args, **kwargs)
        # Inactive groups stay choosable on a course that already names them, so saving keeps them.
        shown = Q(is_active=True)
        if course is not None:
            shown |= Q(pk__in=course.target_groups.values("pk")) | Q(pk__in=course.required_for.values("pk"))
        groups = StaffGroup.objects.filter(shown).order_by("position", "name")
        self.fields["target_groups"].queryset = groups
        self.fields["required_for"].queryset = groups
        self.fields["focus_areas"].queryset = _focus_areas()

    def course_fields(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "title",
                "provider",
                "code",
                "level",
                "course_format",
                "length_minutes",
                "validity_years",
                "url",
                "description",
                "target_groups",
                "required_for",
                "focus_areas",
            )
        }


class ActiveForm(LockForm):
    active = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput, error_messages=RELOAD
    )


class StaffGroupForm(LockForm):
    name = forms.CharField(
        label=_("Namn"), max_length=120, error_messages={"required": _("Skriv vad personalgruppen heter.")}
    )
    description = forms.CharField(
        label=_("Beskrivning (frivillig)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_identifying_numbers],
    )
    position = forms.IntegerField(
        label=_("Ordning i listor (frivillig)"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("Lägre tal visas först."),
        error_messages={
            "invalid": _("Skriv ordningen som ett heltal."),
            "min_value": _("Ordningen kan inte vara negativ."),
            "max_value": _("Ordningen kan vara högst %(limit_value)s."),
        },
    )
    is_active = forms.BooleanField(
        label=_("Aktiv"),
        required=False,
        help_text=_("En inaktiv grupp visas inte i nya formulär, men dess uppgifter finns kvar."),
    )

    def __init__(self, *args, group: StaffGroup | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if group is not None:
            initial.update(
                lock_version=group.lock_version,
                name=group.name,
                description=group.description,
                position=group.position,
                is_active=group.is_active,
            )
        else:
            initial.setdefault("lock_version", 0)
            initial.setdefault("is_active", True)
        super().__init__(*args, **kwargs)


def _encode_versions(versions: dict[str, int]) -> str:
    return ",".join(f"{level}:{version}" for level, version in versions.items())


class TargetsForm(forms.Form):
    """A percent per level (blank: no target), and the versions of the targets as the form showed them."""

    versions = forms.CharField(widget=forms.HiddenInput, error_messages=RELOAD)

    def __init__(self, *args, versions: dict[str, int] | None = None, percents: dict[str, int] | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if versions is not None:
            initial["versions"] = _encode_versions(versions)
        for level, percent in (percents or {}).items():
            initial[f"percent_{level}"] = percent
        super().__init__(*args, **kwargs)
        for level, label in Level.choices:
            self.fields[f"percent_{level}"] = forms.IntegerField(
                label=_("Mål för %(level)s nivå, i procent") % {"level": str(label).lower()},
                required=False,
                min_value=0,
                max_value=100,
                help_text=_("Andel av de anställda som ska ha en giltig utbildning. Lämna tomt för inget mål."),
                error_messages={
                    "invalid": _("Skriv målet som ett heltal mellan 0 och 100."),
                    "min_value": _("Målet ska vara mellan 0 och 100 procent."),
                    "max_value": _("Målet ska vara mellan 0 och 100 procent."),
                },
            )

    def percent_fields(self) -> list[forms.BoundField]:
        return [self[f"percent_{level}"] for level in Level.values]

    def clean_versions(self) -> dict[str, int]:
        try:
            pairs = dict(part.split(":") for part in self.cleaned_data["versions"].split(","))
            return {level: int(pairs[level]) for level in Level.values}
        except (KeyError, ValueError):
            raise forms.ValidationError(RELOAD_TEXT) from None

    def percents(self) -> dict[str, int | None]:
        return {level: self.cleaned_data[f"percent_{level}"] for level in Level.values}


class HeadcountGridForm(forms.Form):
    """One number per unit × staff group; ``shown`` carries each existing cell's version and count."""

    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        units: Sequence[Unit],
        groups: Sequence[StaffGroup],
        rows: dict[headcounts.Cell, Headcount],
        **kwargs,
    ):
        initial = kwargs.setdefault("initial", {})
        initial["shown"] = headcounts.encode_shown(list(rows.values()))
        for (unit_id, group_id), row in rows.items():
            initial[f"c_{unit_id}_{group_id}"] = row.count
        super().__init__(*args, **kwargs)
        self.units, self.groups = units, groups
        for unit in units:
            for group in groups:
                self.fields[f"c_{unit.pk}_{group.pk}"] = forms.IntegerField(
                    label=_("%(group)s på %(unit)s") % {"group": group.name, "unit": unit.name},
                    required=False,
                    min_value=0,
                    max_value=headcounts.MAX_COUNT,
                    error_messages={
                        "invalid": _("Skriv antalet för %(group)s på %(unit)s som ett heltal.")
                        % {"group": group.name, "unit": unit.name},
                        "min_value": _("Antalet för %(group)s på %(unit)s kan inte vara negativt.")
                        % {"group": group.name, "unit": unit.name},
                        "max_value": _("Antalet för %(group)s på %(unit)s kan vara högst %(max)s.")
                        % {"group": group.name, "unit": unit.name, "max": headcounts.MAX_COUNT},
                    },
                )

    def grid(self) -> list[tuple[Unit, list[forms.BoundField]]]:
        return [(unit, [self[f"c_{unit.pk}_{group.pk}"] for group in self.groups]) for unit in self.units]

    def clean_shown(self) -> dict[headcounts.Cell, headcounts.Shown]:
        try:
            return headcounts.decode_shown(self.cleaned_data["shown"])
        except ValueError:
            raise forms.ValidationError(RELOAD_TEXT) from None

    def entered(self) -> dict[headcounts.Cell, int | None]:
        return {
            (unit.pk, group.pk): self.cleaned_data[f"c_{unit.pk}_{group.pk}"]
            for unit in self.units
            for group in self.groups
        }
