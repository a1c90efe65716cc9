"""The central queue is decided when asked, never from a stored flag (issue 7, item 2, red team):
an open concern whose organisation has no active coordinator right now is in the central coordinator's
queue; the moment a coordinator appears the central coordinator's access ends, and the moment the last
one goes the central coordinator sees the concern. The hand-over message says who really has it."""

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
from vbe.concerns import services
from vbe.concerns.models import Concern, State
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.organisations.models import Organisation

SKARHOLMEN = "Skärholmen stadsdelsnämnd"


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _appoint_coordinator(slug: str, email: str = "ny-samordnare@test.example") -> User:
    user = User.objects.create_user(email=email, password="x-losenord-123", full_name="Ny Samordnare")
    Membership.objects.create(user=user, organisation=_org(slug), role=Role.COORDINATOR)
    return user


def _central_sees(cast, concern: Concern) -> tuple[bool, bool, int, bool]:
    """(rule, selector, detail status, in the list) for the central coordinator, each asked afresh."""
    user = User.objects.get(pk=cast["central_coordinator"].pk)  # no cached memberships
    concern = Concern.objects.get(pk=concern.pk)
    rule = permissions.can(user, Action.VIEW_CONCERN, concern)
    selector = permissions.concerns_visible_to(user, Concern.objects.all()).filter(pk=concern.pk).exists()
    client = cast.client("central_coordinator")
    status = client.get(f"/oro/arenden/{concern.reference}/").status_code
    listed = concern.reference in client.get("/oro/arenden/").content.decode()
    return rule, selector, status, listed


def _hand_over(client, concern: Concern, slug: str):
    concern.refresh_from_db()
    return client.post(
        f"/oro/arenden/{concern.reference}/overlamna/",
        {"version": concern.version, "to_organisation": _org(slug).pk, "legal_ground": "OSL 10 kap. 2 §"},
    )


def test_when_the_organisation_gets_a_coordinator_central_access_ends_at_once(cast, make_concern):
    concern = make_concern("waiting", organisation="skarholmen")
    assert _central_sees(cast, concern) == (True, True, 200, True)
    newcomer = _appoint_coordinator("skarholmen")
    assert _central_sees(cast, concern) == (False, False, 404, False)
    assert not permissions.can(cast["central_coordinator"], Action.HAND_OVER_CONCERN, Concern.objects.get())
    assert _hand_over(cast.client("central_coordinator"), concern, "sodermalm").status_code == 404
    # The service refuses too, under the row lock: a check made before the coordinator came is not enough.
    concern.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.transfer(
            request=None,
            concern_id=concern.pk,
            actor=User.objects.get(pk=cast["central_coordinator"].pk),
            version=concern.version,
            to_organisation=_org("sodermalm"),
            legal_ground="OSL",
        )
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "skarholmen"
    # The new coordinator has it.
    assert permissions.can(newcomer, Action.HANDLE_CONCERN, Concern.objects.get(pk=concern.pk))


def test_a_deactivated_new_coordinator_puts_it_back_in_the_queue(cast, make_concern):
    concern = make_concern("waiting", organisation="skarholmen")
    newcomer = _appoint_coordinator("skarholmen")
    assert _central_sees(cast, concern)[0] is False
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    assert _central_sees(cast, concern) == (True, True, 200, True)


def test_when_the_last_coordinator_goes_the_central_coordinator_sees_the_open_concern_at_once(cast, make_concern):
    concern = make_concern("routed", organisation="jarva")
    assert not concern.without_coordinator  # it arrived with a coordinator there
    assert _central_sees(cast, concern) == (False, False, 404, False)
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    assert _central_sees(cast, concern) == (True, True, 200, True)
    page = cast.client("central_coordinator").get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert "väntar i den centrala samordnarens kö" in page
    assert f'action="/oro/arenden/{concern.reference}/overlamna/"' in page
    listing = cast.client("central_coordinator").get("/oro/arenden/").content.decode()
    assert "Saknar samordnare" in listing
    # And it can be handed on from there.
    assert _hand_over(cast.client("central_coordinator"), concern, "sodermalm").status_code == 302
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "sodermalm"


def test_a_deactivated_coordinator_counts_as_gone(cast, make_concern):
    concern = make_concern("routed", organisation="jarva")
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    assert _central_sees(cast, concern) == (True, True, 200, True)


def test_rows_stored_before_the_queue_existed_are_in_it_without_a_back_fill(cast, make_concern):
    """A concern at an organisation without a coordinator, stored with the flag False (as every row
    from before the queue was): the central coordinator reads it all the same."""
    concern = make_concern("old", organisation="skarholmen")
    Concern.objects.filter(pk=concern.pk).update(without_coordinator=False)
    assert _central_sees(cast, concern) == (True, True, 200, True)


def test_a_closed_concern_is_not_in_the_queue(cast, make_concern):
    concern = make_concern("closed", organisation="skarholmen")
    Concern.objects.filter(pk=concern.pk).update(state=State.CLOSED)
    assert _central_sees(cast, concern) == (False, False, 404, False)


def test_queue_rule_and_selector_agree_through_every_transition(cast, make_concern):
    """Over the cast, for open and closed concerns, before and after coordinators come and go."""
    concerns = [make_concern(f"k{n}", organisation=slug) for n, slug in enumerate(["jarva", "skarholmen", "ks"])]
    Concern.objects.filter(pk=concerns[2].pk).update(state=State.CLOSED)

    def check(stage: str) -> None:
        for name in cast:
            user = User.objects.get(pk=cast[name].pk)
            selected = set(permissions.concerns_visible_to(user, Concern.objects.all()).values_list("pk", flat=True))
            allowed = {c.pk for c in Concern.objects.all() if permissions.can(user, Action.VIEW_CONCERN, c)}
            assert selected == allowed, (stage, name)

    check("start")
    _appoint_coordinator("skarholmen")
    check("skarholmen has a coordinator")
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    check("jarva lost its coordinator")


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
def test_a_coordinator_appointed_while_a_hand_over_waits_for_the_row_ends_the_central_right(reference_data, cast):
    """The right to hand over is asked under the row lock: a hand-over that waited for the row while a
    coordinator was appointed is refused, not carried out on a check made before."""
    concern = submit_test_concern(cast, "race", "skarholmen")
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
            services.transfer(
                request=None,
                concern_id=concern.pk,
                actor=User.objects.get(pk=cast["central_coordinator"].pk),
                version=concern.version,
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
