from django.urls import include, path

from vbe.accounts.admin_site import admin_site
from vbe.portal.urls import access_log_patterns, organisation_patterns, portal_patterns

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("", include("vbe.accounts.urls")),
    path("organisationer/", include((organisation_patterns, "organisations"))),
    path("riktlinjer/", include("vbe.guidelines.urls")),
    path("loggkontroll/", include((access_log_patterns, "audit"))),
    path("handelser/statistik/", include("vbe.statistics.urls")),
    path("handelser/", include("vbe.incidents.urls")),
    path("oro/", include("vbe.concerns.urls")),
    path("planer/", include("vbe.plans.urls")),
    path("rapporter/", include("vbe.reports.urls")),
    path("utbildning/", include("vbe.competence.urls")),
    path("stod/", include("vbe.knowledge.urls")),
    path("samverkan/", include("vbe.collaboration.urls")),
    path("jobb/", include("vbe.jobs.urls")),
    path("admin/", admin_site.urls),
]

# A lost database connection is answered 503 with a page that says to try again (vbe.core.errors).
handler500 = "vbe.core.errors.server_error"
