"""Issue 7 item 3: a concern about a child is never closed without an orosanmälan on record, or a
written reason why none was made."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from vbe.concerns import closure, services
from vbe.concerns.models import ActionKind, ActionTaken, Concern, Outcome, State
from vbe.organisations.models import Organisation

WARNING = "Ingen orosanmälan är registrerad"
CLOSE_REFUSED = "ingen orosanmälan är registrerad"


@pytest.fixture
def child_concern(make_concern):
    return make_concern("child", concerns_child="yes", child_report_made="unknown")


def _jarva_district():
    return Organisation.objects.get(slug="jarva").district


def _close(client, concern, **data):
    concern.refresh_from_db()
    return client.post(
        f"/oro/arenden/{concern.reference}/avsluta/",
        {
            "lock_version": concern.lock_version,
            "outcome": Outcome.NO_FURTHER_ACTION,
            "reason": "Oron var obefogad.",
            **data,
        },
    )


@pytest.mark.parametrize("outcome", list(Outcome))
def test_closing_a_child_concern_without_a_record_or_a_reason_is_refused(cast, child_concern, outcome):
    page = _close(cast.client("coordinator"), child_concern, outcome=outcome, reason="Skäl som ska finnas kvar")
    text = page.content.decode()
    assert page.status_code == 400
    assert "Ange om en orosanmälan har gjorts" in text
    assert "Skäl som ska finnas kvar" in text  # what the user typed is kept
    assert Concern.objects.get(pk=child_concern.pk).state == State.RECEIVED
    with pytest.raises(ValidationError, match=CLOSE_REFUSED):
        closure.close(
            concern_id=child_concern.pk,
            actor=cast["coordinator"],
            lock_version=1,
            outcome=outcome,
            reason="Skäl",
        )


def test_the_close_form_explains_each_missing_part_and_keeps_what_was_typed(cast, child_concern):
    client = cast.client("coordinator")
    made = _close(client, child_concern, child_report="made", child_report_made_by="", child_report_made_on="")
    text = made.content.decode()
    assert made.status_code == 400
    assert "Ange vem som gjorde orosanmälan" in text and "Ange när orosanmälan gjordes" in text
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    made = _close(
        client,
        child_concern,
        child_report="made",
        child_report_made_by="Rektor på skolan",
        child_report_made_on=future,
        child_report_district=_jarva_district().pk,
    )
    text = made.content.decode()
    assert "Datumet kan inte ligga i framtiden" in text and "Rektor på skolan" in text
    not_made = _close(client, child_concern, child_report="not_made", child_report_reason=" ")
    assert "Skriv varför ingen orosanmälan har gjorts" in not_made.content.decode()
    assert Concern.objects.get(pk=child_concern.pk).state == State.RECEIVED


def test_closing_is_allowed_when_the_close_form_records_who_made_it_and_when(cast, child_concern):
    response = _close(
        cast.client("coordinator"),
        child_concern,
        child_report="made",
        child_report_made_by="Rektor på skolan",
        child_report_made_on="2026-11-02",
        child_report_district=_jarva_district().pk,
    )
    assert response.status_code == 302
    concern = Concern.objects.get(pk=child_concern.pk)
    assert concern.state == State.CLOSED
    action = concern.actions.get(kind=ActionKind.CHILD_WELFARE_REPORT)
    assert (action.made_by, action.done_on) == ("Rektor på skolan", datetime.date(2026, 11, 2))
    # Who made it is encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT made_by FROM concerns_actiontaken WHERE id = %s", [action.pk])
        assert cursor.fetchone()[0].startswith("v1:")


def test_closing_is_allowed_with_a_written_reason_why_none_was_made(cast, child_concern):
    response = _close(
        cast.client("coordinator"),
        child_concern,
        child_report="not_made",
        child_report_reason="Socialtjänsten var redan informerad av polisen.",
    )
    assert response.status_code == 302
    concern = Concern.objects.get(pk=child_concern.pk)
    assert concern.state == State.CLOSED
    assert concern.child_report_not_made_reason == "Socialtjänsten var redan informerad av polisen."
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_report_not_made_reason FROM concerns_concern WHERE id = %s", [concern.pk])
        assert cursor.fetchone()[0].startswith("v1:")


def test_a_recorded_orosanmalan_action_counts_and_closing_then_needs_nothing_more(cast, child_concern):
    client = cast.client("coordinator")
    child_concern.refresh_from_db()
    response = client.post(
        f"/oro/arenden/{child_concern.reference}/atgard/",
        {
            "lock_version": child_concern.lock_version,
            "kind": ActionKind.CHILD_WELFARE_REPORT,
            "done_on": "2026-11-03",
            "district": _jarva_district().pk,
            "made_by": "Mentor",
            "note": "",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/oro/arenden/{child_concern.reference}/").content.decode()
    assert WARNING not in page
    assert _close(client, child_concern).status_code == 302
    assert Concern.objects.get(pk=child_concern.pk).state == State.CLOSED


def test_an_orosanmalan_action_must_say_who_made_it(cast, child_concern):
    with pytest.raises(ValidationError, match="vem som gjorde orosanmälan"):
        services.record_action(
            concern_id=child_concern.pk,
            actor=cast["coordinator"],
            lock_version=1,
            kind=ActionKind.CHILD_WELFARE_REPORT,
            done_on=datetime.date(2026, 11, 3),
            district_id=_jarva_district().pk,
        )
    assert not ActionTaken.objects.filter(concern=child_concern).exists()


def test_an_orosanmalan_without_who_made_it_does_not_count(cast, child_concern):
    """A record from before "who" was asked (or written around the service) is not enough."""
    ActionTaken.objects.create(
        concern=child_concern,
        kind=ActionKind.CHILD_WELFARE_REPORT,
        done_on=datetime.date(2026, 11, 3),
        district=_jarva_district(),
        recorded_by=cast["coordinator"],
    )
    assert services.needs_child_report(Concern.objects.get(pk=child_concern.pk))
    assert _close(cast.client("coordinator"), child_concern).status_code == 400


def test_the_case_view_warns_while_no_orosanmalan_is_recorded(cast, child_concern):
    page = cast.client("coordinator").get(f"/oro/arenden/{child_concern.reference}/").content.decode()
    assert "govuk-warning-text" in page and WARNING in page


def test_no_warning_when_the_concern_is_not_about_a_child(cast, make_concern):
    concern = make_concern("adult", concerns_child="no")
    page = cast.client("coordinator").get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert WARNING not in page
    assert _close(cast.client("coordinator"), concern).status_code == 302


@pytest.fixture
def maybe_child(make_concern):
    """The reporter answered "Vet inte": it may be about a child, so it is handled as one until the
    handler records an orosanmälan or why none was made."""
    return make_concern("maybe", concerns_child="unknown")


def test_a_concern_that_may_be_about_a_child_warns_and_says_why(cast, maybe_child):
    page = cast.client("coordinator").get(f"/oro/arenden/{maybe_child.reference}/").content.decode()
    assert "govuk-warning-text" in page and WARNING in page
    assert "Oron kan gälla ett barn" in page and "personen är vuxen" in page


def test_a_concern_that_may_be_about_a_child_is_not_closed_without_a_record_or_a_reason(cast, maybe_child):
    page = _close(cast.client("coordinator"), maybe_child)
    assert page.status_code == 400 and "Ange om en orosanmälan har gjorts" in page.content.decode()
    assert Concern.objects.get(pk=maybe_child.pk).state == State.RECEIVED
    with pytest.raises(ValidationError, match=CLOSE_REFUSED):
        closure.close(
            concern_id=maybe_child.pk,
            actor=cast["coordinator"],
            lock_version=1,
            outcome=Outcome.NO_FURTHER_ACTION,
            reason="Oron var obefogad.",
        )


def test_a_concern_that_may_be_about_a_child_closes_with_the_reason_that_the_person_is_an_adult(cast, maybe_child):
    response = _close(
        cast.client("coordinator"), maybe_child, child_report="not_made", child_report_reason="Personen är vuxen."
    )
    assert response.status_code == 302
    concern = Concern.objects.get(pk=maybe_child.pk)
    assert concern.state == State.CLOSED and concern.child_report_not_made_reason == "Personen är vuxen."
    assert not services.needs_child_report(concern)


def test_the_reporters_word_alone_is_not_a_record(cast, make_concern):
    """The reporter said one was already made: the handler still records by whom and when."""
    concern = make_concern("told", concerns_child="yes", child_report_made="yes")
    page = cast.client("coordinator").get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert WARNING in page and "Rapportören uppgav att en orosanmälan redan har gjorts" in page
