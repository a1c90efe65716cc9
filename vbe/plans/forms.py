from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vbe.core.form_fields import DATE, DATE_ERRORS, RELOAD, LockForm, RowsField
from vbe.core.textcheck import reject_identifying_numbers
from vbe.guidelines.cycle import Cycle
from vbe.guidelines.models import FocusArea, Method
from vbe.organisations.models import Organisation, Unit
from vbe.plans.cycle import cycle_text, off_cycle_error
from vbe.plans.models import DutyAnswer, FollowUp, FollowUpStatus, Measure, MeasureStatus, Plan, PlanKind
from vbe.plans.services import FollowUpEntry, kind_for

MAX_INDICATORS = 3


class FilterForm(forms.Form):
    """The plan list's filters (GET). Choices are the years and organisations the user can see."""

    ar = forms.TypedChoiceField(
        label=_("År"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Välj ett av åren i listan.")},
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Välj en av organisationerna i listan.")},
    )

    def __init__(self, *args, years: list[int], organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [("", _("Alla år")), *((y, str(y)) for y in years)]
        self.fields["organisation"].choices = [
            ("", _("Alla organisationer")),
            *((o.pk, o.name) for o in organisations),
        ]


class CreatePlanForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        empty_label=None,
        error_messages={"required": _("Välj organisation."), "invalid_choice": _("Välj en av dina organisationer.")},
    )
    year = forms.TypedChoiceField(
        label=_("År"),
        coerce=int,
        error_messages={"required": _("Välj år."), "invalid_choice": _("Välj ett av åren i listan.")},
    )
    title = forms.CharField(
        label=_("Rubrik (frivillig)"),
        help_text=_("Lämna tomt för en rubrik med planens typ, organisation och år."),
        required=False,
        max_length=200,
        validators=[reject_identifying_numbers],
    )

    def __init__(self, *args, organisations: list[Organisation], years: list[int], cycles: dict[str, Cycle], **kwargs):
        """``cycles``: the cycle of each kind of plan (``cycle.plan_cycle``), read once by the view."""
        super().__init__(*args, **kwargs)
        self.cycles = cycles
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        self.fields["year"].choices = [(y, str(y)) for y in years]
        kinds = [kind for kind in PlanKind if kind in {kind_for(o) for o in organisations}]
        if any(cycles[kind].period > 1 for kind in kinds):
            self.fields["year"].help_text = " ".join(cycle_text(kind, cycles[kind]) for kind in kinds)

    def clean(self):
        data = super().clean()
        organisation, year = data.get("organisation"), data.get("year")
        if organisation and year:
            kind = kind_for(organisation)
            if not self.cycles[kind].applies_in(year):
                self.add_error("year", off_cycle_error(kind, self.cycles[kind], year))
        return data


class PlanForm(LockForm):
    title = forms.CharField(
        label=_("Rubrik"),
        max_length=200,
        error_messages={"required": _("Skriv en rubrik.")},
        validators=[reject_identifying_numbers],  # titles are read as widely as the texts
    )
    situation_analysis = forms.CharField(
        label=_("Lägesbild"),
        help_text=_(
            "Vad ser ni i er verksamhet och ert område? Var, hos vilka och varför? Skriv om läget, inte om enskilda personer."
        ),
        required=False,
        max_length=30000,
        widget=forms.Textarea(attrs={"rows": 14}),
        validators=[reject_identifying_numbers],  # plans are read widely: no personnummer or phone numbers
    )


class DecisionForm(LockForm):
    decided_on = forms.DateField(label=_("Beslutsdatum"), widget=DATE, error_messages=DATE_ERRORS)
    minute_reference = forms.CharField(
        label=_("Protokollsparagraf"),
        help_text=_("Till exempel § 12 i nämndens protokoll."),
        max_length=100,
        error_messages={"required": _("Ange protokollsparagrafen för beslutet.")},
    )

    def clean_decided_on(self):
        value = self.cleaned_data["decided_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Beslutsdatumet kan inte ligga i framtiden."))
        return value


def measure_title_field() -> forms.CharField:
    """A measure's name, in a plan or in a yearly measures list: both are read widely (boards, the status
    report), so neither takes a personnummer or a phone number."""
    return forms.CharField(
        label=_("Åtgärd"),
        max_length=200,
        error_messages={"required": _("Skriv vad åtgärden heter.")},
        validators=[reject_identifying_numbers],
    )


def measure_description_field(help_text: str, *, rows: int) -> forms.CharField:
    return forms.CharField(
        label=_("Beskrivning"),
        help_text=help_text,
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[reject_identifying_numbers],
    )


