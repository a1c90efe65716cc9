"""The burst from the trust issue: many people reporting at the same moment (issue 9, item 5).

The concern forms alone are raced in vbe/concerns/tests/test_intake.py (ten people through the view);
here concerns and incidents come in together, so that both reference series, the access log's one
chain head and the outbox are contended at once. Every report must get its own receipt, no number may
be lost or used twice, and the access log must still verify.
"""

from __future__ import annotations

from datetime import timedelta
from threading import Barrier, Thread

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import sign_in_client
from vbe.accounts.models import Membership, Role, User
from vbe.audit.log import verify_log
from vbe.audit.models import AccessLogEntry
from vbe.concerns.models import Concern
from vbe.core.models import ReferenceCounter
from vbe.incidents.forms import new_token
from vbe.incidents.models import Incident
from vbe.incidents.tests.factories import JARVA
from vbe.organisations.models import Organisation

N = 8  # of each kind: 16 requests, each on its own database connection


def _clients(n: int, jarva: Organisation, prefix: str) -> list[Client]:
    clients = []
    for i in range(n):
        user = User.objects.create_user(email=f"{prefix}{i}@test.example", password="x", full_name=f"Skolpersonal {i}")
        Membership.objects.create(user=user, organisation=jarva, role=Role.STAFF)
        client = Client()
        sign_in_client(client, user)
        clients.append(client)
    return clients


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
def test_concerns_and_incidents_reported_at_the_same_moment_all_get_their_own_number(reference_data):
    jarva = Organisation.objects.get(slug="jarva")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    concern = {
        "idempotency_key": "samma-formular",  # the same key from different people is different forms
        "observation": "Eleven visade en film som hyllar ett attentat.",
        "observed_on": yesterday,
        "environment": "unknown",
        "concerns_child": "no",
        "organisation": str(jarva.pk),
    }
    incident = {
        "district": JARVA,
        "place_description": "Busskuren vid torget",
        "category": "propaganda",
        "environment": "right_wing",
        "occurred_on": yesterday,
        "description": "Klistermärken med en extremistisk symbol på busskuren vid torget.",
    }
    sends = [(c, "/oro/rapportera/", concern) for c in _clients(N, jarva, "oro")]
    sends += [(c, "/handelser/rapportera/", {**incident, "token": new_token()}) for c in _clients(N, jarva, "han")]
    barrier, responses, errors = Barrier(len(sends)), [], []

    def send(client: Client, path: str, data: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=30)
            responses.append(client.post(path, data))
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=send, args=s) for s in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(r.status_code for r in responses) == [302] * 2 * N

    receipts = {r["Location"] for r in responses}
    concerns, incidents = list(Concern.objects.all()), list(Incident.objects.all())
    assert len(receipts) == 2 * N  # every one of them its own receipt
    assert receipts == {f"/oro/kvitto/{c.reference}/" for c in concerns} | {i.get_receipt_url() for i in incidents}
    for reports in (concerns, incidents):
        prefix = reports[0].reference.split("-")[0]
        numbers = sorted(int(r.reference.rsplit("-", 1)[1]) for r in reports)
        assert numbers == list(range(1, N + 1)), prefix  # none lost, none twice, no gap
        assert ReferenceCounter.objects.get(prefix=prefix).last_number == N

    logged = AccessLogEntry.objects.filter(action__in=["concern_submitted", "incident_reported"])
    assert logged.count() == 2 * N
    verification = verify_log(anchors=[])  # the rows in the database; the checkpoint file is other runs'
    assert verification.broken is None, verification.broken
    assert verification.checked == AccessLogEntry.objects.count()
