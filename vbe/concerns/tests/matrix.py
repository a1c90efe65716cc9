"""URL × role entries for the concern routine (gathered by tests/test_url_role_matrix.py).

The concern used is Järva's, reported by `staff` and assigned to `caseworker`: only Järva's
coordinator and that caseworker may open it; everyone else gets 404, its existence not revealed.
"""

from __future__ import annotations

import datetime

from tests.matrix import NOT_ALLOWED, NOT_FOUND, OK, Entry, expect, only
from vbe.concerns.models import Concern
from vbe.organisations.models import Organisation


def jarva_concern(ctx: dict) -> Concern:
    cast = ctx["cast"]
    jarva = Organisation.objects.get(slug="jarva")
    concern, _ = Concern.objects.get_or_create(
        reference="ORO-2026-09999",
        defaults={
            "reporter": cast["staff"],
            "reporter_organisation": jarva,
            "reported_to": jarva,
            "organisation": jarva,
            "assigned_to": cast["caseworker"],
            "idempotency_key": "matrix",
            "observation": "Testobservation",
            "observed_on": datetime.date(2026, 1, 1),
            "concerns_child": "no",
        },
    )
    return concern


def waiting_concern(ctx: dict) -> Concern:
    """A concern at SISAB (no coordinator in the cast) that arrived while it had one: it waits for a new
    coordinator, and only the central coordinator may see its facts and hand it over, unread."""
    cast = ctx["cast"]
    sisab = Organisation.objects.get(slug="sisab")
    concern, _ = Concern.objects.get_or_create(
        reference="ORO-2026-09998",
        defaults={
            "reporter": cast["staff"],
            "reporter_organisation": Organisation.objects.get(slug="jarva"),
            "reported_to": sisab,
            "organisation": sisab,
            "without_coordinator": False,
            "idempotency_key": "matrix-waiting",
            "observation": "Testobservation",
            "observed_on": datetime.date(2026, 1, 1),
            "concerns_child": "no",
        },
    )
    return concern


def _case(suffix: str = "") -> callable:
    return lambda ctx: f"/oro/arenden/{jarva_concern(ctx).reference}/{suffix}"


HANDLERS = {"coordinator": OK, "caseworker": OK}
POST_ONLY = expect(NOT_ALLOWED)

MATRIX: dict[str, Entry] = {
    "concerns:guide": Entry(lambda ctx: "/oro/", expect(OK, anonymous=OK)),
    "concerns:report": Entry(lambda ctx: "/oro/rapportera/", expect(OK)),
    "concerns:receipt": Entry(lambda ctx: f"/oro/kvitto/{jarva_concern(ctx).reference}/", expect(NOT_FOUND, staff=OK)),
    "concerns:mine": Entry(lambda ctx: "/oro/mina/", expect(OK)),
    "concerns:case_list": Entry(
        lambda ctx: "/oro/arenden/",
        only("coordinator", "coordinator_other", "coordinator_board", "caseworker", "central_coordinator"),
    ),
    "concerns:detail": Entry(_case(), expect(NOT_FOUND, **HANDLERS)),
    # Facts and the hand-over form of a concern waiting for a new coordinator: the central coordinator's.
    "concerns:awaiting_hand_over": Entry(
        lambda ctx: f"/oro/vantar-pa-samordnare/{waiting_concern(ctx).reference}/",
        expect(NOT_FOUND, central_coordinator=OK),
    ),
    "concerns:reveal_personnummer": Entry(_case("personnummer/"), POST_ONLY),
    "concerns:advance": Entry(_case("nasta-steg/"), POST_ONLY),
    "concerns:assess": Entry(_case("bedomning/"), POST_ONLY),
    "concerns:add_action": Entry(_case("atgard/"), POST_ONLY),
    "concerns:add_consent": Entry(_case("samtycke/"), POST_ONLY),
    "concerns:refer": Entry(_case("hanvisning/"), POST_ONLY),
    "concerns:withdraw_consent": Entry(_case("samtycke/1/aterkalla/"), POST_ONLY),
    "concerns:close": Entry(_case("avsluta/"), POST_ONLY),
    "concerns:assign": Entry(_case("handlaggare/"), POST_ONLY),
    "concerns:transfer": Entry(_case("overlamna/"), POST_ONLY),
    "concerns:disclose": Entry(_case("rojande/"), POST_ONLY),
    "concerns:withdraw_disclosure": Entry(_case("rojande/1/aterkalla/"), POST_ONLY),
    "concerns:legal_hold": Entry(_case("bevarande/"), POST_ONLY),
}
