from django.contrib import admin

from vbe.accounts.admin_site import PortalInline, PortalModelAdmin, admin_site
from vbe.accounts.permissions import Action
from vbe.guidelines.models import (
    CoordinatorDuty,
    FocusArea,
    Guideline,
    InterventionArea,
    Method,
    ReportingDuty,
)


class GuidelineAdmin(PortalModelAdmin):
    manage_action = Action.MANAGE_GUIDELINE


class CoordinatorDutyInline(PortalInline):
    model = CoordinatorDuty
    manage_action = Action.MANAGE_GUIDELINE


@admin.register(Guideline, site=admin_site)
class GuidelineModelAdmin(GuidelineAdmin):
    list_display = ("name", "version", "is_current")
    inlines = [CoordinatorDutyInline]


@admin.register(InterventionArea, site=admin_site)
class InterventionAreaAdmin(GuidelineAdmin):
    list_display = ("number", "name", "guideline")


class MethodInline(PortalInline):
    model = Method
    manage_action = Action.MANAGE_GUIDELINE
    fields = ("name", "description")


@admin.register(FocusArea, site=admin_site)
class FocusAreaAdmin(GuidelineAdmin):
    list_display = ("number", "name", "intervention_area")
    filter_horizontal = ("responsible",)
    inlines = [MethodInline]


@admin.register(Method, site=admin_site)
class MethodAdmin(GuidelineAdmin):
    list_display = ("name", "focus_area")
    list_filter = ("focus_area",)
    search_fields = ("name",)
    filter_horizontal = ("applies_to",)


@admin.register(ReportingDuty, site=admin_site)
class ReportingDutyAdmin(GuidelineAdmin):
    list_display = ("document", "cadence", "due_month", "due_day", "guideline")
    filter_horizontal = ("organisations",)
