"""Intake under production conditions: every report gets its own reference from one locked counter,
and a unique-constraint error is taken for a double submit only when it is one (issue 7, item 1)."""

from __future__ import annotations

import datetime
import inspect
import re
from threading import Barrier, Thread

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from conftest import sign_in_client
from vbe.accounts.models import Membership, Role, User
from vbe.concerns import intake
from vbe.concerns.models import Concern
from vbe.core import sequences
from vbe.organisations.models import Organisation

N = 10
RACE = pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")


def _reporters(n: int) -> list[User]:
    """``n`` staff members of Järva: each reporter is a different person, as in the issue."""
    jarva = Organisation.objects.get(slug="jarva")
    users = []
    for i in range(n):
        user = User.objects.create_user(email=f"rapportor{i}@test.example", password="x", full_name=f"Rapportör {i}")
        Membership.objects.create(user=user, organisation=jarva, role=Role.STAFF)
        users.append(user)
    return users


def _submit(reporter: User, key: str) -> Concern:
    jarva = Organisation.objects.get(slug="jarva")
    return intake.submit_concern(
        reporter=reporter,
        reporter_organisation=jarva,
        organisation=jarva,
        idempotency_key=key,
        observation="Observerat beteende",
        observed_on=datetime.date(2026, 11, 1),
        concerns_child="no",
        child_report_made="unknown",
        notify=False,
    )


def _run_at_once(targets: list) -> list[BaseException]:
    """Starts every target at the same moment; returns what the threads raised."""
    barrier, errors = Barrier(len(targets)), []

    def wrap(target):
        def run() -> None:
            try:
                barrier.wait(timeout=10)
                target()
            except BaseException as exc:  # surfaced by the caller: a thread's exception is otherwise lost
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_references_follow_the_counter(cast, make_concern):
    year = timezone.localdate().year
    first, second = make_concern("a"), make_concern("b")
    assert re.fullmatch(rf"ORO-{year}-\d{{5}}", first.reference)
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


def test_a_new_concern_carries_no_judgement_of_the_environment(cast, make_concern):
    """The reporter is not asked to label anyone's ideology: a concern comes in as "unknown", and only
    the coordinator's assessment in the case changes that."""
    assert make_concern().environment == "unknown"
    assert "environment" not in inspect.signature(intake.submit_concern).parameters


def test_an_integrity_error_that_is_not_a_double_submit_is_not_swallowed(cast, make_concern):
    """A clash on anything but (reporter, idempotency key) must surface, never pass for a resubmit."""
    year = timezone.localdate().year
    taken = sequences.allocate(prefix="ORO", year=year)[0]
    jarva = Organisation.objects.get(slug="jarva")
    # Someone (an import, a bug) has put another concern on the number the counter hands out next.
    Concern.objects.create(
        reference=f"ORO-{year}-{int(taken[-5:]) + 1:05d}",
        reporter=cast["coordinator"],
        reporter_organisation=jarva,
        reported_to=jarva,
        organisation=jarva,
        idempotency_key="elsewhere",
        observation="x",
        observed_on=datetime.date(2026, 1, 1),
        concerns_child="no",
    )
    with pytest.raises(IntegrityError):
        make_concern("second")


@pytest.mark.django_db(transaction=True)
@RACE
def test_ten_people_reporting_at_the_same_moment_all_get_a_receipt(reference_data):
    reporters = _reporters(N)
    results: list[Concern] = []
    errors = _run_at_once([lambda r=r: results.append(_submit(User.objects.get(pk=r.pk), "form-1")) for r in reporters])
    assert not errors, errors
    assert len(results) == N
    assert Concern.objects.count() == N
    assert len({c.reference for c in results}) == N
    assert set(Concern.objects.values_list("reference", flat=True)) == {c.reference for c in results}


@pytest.mark.django_db(transaction=True)
@RACE
def test_ten_people_sending_the_form_at_the_same_moment_all_get_a_receipt(reference_data):
    """The same race through the view: every POST answers with a redirect to its own receipt."""
    from django.test import Client

    reporters = _reporters(N)
    jarva = Organisation.objects.get(slug="jarva")
    clients = []
    for reporter in reporters:
        client = Client()
        sign_in_client(client, reporter)
        clients.append(client)
    data = {
        "idempotency_key": "form-1",
        "observation": "Eleven visade en film som hyllar ett attentat.",
        "observed_on": "2026-11-20",
        "concerns_child": "no",
        "organisation": str(jarva.pk),
    }
    responses = []
    errors = _run_at_once([lambda c=c: responses.append(c.post("/oro/rapportera/", data)) for c in clients])
    assert not errors, errors
    assert [r.status_code for r in responses] == [302] * N
    receipts = {r["Location"] for r in responses}
    assert len(receipts) == N
    assert Concern.objects.count() == N
    assert receipts == {f"/oro/kvitto/{ref}/" for ref in Concern.objects.values_list("reference", flat=True)}


@pytest.mark.django_db(transaction=True)
@RACE
def test_the_same_form_sent_twice_at_the_same_moment_is_one_concern(reference_data):
    reporter = _reporters(1)[0]
    results: list[Concern] = []
    errors = _run_at_once([lambda: results.append(_submit(User.objects.get(pk=reporter.pk), "same")) for _ in range(2)])
    assert not errors, errors
    assert Concern.objects.count() == 1
    assert {c.pk for c in results} == {Concern.objects.get().pk}
