"""Forms of the forum pages: the forum itself (the central coordinator's) and the list's district filter."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vbe.collaboration.forums import ForumContent
from vbe.collaboration.models import Forum, ForumKind
from vbe.core.form_fields import LockForm, RowsField
from vbe.core.textcheck import reject_identifying_numbers
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import District, Organisation, Partner

CITYWIDE = "stad"


class ForumForm(LockForm):
    name = forms.CharField(label=_("Namn"), max_length=200, error_messages={"required": _("Skriv forumets namn.")})
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=ForumKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj typ av forum."), "invalid_choice": _("Välj typ av forum.")},
    )
    district = forms.ModelChoiceField(
        label=_("Stadsdelsområde (frivilligt)"),
        queryset=District.objects.filter(is_active=True).defer("geometry"),
        required=False,
        empty_label=_("Hela staden"),
        error_messages={"invalid_choice": _("Välj ett stadsdelsområde i listan.")},
    )
    description = forms.CharField(
        label=_("Beskrivning"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[reject_identifying_numbers],
        help_text=_("Vad forumet gör och hur enskilda tas upp. Skriv aldrig namn eller uppgifter om enskilda."),
    )
    member_organisations = RowsField(
        label=_("Stadens deltagare"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland organisationerna i listan.")},
    )
    member_partners = RowsField(
        label=_("Andra deltagare"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland aktörerna i listan.")},
    )
    focus_areas = RowsField(
        label=_("Områden i riktlinjerna"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vilka områden forumets möten räknas till i uppföljningen."),
        error_messages={"invalid_choice": _("Välj bland områdena i listan.")},
    )
    is_active = forms.BooleanField(
        label=_("Forumet är aktivt"),
        required=False,
        help_text=_("Ett avslutat forum finns kvar med sina möten, men nya möten kan inte registreras."),
    )

    def __init__(self, data: object = None, *, forum: Forum | None = None) -> None:
        initial = None
        if forum is not None:
            initial = {
                "lock_version": forum.lock_version,
                "name": forum.name,
                "kind": forum.kind,
                "district": forum.district_id,
                "description": forum.description,
                "member_organisations": sorted(forum.member_organisation_ids),
                "member_partners": [p.pk for p in forum.member_partners.all()],
                "focus_areas": [f.pk for f in forum.focus_areas.all()],
                "is_active": forum.is_active,
            }
        else:
            initial = {"lock_version": 0}
        super().__init__(data, initial=initial)  # type: ignore[arg-type]
        self.forum = forum
        # Retired organisations, partners and areas of an older guideline only where the forum has them.
        kept_organisations = forum.member_organisation_ids if forum is not None else frozenset()
        kept_partners = [p.pk for p in forum.member_partners.all()] if forum is not None else []
        kept_areas = [f.pk for f in forum.focus_areas.all()] if forum is not None else []
        self.fields["member_organisations"].queryset = Organisation.objects.filter(
            Q(is_active=True) | Q(pk__in=kept_organisations)
        ).order_by("name")
        self.fields["member_partners"].queryset = Partner.objects.filter(
            Q(is_active=True) | Q(pk__in=kept_partners)
        ).order_by("name")
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(
            Q(intervention_area__guideline__is_current=True) | Q(pk__in=kept_areas)
        ).order_by("number")
        if forum is None:
            del self.fields["is_active"]

    def clean(self) -> dict:
        data = super().clean() or {}
        picked = data.get("member_organisations") or data.get("member_partners")
        if not picked and "member_organisations" not in self.errors and "member_partners" not in self.errors:
            self.add_error("member_organisations", _("Välj minst en deltagare i forumet."))
        return data

    def content(self) -> ForumContent:
        data = self.cleaned_data
        return ForumContent(
            name=data["name"],
            kind=data["kind"],
            district=data["district"],
            description=data["description"],
            member_organisations=list(data["member_organisations"]),
            member_partners=list(data["member_partners"]),
            focus_areas=list(data["focus_areas"]),
            is_active=data.get("is_active", True) if self.forum is not None else True,
        )


class DistrictFilterForm(forms.Form):
    """The list's filter: one district, or the city-wide forums, or all."""

    omrade = forms.ChoiceField(label=_("Stadsdelsområde"), required=False)

    def __init__(self, data: object = None) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.districts = {
            d.code: d for d in District.objects.filter(is_active=True).only("code", "name").order_by("name")
        }
        self.fields["omrade"].choices = [
            ("", _("Alla forum")),
            (CITYWIDE, _("Hela staden (utan stadsdelsområde)")),
            *[(code, d.name) for code, d in self.districts.items()],
        ]

    def chosen(self) -> tuple[District | None, bool]:
        """(the district, whether the city-wide forums are asked for)."""
        if not self.is_valid():
            return None, False
        value = self.cleaned_data["omrade"]
        if value == CITYWIDE:
            return None, True
        return self.districts.get(value), False
