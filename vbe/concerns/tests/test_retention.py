"""Gallring: purge behaviour, idempotence, legal holds, and year boundaries."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from vbe.audit.models import AccessLogEntry
from vbe.concerns import closure, services
from vbe.concerns.models import Concern, Outcome, PurgeRecord, RetentionPeriod
from vbe.concerns.retention import days_left, purge_expired


def _closed(make_concern, cast, key, *, outcome=Outcome.HANDED_OVER, closed_on=datetime.date(2025, 12, 20)):
    concern = make_concern(key)
    services.record_action(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=1,
        kind="sip",
        done_on=datetime.date(2025, 12, 1),
        note="Anteckning om personen",
    )
    closure.close(concern_id=concern.pk, actor=cast["coordinator"], lock_version=2, outcome=outcome, reason="Skäl")
    period = RetentionPeriod.objects.get(outcome=outcome).days
    Concern.objects.filter(pk=concern.pk).update(retain_until=closed_on + datetime.timedelta(days=period))
    return Concern.objects.get(pk=concern.pk)


@pytest.fixture
def short_periods(db):
    RetentionPeriod.objects.update_or_create(outcome=Outcome.HANDED_OVER, defaults={"days": 10})
    RetentionPeriod.objects.update_or_create(outcome=Outcome.NO_FURTHER_ACTION, defaults={"days": 30})


def test_purge_across_the_year_boundary(cast, make_concern, short_periods):
    concern = _closed(make_concern, cast, "a")  # closed 2025-12-20, kept 10 days: due 2025-12-30
    assert purge_expired(today=datetime.date(2025, 12, 29)).purged == 0
    protocol = purge_expired(today=datetime.date(2026, 1, 2))
    assert (protocol.purged, protocol.references) == (1, concern.reference)
    concern.refresh_from_db()
    assert concern.purged_at is not None and concern.reporter is None
    assert (concern.observation, concern.person_name, concern.person_pnr, concern.person_pnr_index) == ("", "", "", "")
    assert concern.actions.get().note == ""
    # What statistics need stays.
    assert concern.organisation.slug == "jarva" and concern.outcome == Outcome.HANDED_OVER


def test_purge_is_idempotent(cast, make_concern, short_periods):
    _closed(make_concern, cast, "a")
    purge_expired(today=datetime.date(2026, 1, 2))
    again = purge_expired(today=datetime.date(2026, 1, 2))
    assert again.purged == 0 and PurgeRecord.objects.count() == 2


def test_dry_run_changes_nothing_but_reports(cast, make_concern, short_periods):
    concern = _closed(make_concern, cast, "a")
    protocol = purge_expired(today=datetime.date(2026, 1, 2), dry_run=True)
    assert protocol.purged == 1 and protocol.dry_run
    assert Concern.objects.get(pk=concern.pk).observation == "Observerat beteende"


def test_legal_hold_is_respected(cast, make_concern, short_periods):
    concern = _closed(make_concern, cast, "a")
    Concern.objects.filter(pk=concern.pk).update(legal_hold=True, legal_hold_reason="Förundersökning")
    protocol = purge_expired(today=datetime.date(2026, 6, 1))
    assert (protocol.purged, protocol.held) == (0, 1)
    assert Concern.objects.get(pk=concern.pk).person_name == "Testperson Testsson"


def test_periods_differ_per_outcome(cast, make_concern, short_periods):
    handed = _closed(make_concern, cast, "a", outcome=Outcome.HANDED_OVER)
    nothing = _closed(make_concern, cast, "b", outcome=Outcome.NO_FURTHER_ACTION)
    purge_expired(today=datetime.date(2026, 1, 5))
    assert Concern.objects.get(pk=handed.pk).purged_at is not None
    assert Concern.objects.get(pk=nothing.pk).purged_at is None
    assert days_left(Concern.objects.get(pk=nothing.pk), today=datetime.date(2026, 1, 5)) == 14


def test_open_concerns_are_never_purged(make_concern):
    concern = make_concern()
    Concern.objects.filter(pk=concern.pk).update(retain_until=datetime.date(2000, 1, 1))
    assert purge_expired(today=datetime.date(2026, 1, 1)).purged == 0


def test_command_and_handlers_see_the_countdown(cast, make_concern, short_periods, capsys):
    concern = _closed(make_concern, cast, "a", closed_on=datetime.date.today())
    page = cast.client("coordinator").get("/oro/arenden/").content.decode()
    assert "Gallras om 10 dagar" in page
    call_command("purge_expired", "--dry-run")
    assert "0 ärenden skulle gallras" in capsys.readouterr().out
    call_command("purge_expired", "--date", (datetime.date.today() + datetime.timedelta(days=11)).isoformat())
    assert concern.reference in capsys.readouterr().out
    assert AccessLogEntry.objects.filter(action="concerns_purged").count() == 1


def test_key_rotation_re_encrypts_everything(cast, make_concern, settings):
    concern = make_concern()
    old_ring = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = {"k2": b"r" * 32, **old_ring}
    call_command("rotate_encryption_keys")
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_name FROM concerns_concern WHERE id = %s", [concern.pk])
        assert cursor.fetchone()[0].startswith("v1:k2:")
    settings.FIELD_ENCRYPTION_KEYS = {"k2": b"r" * 32}  # the old key can now be withdrawn
    assert Concern.objects.get(pk=concern.pk).person_name == "Testperson Testsson"
