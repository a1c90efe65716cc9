"""URL × role entries for the reminders part: Järva's choice about reminders to its staff. Its
coordinator and the central coordinator change it, its unit manager reads it; nobody else sees it."""

from tests.matrix import Entry, only

MATRIX = {
    "competence:reminder_settings": Entry(
        lambda ctx: "/utbildning/jarva/paminnelser/", only("coordinator", "unit_manager", "central_coordinator")
    ),
}
