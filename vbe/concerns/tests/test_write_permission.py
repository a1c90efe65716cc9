"""Every write service checks the actor's right again under the row lock (lock, then permission and
state), so a right that ended between the page's check and the write is refused, not used: a
coordinator whose colleague has just handed the concern over cannot still disclose it (and so give
their own organisation access again), assign it, close it …"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.concerns import closure, forms, services, sharing
from vbe.concerns.models import ActionKind, Concern, Consent, Disclosure, Event, Outcome
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.organisations.models import Organisation


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


# Every write service on an existing concern, with arguments that would be accepted from a handler.
WRITES = {
    "advance": lambda c, s, a: services.advance(concern_id=c.pk, actor=a, lock_version=c.lock_version),
    "record_assessment": lambda c, s, a: services.record_assessment(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, areas=["family"], text="Bedömning"
    ),
    "record_action": lambda c, s, a: services.record_action(
        concern_id=c.pk,
        actor=a,
        lock_version=c.lock_version,
        kind=ActionKind.SIP,
        done_on=timezone.localdate(),
    ),
    "record_consent": lambda c, s, a: sharing.record_consent(
        concern_id=c.pk,
        actor=a,
        lock_version=c.lock_version,
        purpose="SIG",
        given_by="Personen",
        given_on=timezone.localdate(),
    ),
    "withdraw_consent": lambda c, s, a: sharing.withdraw_consent(
        concern_id=c.pk, consent_id=s["consent"].pk, actor=a, lock_version=c.lock_version
    ),
    "close": lambda c, s, a: closure.close(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, outcome=Outcome.HANDED_OVER
    ),
    "assign": lambda c, s, a: services.assign(concern_id=c.pk, actor=a, lock_version=c.lock_version, caseworker=None),
    "disclose": lambda c, s, a: sharing.disclose(
        concern_id=c.pk,
        actor=a,
        to_organisation=_org("jarva"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    ),
    "withdraw_disclosure": lambda c, s, a: sharing.withdraw_disclosure(
        concern_id=c.pk, disclosure_id=s["disclosure"].pk, actor=a, reason="Fel beslut"
    ),
    "set_legal_hold": lambda c, s, a: closure.set_legal_hold(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, hold=True, reason="Förundersökning"
    ),
    "transfer": lambda c, s, a: sharing.transfer(
        concern_id=c.pk,
        actor=a,
        lock_version=c.lock_version,
        to_organisation=_org("jarva"),
        legal_ground="OSL",
    ),
}


def _snapshot(concern: Concern) -> tuple:
    return (
        Concern.objects.get(pk=concern.pk).lock_version,
        Event.objects.filter(concern=concern).count(),
        Disclosure.objects.filter(concern=concern, revoked_at=None).count(),
        Consent.objects.filter(concern=concern, withdrawn_on=None).count(),
    )


@pytest.fixture
def handed_over(cast, make_concern):
    """A Järva concern with a consent and a disclosure, then handed over to Södermalm."""
    concern = make_concern()
    coordinator = cast["coordinator"]
    consent = sharing.record_consent(
        concern_id=concern.pk,
        actor=coordinator,
        lock_version=1,
        purpose="SIG",
        given_by="Personen",
        given_on=timezone.localdate(),
    )
    disclosure = sharing.disclose(
        concern_id=concern.pk,
        actor=coordinator,
        to_organisation=_org("utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    )
    sharing.transfer(
        concern_id=concern.pk,
        actor=coordinator,
        lock_version=Concern.objects.get(pk=concern.pk).lock_version,
        to_organisation=_org("sodermalm"),
        legal_ground="OSL 10 kap. 2 §",
    )
    return Concern.objects.get(pk=concern.pk), {"consent": consent, "disclosure": disclosure}


@pytest.mark.parametrize("name", list(WRITES))
def test_the_old_owner_can_write_nothing_after_the_hand_over(cast, handed_over, name):
    concern, records = handed_over
    before = _snapshot(concern)
    # A fresh user object: no membership cached from an earlier check.
    old_owner = User.objects.get(pk=cast["coordinator"].pk)
    with pytest.raises(PermissionDenied):
        WRITES[name](concern, records, old_owner)
    assert _snapshot(concern) == before
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "sodermalm"


# Who may not do what, on an open Järva concern: the action each service asks for under the lock.
HANDLE_ONLY = ["advance", "record_assessment", "record_action", "record_consent", "withdraw_consent", "close"]
COORDINATE_ONLY = ["assign", "disclose", "withdraw_disclosure", "set_legal_hold"]


@pytest.fixture
def open_concern(cast, make_concern):
    concern = make_concern()
    consent = sharing.record_consent(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=1,
        purpose="SIG",
        given_by="Personen",
        given_on=timezone.localdate(),
    )
    disclosure = sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=_org("utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    )
    return Concern.objects.get(pk=concern.pk), {"consent": consent, "disclosure": disclosure}


@pytest.mark.parametrize("name", COORDINATE_ONLY + ["transfer"])
def test_an_assigned_caseworker_handles_but_does_not_coordinate(cast, open_concern, name):
    concern, records = open_concern
    services.assign(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=concern.lock_version,
        caseworker=cast["caseworker"],
    )
    concern.refresh_from_db()
    before = _snapshot(concern)
    with pytest.raises(PermissionDenied):
        WRITES[name](concern, records, User.objects.get(pk=cast["caseworker"].pk))
    assert _snapshot(concern) == before


@pytest.mark.parametrize("name", HANDLE_ONLY + COORDINATE_ONLY + ["transfer"])
def test_a_disclosure_reader_writes_nothing(cast, open_concern, name):
    concern, records = open_concern
    before = _snapshot(concern)
    with pytest.raises(PermissionDenied):
        WRITES[name](concern, records, User.objects.get(pk=cast["coordinator_board"].pk))
    assert _snapshot(concern) == before


def test_an_unassigned_caseworker_can_no_longer_record_an_action(cast, open_concern):
    concern, records = open_concern
    services.assign(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=concern.lock_version,
        caseworker=cast["caseworker"],
    )
    concern.refresh_from_db()
    caseworker = User.objects.get(pk=cast["caseworker"].pk)
    WRITES["record_action"](concern, records, caseworker)  # assigned: allowed
    concern.refresh_from_db()
    services.assign(
        concern_id=concern.pk, actor=cast["coordinator"], lock_version=concern.lock_version, caseworker=None
    )
    concern.refresh_from_db()
    with pytest.raises(PermissionDenied):
        WRITES["record_action"](concern, records, caseworker)


def test_the_central_coordinator_may_only_hand_over_from_the_central_queue(cast):
    concern = submit_test_concern(cast, "queue", "skarholmen")  # Skärholmen has no coordinator
    central = User.objects.get(pk=cast["central_coordinator"].pk)
    for name in ["advance", "record_assessment", "close", "assign", "set_legal_hold"]:
        with pytest.raises(PermissionDenied):
            WRITES[name](Concern.objects.get(pk=concern.pk), {}, central)
    WRITES["transfer"](Concern.objects.get(pk=concern.pk), {}, central)
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "jarva"


def test_a_hand_over_between_the_pages_check_and_the_write_answers_as_the_check_would_now(
    cast, make_concern, monkeypatch
):
    """The view checked the right, then a colleague handed the concern over, then the service ran: the
    user gets the 404 they would get now (the concern is no longer theirs to read), and nothing is
    disclosed."""
    concern = make_concern()

    class HandedOverMeanwhile(forms.DisclosureForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            sharing.transfer(
                concern_id=concern.pk,
                actor=User.objects.get(pk=cast["coordinator"].pk),
                lock_version=Concern.objects.get(pk=concern.pk).lock_version,
                to_organisation=_org("sodermalm"),
                legal_ground="OSL 10 kap. 2 §",
            )

    monkeypatch.setattr(forms, "DisclosureForm", HandedOverMeanwhile)
    response = cast.client("coordinator").post(
        f"/oro/arenden/{concern.reference}/rojande/",
        {"to_organisation": _org("utbildningsnamnden").pk, "legal_ground": "OSL", "decided_by": "Chef"},
    )
    assert response.status_code == 404
    assert not Disclosure.objects.filter(concern=concern).exists()
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "sodermalm"
    assert AccessLogEntry.objects.filter(
        action="concern_access_refused", subject_ref=concern.reference, actor_id=cast["coordinator"].pk
    ).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
def test_a_disclosure_waiting_for_the_row_while_a_colleague_hands_over_is_refused(reference_data, cast):
    """One coordinator hands the concern over while another, who passed the page's check, discloses
    it: the disclosure waits for the row, then finds the concern gone and is refused."""
    concern = submit_test_concern(cast, "race")
    locked, errors, outcome = threading.Barrier(2), [], []

    def hand_over() -> None:
        try:
            with transaction.atomic():
                Concern.objects.select_for_update().get(pk=concern.pk)
                locked.wait(timeout=10)
                with connection.cursor() as cursor:  # until the disclosure waits for this row
                    for _ in range(200):
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            "AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.05)
                sharing.transfer(
                    concern_id=concern.pk,
                    actor=User.objects.get(pk=cast["coordinator"].pk),
                    lock_version=concern.lock_version,
                    to_organisation=_org("sodermalm"),
                    legal_ground="OSL 10 kap. 2 §",
                )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    def disclose() -> None:
        try:
            locked.wait(timeout=10)
            sharing.disclose(
                concern_id=concern.pk,
                actor=User.objects.get(pk=cast["coordinator"].pk),
                to_organisation=_org("utbildningsnamnden"),
                legal_ground="OSL 10 kap. 28 §",
                decided_by="Enhetschef A",
            )
            outcome.append("disclosed")
        except PermissionDenied:
            outcome.append("refused")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_over), threading.Thread(target=disclose)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert outcome == ["refused"]
    assert not Disclosure.objects.filter(concern_id=concern.pk).exists()
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "sodermalm"
