"""Dates of actions, consents and a recorded orosanmälan are refused when they lie before the concern
could have been relevant (more than five years before it was received), so 0001-01-01 is no date."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vbe.concerns import closure, services, sharing
from vbe.concerns.models import ActionKind, ActionTaken, Concern, Consent, Outcome, State

TOO_EARLY = "mer än fem år före"


def _received(concern: Concern) -> datetime.date:
    return timezone.localtime(concern.created_at).date()


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _action(concern, cast, done_on):
    return services.record_action(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=Concern.objects.get(pk=concern.pk).lock_version,
        kind=ActionKind.SIP,
        done_on=done_on,
    )


def _consent(concern, cast, given_on):
    return sharing.record_consent(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=Concern.objects.get(pk=concern.pk).lock_version,
        purpose="SIG",
        given_by="Personen",
        given_on=given_on,
    )


@pytest.mark.parametrize("record", [_action, _consent])
def test_a_date_long_before_the_concern_is_refused(cast, make_concern, record):
    concern = make_concern()
    earliest = _years_before(_received(concern), 5)
    for day in (datetime.date(1, 1, 1), earliest - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError, match=TOO_EARLY):
            record(concern, cast, day)
    assert not ActionTaken.objects.filter(concern=concern).exists()
    assert not Consent.objects.filter(concern=concern).exists()
    record(concern, cast, earliest)  # five years before is still a date that can matter


def test_the_case_page_says_why_the_date_is_refused(cast, make_concern):
    concern = make_concern()
    page = cast.client("coordinator").post(
        f"/oro/arenden/{concern.reference}/atgard/",
        {"lock_version": 1, "kind": ActionKind.SIP, "done_on": "0001-01-01", "note": ""},
    )
    assert page.status_code == 400 and TOO_EARLY in page.content.decode()
    page = cast.client("coordinator").post(
        f"/oro/arenden/{concern.reference}/samtycke/",
        {"lock_version": 1, "purpose": "SIG", "given_by": "Personen", "given_on": "0001-01-01"},
    )
    assert page.status_code == 400 and TOO_EARLY in page.content.decode()


def test_an_orosanmalan_recorded_on_closing_is_held_to_the_same_dates(cast, make_concern):
    concern = make_concern("child", concerns_child="yes")
    district = concern.organisation.district
    with pytest.raises(ValidationError, match=TOO_EARLY):
        closure.close(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            lock_version=1,
            outcome=Outcome.MEASURES_COMPLETED,
            child_report=closure.CHILD_REPORT_MADE,
            child_report_made_by="Rektor",
            child_report_made_on=datetime.date(1, 1, 1),
            child_report_district_id=district.pk,
        )
    assert Concern.objects.get(pk=concern.pk).state == State.RECEIVED
