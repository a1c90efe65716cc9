"""Issue 7 item 6, the concern parts: the log says whose number was searched (as the keyed hash, never
the number), free-text legal grounds never reach the log or the chronology's summaries (a reference to
the encrypted record instead), and a read through a disclosure is logged under the organisation the
concern was disclosed to."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from conftest import sign_in_client
from vbe.accounts.models import Membership, Role, User
from vbe.audit.models import AccessLogEntry
from vbe.concerns import closure, services, sharing
from vbe.concerns.models import Event
from vbe.concerns.tests.conftest import TEST_PNR
from vbe.core import personnummer
from vbe.organisations.models import Organisation

GROUND = "OSL 10 kap. 28 § och samtal med Testperson"
DECIDER = "Enhetschef Chefsson"


def _log_text(entry: AccessLogEntry) -> str:
    return " ".join(str(getattr(entry, f.attname)) for f in AccessLogEntry._meta.concrete_fields)


def test_a_personnummer_search_logs_whose_number_as_the_keyed_hash(cast, make_concern):
    make_concern()
    cast.client("coordinator").post("/oro/arenden/", {"pnr": "19900225-2386"})
    row = AccessLogEntry.objects.get(action="concern_personnummer_search")
    assert row.subject_ref == f"pnr:{personnummer.blind_index(TEST_PNR)}"
    text = _log_text(row)
    assert TEST_PNR not in text and "900225" not in text


def test_a_failed_personnummer_search_logs_nothing_about_a_number(cast):
    cast.client("coordinator").post("/oro/arenden/", {"pnr": "12"})
    assert not AccessLogEntry.objects.filter(action="concern_personnummer_search").exists()


def test_a_transfer_logs_a_reference_to_its_record_not_its_legal_ground(cast, make_concern):
    concern = make_concern()
    sodermalm = Organisation.objects.get(slug="sodermalm")
    sharing.transfer(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=1,
        to_organisation=sodermalm,
        legal_ground=GROUND,
    )
    record = concern.transfers.get()
    assert record.legal_ground == GROUND
    row = AccessLogEntry.objects.get(action="concern_transferred")
    assert row.legal_ground == f"transfer:{record.pk}"
    assert not AccessLogEntry.objects.filter(legal_ground__contains="OSL").exists()
    summary = concern.events.get(kind="transferred").summary
    assert "OSL" not in summary and "Södermalm" in summary


def test_a_disclosure_logs_a_reference_and_its_summary_names_no_one(cast, make_concern):
    concern = make_concern()
    disclosure = sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground=GROUND,
        decided_by=DECIDER,
    )
    row = AccessLogEntry.objects.get(action="concern_disclosed")
    assert row.legal_ground == f"disclosure:{disclosure.pk}"
    assert GROUND not in _log_text(row) and DECIDER not in _log_text(row)
    summary = concern.events.get(kind="disclosed").summary
    assert "OSL" not in summary and "Chefsson" not in summary and "Utbildningsnämnden" in summary


def test_no_event_summary_holds_free_text_or_a_name(cast, make_concern):
    concern = make_concern()
    pk = concern.pk
    actor = cast["coordinator"]

    def version():
        concern.refresh_from_db()
        return concern.lock_version

    sharing.record_consent(
        concern_id=pk,
        actor=actor,
        lock_version=version(),
        purpose="SIG tillsammans med Testperson",
        given_by="Vårdnadshavare",
        given_on=datetime.date(2026, 11, 2),
    )
    consent = concern.consents.get()
    sharing.withdraw_consent(concern_id=pk, consent_id=consent.pk, actor=actor, lock_version=version())
    services.assign(concern_id=pk, actor=actor, lock_version=version(), caseworker=cast["caseworker"])
    closure.set_legal_hold(concern_id=pk, actor=actor, lock_version=version(), hold=True, reason="Begäran")
    sharing.disclose(
        concern_id=pk,
        actor=actor,
        to_organisation=Organisation.objects.get(slug="ks"),
        legal_ground=GROUND,
        decided_by=DECIDER,
    )
    summaries = " | ".join(Event.objects.filter(concern_id=pk).values_list("summary", flat=True))
    for text in ("Testperson", "OSL", "Chefsson", "Begäran", cast["caseworker"].full_name, "Vårdnadshavare"):
        assert text not in summaries


@pytest.fixture
def two_hat_reader(reference_data) -> User:
    """Coordinator in Södermalm (the membership shown in the header) and caseworker in Utbildningsnämnden."""
    user = User.objects.create_user(email="two-hats@test.example", password="test-losenord-123", full_name="Två Hattar")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(slug="sodermalm"), role=Role.COORDINATOR)
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="utbildningsnamnden"), role=Role.CASEWORKER
    )
    return user


def test_a_read_through_a_disclosure_is_logged_under_the_disclosed_to_organisation(cast, make_concern, two_hat_reader):
    concern = make_concern()
    utbildning = Organisation.objects.get(slug="utbildningsnamnden")
    disclosure = sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=utbildning,
        legal_ground=GROUND,
        decided_by=DECIDER,
    )
    client = Client()
    sign_in_client(client, two_hat_reader)
    assert client.get(f"/oro/arenden/{concern.reference}/").status_code == 200
    row = AccessLogEntry.objects.filter(action="concern_viewed", actor_id=two_hat_reader.pk).get()
    assert row.actor_organisation == utbildning.name
    assert row.actor_role == Role.CASEWORKER
    assert row.legal_ground == f"disclosure:{disclosure.pk}"
    assert row.subject_ref == concern.reference


def test_a_handlers_read_carries_no_disclosure_reference(cast, make_concern):
    concern = make_concern()
    cast.client("coordinator").get(f"/oro/arenden/{concern.reference}/")
    row = AccessLogEntry.objects.get(action="concern_viewed")
    assert row.legal_ground == ""


def test_a_transfer_is_logged_as_the_handing_organisations_act(cast, make_concern):
    """The actor coordinates both organisations: the hand-over is done in the name of the one that had
    the concern, not the one it went to (which the log would pick from the concern after the move)."""
    concern = make_concern()
    sodermalm = Organisation.objects.get(slug="sodermalm")
    coordinator = cast["coordinator"]
    Membership.objects.create(user=coordinator, organisation=sodermalm, role=Role.COORDINATOR)
    sharing.transfer(
        concern_id=concern.pk,
        actor=User.objects.get(pk=coordinator.pk),
        lock_version=1,
        to_organisation=sodermalm,
        legal_ground=GROUND,
    )
    row = AccessLogEntry.objects.get(action="concern_transferred")
    assert (row.actor_role, row.actor_organisation) == (Role.COORDINATOR, "Järva stadsdelsnämnd")
