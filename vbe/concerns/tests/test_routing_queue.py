"""Who may read what waits for lack of a coordinator (issue 7, item 2, red team).

The central coordinators read an open concern only while it is in the central queue: it ARRIVED at an
organisation without an active coordinator (``without_coordinator``) and that organisation still has
none. The moment a coordinator appears their access ends. A concern whose coordinators left after it
arrived (removed or deactivated: one administrator alone can do that) is not opened to anyone: it
waits for a new coordinator, and the central coordinators see only its reference, organisation, date
and step, and may hand it over, unread, to an organisation that has a coordinator."""

from __future__ import annotations

import time
from threading import Barrier, Thread

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.audit.models import AccessLogEntry
from vbe.concerns import services, sharing
from vbe.concerns.models import Concern, State, Transfer
from vbe.concerns.tests.conftest import TEST_PNR, submit_test_concern
from vbe.core import personnummer
from vbe.organisations.models import Organisation

SKARHOLMEN = "Skärholmen stadsdelsnämnd"
AWAITING = 'id="vantar-pa-samordnare"'


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _appoint_coordinator(slug: str, email: str = "ny-samordnare@test.example") -> User:
    user = User.objects.create_user(email=email, password="x-losenord-123", full_name="Ny Samordnare")
    Membership.objects.create(user=user, organisation=_org(slug), role=Role.COORDINATOR)
    return user


def _sections(page: str) -> tuple[str, str]:
    """The case list's own list, and its section "Ärenden som väntar på en ny samordnare"."""
    main, _, awaiting = page.partition(AWAITING)
    return main, awaiting


def _central_sees(cast, concern: Concern) -> tuple[bool, bool, int, bool]:
    """(rule, selector, detail status, in the list) for the central coordinator, each asked afresh."""
    user = User.objects.get(pk=cast["central_coordinator"].pk)  # no cached memberships
    concern = Concern.objects.get(pk=concern.pk)
    rule = permissions.can(user, Action.VIEW_CONCERN, concern)
    selector = permissions.concerns_visible_to(user, Concern.objects.all()).filter(pk=concern.pk).exists()
    client = cast.client("central_coordinator")
    status = client.get(f"/oro/arenden/{concern.reference}/").status_code
    listed = concern.reference in _sections(client.get("/oro/arenden/").content.decode())[0]
    return rule, selector, status, listed


def _awaits(cast, concern: Concern) -> tuple[bool, bool, int, bool]:
    """(selector, hand-over rule, hand-over page status, in the waiting section) for the central coordinator."""
    user = User.objects.get(pk=cast["central_coordinator"].pk)
    concern = Concern.objects.get(pk=concern.pk)
    selector = permissions.concerns_awaiting_coordinator(user, Concern.objects.all()).filter(pk=concern.pk).exists()
    rule = permissions.can(user, Action.HAND_OVER_CONCERN, concern)
    client = cast.client("central_coordinator")
    status = client.get(f"/oro/vantar-pa-samordnare/{concern.reference}/").status_code
    listed = concern.reference in _sections(client.get("/oro/arenden/").content.decode())[1]
    return selector, rule, status, listed


UNREAD = (False, False, 404, False)  # _central_sees: nothing of it
READ = (True, True, 200, True)
WAITING = (True, True, 200, True)  # _awaits: listed and handed over from its own page
NOT_WAITING = (False, False, 404, False)


def _hand_over(client, concern: Concern, slug: str):
    concern.refresh_from_db()
    return client.post(
        f"/oro/arenden/{concern.reference}/overlamna/",
        {"lock_version": concern.lock_version, "to_organisation": _org(slug).pk, "legal_ground": "OSL 10 kap. 2 §"},
    )


def _hand_over_unread(client, concern: Concern, slug: str, legal_ground: str = "OSL 10 kap. 2 §"):
    concern.refresh_from_db()
    return client.post(
        f"/oro/vantar-pa-samordnare/{concern.reference}/",
        {"lock_version": concern.lock_version, "to_organisation": _org(slug).pk, "legal_ground": legal_ground},
    )


