"""/utbildning/: the catalogue, one's own trainings, an organisation's records and imports, coverage."""

from vbe.competence import views_catalogue, views_coverage, views_imports, views_own, views_reminders

app_name = "competence"

urlpatterns = [
    *views_catalogue.urlpatterns,
    *views_own.urlpatterns,
    *views_imports.urlpatterns,
    *views_coverage.urlpatterns,
    *views_reminders.urlpatterns,
]
