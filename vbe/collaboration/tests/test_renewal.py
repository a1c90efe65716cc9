"""Renewal reminders on a frozen day: not before the notice period, once in it, to the assessing
organisation's assessors only, never for a superseded decision, a decision other than "meets", or one
already reminded; no working notes in the mail."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from vbe.audit.models import AccessLogEntry
from vbe.collaboration import renewal, tasks
from vbe.collaboration.models import Assessment, Decision, LinkKind
from vbe.collaboration.tests.assessments_fixtures import make_actor, org
from vbe.jobs.schedule import PERIODIC
from vbe.notifications.models import Notification

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def on(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def decided(
    cast, name: str, valid_until: datetime.date, *, decision: str = Decision.MEETS, slug: str = "jarva", **extra
) -> Assessment:
    return Assessment.objects.create(
        actor=make_actor(name, created_by=cast["coordinator"]),
        organisation=org(slug),
        purpose=LinkKind.GRANT,
        decision=decision,
        deciding_body="Nämnden",
        decided_on=on(-300),
        valid_until=valid_until,
        evidence="HEMLIGT-UNDERLAG",
        reasons="HEMLIG-MOTIVERING",
        created_by=cast["coordinator"],
        **extra,
    )


@pytest.fixture
def world(cast, settings):
    settings.SITE_URL = "https://vbe.example"
    settings.VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS = 60
    superseded = decided(cast, "Ersatta föreningen", on(10))
    Assessment.objects.create(
        actor=superseded.actor,
        organisation=org("jarva"),
        purpose=LinkKind.GRANT,
        supersedes=superseded,
        created_by=cast["coordinator"],
    )
    return {
        "due": decided(cast, "Snart-föreningen", on(60)),
        "early": decided(cast, "Tidiga föreningen", on(61)),
        "fails": decided(cast, "Nekade föreningen", on(5), decision=Decision.FAILS),
        "reminded": decided(cast, "Påminda föreningen", on(5), renewal_reminded_on=on(-10)),
        "superseded": superseded,
        "ks": decided(cast, "Centrala föreningen", on(30), slug="ks"),
    }


def told() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in mail.outbox:
        found.setdefault(message.subject, []).extend(message.to)
    return found


def test_reminded_once_in_the_window_and_not_before(cast, world):
    result = renewal.run(today=TODAY)
    assert result.reminded == 2
    assert told() == {
        "Bedömningen av Snart-föreningen behöver förnyas före 1 maj 2026": [
            "unit_manager@test.example",
            "coordinator@test.example",
        ],
        # The executive board's assessor is the central coordinator.
        "Bedömningen av Centrala föreningen behöver förnyas före 1 april 2026": ["central_coordinator@test.example"],
    }
    message = next(m for m in mail.outbox if "Snart" in m.subject)
    assert f"https://vbe.example/samverkan/bedomningar/{world['due'].pk}/" in message.body
    assert "HEMLIG" not in message.body and "HEMLIG" not in message.alternatives[0][0]
    world["due"].refresh_from_db()
    assert world["due"].renewal_reminded_on == TODAY
    for name in ("early", "fails", "superseded"):
        world[name].refresh_from_db()
        assert world[name].renewal_reminded_on is None, name
    world["reminded"].refresh_from_db()
    assert world["reminded"].renewal_reminded_on == on(-10)
    assert AccessLogEntry.objects.filter(action="democracy_renewal_reminded").count() == 2

    mail.outbox.clear()
    assert renewal.run(today=TODAY).reminded == 0 and not mail.outbox
    # A day later the early one has come within the window; the others stay told once.
    assert renewal.run(today=on(1)).reminded == 1
    assert list(told()) == ["Bedömningen av Tidiga föreningen behöver förnyas före 2 maj 2026"]


def test_a_decision_that_has_run_out_unreminded_is_told_so(cast, world):
    gone = decided(cast, "Utgångna föreningen", on(-3))
    renewal.run(today=TODAY)
    assert "Beslutet om Utgångna föreningen har gått ut: förnya bedömningen" in told()
    gone.refresh_from_db()
    assert gone.renewal_reminded_on == TODAY


def test_nobody_to_tell_records_nothing(cast, settings):
    settings.VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS = 60
    lonely = decided(cast, "Ensamma föreningen", on(10), slug="skarholmen")
    assert renewal.run(today=TODAY).reminded == 0
    lonely.refresh_from_db()
    assert (
        lonely.renewal_reminded_on is None
        and not Notification.objects.filter(kind="democracy_renewal_reminder").exists()
    )


def test_the_daily_job_is_scheduled_and_runs(cast, world, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda *args: TODAY)
    assert "collaboration.renewal_reminders" in PERIODIC
    assert PERIODIC["collaboration.renewal_reminders"].interval == datetime.timedelta(days=1)
    result = tasks.send_renewal_reminders.call()
    assert result == {"reminded": 2}
