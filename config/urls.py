from django.urls import include, path

from vbe.core.admin_site import admin_site

urlpatterns = [
    path("", include("vbe.core.urls")),
    path("", include("vbe.accounts.urls")),
    path("organisationer/", include("vbe.organisations.urls")),
    path("riktlinjer/", include("vbe.guidelines.urls")),
    path("loggkontroll/", include("vbe.audit.urls")),
    path("handelser/", include("vbe.incidents.urls")),
    path("oro/", include("vbe.concerns.urls")),
    path("planer/", include("vbe.plans.urls")),
    path("rapporter/", include("vbe.reports.urls")),
    path("admin/", admin_site.urls),
]
