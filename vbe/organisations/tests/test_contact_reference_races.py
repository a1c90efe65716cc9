"""Two loads of the reference data at once (PostgreSQL: real unique-index waits): every contact route
and partner exists once afterwards, and neither load fails."""

from __future__ import annotations

from threading import Barrier, Thread

import pytest
from django.db import connection

from vbe.organisations.models import ContactRoute, Partner
from vbe.organisations.reference import load_contacts

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL"),
]


def test_two_loads_at_once_make_each_route_and_partner_once(reference_data):
    ContactRoute.objects.all().delete()
    Partner.objects.filter(name__startswith="Redex").delete()
    barrier, results, errors = Barrier(2), [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(load_contacts())
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(r["contact_routes"] for r in results) == ContactRoute.objects.count() == 13
    assert sum(r["partners"] for r in results) == 1
    assert Partner.objects.filter(name__startswith="Redex").count() == 1
