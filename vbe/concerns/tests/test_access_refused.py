"""A refused read of a concern answers and logs the same whether or not the reference exists: one log
row each, so neither the answer nor the time it takes (a log row is a write under the chain's lock)
tells whether a concern exists. The requested reference goes into the row only when it has the form
of one (ORO-ÅÅÅÅ-NNNNN), never free text typed into the address."""

from __future__ import annotations

import pytest

from vbe.audit.models import AccessLogEntry


def _refusals(user):
    return AccessLogEntry.objects.filter(action="concern_access_refused", actor_id=user.pk)


@pytest.mark.parametrize("suffix", ["", "nasta-steg/", "personnummer/"])
def test_an_existing_and_a_missing_concern_answer_and_log_alike(cast, make_concern, suffix):
    concern = make_concern()
    missing = "ORO-2026-99999"
    client, user = cast.client("coordinator_other"), cast["coordinator_other"]
    send = client.get if not suffix else client.post
    answers = []
    for reference in (concern.reference, missing):
        before = _refusals(user).count()
        answers.append(send(f"/oro/arenden/{reference}/{suffix}").status_code)
        assert _refusals(user).count() == before + 1, reference
        row = _refusals(user).latest("id")
        assert row.subject_ref == reference and row.outcome == "denied"
    assert answers == [404, 404]


@pytest.mark.parametrize("typed", ["Testperson Testsson", "199002252386", "ORO-2026-1", "oro-2026-00001x"])
def test_anything_else_in_the_address_is_logged_without_it(cast, typed):
    user = cast["coordinator"]
    assert cast.client("coordinator").get(f"/oro/arenden/{typed}/").status_code == 404
    row = _refusals(user).get()
    assert row.subject_ref == "" and row.object_id == ""
    text = " ".join(str(getattr(row, f.attname)) for f in AccessLogEntry._meta.concrete_fields)
    assert typed not in text


def test_the_hand_over_page_for_waiting_concerns_answers_and_logs_alike(cast, make_concern):
    """The central coordinator's page for concerns waiting for a coordinator: a concern that is not
    waiting, and one that does not exist, are refused the same way."""
    concern = make_concern()  # Järva has a coordinator: not waiting
    client, user = cast.client("central_coordinator"), cast["central_coordinator"]
    for reference in (concern.reference, "ORO-2026-99999"):
        before = _refusals(user).count()
        assert client.get(f"/oro/vantar-pa-samordnare/{reference}/").status_code == 404
        assert _refusals(user).count() == before + 1, reference
        assert _refusals(user).latest("id").subject_ref == reference