class MeasureForm(LockForm):
    title = measure_title_field()
    description = measure_description_field(_("Vad ska göras, för vilka och varför?"), rows=5)
    focus_area = forms.ModelChoiceField(
        queryset=FocusArea.objects.none(),
        label=_("Vilket område i riktlinjerna hör åtgärden till?"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Välj vilket område i riktlinjerna åtgärden hör till."),
            "invalid_choice": _("Välj ett av riktlinjernas områden."),
        },
    )
    methods = RowsField(
        queryset=Method.objects.none(),
        label=_("Metoder och arbetssätt"),
        help_text=_("Välj bara metoder under det område du valde ovan."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Välj metoder ur listan."),
            "invalid_pk_value": _("Välj metoder ur listan."),
        },
    )
    responsible_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Ansvarig verksamhet"),
        required=False,
        empty_label=_("Ingen särskild verksamhet (hela organisationen)"),
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    ends_on = forms.DateField(label=_("Slut"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=MeasureStatus.choices,
        initial=MeasureStatus.PLANNED,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj status."), "invalid_choice": _("Välj en av statusarna.")},
    )

    def __init__(self, data=None, *, plan: Plan, measure: Measure | None = None, initial: dict | None = None):
        initial = {**(_measure_initial(measure) if measure is not None else {}), **(initial or {})}
        super().__init__(data, initial=initial)
        current = FocusArea.objects.filter(intervention_area__guideline__is_current=True)
        if measure is not None:  # a measure of an older guideline keeps its area
            current = FocusArea.objects.filter(pk__in=current.values("pk")) | FocusArea.objects.filter(
                pk=measure.focus_area_id
            )
        self.fields["focus_area"].queryset = current.order_by("number")
        self.fields["methods"].queryset = (
            Method.objects.filter(focus_area__in=current)
            .select_related("focus_area")
            .order_by("focus_area__number", "name")
        )
        self.fields["responsible_unit"].queryset = Unit.objects.filter(organisation_id=plan.organisation_id).filter(
            is_active=True
        ) | Unit.objects.filter(pk=getattr(measure, "responsible_unit_id", None) or 0)
        for i in range(1, MAX_INDICATORS + 1):
            self.fields[f"indicator_{i}_name"] = forms.CharField(
                label=_("Vad mäts? (indikator %(n)s)") % {"n": i}, required=False, max_length=200
            )
            self.fields[f"indicator_{i}_target"] = forms.CharField(
                label=_("Målvärde för indikator %(n)s") % {"n": i}, required=False, max_length=100
            )

    def method_groups(self) -> list[tuple[FocusArea, list[Any]]]:
        """The methods' checkboxes, grouped under their focus area (in the guideline's order)."""
        groups: dict[int, list[Any]] = defaultdict(list)
        areas: dict[int, FocusArea] = {}
        for checkbox in self["methods"]:
            method = checkbox.data["value"].instance
            groups[method.focus_area_id].append(checkbox)
            areas[method.focus_area_id] = method.focus_area
        return [(areas[pk], groups[pk]) for pk in sorted(areas, key=lambda pk: areas[pk].number)]

    def indicator_rows(self) -> list[tuple[int, Any, Any]]:
        return [(i, self[f"indicator_{i}_name"], self[f"indicator_{i}_target"]) for i in range(1, MAX_INDICATORS + 1)]

    def clean(self):
        data = super().clean()
        area, methods = data.get("focus_area"), data.get("methods") or []
        stray = [m.name for m in methods if area and m.focus_area_id != area.pk]
        if stray:
            self.add_error(
                "methods",
                _("%(methods)s hör till ett annat område än %(area)s. Välj metoder under det område åtgärden hör till.")
                % {"methods": ", ".join(stray), "area": area.name},
            )
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("Slutdatum kan inte vara före startdatum."))
        for i in range(1, MAX_INDICATORS + 1):
            name, target = (
                (data.get(f"indicator_{i}_name") or "").strip(),
                (data.get(f"indicator_{i}_target") or "").strip(),
            )
            if target and not name:
                self.add_error(
                    f"indicator_{i}_name", _("Skriv vad indikator %(n)s mäter, eller ta bort målvärdet.") % {"n": i}
                )
            if name and not target:
                self.add_error(f"indicator_{i}_target", _("Skriv ett målvärde för indikator %(n)s.") % {"n": i})
        return data

    def measure_fields(self) -> dict[str, Any]:
        """The measure as ``services.save_measure`` names its fields."""
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "description": data["description"].strip(),
            "focus_area": data["focus_area"],
            "responsible_unit": data["responsible_unit"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "status": data["status"],
            "methods": list(data["methods"]),
            "indicators": [
                (data[f"indicator_{i}_name"].strip(), data[f"indicator_{i}_target"].strip())
                for i in range(1, MAX_INDICATORS + 1)
                if data[f"indicator_{i}_name"].strip()
            ],
        }