def _orphan(cast, make_concern, key: str = "routed") -> Concern:
    """A concern that arrived at Järva, whose coordinator is then removed by an administrator."""
    concern = make_concern(key, organisation="jarva")
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    return concern


# --- The central queue: arrived without a coordinator -----------------------------------------------


def test_when_the_organisation_gets_a_coordinator_central_access_ends_at_once(cast, make_concern):
    concern = make_concern("waiting", organisation="skarholmen")
    assert _central_sees(cast, concern) == READ
    assert _awaits(cast, concern)[0] is False  # read in the queue, not in the waiting section
    newcomer = _appoint_coordinator("skarholmen")
    assert _central_sees(cast, concern) == UNREAD
    assert _awaits(cast, concern) == NOT_WAITING
    assert not permissions.can(cast["central_coordinator"], Action.HAND_OVER_CONCERN, Concern.objects.get())
    assert _hand_over(cast.client("central_coordinator"), concern, "sodermalm").status_code == 404
    # The service refuses too, under the row lock: a check made before the coordinator came is not enough.
    concern.refresh_from_db()
    with pytest.raises(PermissionDenied):
        sharing.transfer(
            concern_id=concern.pk,
            actor=User.objects.get(pk=cast["central_coordinator"].pk),
            lock_version=concern.lock_version,
            to_organisation=_org("sodermalm"),
            legal_ground="OSL",
        )
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "skarholmen"
    # The new coordinator has it.
    assert permissions.can(newcomer, Action.HANDLE_CONCERN, Concern.objects.get(pk=concern.pk))


def test_a_new_coordinator_who_leaves_before_handling_it_puts_it_back_in_the_queue(cast, make_concern):
    concern = make_concern("waiting", organisation="skarholmen")
    newcomer = _appoint_coordinator("skarholmen")
    assert _central_sees(cast, concern)[0] is False
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    assert _central_sees(cast, concern) == READ


def test_once_a_coordinator_has_handled_it_it_never_returns_to_the_queue(cast, make_concern):
    """Taken over: what the coordinator wrote is the organisation's, and their leaving opens nothing."""
    concern = make_concern("waiting", organisation="skarholmen")
    newcomer = _appoint_coordinator("skarholmen")
    services.advance(concern_id=concern.pk, actor=newcomer, lock_version=concern.lock_version, note="")
    services.record_assessment(
        concern_id=concern.pk, actor=newcomer, lock_version=concern.lock_version + 1, areas=[], text="Bedömning"
    )
    assert not Concern.objects.get(pk=concern.pk).without_coordinator
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    assert _central_sees(cast, concern) == UNREAD
    assert _awaits(cast, concern) == WAITING


def test_a_closed_concern_is_neither_read_nor_waiting(cast, make_concern):
    queued = make_concern("closed", organisation="skarholmen")
    orphaned = _orphan(cast, make_concern, "closed-orphan")
    Concern.objects.filter(pk__in=[queued.pk, orphaned.pk]).update(state=State.CLOSED)
    for concern in (queued, orphaned):
        assert _central_sees(cast, concern) == UNREAD
        assert _awaits(cast, concern) == NOT_WAITING


# --- Orphaned later: the red team's hole ----------------------------------------------------------------


def test_when_the_last_coordinator_is_removed_the_open_concern_waits_unread(cast, make_concern):
    concern = make_concern("routed", organisation="jarva")
    assert not concern.without_coordinator  # it arrived with a coordinator there
    assert _central_sees(cast, concern) == UNREAD
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    # Nobody may read the caseload an administrator alone has taken the coordinators from ...
    assert _central_sees(cast, concern) == UNREAD
    central = cast.client("central_coordinator")
    assert _hand_over(central, concern, "sodermalm").status_code == 404  # the reader's hand-over route
    # ... but it is not lost: the central coordinator sees that it waits, and can send it on.
    assert _awaits(cast, concern) == WAITING
    _, section = _sections(central.get("/oro/arenden/").content.decode())
    assert "Ärenden som väntar på en ny samordnare" in section
    assert concern.reference in section and "Järva stadsdelsnämnd" in section and "Mottagen" in section
    for secret in ("Testperson Testsson", "Observerat beteende", personnummer.mask(TEST_PNR), TEST_PNR):
        assert secret not in section


