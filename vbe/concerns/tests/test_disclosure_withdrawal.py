"""Issue 7 item 12: a disclosure can be withdrawn by the owning organisation's coordinator, with a
reason (encrypted; who and when recorded; logged without the reason), and access ends at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import CAST
from vbe.audit.models import AccessLogEntry
from vbe.concerns import services, sharing
from vbe.concerns.models import Disclosure
from vbe.organisations.models import Organisation

REASON = "Beslutet om röjande var fattat på fel grund."


@pytest.fixture
def disclosed(cast, make_concern):
    concern = make_concern()
    disclosure = sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    )
    return concern, disclosure


def _withdraw(client, concern, disclosure, reason=REASON):
    return client.post(
        f"/oro/arenden/{concern.reference}/rojande/{disclosure.pk}/aterkalla/", {f"d{disclosure.pk}-reason": reason}
    )


def test_withdrawn_access_ends_at_once_for_the_other_organisation(cast, disclosed):
    concern, disclosure = disclosed
    reader = cast.client("coordinator_board")
    assert reader.get(f"/oro/arenden/{concern.reference}/").status_code == 200
    assert concern.reference in reader.get("/oro/arenden/").content.decode()

    response = _withdraw(cast.client("coordinator"), concern, disclosure)
    assert response.status_code == 302

    # The same (already signed-in) client, its very next request.
    assert reader.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    assert concern.reference not in reader.get("/oro/arenden/").content.decode()


def test_the_withdrawal_records_who_when_and_an_encrypted_reason(cast, disclosed):
    concern, disclosure = disclosed
    _withdraw(cast.client("coordinator"), concern, disclosure)
    disclosure.refresh_from_db()
    assert disclosure.revoked_at is not None and disclosure.revoked_by == cast["coordinator"]
    assert disclosure.revocation_reason == REASON
    with connection.cursor() as cursor:
        cursor.execute("SELECT revocation_reason FROM concerns_disclosure WHERE id = %s", [disclosure.pk])
        assert cursor.fetchone()[0].startswith("v1:")
    row = AccessLogEntry.objects.get(action="concern_disclosure_withdrawn")
    assert row.subject_ref == concern.reference and row.legal_ground == f"disclosure:{disclosure.pk}"
    for entry in AccessLogEntry.objects.all():
        assert REASON not in " ".join(str(getattr(entry, f.name)) for f in AccessLogEntry._meta.fields)
    event = concern.events.get(kind="disclosure_withdrawn")
    assert REASON not in event.summary


def test_the_handlers_see_the_disclosures_and_can_withdraw_from_the_case_view(cast, disclosed):
    concern, disclosure = disclosed
    page = cast.client("coordinator").get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert "Utbildningsnämnden" in page and "OSL 10 kap. 28 §" in page and "Enhetschef A" in page
    assert f"/oro/arenden/{concern.reference}/rojande/{disclosure.pk}/aterkalla/" in page
    # The reader of the disclosure sees neither the decision nor the button.
    reader_page = cast.client("coordinator_board").get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert "aterkalla/" not in reader_page and "Enhetschef A" not in reader_page


def test_a_reason_is_required_and_what_was_typed_is_kept(cast, disclosed):
    concern, disclosure = disclosed
    page = _withdraw(cast.client("coordinator"), concern, disclosure, reason="  ")
    assert page.status_code == 400 and "Skriv varför röjandet återkallas" in page.content.decode()
    assert Disclosure.objects.get(pk=disclosure.pk).revoked_at is None
    with pytest.raises(ValidationError, match="varför"):
        sharing.withdraw_disclosure(
            concern_id=concern.pk, disclosure_id=disclosure.pk, actor=cast["coordinator"], reason=""
        )


def test_a_disclosure_is_withdrawn_only_once(cast, disclosed):
    concern, disclosure = disclosed
    sharing.withdraw_disclosure(
        concern_id=concern.pk, disclosure_id=disclosure.pk, actor=cast["coordinator"], reason=REASON
    )
    page = _withdraw(cast.client("coordinator"), concern, disclosure)
    assert page.status_code == 400 and "redan återkallat" in page.content.decode()


@pytest.mark.parametrize("name", [n for n in CAST if n != "coordinator"])
def test_only_the_owning_organisations_coordinator_may_withdraw(cast, disclosed, name):
    concern, disclosure = disclosed
    # The disclosure's own reader may read, not withdraw; everyone else does not even see the concern.
    expected = 403 if name == "coordinator_board" else 404
    if name == "caseworker":
        services.assign(concern_id=concern.pk, actor=cast["coordinator"], lock_version=2, caseworker=cast["caseworker"])
        expected = 403  # handles the concern, but disclosing and withdrawing stay with the coordinator
    assert _withdraw(cast.client(name), concern, disclosure).status_code == expected
    assert Disclosure.objects.get(pk=disclosure.pk).revoked_at is None


def test_a_disclosure_of_another_concern_is_not_found(cast, disclosed, make_concern):
    concern, disclosure = disclosed
    other = make_concern("other")
    assert _withdraw(cast.client("coordinator"), other, disclosure).status_code == 404
    assert Disclosure.objects.get(pk=disclosure.pk).revoked_at is None
