"""When an administrator removes or deactivates an organisation's last coordinator while it has open
concerns or incidents, the central coordinators are told (the organisation and a count, nothing else)
and the access log gets a row with the references (issue 7, item 2, red team): nothing waits unseen."""

from __future__ import annotations

import datetime
from contextlib import suppress
from threading import Barrier, BrokenBarrierError, Thread

import pytest
from django.db import connection

from vbe.accounts.coordinators import watching_coordinators
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.tests.test_admin_roles import user_form
from vbe.audit.models import AccessLogEntry
from vbe.concerns.models import Concern, State
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.incidents.models import Incident, Status
from vbe.incidents.tests.factories import make_incident
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation
from vbe.portal import orphans

JARVA = "Järva stadsdelsnämnd"


def _membership_rows(user: User, delete: set[int] = frozenset()) -> list[dict]:
    return [
        {
            "id": m.pk,
            "user": user.pk,
            "organisation": m.organisation_id,
            "unit": m.unit_id or "",
            "role": m.role,
            **({"DELETE": "on"} if m.pk in delete else {}),
        }
        for m in Membership.objects.filter(user=user).order_by("pk")
    ]


def _remove_coordinator_role(cast, captured) -> None:
    coordinator = cast["coordinator"]
    membership = Membership.objects.get(user=coordinator, role=Role.COORDINATOR)
    with captured(execute=True):
        response = cast.client("admin").post(
            f"/admin/accounts/user/{coordinator.pk}/change/",
            user_form(coordinator, memberships=_membership_rows(coordinator, delete={membership.pk})),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Membership.objects.filter(pk=membership.pk).exists()


def _deactivate_coordinator(cast, captured) -> None:
    coordinator = cast["coordinator"]
    data = user_form(coordinator, memberships=_membership_rows(coordinator))
    del data["is_active"]  # an unticked box
    with captured(execute=True):
        response = cast.client("admin").post(f"/admin/accounts/user/{coordinator.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=coordinator.pk).is_active


def _told(kind: str = orphans.KIND) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).select_related("recipient"))


def test_removing_the_last_coordinator_tells_the_central_coordinators(
    cast, make_concern, mailoutbox, django_capture_on_commit_callbacks
):
    concerns = [make_concern(f"k{n}") for n in range(2)]
    closed = make_concern("closed")
    Concern.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    incident = make_incident(reporter=cast["staff"])
    _remove_coordinator_role(cast, django_capture_on_commit_callbacks)

    told = _told()
    assert [n.recipient_id for n in told] == [cast["central_coordinator"].pk]
    notice = told[0]
    assert JARVA in notice.subject and JARVA in notice.body
    assert "2 öppna ärenden om oro och 1 öppna händelser" in notice.body
    # The count and the organisation's name, nothing that points at a case or a person.
    for concern in [*concerns, closed]:
        assert concern.reference not in notice.body and concern.reference not in notice.subject
    assert incident.reference not in notice.body and "Testperson" not in notice.body
    assert [m.to for m in mailoutbox if JARVA in m.subject] == [["central_coordinator@test.example"]]

    entry = AccessLogEntry.objects.get(action="organisation_lost_coordinator")
    assert entry.object_type == "organisations.organisation"
    assert entry.object_id == str(Organisation.objects.get(slug="jarva").pk)
    assert entry.actor_id == cast["admin"].pk
    for item in [*concerns, incident]:
        assert item.reference in entry.detail
    assert closed.reference not in entry.detail and "Testperson" not in entry.detail


def test_deactivating_the_last_coordinator_tells_the_central_coordinators(
    cast, make_concern, django_capture_on_commit_callbacks
):
    make_concern()
    _deactivate_coordinator(cast, django_capture_on_commit_callbacks)
    told = _told()
    assert [n.recipient_id for n in told] == [cast["central_coordinator"].pk]
    assert "1 öppna ärenden om oro" in told[0].body and "händelser" not in told[0].body.split("väntar")[0]
    # One report, though the account and its memberships were saved in the same request.
    assert AccessLogEntry.objects.filter(action="organisation_lost_coordinator").count() == 1
    assert AccessLogEntry.objects.filter(action="account_deactivated").exists()