def test_a_deactivated_coordinator_counts_as_gone_and_opens_nothing(cast, make_concern):
    concern = make_concern("routed", organisation="jarva")
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    assert _central_sees(cast, concern) == UNREAD
    assert _awaits(cast, concern) == WAITING


def test_rows_stored_before_the_queue_existed_wait_unread(cast, make_concern):
    """A concern at an organisation without a coordinator, stored with the flag False (as every row
    from before the queue was): how it arrived is unknown, so nobody reads it; it waits to be handed on."""
    concern = make_concern("old", organisation="skarholmen")
    Concern.objects.filter(pk=concern.pk).update(without_coordinator=False)
    assert _central_sees(cast, concern) == UNREAD
    assert _awaits(cast, concern) == WAITING


def test_the_hand_over_page_shows_only_the_facts_and_is_logged(cast, make_concern):
    concern = _orphan(cast, make_concern)
    services_secret = "Bedömning som ingen utanför Järva får läsa"
    Concern.objects.filter(pk=concern.pk).update(assessment=services_secret, state=State.INITIAL_ASSESSMENT)
    page = cast.client("central_coordinator").get(f"/oro/vantar-pa-samordnare/{concern.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert concern.reference in text and "Järva stadsdelsnämnd" in text and "Första bedömning" in text
    assert 'name="legal_ground"' in text
    for secret in (
        "Testperson Testsson",
        "Observerat beteende",
        services_secret,
        personnummer.mask(TEST_PNR),
        TEST_PNR,
    ):
        assert secret not in text
    # Only organisations that have a coordinator are offered.
    assert f'value="{_org("sodermalm").pk}"' in text and f'value="{_org("sisab").pk}"' not in text
    entry = AccessLogEntry.objects.get(action="concern_awaiting_viewed")
    assert entry.subject_ref == concern.reference and entry.actor_id == cast["central_coordinator"].pk
    listed = AccessLogEntry.objects.filter(action="concern_awaiting_list_viewed").count()
    cast.client("central_coordinator").get("/oro/arenden/")
    assert AccessLogEntry.objects.filter(action="concern_awaiting_list_viewed").count() == listed + 1
    assert concern.reference in AccessLogEntry.objects.filter(action="concern_awaiting_list_viewed").last().detail


def test_the_central_coordinator_hands_it_over_unread(cast, make_concern, django_capture_on_commit_callbacks):
    from django.core import mail

    concern = _orphan(cast, make_concern)
    central = cast.client("central_coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = _hand_over_unread(central, concern, "sodermalm")
    assert response.status_code == 302 and response["Location"] == "/oro/arenden/"
    concern.refresh_from_db()
    assert concern.organisation.slug == "sodermalm" and not concern.without_coordinator
    transfer = Transfer.objects.get(concern=concern)
    assert transfer.legal_ground == "OSL 10 kap. 2 §" and transfer.by_id == cast["central_coordinator"].pk
    entry = AccessLogEntry.objects.get(action="concern_transferred", subject_ref=concern.reference)
    assert entry.legal_ground == f"transfer:{transfer.pk}"
    assert [m.to for m in mail.outbox] == [["coordinator_other@test.example"]]
    assert cast.client("coordinator_other").get(f"/oro/arenden/{concern.reference}/").status_code == 200
    assert _central_sees(cast, concern) == UNREAD and _awaits(cast, concern) == NOT_WAITING


def test_the_unread_hand_over_needs_a_legal_ground(cast, make_concern):
    concern = _orphan(cast, make_concern)
    response = _hand_over_unread(cast.client("central_coordinator"), concern, "sodermalm", legal_ground="")
    assert response.status_code == 400 and "Ange den rättsliga grunden" in response.content.decode()
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "jarva"


def test_the_unread_hand_over_never_goes_where_the_central_coordinator_could_read_it(cast, make_concern):
    """Handed to an organisation without a coordinator it would arrive in the central queue."""
    concern = _orphan(cast, make_concern)
    response = _hand_over_unread(cast.client("central_coordinator"), concern, "sisab")
    assert response.status_code == 400 and "Välj en organisation i listan" in response.content.decode()
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "jarva"


def test_a_receiver_that_loses_its_coordinator_meanwhile_undoes_the_unread_hand_over(cast, make_concern, monkeypatch):
    """The form offered Södermalm while it had a coordinator; by the time the hand-over runs it has
    none (as the hand-over's own transaction sees it): nothing is handed over, nothing logged as done."""
    from vbe.accounts import recipients

    concern = _orphan(cast, make_concern)
    sodermalm, nobody = _org("sodermalm").pk, recipients.coordinators_of(_org("sisab").pk)
    real = permissions.has_active_coordinator
    monkeypatch.setattr(
        sharing.recipients, "coordinators_of", lambda pk: nobody if pk == sodermalm else recipients.coordinators_of(pk)
    )
    monkeypatch.setattr(permissions, "has_active_coordinator", lambda pk: pk != sodermalm and real(pk))
    response = _hand_over_unread(cast.client("central_coordinator"), concern, "sodermalm")
    assert response.status_code == 400 and "aktiv lokal samordnare" in response.content.decode()
    concern.refresh_from_db()
    assert concern.organisation.slug == "jarva" and not concern.without_coordinator
    assert not Transfer.objects.exists()
    assert not AccessLogEntry.objects.filter(action="concern_transferred").exists()
    assert _central_sees(cast, concern) == UNREAD


def test_the_hand_over_page_is_for_waiting_concerns_and_the_central_coordinator_only(cast, make_concern):
    queued = make_concern("queued", organisation="skarholmen")  # read in the queue: handed over from its page
    handled = make_concern("handled", organisation="sodermalm")  # has a coordinator
    orphan = _orphan(cast, make_concern)
    central = cast.client("central_coordinator")
    assert central.get(f"/oro/vantar-pa-samordnare/{queued.reference}/").status_code == 404
    assert central.get(f"/oro/vantar-pa-samordnare/{handled.reference}/").status_code == 404
    assert central.get("/oro/vantar-pa-samordnare/ORO-2026-99999/").status_code == 404
    for name in ("staff", "caseworker", "coordinator_other", "admin", "auditor"):
        assert cast.client(name).get(f"/oro/vantar-pa-samordnare/{orphan.reference}/").status_code == 404, name
        assert _hand_over_unread(cast.client(name), orphan, "sodermalm").status_code == 404, name
    assert Concern.objects.get(pk=orphan.pk).organisation.slug == "jarva"
    refused = AccessLogEntry.objects.filter(action="concern_access_refused", subject_ref=orphan.reference)
    assert refused.count() == 10


def test_a_personnummer_search_does_not_look_into_waiting_concerns(cast, make_concern):
    _orphan(cast, make_concern)
    page = cast.client("central_coordinator").post("/oro/arenden/", {"pnr": TEST_PNR}).content.decode()
    main, _ = _sections(page)
    assert "Träffar på personnumret: 0 ärenden" in main


def test_queue_rule_and_selector_agree_through_every_transition(cast, make_concern):
    """Over the cast, for open and closed concerns, before and after coordinators come and go: the
    selector is the rule, and what waits unread is exactly what the central coordinator may hand over
    but not read."""
    concerns = [make_concern(f"k{n}", organisation=slug) for n, slug in enumerate(["jarva", "skarholmen", "ks"])]
    Concern.objects.filter(pk=concerns[2].pk).update(state=State.CLOSED)

    def check(stage: str) -> None:
        for name in cast:
            user = User.objects.get(pk=cast[name].pk)
            selected = set(permissions.concerns_visible_to(user, Concern.objects.all()).values_list("pk", flat=True))
            allowed = {c.pk for c in Concern.objects.all() if permissions.can(user, Action.VIEW_CONCERN, c)}
            assert selected == allowed, (stage, name)
            waiting = set(
                permissions.concerns_awaiting_coordinator(user, Concern.objects.all()).values_list("pk", flat=True)
            )
            unread_hand_over = {
                c.pk
                for c in Concern.objects.all()
                if permissions.can(user, Action.HAND_OVER_CONCERN, c)
                and not permissions.can(user, Action.VIEW_CONCERN, c)
            }
            assert waiting == unread_hand_over, (stage, name)

    check("start")
    _appoint_coordinator("skarholmen")
    check("skarholmen has a coordinator")
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    check("jarva lost its coordinator")
    assert set(
        permissions.concerns_awaiting_coordinator(cast["central_coordinator"], Concern.objects.all()).values_list(
            "pk", flat=True
        )
    ) == {concerns[0].pk}


# --- The hand-over message (red team, item 4) ---------------------------------------------------------


def _message(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_hand_over_message_to_an_organisation_with_a_coordinator(cast, make_concern):
    concern = make_concern()
    response = _hand_over(cast.client("coordinator"), concern, "sodermalm")
    text = _message(response)
    assert "Södermalm stadsdelsnämnd" in text and "lokala samordnare" in text
    assert "central" not in text


def test_hand_over_message_to_the_central_queue(cast, make_concern):
    concern = make_concern()
    text = _message(_hand_over(cast.client("coordinator"), concern, "sisab"))
    assert "saknar lokal samordnare" in text and "centrala samordnarens kö" in text
    assert "Ingen har fått" not in text


def test_hand_over_message_when_nobody_can_receive_it(cast, make_concern):
    Membership.objects.filter(role=Role.CENTRAL_COORDINATOR).delete()
    concern = make_concern()
    text = _message(_hand_over(cast.client("coordinator"), concern, "sisab"))
    assert "det finns ingen central samordnare" in text and "Ingen har fått något meddelande" in text
    assert "hanterar det nu" not in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
@pytest.mark.parametrize("arrived_without", [True, False], ids=["in the central queue", "waiting unread"])
def test_a_coordinator_appointed_while_a_hand_over_waits_for_the_row_ends_the_central_right(
    reference_data, cast, arrived_without
):
    """The right to hand over is asked under the row lock: a hand-over that waited for the row while a
    coordinator was appointed is refused, not carried out on a check made before."""
    concern = submit_test_concern(cast, "race", "skarholmen")
    Concern.objects.filter(pk=concern.pk).update(without_coordinator=arrived_without)
    locked, errors, outcome = Barrier(2), [], []

    def appoint() -> None:
        try:
            with transaction.atomic():
                Concern.objects.select_for_update().get(pk=concern.pk)  # holds the row, as a handler would
                locked.wait(timeout=10)
                with connection.cursor() as cursor:  # until the hand-over waits for this row
                    for _ in range(200):
                        # The statistics are a snapshot per transaction unless cleared: clear, then look.
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            "AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.05)
                _appoint_coordinator("skarholmen")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    def hand_over() -> None:
        try:
            locked.wait(timeout=10)
            sharing.transfer(
                concern_id=concern.pk,
                actor=User.objects.get(pk=cast["central_coordinator"].pk),
                lock_version=concern.lock_version,
                to_organisation=_org("sodermalm"),
                legal_ground="OSL",
            )
            outcome.append("handed over")
        except PermissionDenied:
            outcome.append("refused")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=appoint), Thread(target=hand_over)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert outcome == ["refused"]
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "skarholmen"


def test_a_disclosure_reader_of_a_waiting_concern_is_not_told_it_is_in_the_central_queue(cast, make_concern):
    """A central coordinator who reads an orphaned concern through a disclosure to their organisation may
    hand it on, but the page does not claim it waits in the central queue: it arrived with a coordinator."""
    concern = make_concern("routed", organisation="jarva")
    sharing.disclose(
        concern_id=concern.pk,
        actor=User.objects.get(pk=cast["coordinator"].pk),
        to_organisation=_org("ks"),
        legal_ground="OSL 10 kap. 2 §",
        decided_by="Enhetschef",
    )
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    page = cast.client("central_coordinator").get(concern.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "efter ett röjande" in text and "saknar numera aktiv lokal samordnare" in text
    assert "väntar i den centrala samordnarens kö" not in text
