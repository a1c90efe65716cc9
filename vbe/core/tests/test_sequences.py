"""The one counter behind every reference number (issue 7, item 1)."""

from __future__ import annotations

import datetime
from threading import Barrier, Thread

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vbe.core import sequences
from vbe.core.models import ReferenceCounter


def test_numbers_follow_each_other_per_prefix_and_year(db):
    assert sequences.allocate(prefix="ORO", year=2026) == ["ORO-2026-00001"]
    assert sequences.allocate(prefix="ORO", year=2026, count=3) == [
        "ORO-2026-00002",
        "ORO-2026-00003",
        "ORO-2026-00004",
    ]
    assert sequences.allocate(prefix="ORO", year=2027) == ["ORO-2027-00001"]
    assert sequences.allocate(prefix="HÄN", year=2026) == ["HÄN-2026-00001"]
    assert ReferenceCounter.objects.get(prefix="ORO", year=2026).last_number == 4
    with pytest.raises(ValueError):
        sequences.allocate(prefix="ORO", year=2026, count=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
def test_the_first_numbers_of_a_new_year_taken_at_the_same_moment_are_all_different():
    """Every thread finds no counter row and inserts it: one wins, the others must lock that row."""
    n, barrier, numbers, errors = 8, Barrier(8), [], []

    def take() -> None:
        try:
            barrier.wait(timeout=10)
            numbers.extend(sequences.allocate(prefix="TST", year=2031))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=take) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(numbers) == [f"TST-2031-{i:05d}" for i in range(1, n + 1)]
    assert ReferenceCounter.objects.get(prefix="TST", year=2031).last_number == n


@pytest.mark.django_db(transaction=True)
def test_the_migrations_carry_over_every_number_already_used(reference_data, cast):
    """Incidents' old sequence and the concerns already numbered seed the counter, so no number is reused."""
    from vbe.concerns.models import Concern
    from vbe.incidents.tests.factories import make_incident
    from vbe.organisations.models import Organisation

    # Made with today's model while the schema is today's; the migrations back keep the row.
    incident = make_incident(reporter=cast["staff"])
    before = [("incidents", "0002_without_coordinator"), ("core", "0001_reference_counter")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    # The migration back turned the counter of the incident made above into a sequence row: start afresh.
    old.get_model("incidents", "ReferenceSequence").objects.all().delete()
    old.get_model("incidents", "ReferenceSequence").objects.create(year=2025, last_number=41)
    old.get_model("incidents", "Incident").objects.filter(pk=incident.pk).update(reference="HÄN-2024-00007")
    old.get_model("core", "ReferenceCounter").objects.all().delete()  # as before the counter existed
    jarva = Organisation.objects.get(slug="jarva")
    for reference in ("ORO-2025-00009", "ORO-2025-00012", "ORO-2026-00003"):
        Concern.objects.create(
            reference=reference,
            reporter=cast["staff"],
            reporter_organisation=jarva,
            reported_to=jarva,
            organisation=jarva,
            idempotency_key=reference,
            observation="x",
            observed_on=datetime.date(2025, 1, 1),
            concerns_child="no",
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    counters = {(c.prefix, c.year): c.last_number for c in ReferenceCounter.objects.all()}
    assert counters == {("HÄN", 2025): 41, ("HÄN", 2024): 7, ("ORO", 2025): 12, ("ORO", 2026): 3}
    assert sequences.allocate(prefix="HÄN", year=2025) == ["HÄN-2025-00042"]
    assert sequences.allocate(prefix="ORO", year=2025) == ["ORO-2025-00013"]
