"""Only the retention periods are administered here: concern content never appears in the admin."""

from django.contrib import admin

from vbe.concerns.models import RetentionPeriod
from vbe.core.admin_site import PortalModelAdmin, admin_site


@admin.register(RetentionPeriod, site=admin_site)
class RetentionPeriodAdmin(PortalModelAdmin):
    list_display = ("outcome", "days")
