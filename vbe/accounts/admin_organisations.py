"""The organisation tree in the admin site. Districts are reorganised only by a merge, proposed here and
decided by a second person (vbe.accounts.four_eyes)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import four_eyes_proposals
from vbe.accounts.admin_site import PortalModelAdmin, RuleBasedPermissions, admin_site
from vbe.accounts.models import ChangeKind
from vbe.audit.log import record
from vbe.organisations.models import ContactRoute, District, Neighbourhood, Organisation, Partner, Unit


def _log_renamed(request: HttpRequest, obj, form, action: str) -> None:
    """Names are what people recognise (and what a four-eyes proposal shows): a rename is logged, by
    reference only (the object and which name fields changed)."""
    changed = [f for f in ("name", "short_name") if f in form.changed_data]
    if changed:
        record(action=action, actor=request.user, obj=obj, detail=f"fält: {', '.join(changed)}")


def _log_contact_change(request: HttpRequest, obj, action: str, fields: list[str] | None = None) -> None:
    """Contact details send staff somewhere (a phone number, a web form for orosanmälan): every change
    is in the access log, by reference only (the object and which fields changed), so a number swapped
    for a false one is traced to the account that did it."""
    record(action=action, actor=request.user, obj=obj, detail=f"fält: {', '.join(fields)}" if fields else "")


class ContactRouteInline(RuleBasedPermissions, admin.StackedInline):
    """The organisation's contact routes, read by the contacts page (/stod/kontakter/). Stacked: each
    route has a text and five details, too wide for a row."""

    model = ContactRoute
    extra = 0
    # Emptied, never deleted: the reference data would create a missing route again at the next start.
    can_delete = False


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(PortalModelAdmin):
    inlines = [ContactRouteInline]
    list_display = ("name", "kind", "parent", "requires_coordinator", "is_active")
    list_filter = ("kind", "requires_coordinator", "is_active")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Organisation | None = None):
        # A council's district decides where incidents in the area go. Changed on an existing
        # organisation it would send them to other people with one administrator's say: districts
        # are reorganised only by a merge, which needs a second person (vbe.accounts.four_eyes).
        return ("district",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Organisation, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            _log_renamed(request, obj, form, "organisation_renamed")

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not ContactRoute:
            return
        for route in formset.new_objects:
            _log_contact_change(request, route, "contact_route_created")
        for route, fields in formset.changed_objects:
            _log_contact_change(request, route, "contact_route_changed", fields)
        for route in formset.deleted_objects:  # gone: logged on its organisation, by its purpose
            _log_contact_change(request, form.instance, "contact_route_deleted", [route.purpose])


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=District.objects.none(), label=gettext_lazy("Slå ihop till"))

    def __init__(self, *args, districts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = districts


@admin.register(District, site=admin_site)
class DistrictAdmin(PortalModelAdmin):
    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    exclude = ("geometry",)
    actions = ["merge"]

    @admin.action(
        description=gettext_lazy("Föreslå sammanslagning av valda stadsdelsområden (en annan person godkänner)")
    )
    def merge(self, request: HttpRequest, queryset) -> HttpResponse | None:
        """A merge moves the old councils' incidents to the target's council: one administrator only
        proposes it, and it is applied when a second person approves (vbe.accounts.four_eyes)."""
        districts = queryset.order_by("name")
        form = MergeForm(request.POST if "confirm" in request.POST else None, districts=districts)
        if form.is_valid():
            target = form.cleaned_data["target"]
            try:
                four_eyes_proposals.propose(
                    actor=request.user,
                    kind=ChangeKind.MERGE_DISTRICTS,
                    districts=list(districts),
                    district=target,
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html(
                        _(
                            "Sammanslagningen i {district} är inte genomförd än: det är ett förslag som en annan "
                            "administratör eller den centrala samordnaren måste godkänna på sidan "
                            '<a href="{url}">Behörighetsförslag</a>.'
                        ),
                        district=target.name,
                        url=reverse("accounts:access_changes"),
                    ),
                    messages.WARNING,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Slå ihop stadsdelsområden"),
            "districts": districts,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/organisations/merge_districts.html", context)


@admin.register(Neighbourhood, site=admin_site)
class NeighbourhoodAdmin(PortalModelAdmin):
    list_display = ("name", "district")
    list_filter = ("district",)
    search_fields = ("name",)
    exclude = ("geometry",)

    def get_readonly_fields(self, request: HttpRequest, obj: Neighbourhood | None = None):
        # Where a neighbourhood lies decides where incidents reported there go: moved only by a merge.
        return ("district",) if obj is not None else ()


@admin.register(Unit, site=admin_site)
class UnitAdmin(PortalModelAdmin):
    list_display = ("name", "organisation", "kind", "neighbourhood", "is_active")
    list_filter = ("kind", "is_active", "organisation")
    search_fields = ("name",)
    autocomplete_fields = ("organisation", "neighbourhood")
    list_select_related = ("organisation", "neighbourhood")

    def save_model(self, request: HttpRequest, obj: Unit, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            _log_renamed(request, obj, form, "unit_renamed")


@admin.register(Partner, site=admin_site)
class PartnerAdmin(PortalModelAdmin):
    list_display = ("name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    # The contact details are what the partners page (/stod/samverkanspartner/) shows; an empty one
    # reads "uppgift saknas" there.
    fieldsets = [
        (None, {"fields": ("name", "kind", "parent", "description", "is_active")}),
        (gettext_lazy("I arbetet och kontakt"), {"fields": ("role", "when_to_contact", "phone", "email", "website")}),
    ]

    def save_model(self, request: HttpRequest, obj: Partner, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _log_contact_change(request, obj, "partner_changed" if change else "partner_created", form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Partner) -> None:
        _log_contact_change(request, obj, "partner_deleted")
        super().delete_model(request, obj)
