"""Two coordinators saving the first measure of a year's list at the same moment (PostgreSQL: real row
locks). The list row is made by the first write: both find none, one inserts it, the other waits on the
unique (organisation, year) index, then reads the row under its lock and finds a newer version. One
measure is saved; the other coordinator is told to reload, and nothing is written twice."""

from __future__ import annotations

from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import Membership, Role, User
from vbe.organisations.models import Organisation
from vbe.plans import measure_lists
from vbe.plans.models import ListedMeasure, MeasureList
from vbe.plans.tests.conftest import THIS_YEAR

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def test_two_first_saves_of_a_years_list_at_once_keep_one(reference_data):
    company = Organisation.objects.get(slug="familjebostader")
    coordinators = []
    for name in ("forsta", "andra"):
        user = User.objects.create_user(email=f"{name}@test.example", password="x-Secret-2026!", full_name=name)
        Membership.objects.create(user=user, organisation=company, role=Role.COORDINATOR)
        coordinators.append(user)
    area = measure_lists.responsible_areas(company)[0]
    barrier, refused, errors = Barrier(2), [], []

    def save(actor: User, title: str) -> None:
        try:
            barrier.wait(timeout=10)
            measure_lists.save_listed_measure(
                actor=actor, organisation=company, year=THIS_YEAR, lock_version=0, title=title, focus_area=area
            )
        except ValidationError as exc:
            refused.extend(exc.messages)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=save, args=(actor, f"Åtgärd {n}")) for n, actor in enumerate(coordinators)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(refused) == 1 and "ändrats" in refused[0]
    assert MeasureList.objects.filter(organisation=company, year=THIS_YEAR).count() == 1
    assert ListedMeasure.objects.filter(measure_list__organisation=company).count() == 1
    assert MeasureList.objects.get(organisation=company, year=THIS_YEAR).lock_version == 1
