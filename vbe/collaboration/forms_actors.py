"""Forms of the actor register: searching it, an actor, a link and removing a link."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.collaboration import org_number
from vbe.collaboration.actors import ActorDetails, LinkDetails, duplicate_link_message, duplicate_message, holder_of
from vbe.collaboration.models import Actor, ActorKind, ActorLink, LinkKind
from vbe.core.form_fields import DATE, LockForm
from vbe.core.textcheck import reject_identifying_numbers
from vbe.organisations.models import Organisation

DATE_ERRORS = {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")}


class ActorSearchForm(forms.Form):
    """The register's search, a plain GET."""

    sok = forms.CharField(
        label=_("Sök på namn eller organisationsnummer"),
        max_length=200,
        required=False,
        help_text=_("Hela eller en del av namnet, eller början av organisationsnumret."),
    )
    typ = forms.ChoiceField(
        label=_("Typ av aktör"),
        choices=[("", _("Alla typer")), *ActorKind.choices],
        required=False,
        error_messages={"invalid_choice": _("Välj en typ i listan.")},
    )


class ActorForm(LockForm):
    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        error_messages={"required": _("Skriv aktörens namn.")},
        validators=[reject_identifying_numbers],
    )
    org_number = forms.CharField(
        label=_("Organisationsnummer (frivilligt)"),
        max_length=20,
        required=False,
        help_text=_(
            "Tio siffror, till exempel 802000-0000. Kontrollsiffran prövas. "
            "Skriv aldrig ett personnummer, inte heller för en enskild firma."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Typ av aktör"),
        choices=ActorKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vilken typ av aktör det är."), "invalid_choice": _("Välj en typ.")},
    )
    email = forms.EmailField(
        label=_("E-postadress (frivillig)"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Skriv en e-postadress som namn@exempel.se.")},
    )
    phone = forms.CharField(
        label=_("Telefon (frivillig)"),
        max_length=40,
        required=False,
        validators=[
            RegexValidator(r"^\+?[0-9 ()-]{5,}$", _("Skriv telefonnumret med siffror, till exempel 08-123 456 78."))
        ],
    )
    website = forms.URLField(
        label=_("Webbplats (frivillig)"),
        max_length=200,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Skriv en fullständig webbadress, till exempel https://forening.se/.")},
        validators=[reject_identifying_numbers],
    )
    address = forms.CharField(
        label=_("Adress (frivillig)"),
        max_length=300,
        required=False,
        help_text=_("Organisationens post- eller besöksadress."),
        validators=[reject_identifying_numbers],
    )

    def __init__(self, *args, actor: Actor | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        # The actor that already has the number typed, for the page to link to.
        self.duplicate: Actor | None = None

    def clean_org_number(self) -> str:
        value = self.cleaned_data["org_number"].strip()
        if not value:
            return ""
        number = org_number.normalise(value)
        self.duplicate = holder_of(number, other_than=self.actor.pk if self.actor else None)
        if self.duplicate is not None:
            raise ValidationError(duplicate_message(self.duplicate), code="duplicate")
        return number

    def details(self) -> ActorDetails:
        data = self.cleaned_data
        return ActorDetails(
            name=data["name"],
            kind=data["kind"],
            org_number=data["org_number"],
            email=data["email"],
            phone=data["phone"],
            website=data["website"],
            address=data["address"],
        )

    def found_duplicate(self) -> Actor | None:
        """The holder of the number, also when the service found it (someone saved it meanwhile)."""
        if self.duplicate is None and self.is_bound and self.non_field_errors():
            number = getattr(self, "cleaned_data", {}).get("org_number", "")
            self.duplicate = holder_of(number, other_than=self.actor.pk if self.actor else None)
        # Linked to only while it can be opened: an inactive actor answers 404.
        return self.duplicate if self.duplicate is not None and self.duplicate.is_active else None


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class LinkForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Nämnd eller bolag"),
        queryset=Organisation.objects.none(),
        empty_label=_("Välj nämnd eller bolag"),
        help_text=_("Den nämnd eller det bolag som ger bidraget, upplåter lokalen eller ingår partnerskapet."),
        error_messages={
            "required": _("Välj nämnd eller bolag."),
            "invalid_choice": _("Välj en nämnd eller ett bolag som du bedömer demokrativillkoret för."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kopplingen gäller"),
        choices=LinkKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vad kopplingen gäller."), "invalid_choice": _("Välj en typ.")},
    )
    reference = forms.CharField(
        label=_("Referens"),
        max_length=100,
        help_text=_("Diarienummer, bokningsnummer eller avtalets nummer i systemet där det finns."),
        error_messages={"required": _("Skriv diarienumret, bokningsnumret eller annan referens.")},
        validators=[reject_identifying_numbers],
    )
    description = forms.CharField(
        label=_("Beskrivning (frivillig)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel vad bidraget eller lokalen gäller. Skriv inte namn eller andra personuppgifter."),
        validators=[reject_identifying_numbers],
    )
    starts_on = forms.DateField(label=_("Från (frivilligt)"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    ends_on = forms.DateField(label=_("Till (frivilligt)"), required=False, widget=DATE, error_messages=DATE_ERRORS)

    def __init__(self, *args, user: User, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        # Only the organisations the user assesses the democracy condition for.
        ids = sorted(permissions.assessing_organisation_ids(user))
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=ids, is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Slutdatumet kan inte ligga före startdatumet."))
        if all(data.get(name) for name in ("organisation", "kind", "reference")):
            link = self.link()
            same = ActorLink.objects.filter(
                actor=self.actor, organisation=link.organisation, kind=link.kind, reference=link.reference.strip()
            )
            if same.exists():
                self.add_error("reference", duplicate_link_message(link))
        return data

    def link(self) -> LinkDetails:
        data = self.cleaned_data
        return LinkDetails(
            organisation=data["organisation"],
            kind=data["kind"],
            reference=data["reference"],
            description=data.get("description", ""),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
        )


class RemoveLinkForm(forms.Form):
    """The "Ta bort" button: nothing but the CSRF token; the link is in the address."""
