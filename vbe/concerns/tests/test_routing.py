"""Routing: no concern is swallowed by an organisation without a coordinator, and the reporter is
told the truth about who received it (issue 7, items 2 and 11)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from conftest import sign_in_client
from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.audit.models import AccessLogEntry
from vbe.concerns import intake, sharing
from vbe.concerns.models import Concern, Event
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation

SKARHOLMEN = "Skärholmen stadsdelsnämnd"


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _report_to(client, report_data, slug: str):
    report_data["organisation"] = str(_org(slug).pk)
    return client.post("/oro/rapportera/", report_data)


def _hand_over(client, concern: Concern, slug: str, legal_ground: str = "OSL 10 kap. 2 §"):
    concern.refresh_from_db()
    return client.post(
        f"/oro/arenden/{concern.reference}/overlamna/",
        {"lock_version": concern.lock_version, "to_organisation": _org(slug).pk, "legal_ground": legal_ground},
    )


def _no_central_coordinator(cast) -> None:
    Membership.objects.filter(role=Role.CENTRAL_COORDINATOR).delete()


# --- Intake ---------------------------------------------------------------------------------------


def test_a_concern_to_an_organisation_without_coordinator_waits_in_the_central_queue(
    cast, report_data, django_capture_on_commit_callbacks
):
    client = cast.client("staff")
    with django_capture_on_commit_callbacks(execute=True):
        response = _report_to(client, report_data, "skarholmen")
    concern = Concern.objects.get()
    assert response["Location"] == f"/oro/kvitto/{concern.reference}/"
    # It stays where it was sent, flagged, and is not lost: the central coordinator has it.
    assert concern.organisation.slug == "skarholmen" and concern.reported_to.slug == "skarholmen"
    assert concern.without_coordinator
    entry = AccessLogEntry.objects.get(action="concern_routed_to_central", subject_ref=concern.reference)
    assert entry.detail == (
        "inrapporterad till organisation utan aktiv lokal samordnare; centrala samordnare underrättade"
    )
    assert Event.objects.filter(concern=concern, kind=intake.RECEIVED_CENTRALLY).exists()
    # The central coordinator is told, and nobody else.
    assert [m.to for m in mail.outbox] == [["central_coordinator@test.example"]]
    assert concern.reference in mail.outbox[0].subject and SKARHOLMEN in mail.outbox[0].body
    receipt = client.get(response["Location"]).content.decode()
    assert (
        f"Din rapport har tagits emot av den centrala samordnaren i Stockholms stad eftersom {SKARHOLMEN} "
        "saknar lokal samordnare" in receipt
    )
    assert "Samordnaren hanterar den" not in receipt  # no claim that a local coordinator has it


def test_the_central_coordinator_lists_reads_and_hands_over_only_the_queue(cast, make_concern):
    waiting = make_concern("waiting", organisation="skarholmen")
    handled = make_concern("handled", organisation="jarva")
    central = cast.client("central_coordinator")
    page = central.get("/oro/arenden/").content.decode()
    assert waiting.reference in page and "Saknar samordnare" in page
    assert handled.reference not in page
    detail = central.get(f"/oro/arenden/{waiting.reference}/")
    assert detail.status_code == 200
    assert "väntar i den centrala samordnarens kö" in detail.content.decode()
    assert f'action="/oro/arenden/{waiting.reference}/overlamna/"' in detail.content.decode()
    assert central.get(f"/oro/arenden/{handled.reference}/").status_code == 404
    # Reading and handing over, nothing more: handling, assigning and disclosing stay with a coordinator.
    for suffix, data in [
        ("nasta-steg/", {"lock_version": 1}),
        ("handlaggare/", {"lock_version": 1}),
        ("rojande/", {"to_organisation": _org("ks").pk, "legal_ground": "x", "decided_by": "x"}),
    ]:
        assert central.post(f"/oro/arenden/{waiting.reference}/{suffix}", data).status_code == 403, suffix


def test_once_handed_to_an_organisation_with_a_coordinator_the_central_coordinator_loses_access(
    cast, make_concern, django_capture_on_commit_callbacks
):
    concern = make_concern("waiting", organisation="skarholmen")
    central = cast.client("central_coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = _hand_over(central, concern, "sodermalm")
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.organisation.slug == "sodermalm" and not permissions.concern_in_central_queue(concern)
    assert concern.reported_to.slug == "skarholmen"
    assert [m.to for m in mail.outbox] == [["coordinator_other@test.example"]]
    assert AccessLogEntry.objects.filter(action="concern_transferred", subject_ref=concern.reference).exists()
    assert central.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    assert concern.reference not in central.get("/oro/arenden/").content.decode()
    assert cast.client("coordinator_other").get(f"/oro/arenden/{concern.reference}/").status_code == 200


def test_the_central_coordinator_must_give_a_legal_ground(cast, make_concern):
    concern = make_concern("waiting", organisation="skarholmen")
    page = _hand_over(cast.client("central_coordinator"), concern, "sodermalm", legal_ground="")
    assert page.status_code == 400 and "Ange den rättsliga grunden" in page.content.decode()
    concern.refresh_from_db()
    assert concern.organisation.slug == "skarholmen" and permissions.concern_in_central_queue(concern)


def test_a_hand_over_to_an_organisation_without_coordinator_goes_to_the_central_queue(
    cast, make_concern, django_capture_on_commit_callbacks
):
    concern = make_concern()
    with django_capture_on_commit_callbacks(execute=True):
        response = _hand_over(cast.client("coordinator"), concern, "sisab")
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.organisation.slug == "sisab" and concern.without_coordinator  # arrived without one
    assert permissions.concern_in_central_queue(concern)
    entry = AccessLogEntry.objects.get(action="concern_routed_to_central", subject_ref=concern.reference)
    assert entry.detail.startswith("överlämnad till organisation utan aktiv lokal samordnare")
    assert Event.objects.filter(concern=concern, kind=intake.HANDED_TO_CENTRAL_QUEUE).exists()
    assert [m.to for m in mail.outbox] == [["central_coordinator@test.example"]]
    assert cast.client("coordinator").get(f"/oro/arenden/{concern.reference}/").status_code == 404
    assert cast.client("central_coordinator").get(f"/oro/arenden/{concern.reference}/").status_code == 200


def test_not_handed_back_to_the_organisation_it_waits_at(cast, make_concern):
    """Once that organisation has a coordinator the concern is simply theirs (test_routing_queue.py)."""
    concern = make_concern("waiting", organisation="skarholmen")
    with pytest.raises(ValidationError, match="annan organisation"):
        sharing.transfer(
            concern_id=concern.pk,
            actor=cast["central_coordinator"],
            lock_version=concern.lock_version,
            to_organisation=_org("skarholmen"),
            legal_ground="OSL",
        )


def test_an_inactive_coordinator_is_no_coordinator(cast, report_data):
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    _report_to(cast.client("staff"), report_data, "jarva")
    concern = Concern.objects.get()
    assert concern.without_coordinator and permissions.concern_in_central_queue(concern)


def test_without_any_coordinator_at_all_the_concern_is_still_saved_and_the_receipt_says_so(
    cast, report_data, django_capture_on_commit_callbacks
):
    _no_central_coordinator(cast)
    client = cast.client("staff")
    with django_capture_on_commit_callbacks(execute=True):
        response = _report_to(client, report_data, "skarholmen")
    concern = Concern.objects.get()
    assert concern.without_coordinator and concern.organisation.slug == "skarholmen"
    entry = AccessLogEntry.objects.get(action="concern_routed_to_central", subject_ref=concern.reference)
    assert entry.detail.endswith("ingen aktiv central samordnare finns")
    assert not mail.outbox and not Notification.objects.exists()
    receipt = client.get(response["Location"]).content.decode()
    assert "varken en lokal samordnare vid " + SKARHOLMEN + " eller en central samordnare" in receipt
    assert "Ingen har fått något meddelande om den" in receipt
    assert "tagits emot av den centrala samordnaren" not in receipt


# --- The form -------------------------------------------------------------------------------------


def test_the_form_says_where_a_report_to_an_organisation_without_coordinator_goes(cast):
    page = cast.client("staff").get("/oro/rapportera/").content.decode()
    assert f"{SKARHOLMEN} (saknar lokal samordnare: tas emot av den centrala samordnaren)" in page
    assert '<optgroup label="Dina organisationer">' in page
    assert ">Järva stadsdelsnämnd</option>" in page  # it has a coordinator: no remark


def test_a_reporter_whose_own_organisation_has_no_coordinator_is_told_before_sending(cast):
    from django.test import Client

    reporter = User.objects.create_user(email="skarholmen@test.example", password="x", full_name="Rapportör")
    Membership.objects.create(user=reporter, organisation=_org("skarholmen"), role=Role.STAFF)
    client = Client()
    sign_in_client(client, reporter)
    page = client.get("/oro/rapportera/").content.decode()
    assert (
        f"{SKARHOLMEN} saknar just nu lokal samordnare. Skickar du rapporten dit tas den emot av den centrala" in page
    )
    _no_central_coordinator(cast)
    page = client.get("/oro/rapportera/").content.decode()
    assert "och det finns ingen central samordnare" in page


# --- What the reporter sees (item 11) ---------------------------------------------------------------


def test_the_reporter_sees_where_they_reported_never_where_it_went(cast, report_data):
    staff = cast.client("staff")
    _report_to(staff, report_data, "jarva")
    concern = Concern.objects.get()
    assert _hand_over(cast.client("coordinator"), concern, "sodermalm").status_code == 302
    concern.refresh_from_db()
    assert concern.organisation.slug == "sodermalm"
    receipt = staff.get(f"/oro/kvitto/{concern.reference}/").content.decode()
    mine = staff.get("/oro/mina/").content.decode()
    for page in (receipt, mine):
        assert "Järva stadsdelsnämnd" in page
        assert "Södermalm" not in page


def test_the_receipt_for_a_concern_later_handed_on_from_the_central_queue_stays_true(cast, report_data):
    staff = cast.client("staff")
    _report_to(staff, report_data, "skarholmen")
    concern = Concern.objects.get()
    _hand_over(cast.client("central_coordinator"), concern, "sodermalm")
    receipt = staff.get(f"/oro/kvitto/{concern.reference}/").content.decode()
    assert "tagits emot av den centrala samordnaren" in receipt and SKARHOLMEN in receipt
    assert "Södermalm" not in receipt
