"""Only the retention periods are administered here: concern content never appears in the admin."""

from django.contrib import admin

from vbe.accounts.admin_site import PortalModelAdmin, admin_site
from vbe.concerns.models import RetentionPeriod


@admin.register(RetentionPeriod, site=admin_site)
class RetentionPeriodAdmin(PortalModelAdmin):
    list_display = ("outcome", "days")
