"""URL × role entries for the incident routes (gathered by tests/test_url_role_matrix.py).

Object routes make their incident when the path is built: reported by the cast's staff member in
Järva at Testfritidsgården, so the reporter, Järva's coordinator and the unit's manager are the
ones who see it, and everyone else gets 404 (outside their scope).
"""

from tests.matrix import NOT_ALLOWED, NOT_FOUND, OK, Entry, expect, only
from vbe.organisations.models import Unit


def _incident(ctx: dict):
    from vbe.incidents.tests.factories import make_incident

    staff = ctx["cast"]["staff"]
    unit = Unit.objects.get(name="Testfritidsgården", organisation__slug="jarva")
    return make_incident(reporter=staff, unit=unit)


def _waiting_incident(ctx: dict):
    """An incident at Skärholmen (no coordinator in the cast) that arrived while it had one: it waits for
    a new coordinator, and only the central coordinator may see its facts and re-route it, unread."""
    from vbe.incidents.tests.factories import make_incident
    from vbe.organisations.models import District

    skarholmen = District.objects.get(council__slug="skarholmen").code
    return make_incident(reporter=ctx["cast"]["staff"], district_code=skarholmen, without_coordinator=False)


def _photo_path(ctx: dict) -> str:
    from vbe.incidents.tests.factories import attach_photo

    incident = _incident(ctx)
    # A fixed name, replaced on every run: the matrix test has no per-test upload directory.
    photo = attach_photo(incident, stored_name="matrix-test-photo.jpg")
    return f"/handelser/{incident.pk}/bild/{photo.pk}/"


# Who sees the matrix incident: its reporter (receipt only), Järva's coordinator, the unit's manager.
ONLY_REPORTER = expect(NOT_FOUND, staff=OK)
CONTENT = expect(NOT_FOUND, coordinator=OK, unit_manager=OK)

MATRIX: dict[str, Entry] = {
    "incidents:report": Entry(lambda ctx: "/handelser/rapportera/", expect(OK)),
    "incidents:mine": Entry(lambda ctx: "/handelser/mina/", expect(OK)),
    # The handlers' list (scoped; the central coordinator's holds incidents whose council has no
    # coordinator); reporters follow their own reports under "mina".
    "incidents:list": Entry(
        lambda ctx: "/handelser/",
        only("coordinator", "coordinator_other", "coordinator_board", "unit_manager", "central_coordinator"),
    ),
    "incidents:receipt": Entry(lambda ctx: f"/handelser/kvitto/{_incident(ctx).reference}/", ONLY_REPORTER),
    # Content is for the council, the reporting organisation's coordinators and the unit's manager.
    "incidents:detail": Entry(lambda ctx: f"/handelser/{_incident(ctx).pk}/", CONTENT),
    "incidents:change_status": Entry(lambda ctx: f"/handelser/{_incident(ctx).pk}/status/", expect(NOT_ALLOWED)),
    "incidents:reroute": Entry(lambda ctx: f"/handelser/{_incident(ctx).pk}/skicka-vidare/", expect(NOT_ALLOWED)),
    "incidents:photo": Entry(_photo_path, CONTENT),
    "incidents:reroute_awaiting": Entry(
        lambda ctx: f"/handelser/{_waiting_incident(ctx).pk}/vantar-pa-samordnare/",
        expect(NOT_FOUND, central_coordinator=OK),
    ),
}
