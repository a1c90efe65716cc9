"""The chronology on the case page: handlers see all of it; anyone else who may read the concern (a
disclosure's reader, the central coordinator for the central queue) sees only the process steps,
with no actors and no notes: not the other organisations it was disclosed to or withdrawn from, not
where it was handed, not who reported it."""

from __future__ import annotations

import re

import pytest

from vbe.accounts.models import Membership, Role
from vbe.concerns import closure, services, sharing
from vbe.concerns.models import Concern, Outcome
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.organisations.models import Organisation

NOTE = "Samtal med Testpersons mamma om kvällarna"


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _version(concern: Concern) -> int:
    return Concern.objects.get(pk=concern.pk).lock_version


def _chronology(page: str) -> str:
    return page[page.index("Kronologi") :]


@pytest.fixture
def handled(cast, make_concern):
    """A Järva concern that has been through most of what a handler does, disclosed to the
    Education Board along the way (and to Södermalm, withdrawn again)."""
    concern = make_concern()
    coordinator = cast["coordinator"]
    services.advance(concern_id=concern.pk, actor=coordinator, lock_version=1, note=NOTE)
    wrong = sharing.disclose(
        concern_id=concern.pk,
        actor=coordinator,
        to_organisation=_org("sodermalm"),
        legal_ground="OSL",
        decided_by="Chef",
    )
    sharing.withdraw_disclosure(
        concern_id=concern.pk, disclosure_id=wrong.pk, actor=coordinator, reason="Fel mottagare"
    )
    sharing.disclose(
        concern_id=concern.pk,
        actor=coordinator,
        to_organisation=_org("utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Chef",
    )
    sharing.record_consent(
        concern_id=concern.pk,
        actor=coordinator,
        lock_version=_version(concern),
        purpose="SIG",
        given_by="Personen",
        given_on=concern.observed_on,
    )
    services.assign(
        concern_id=concern.pk, actor=coordinator, lock_version=_version(concern), caseworker=cast["caseworker"]
    )
    closure.close(
        concern_id=concern.pk,
        actor=coordinator,
        lock_version=_version(concern),
        outcome=Outcome.MEASURES_COMPLETED,
    )
    return concern


def test_a_disclosure_reader_sees_only_the_process_steps(cast, handled):
    page = cast.client("coordinator_board").get(f"/oro/arenden/{handled.reference}/")
    assert page.status_code == 200
    chronology = _chronology(page.content.decode())
    for step in ("Mottagen", "Från mottagen till första bedömning", "Avslutad"):
        assert step in chronology
    for hidden in (
        "Södermalm",  # the other organisation it was disclosed to, and withdrawn from
        "Röjd",
        "Röjandet",
        "Samtycke",
        "Handläggare tilldelad",
        NOTE,
        cast["staff"].full_name,  # the reporter, as the actor of "submitted"
        cast["coordinator"].full_name,
        "Oron rapporterades till",
        ">Anteckning</th>",  # no notes column
        ">Vem</th>",  # no actors column
    ):
        assert hidden not in chronology, hidden


def test_a_handler_sees_the_whole_chronology(cast, handled):
    chronology = _chronology(cast.client("coordinator").get(f"/oro/arenden/{handled.reference}/").content.decode())
    for shown in (
        "Röjd för Södermalm",
        "Röjandet för Södermalm",
        "Handläggare tilldelad",
        NOTE,
        cast["staff"].full_name,
        cast["coordinator"].full_name,
    ):
        assert shown in chronology, shown


def test_a_reader_is_not_told_where_the_concern_was_handed(cast, make_concern):
    concern = make_concern()
    sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=_org("utbildningsnamnden"),
        legal_ground="OSL",
        decided_by="Chef",
    )
    sharing.transfer(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=_version(concern),
        to_organisation=_org("sodermalm"),
        legal_ground="OSL",
    )
    chronology = _chronology(
        cast.client("coordinator_board").get(f"/oro/arenden/{concern.reference}/").content.decode()
    )
    assert "Överlämnad" not in chronology and "Järva" not in chronology
    assert len(re.findall(r"<tr class=\"govuk-table__row\">", chronology)) == 2  # header and "Mottagen"


def test_the_central_coordinator_reading_the_central_queue_sees_only_the_process_steps(cast):
    concern = submit_test_concern(cast, "queue", "skarholmen")
    assert not Membership.objects.filter(organisation__slug="skarholmen", role=Role.COORDINATOR).exists()
    page = cast.client("central_coordinator").get(f"/oro/arenden/{concern.reference}/")
    assert page.status_code == 200
    chronology = _chronology(page.content.decode())
    assert "Mottagen" in chronology
    assert cast["staff"].full_name not in chronology and "rapporterades" not in chronology
