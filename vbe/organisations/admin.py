from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vbe.core.admin_site import PortalModelAdmin, admin_site
from vbe.organisations.models import District, Neighbourhood, Organisation, Partner, Unit
from vbe.organisations.services import merge_districts


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(PortalModelAdmin):
    list_display = ("name", "kind", "parent", "requires_coordinator", "is_active")
    list_filter = ("kind", "requires_coordinator", "is_active")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=District.objects.none(), label="Slå ihop till")

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

    @admin.action(description="Slå ihop valda stadsdelsområden")
    def merge(self, request: HttpRequest, queryset) -> HttpResponse | None:
        districts = queryset.order_by("name")
        form = MergeForm(request.POST if "confirm" in request.POST else None, districts=districts)
        if form.is_valid():
            target = form.cleaned_data["target"]
            try:
                merge_districts(sources=list(districts), target=target, request=request)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Områdena är sammanslagna i {target.name}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Slå ihop stadsdelsområden",
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


@admin.register(Unit, site=admin_site)
class UnitAdmin(PortalModelAdmin):
    list_display = ("name", "organisation", "kind", "neighbourhood", "is_active")
    list_filter = ("kind", "is_active", "organisation")
    search_fields = ("name",)
    autocomplete_fields = ("organisation", "neighbourhood")
    list_select_related = ("organisation", "neighbourhood")


@admin.register(Partner, site=admin_site)
class PartnerAdmin(PortalModelAdmin):
    list_display = ("name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
