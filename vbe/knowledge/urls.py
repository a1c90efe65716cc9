"""/stod/: support resources and their search, the symbol guide, contacts and partners."""

from vbe.knowledge import (
    views_attachments,
    views_contacts,
    views_partners,
    views_resources,
    views_review,
    views_search,
    views_symbols,
)

app_name = "knowledge"

urlpatterns = [
    *views_resources.urlpatterns,
    *views_attachments.urlpatterns,
    *views_review.urlpatterns,
    *views_search.urlpatterns,
    *views_symbols.urlpatterns,
    *views_contacts.urlpatterns,
    *views_partners.urlpatterns,
]
