"""The status reports in the admin site: to look at, never to edit. Changes go through the report's own
page (vbe.reports.services), which checks the version and writes the access log."""

from django.contrib import admin
from django.http import HttpRequest

from vbe.accounts.admin_site import PortalModelAdmin, admin_site
from vbe.accounts.permissions import Action
from vbe.reports.models import StatusReport


@admin.register(StatusReport, site=admin_site)
class StatusReportAdmin(PortalModelAdmin):
    manage_action = Action.MANAGE_STATUS_REPORT
    list_display = ("year", "state", "updated_at", "updated_by")
    list_filter = ("state",)
    readonly_fields = ("created_by", "created_at", "updated_by", "updated_at", "finalised_at", "lock_version")

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, *args) -> bool:
        return False
