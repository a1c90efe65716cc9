"""/samverkan/: civil-society actors and the democracy condition; collaboration forums and meetings."""

from vbe.collaboration import (
    views_actors,
    views_assessments,
    views_criteria,
    views_forums,
    views_meetings,
    views_raising,
)

app_name = "collaboration"

urlpatterns = [
    *views_actors.urlpatterns,
    *views_assessments.urlpatterns,
    *views_criteria.urlpatterns,
    *views_forums.urlpatterns,
    *views_meetings.urlpatterns,
    *views_raising.urlpatterns,
]