def _measure_initial(measure: Measure) -> dict[str, Any]:
    initial = {
        "title": measure.title,
        "description": measure.description,
        "focus_area": measure.focus_area_id,
        "methods": [m.pk for m in measure.methods.all()],
        "responsible_unit": measure.responsible_unit_id,
        "starts_on": measure.starts_on,
        "ends_on": measure.ends_on,
        "status": measure.status,
    }
    for i, indicator in enumerate(list(measure.indicators.all())[:MAX_INDICATORS], start=1):
        initial[f"indicator_{i}_name"] = indicator.name
        initial[f"indicator_{i}_target"] = indicator.target
    return initial


class FollowUpEntryForm(forms.Form):
    """One measure's follow-up on the plan's follow-up page (prefix: the measure)."""

    status = forms.ChoiceField(
        choices=FollowUpStatus.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Välj en av statusarna.")},
    )
    comment = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_identifying_numbers],
    )

    def __init__(self, *args, measure: Measure, existing: FollowUp | None = None, **kwargs):
        self.measure = measure
        if existing is not None:
            kwargs["initial"] = {
                "status": existing.status,
                "comment": existing.comment,
                **{f"indicator_{k}": v for k, v in existing.indicator_values.items()},
            }
        kwargs.setdefault("prefix", f"m{measure.pk}")
        super().__init__(*args, **kwargs)
        self.fields["status"].label = _("Status för %(measure)s") % {"measure": measure.title}
        self.fields["comment"].label = _("Kommentar om %(measure)s") % {"measure": measure.title}
        for indicator in measure.indicators.all():
            self.fields[f"indicator_{indicator.pk}"] = forms.CharField(
                label=_("Utfall: %(indicator)s") % {"indicator": indicator.name},
                help_text=_("Målvärde: %(target)s") % {"target": indicator.target},
                required=False,
                max_length=100,
            )

    def indicator_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("indicator_")]

    def clean(self):
        data = super().clean()
        typed = (data.get("comment") or "").strip() or any(
            (data.get(name) or "").strip() for name in self.fields if name.startswith("indicator_")
        )
        if typed and not data.get("status"):
            self.add_error("status", _("Välj status för %(measure)s.") % {"measure": self.measure.title})
        return data

    def entry(self) -> FollowUpEntry | None:
        """What the service records, or None when nothing was filled in for this measure."""
        data = self.cleaned_data
        if not data.get("status"):
            return None
        return FollowUpEntry(
            measure_id=self.measure.pk,
            status=data["status"],
            comment=data.get("comment") or "",
            indicator_values={
                name.removeprefix("indicator_"): data[name]
                for name in self.fields
                if name.startswith("indicator_") and (data.get(name) or "").strip()
            },
        )


class FollowUpForm(LockForm):
    """The follow-up page's save: the version of the plan the user saw and one entry form per measure,
    valid only together."""

    def __init__(self, data=None, *, measures: list[Measure], **kwargs):
        super().__init__(data, **kwargs)
        self.entries = [
            FollowUpEntryForm(data, measure=m, existing=next(iter(m.follow_ups.all()), None)) for m in measures
        ]

    def is_valid(self) -> bool:
        # Every entry is validated (not only up to the first error), so each shows its own messages.
        return super().is_valid() & all([entry.is_valid() for entry in self.entries])

    def follow_ups(self) -> list[FollowUpEntry]:
        return [e for e in (entry.entry() for entry in self.entries) if e is not None]


class DutyReportForm(forms.Form):
    """The six duties, each answered done / partly / not with a comment."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=RELOAD)

    def __init__(self, *args, duties: list[Any], reports: dict[int, Any], **kwargs):
        initial = kwargs.setdefault("initial", {})
        for duty_id, report in reports.items():
            initial[f"answer_{duty_id}"] = report.answer
            initial[f"comment_{duty_id}"] = report.comment
        super().__init__(*args, **kwargs)
        self.duties = duties
        for duty in duties:
            self.fields[f"answer_{duty.pk}"] = forms.ChoiceField(
                label=f"{duty.number}. {duty.text}",
                choices=DutyAnswer.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Svara gjort, delvis eller inte gjort för uppgift %(number)s.")
                    % {"number": duty.number}
                },
            )
            self.fields[f"comment_{duty.pk}"] = forms.CharField(
                label=_("Kommentar om uppgift %(number)s") % {"number": duty.number},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=[reject_identifying_numbers],
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(duty, self[f"answer_{duty.pk}"], self[f"comment_{duty.pk}"]) for duty in self.duties]

    def answers(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {duty.pk: (data[f"answer_{duty.pk}"], data[f"comment_{duty.pk}"]) for duty in self.duties}
