"""Migration 0009: the reporter's environment is reset to "not assessed" (and statistics 0003 counts
again), "socialjouren/Redex" becomes the contact with socialjouren, and the old referral actions become
referrals marked as recorded before the checklist."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

BEFORE = [("concerns", "0008_list_order_indexes"), ("statistics", "0002_count_existing_records")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    # Forward to the newest migrations means every app's: going back unapplied the apps that depend on
    # these (collaboration) too, and the next test needs their tables.
    executor.migrate(leaves if set(targets) <= set(leaves) else targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_environments_are_reset_and_old_actions_become_what_they_were(cast):
    graph = MigrationExecutor(connection).loader.graph
    leaves = [graph.leaf_nodes(app)[0] for app in ("concerns", "statistics")]
    old = _migrate(BEFORE)
    try:
        Concern = old.get_model("concerns", "Concern")
        # only(): the historical model is that of an older organisations migration than the table's.
        jarva = old.get_model("organisations", "Organisation").objects.only("slug").get(slug="jarva")
        concern = Concern.objects.create(
            reference="ORO-2025-00001",
            reporter_id=cast["staff"].pk,
            reporter_organisation=jarva,
            reported_to=jarva,
            organisation=jarva,
            idempotency_key="migration",
            observation="Observerat",
            observed_on=datetime.date(2025, 1, 1),
            concerns_child="no",
            environment="islamist",
        )
        ActionTaken = old.get_model("concerns", "ActionTaken")
        district, _ = old.get_model("organisations", "District").objects.get_or_create(
            code="T-9", defaults={"name": "Testområdet"}
        )
        for kind in ("social_emergency_redex", "sig", "relatives_support", "sip"):
            ActionTaken.objects.create(
                concern=concern,
                kind=kind,
                done_on=datetime.date(2025, 1, 2),
                note=f"Anteckning {kind}",
                recorded_by_id=cast["coordinator"].pk,
            )
        # What the referral has no field for, and when it was recorded (auto_now_add: set afterwards).
        sig = ActionTaken.objects.get(kind="sig")
        sig.made_by, sig.district = "Fältassistent", district
        sig.save()
        recorded = datetime.datetime(2025, 1, 3, 9, 30, tzinfo=datetime.UTC)
        ActionTaken.objects.filter(kind__in=("sig", "relatives_support")).update(recorded_at=recorded)
        from vbe.statistics import summary

        summary.rebuild(apps=old)  # what 0002 would have counted: the reporter's "islamist"
        counts = old.get_model("statistics", "ConcernCount").objects.filter(dimension="environment")
        assert counts.filter(value="islamist").aggregate(total=Sum("n"))["total"] == 1

        _migrate(leaves)
        from vbe.concerns.models import Concern as Current
        from vbe.statistics.models import ConcernCount

        current = Current.objects.get(reference="ORO-2025-00001")
        assert current.environment == "unknown"
        assert sorted(current.actions.values_list("kind", flat=True)) == ["sip", "social_emergency"]
        moved = {r.kind: r for r in current.referrals.all()}
        assert sorted(moved) == ["relatives_district", "sig"]
        assert all(r.before_checklist and r.preconditions == [] for r in moved.values())
        # Still encrypted and readable, with who made it and the district kept in the note.
        assert moved["sig"].note == f"Anteckning sig\nGjord av: Fältassistent\nStadsdelsområde: {district.name}"
        assert moved["relatives_district"].note == "Anteckning relatives_support"
        with connection.cursor() as cursor:
            cursor.execute("SELECT note FROM concerns_referral WHERE id = %s", [moved["sig"].pk])
            assert "Fältassistent" not in cursor.fetchone()[0]  # ciphertext at rest
        assert {r.recorded_at for r in moved.values()} == {recorded}  # not the migration's time
        environment = ConcernCount.objects.filter(dimension="environment")
        assert not environment.filter(value="islamist").exists()
        assert environment.filter(value="unknown").aggregate(total=Sum("n"))["total"] == 1
    finally:
        _migrate(leaves)
