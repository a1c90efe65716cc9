"""A purged concern takes no more writes: the purge skips concerns already purged, so any text written
after it (a legal-hold reason, a disclosure's legal ground, a consent …) would stay for good."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vbe.concerns import closure, sharing
from vbe.concerns.models import Concern, Consent, Disclosure, Event, Outcome
from vbe.concerns.retention import purge_expired
from vbe.concerns.tests.test_write_permission import WRITES
from vbe.organisations.models import Organisation

PURGED = "gallrat"


def _sodermalm() -> Organisation:
    return Organisation.objects.get(slug="sodermalm")


# Another organisation than the owner, so that nothing but the purge could refuse them.
PURGED_WRITES = {
    **WRITES,
    "disclose": lambda c, s, a: sharing.disclose(
        concern_id=c.pk, actor=a, to_organisation=_sodermalm(), legal_ground="OSL", decided_by="Chef"
    ),
    "transfer": lambda c, s, a: sharing.transfer(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, to_organisation=_sodermalm(), legal_ground="OSL"
    ),
}


@pytest.fixture
def purged(cast, make_concern):
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
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    )
    closure.close(concern_id=concern.pk, actor=coordinator, lock_version=3, outcome=Outcome.HANDED_OVER)
    Concern.objects.filter(pk=concern.pk).update(retain_until=timezone.localdate() - datetime.timedelta(days=1))
    assert purge_expired().purged == 1
    return Concern.objects.get(pk=concern.pk), {"consent": consent, "disclosure": disclosure}


def _texts(concern: Concern) -> tuple:
    concern = Concern.objects.get(pk=concern.pk)
    return (
        concern.lock_version,
        concern.legal_hold,
        concern.legal_hold_reason,
        Event.objects.filter(concern=concern).count(),
        [(d.revoked_at, d.revocation_reason, d.legal_ground) for d in Disclosure.objects.filter(concern=concern)],
        [(c.withdrawn_on, c.purpose) for c in Consent.objects.filter(concern=concern)],
    )


@pytest.mark.parametrize("name", list(PURGED_WRITES))
def test_every_write_on_a_purged_concern_is_refused(cast, purged, name):
    concern, records = purged
    before = _texts(concern)
    with pytest.raises(ValidationError, match=PURGED):
        PURGED_WRITES[name](concern, records, cast["coordinator"])
    assert _texts(concern) == before


def test_the_case_page_refuses_a_legal_hold_on_a_purged_concern_and_offers_no_forms(cast, purged):
    concern, _ = purged
    client = cast.client("coordinator")
    response = client.post(
        f"/oro/arenden/{concern.reference}/bevarande/",
        {"lock_version": concern.lock_version, "hold": "on", "reason": "Förundersökning mot Testperson"},
    )
    assert response.status_code == 400
    assert "Ärendet är gallrat och kan inte ändras" in response.content.decode()
    assert Concern.objects.get(pk=concern.pk).legal_hold_reason == ""
    page = client.get(f"/oro/arenden/{concern.reference}/").content.decode()
    for form in ("bevarande/", "rojande/"):  # no legal hold, no disclosure, no withdrawal of one
        assert f"/oro/arenden/{concern.reference}/{form}" not in page
