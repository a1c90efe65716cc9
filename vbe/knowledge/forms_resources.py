"""Forms of the support resources: the resource itself, archiving, and choosing two versions to compare."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.competence.models import StaffGroup
from vbe.core.form_fields import LockForm, RowsField
from vbe.core.textcheck import reject_identifying_numbers
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge.models import MAX_REVIEW_INTERVAL_MONTHS, Kind, Resource
from vbe.knowledge.resources import MAX_BODY_LENGTH, Content
from vbe.organisations.models import Organisation


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


def owner_choices(user: User) -> Q:
    """The organisations the user may pick as owner: the central coordinator any active one, a
    coordinator those they coordinate."""
    if permissions.can(user, Action.MANAGE_RESOURCES, None):
        return Q(is_active=True)
    return Q(pk__in=permissions.resource_organisation_ids(user))


class ResourceForm(LockForm):
    kind = forms.ChoiceField(
        label=_("Typ"), choices=Kind.choices, widget=forms.RadioSelect, error_messages={"required": _("Välj typ.")}
    )
    title = forms.CharField(label=_("Rubrik"), max_length=200, error_messages={"required": _("Skriv en rubrik.")})
    summary = forms.CharField(
        label=_("Ingress (frivillig)"),
        max_length=300,
        required=False,
        help_text=_("En eller två meningar som visas i listor och sökträffar."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Skrivs i Markdown: # Rubrik, - punktlista, 1. numrerad lista, **fetstil**, [länktext](https://…). "
            "HTML och bilder visas inte."
        ),
    )
    url = forms.URLField(
        label=_("Länk"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Krävs för en extern länk, frivillig annars."),
        error_messages={"invalid": _("Skriv en fullständig webbadress, till exempel https://start.stockholm/.")},
    )
    owner = forms.ModelChoiceField(
        label=_("Ägare"),
        queryset=Organisation.objects.none(),
        empty_label=_("Välj organisation"),
        help_text=_("Organisationens samordnare håller stödmaterialet aktuellt."),
        error_messages={
            "required": _("Välj vilken organisation som äger stödmaterialet."),
            "invalid_choice": _("Välj en organisation som du är samordnare för."),
        },
    )
    responsible = UserChoiceField(
        label=_("Ansvarig (frivillig)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Ingen särskild – ägarens samordnare, annars de centrala samordnarna"),
        help_text=_("Får påminnelsen inför granskningen."),
        error_messages={"invalid_choice": _("Välj en samordnare i listan.")},
    )
    audience_roles = forms.MultipleChoiceField(
        label=_("För roller"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Lämna tomt om materialet gäller alla."),
        error_messages={"invalid_choice": _("Välj roller bland dem i listan.")},
    )
    audience_groups = RowsField(
        label=_("För personalgrupper"),
        queryset=StaffGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland personalgrupperna i listan.")},
    )
    focus_areas = RowsField(
        label=_("Områden i riktlinjerna"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland områdena i listan.")},
    )
    methods = RowsField(
        label=_("Metoder i riktlinjerna"),
        queryset=Method.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland metoderna i listan.")},
    )
    review_interval_months = forms.IntegerField(
        label=_("Granskas var (månader)"),
        min_value=1,
        max_value=MAX_REVIEW_INTERVAL_MONTHS,
        help_text=_("Hur ofta innehållet ska ses över, 1–%(max)s månader.") % {"max": MAX_REVIEW_INTERVAL_MONTHS},
        error_messages={
            "required": _("Skriv hur många månader det ska gå mellan granskningarna."),
            "invalid": _("Skriv antalet månader med siffror, till exempel 12."),
            "min_value": _("Granskningsintervallet ska vara minst 1 månad."),
            "max_value": _("Granskningsintervallet kan vara högst %(limit_value)s månader."),
        },
    )
    note = forms.CharField(
        label=_("Vad ändrades? (frivilligt)"),
        max_length=300,
        required=False,
        help_text=_("Visas i historiken."),
        # Kept for as long as the resource, shown to every reader: nobody's personnummer or number.
        validators=[reject_identifying_numbers],
    )

    def __init__(self, *args, actor: User, resource: Resource | None = None, **kwargs):
        if resource is not None:
            initial = kwargs.setdefault("initial", {})
            initial.update(
                lock_version=resource.lock_version,
                kind=resource.kind,
                title=resource.title,
                summary=resource.summary,
                body=resource.body,
                url=resource.url,
                owner=resource.owner_id,
                responsible=resource.responsible_id,
                audience_roles=list(resource.audience_roles),
                audience_groups=[g.pk for g in resource.audience_groups.all()],
                focus_areas=[f.pk for f in resource.focus_areas.all()],
                methods=[m.pk for m in resource.methods.all()],
                review_interval_months=resource.review_interval_months,
            )
        else:
            kwargs.setdefault("initial", {}).setdefault("review_interval_months", 12)
        super().__init__(*args, **kwargs)
        # The present owner stays choosable, so a keeper of it who lost another role can still save.
        owners = owner_choices(actor)
        if resource is not None:
            owners |= Q(pk=resource.owner_id)
        self.fields["owner"].queryset = Organisation.objects.filter(owners).order_by("name")
        # Whom a reminder can reach: coordinators of the organisations offered, and central coordinators.
        keepers = Membership.objects.filter(
            Q(role=Role.COORDINATOR, organisation__in=self.fields["owner"].queryset) | Q(role=Role.CENTRAL_COORDINATOR)
        ).values("user_id")
        self.fields["responsible"].queryset = User.objects.filter(is_active=True, pk__in=keepers).order_by(
            "full_name", "email"
        )
        groups = Q(is_active=True)
        if resource is not None:
            groups |= Q(pk__in=resource.audience_groups.values("pk"))
        self.fields["audience_groups"].queryset = StaffGroup.objects.filter(groups).order_by("position", "name")
        current = Q(intervention_area__guideline__is_current=True)
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(current).order_by("number")
        methods = Method.objects.filter(focus_area__intervention_area__guideline__is_current=True)
        self.fields["methods"].queryset = methods.select_related("focus_area").order_by("focus_area__number", "name")
        self.fields["methods"].label_from_instance = lambda m: f"{m.focus_area.number}. {m.name}"

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.EXTERNAL_LINK and not data.get("url") and "url" not in self.errors:
            self.add_error("url", _("En extern länk behöver en webbadress."))
        return data

    def content(self) -> Content:
        data = self.cleaned_data
        return Content(
            kind=data["kind"],
            title=data["title"],
            owner=data["owner"],
            summary=data["summary"],
            body=data["body"],
            url=data["url"],
            responsible=data["responsible"],
            audience_groups=list(data["audience_groups"]),
            audience_roles=list(data["audience_roles"]),
            focus_areas=list(data["focus_areas"]),
            methods=list(data["methods"]),
            review_interval_months=data["review_interval_months"],
        )


class ActiveForm(LockForm):
    """Archive (or restore): the button posts the version the page was shown with."""


class CompareForm(forms.Form):
    """The history's "Jämför" form, a plain GET: two of the version numbers shown."""

    fran = forms.TypedChoiceField(
        label=_("Från version"),
        coerce=int,
        error_messages={"required": _("Välj en version att jämföra från."), "invalid_choice": _("Välj en version.")},
    )
    till = forms.TypedChoiceField(
        label=_("Till version"),
        coerce=int,
        error_messages={"required": _("Välj en version att jämföra med."), "invalid_choice": _("Välj en version.")},
    )

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, _("Version %(n)s") % {"n": n}) for n in numbers]
        self.fields["fran"].choices = choices
        self.fields["till"].choices = choices