def test_deleting_the_last_coordinators_account_tells_the_central_coordinators(
    cast, make_concern, django_capture_on_commit_callbacks
):
    make_concern()
    coordinator = cast["coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("admin").post(f"/admin/accounts/user/{coordinator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=coordinator.pk).exists()
    assert len(_told()) == 1
    assert AccessLogEntry.objects.filter(action="organisation_lost_coordinator").count() == 1


def test_nothing_is_said_while_another_coordinator_remains(cast, make_concern, django_capture_on_commit_callbacks):
    make_concern()
    other = User.objects.create_user(email="andra-samordnaren@test.example", password="x-losenord-123")
    Membership.objects.create(user=other, organisation=Organisation.objects.get(slug="jarva"), role=Role.COORDINATOR)
    _remove_coordinator_role(cast, django_capture_on_commit_callbacks)
    assert not _told() and not AccessLogEntry.objects.filter(action="organisation_lost_coordinator").exists()


def test_nothing_is_said_when_nothing_is_open(cast, make_concern, django_capture_on_commit_callbacks):
    concern = make_concern()
    Concern.objects.filter(pk=concern.pk).update(state=State.CLOSED)
    make_incident(reporter=cast["staff"], status=Status.CLOSED)
    _deactivate_coordinator(cast, django_capture_on_commit_callbacks)
    assert not _told() and not AccessLogEntry.objects.filter(action="organisation_lost_coordinator").exists()


def test_open_incidents_alone_are_reported_too(cast, django_capture_on_commit_callbacks):
    incident = make_incident(reporter=cast["staff"])
    _remove_coordinator_role(cast, django_capture_on_commit_callbacks)
    assert "1 öppna händelser" in _told()[0].body
    assert incident.reference in AccessLogEntry.objects.get(action="organisation_lost_coordinator").detail


def test_without_a_central_coordinator_the_log_says_nobody_was_told(
    cast, make_concern, django_capture_on_commit_callbacks
):
    make_concern()
    Membership.objects.filter(role=Role.CENTRAL_COORDINATOR).delete()
    _remove_coordinator_role(cast, django_capture_on_commit_callbacks)
    assert not _told()
    assert (
        "ingen aktiv central samordnare finns"
        in AccessLogEntry.objects.get(action="organisation_lost_coordinator").detail
    )


def test_every_reference_reaches_the_log_however_many(cast):
    """The log's detail holds 500 characters: many references take several rows, none is cut."""
    jarva = Organisation.objects.get(slug="jarva")
    references = [f"ORO-2026-{n:05d}" for n in range(1, 81)]
    Concern.objects.bulk_create(
        Concern(
            reference=reference,
            reporter=cast["staff"],
            reporter_organisation=jarva,
            reported_to=jarva,
            organisation=jarva,
            idempotency_key=reference,
            observation="Test",
            observed_on=datetime.date(2026, 1, 1),
            concerns_child="no",
        )
        for reference in references
    )
    Membership.objects.filter(organisation=jarva, role=Role.COORDINATOR).delete()
    orphans.report_lost_coordinator(actor=None, organisation=jarva)
    rows = AccessLogEntry.objects.filter(action="organisation_lost_coordinator").order_by("id")
    assert rows.count() > 1
    assert all(len(row.detail) <= 500 and row.detail.startswith("80 öppna ärenden") for row in rows)
    logged = [ref for row in rows for ref in row.detail.split(": ", 1)[1].split(", ")]
    assert logged == references
    assert Incident.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
def test_two_administrators_removing_the_last_two_coordinators_at_once_report_the_gap_once(reference_data, cast):
    """Each change alone leaves a coordinator behind; together they leave none. Without a lock each
    transaction still sees the other's coordinator and nobody is told; the organisation's row is locked
    while the change is made, so the second sees the first's and tells."""
    submit_test_concern(cast, "race", "jarva", notify=False)
    jarva = Organisation.objects.get(slug="jarva")
    second = User.objects.create_user(email="andra-samordnaren@test.example", password="x-losenord-123")
    Membership.objects.create(user=second, organisation=jarva, role=Role.COORDINATOR)
    both_changed, errors = Barrier(2), []

    def remove(user_id: int) -> None:
        try:
            with watching_coordinators(actor=cast["admin"], user_ids=[user_id]):
                Membership.objects.filter(user_id=user_id, role=Role.COORDINATOR).delete()
                with suppress(BrokenBarrierError):  # both inside the change at once, if the lock lets them
                    both_changed.wait(timeout=3)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=remove, args=(pk,)) for pk in (cast["coordinator"].pk, second.pk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert not Membership.objects.filter(organisation=jarva, role=Role.COORDINATOR).exists()
    assert AccessLogEntry.objects.filter(action="organisation_lost_coordinator").count() == 1
    assert len(_told()) == 1
