from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from vbe.accounts import recipients
from vbe.guidelines.vocabulary import REPORTED_ENVIRONMENTS
from vbe.incidents import uploads
from vbe.incidents.models import TRANSITIONS, Category, Status, Symbol
from vbe.incidents.textcheck import reject_personnummer
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
EARLIEST_DATE = date(2000, 1, 1)


def new_token() -> str:
    return secrets.token_hex(16)


class PlainSelect(forms.Select):
    """Django's select, written out in Python: Django renders a template per option, which for the
    report form's lists of places and units was much of the page's time. The same markup."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f"<select name={_quoted(widget['name'])}{_attrs(widget['attrs'])}>"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f"\n  <optgroup label={_quoted(group_name)}>")
            parts.extend(
                f"\n  <option value={_quoted(option['value'])}{_attrs(option['attrs'])}>"
                f"{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _quoted(value: Any) -> str:
    return f'"{conditional_escape(value)}"'


def _attrs(attrs: dict[str, Any]) -> str:
    """As Django's attrs.html: a True value is the name alone, a False one is left out."""
    return "".join(
        f" {name}" if value is True else f" {name}={_quoted(value)}"
        for name, value in attrs.items()
        if value is not False
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input (Django's documented pattern); each one checked by uploads.sanitise."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > uploads.MAX_PHOTOS:
            raise ValidationError(_("Välj högst %(n)s bilder.") % {"n": uploads.MAX_PHOTOS}, code="too_many")
        return [super(PhotosField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    """Report an incident. Place: a district (map or list), a neighbourhood, or a unit of one's own."""

    category = forms.ChoiceField(
        label=_("Vad hände?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj vilken sorts händelse det var."),
            "invalid_choice": _("Välj en av typerna i listan."),
        },
    )
    environment = forms.ChoiceField(
        label=_("Vilken miljö tror du att händelsen kommer från?"),
        help_text=_("Din egen bedömning. Välj ”Vet inte” om du är osäker."),
        choices=REPORTED_ENVIRONMENTS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj miljö, eller ”Vet inte”."),
            "invalid_choice": _("Välj en av miljöerna i listan."),
        },
    )
    # Preselected when the reporter comes from an entry of the symbol guide (``?symbol=<slug>``).
    symbol = forms.ModelChoiceField(
        label=_("Symbol från symbolguiden (frivilligt)"),
        help_text=_("Känner du igen symbolen från symbolguiden? Välj den här."),
        queryset=Symbol.objects.filter(is_active=True).only("pk", "slug", "name").order_by("name", "pk"),
        to_field_name="slug",
        required=False,
        widget=PlainSelect,
        empty_label=_("Ingen vald"),
        error_messages={"invalid_choice": _("Välj en av symbolerna i listan, eller Ingen vald.")},
    )
    occurred_on = forms.DateField(
        label=_("Datum"),
        help_text=_("Till exempel 2026-03-14."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Skriv datumet då händelsen hände."),
            "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    occurred_at = forms.TimeField(
        label=_("Klockslag (frivilligt)"),
        help_text=_("Till exempel 14:30."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Skriv klockslaget som TT:MM, till exempel 14:30.")},
    )
    district = forms.ModelChoiceField(
        label=_("Stadsdelsområde"),
        # The shapes are for maps (vbe.organisations.shapes): the list needs only names and codes.
        queryset=District.objects.filter(is_active=True).defer("geometry").order_by("name"),
        to_field_name="code",
        required=False,
        widget=PlainSelect,
        empty_label=_("Välj stadsdelsområde"),
        error_messages={"invalid_choice": _("Välj ett av stadsdelsområdena i listan.")},
    )
    neighbourhood = forms.TypedChoiceField(
        label=_("Stadsdel (frivilligt)"),
        required=False,
        widget=PlainSelect,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Välj en av stadsdelarna i listan.")},
    )
    unit = forms.TypedChoiceField(
        label=_("Eller: hände det i din verksamhet? (frivilligt)"),
        help_text=_("Väljer du en verksamhet används dess stadsdel och område."),
        required=False,
        widget=PlainSelect,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Välj en av verksamheterna i listan.")},
    )
    place_description = forms.CharField(
        label=_("Adress eller plats (frivilligt)"),
        help_text=_("Till exempel en gatuadress, en hållplats eller ”skolgården”. Skriv inte namn på personer."),
        max_length=200,
        required=False,
        validators=[reject_personnummer],
        error_messages={"max_length": _("Platsen får vara högst %(limit_value)d tecken.")},
    )
    description = forms.CharField(
        label=_("Beskriv händelsen"),
        help_text=_(
            "Vad såg eller hörde du? Till exempel budskap, symboler och omfattning. Skriv inte namn, "
            "personnummer eller annat som pekar ut en person."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_personnummer],
        error_messages={
            "required": _("Beskriv vad som hände."),
            "max_length": _("Beskrivningen får vara högst %(limit_value)d tecken."),
        },
    )
    photos = PhotosField(
        label=_("Bilder (frivilligt)"),
        help_text=format_lazy(
            _(
                "JPEG (högst {mp} megapixlar), PNG eller WebP (högst {mp_lossless} megapixlar), högst {mb} MB "
                "per bild, högst {n} bilder. "
                "Platsuppgifter och annan information i bildfilen tas bort. Fotografera inte personer."
            ),
            mb=uploads.MAX_BYTES // (1024 * 1024),
            mp=uploads.MAX_PIXELS // 1_000_000,
            mp_lossless=uploads.MAX_PIXELS_FULL_DECODE // 1_000_000,
            n=uploads.MAX_PHOTOS,
        ),
        required=False,
    )
    reporting_for = forms.TypedChoiceField(
        label=_("Du rapporterar för"),
        widget=PlainSelect,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Välj en av dina organisationer.")},
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    # The page's order, so the error summary lists the problems as the reporter meets them.
    field_order = [
        "reporting_for",
        "district",
        "neighbourhood",
        "unit",
        "place_description",
        "category",
        "environment",
        "symbol",
        "occurred_on",
        "occurred_at",
        "description",
        "photos",
        "token",
    ]

    def __init__(self, *args: Any, organisations: list[Organisation], units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs["accept"] = ",".join(uploads.ALLOWED_CONTENT_TYPES)
        # Neighbourhoods grouped by district: one query, one ordinary select.
        self._neighbourhoods = {
            n.pk: n
            for n in Neighbourhood.objects.filter(district__is_active=True)
            .select_related("district")
            .defer("geometry", "district__geometry")
            .order_by("district__name", "name")
        }
        groups: dict[str, list[tuple[int, str]]] = {}
        for n in self._neighbourhoods.values():
            groups.setdefault(n.district.name, []).append((n.pk, n.name))
        self.fields["neighbourhood"].choices = [("", _("Ingen vald")), *groups.items()]
        self._units = {u.pk: u for u in units}
        self.fields["unit"].choices = [("", _("Ingen vald"))] + [
            (u.pk, f"{u.name} ({u.neighbourhood.name})" if u.neighbourhood else u.name) for u in units
        ]
        self._organisations = {o.pk: o for o in organisations}
        self.fields["reporting_for"].choices = [(o.pk, o.name) for o in organisations]
        if len(organisations) < 2:
            del self.fields["reporting_for"]
        if not units:
            del self.fields["unit"]

    def clean_photos(self) -> list[uploads.CleanImage]:
        """Every file checked and re-encoded here, so one bad file is reported with the other errors."""
        images, errors = [], []
        for upload in self.cleaned_data.get("photos") or []:
            try:
                images.append(uploads.sanitise(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return images

    def clean_occurred_on(self) -> date:
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Datumet kan inte vara i framtiden."), code="future")
        if value < EARLIEST_DATE:
            raise ValidationError(_("Datumet kan inte vara före år 2000."), code="too_old")
        return value

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not TOKEN_PATTERN.match(data.get("token") or ""):
            # A form without its one-time token (an old copy of the page): a new one is issued.
            self.add_error(None, _("Formuläret kunde inte skickas. Kontrollera uppgifterna och skicka igen."))
            self.data = self.data.copy()
            self.data["token"] = new_token()
        self._clean_time(data)
        self._clean_place(data)
        return data

    def _clean_time(self, data: dict[str, Any]) -> None:
        day, at = data.get("occurred_on"), data.get("occurred_at")
        if day is None or at is None:
            return
        when = timezone.make_aware(datetime.combine(day, at))
        if when > timezone.now():
            self.add_error("occurred_at", _("Klockslaget kan inte vara i framtiden."))

    def _clean_place(self, data: dict[str, Any]) -> None:
        """The place resolves to one district, which decides the routing."""
        district: District | None = data.get("district")
        neighbourhood = self._neighbourhoods.get(data.get("neighbourhood"))
        unit = self._units.get(data.get("unit"))
        if unit is not None and unit.neighbourhood is not None:
            if district is not None and unit.neighbourhood.district_id != district.pk:
                self.add_error(
                    "unit",
                    _("%(unit)s ligger i %(actual)s, inte i %(chosen)s. Ändra området eller verksamheten.")
                    % {"unit": unit.name, "actual": unit.neighbourhood.district.name, "chosen": district.name},
                )
                return
            neighbourhood = neighbourhood or unit.neighbourhood
        if neighbourhood is not None:
            if district is not None and neighbourhood.district_id != district.pk:
                self.add_error(
                    "neighbourhood",
                    _("%(n)s ligger i %(actual)s, inte i %(chosen)s. Ändra området eller stadsdelen.")
                    % {"n": neighbourhood.name, "actual": neighbourhood.district.name, "chosen": district.name},
                )
                return
            if unit is not None and unit.neighbourhood is not None and unit.neighbourhood_id != neighbourhood.pk:
                self.add_error(
                    "unit",
                    _("%(unit)s ligger i %(actual)s, inte i %(chosen)s. Ändra stadsdelen eller verksamheten.")
                    % {"unit": unit.name, "actual": unit.neighbourhood.name, "chosen": neighbourhood.name},
                )
                return
            district = neighbourhood.district
        if district is None:
            if "district" not in self.errors:
                self.add_error(
                    "district",
                    _("Välj stadsdelsområdet där det hände, på kartan eller i listan, eller välj en stadsdel."),
                )
            return
        data["resolved_district"] = district
        data["resolved_neighbourhood"] = neighbourhood
        data["resolved_unit"] = unit
        data["reporter_organisation"] = self._organisations.get(data.get("reporting_for")) or next(
            iter(self._organisations.values()), None
        )


class VersionedForm(forms.Form):
    """Carries the version of the incident the handler saw, so a concurrent change is never overwritten."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(VersionedForm):
    """A handler acknowledges or closes an incident, with a comment (required to close)."""

    to_status = forms.ChoiceField(
        label=_("Ny status"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj ny status."),
            "invalid_choice": _("Händelsen kan inte få den statusen nu."),
        },
    )
    comment = forms.CharField(
        label=_("Kommentar"),
        help_text=_("Till exempel vad som gjorts. Krävs när händelsen avslutas. Skriv inte uppgifter om personer."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_personnummer],
        error_messages={"max_length": _("Kommentaren får vara högst %(limit_value)d tecken.")},
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s.value, s.label) for s in Status if s.value in TRANSITIONS[current]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("to_status") == Status.CLOSED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Skriv en kommentar om varför händelsen avslutas."))
        return data


class ListFilterForm(forms.Form):
    """Filters of the handler's list: never anything about persons."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alla")), *Status.choices])
    category = forms.ChoiceField(label=_("Typ"), required=False, choices=[("", _("Alla")), *Category.choices])
    month = forms.DateField(
        label=_("Månad"),
        help_text=_("ÅÅÅÅ-MM"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Skriv månaden som ÅÅÅÅ-MM, till exempel 2026-03.")},
    )

    def clean_month(self) -> date | None:
        month = self.cleaned_data["month"]
        # The list filters on [month, next month): the last month the calendar can follow is 9998-12.
        if month is not None and not 1900 <= month.year <= 9998:
            raise ValidationError(_("Välj en månad mellan år 1900 och 9998."))
        return month


class OrganisationWithCoordinatorField(forms.ModelChoiceField):
    """An organisation to send an incident to; one without an active coordinator says so."""

    def label_from_instance(self, obj: Organisation) -> str:
        if getattr(obj, "has_coordinator", True):
            return obj.name
        return _("%(organisation)s (saknar lokal samordnare)") % {"organisation": obj.name}


class RerouteForm(VersionedForm):
    """The central coordinator sends on an incident whose council has no coordinator."""

    to_organisation = OrganisationWithCoordinatorField(
        queryset=recipients.organisations_marked_for_coordinator(),
        label=_("Skicka till"),
        help_text=_("Välj en organisation som har en lokal samordnare, till exempel en närliggande stadsdelsnämnd."),
        empty_label=_("Välj organisation"),
        error_messages={
            "required": _("Välj vilken organisation händelsen ska skickas till."),
            "invalid_choice": _("Välj en organisation i listan."),
        },
    )


class AwaitingRerouteForm(VersionedForm):
    """The central coordinator sends on an incident that waits, unread, for a new coordinator: only to an
    organisation that has one (arriving anywhere else would put it in the central queue, readable)."""

    to_organisation = forms.ModelChoiceField(
        queryset=None,
        label=_("Skicka till"),
        help_text=_("Bara organisationer som har en aktiv lokal samordnare kan ta emot händelsen."),
        empty_label=_("Välj organisation"),
        error_messages={
            "required": _("Välj vilken organisation händelsen ska skickas till."),
            "invalid_choice": _("Välj en organisation i listan."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = recipients.organisations_marked_for_coordinator().filter(
            has_coordinator=True
        )
