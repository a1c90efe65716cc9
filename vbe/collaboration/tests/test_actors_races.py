"""Two keepers registering the same organisation number at the same moment, two adding the same link,
and two saving one actor from the same form (PostgreSQL: real locks). One wins; the other gets a
Swedish refusal, never an error page."""

from __future__ import annotations

from collections.abc import Callable
from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.collaboration import actors
from vbe.collaboration.models import Actor, ActorLink
from vbe.collaboration.tests.test_actors import NUMBER, dashed, details, link, make_actor

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def _race(work: Callable[[int], object], n: int = 2) -> tuple[list[object], list[str]]:
    barrier, results, refused, errors = Barrier(n), [], [], []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(i))
        except ValidationError as exc:
            refused.extend(exc.messages)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results, refused


def test_two_registrations_of_one_number_make_one_actor(cast):
    users = [cast["coordinator"], cast["coordinator_other"]]

    def register(i: int) -> Actor:
        user = User.objects.get(pk=users[i].pk)
        return actors.create_actor(user=user, details=details(name=f"Föreningen {i}"))

    results, refused = _race(register)
    assert len(results) == 1 and len(refused) == 1
    winner = Actor.objects.get(org_number=dashed(NUMBER))
    assert refused[0] == f"Organisationsnumret {dashed(NUMBER)} finns redan i registret, för {winner.name}."
    assert AccessLogEntry.objects.filter(action="actor_created").count() == 1


def test_two_keepers_adding_one_link_make_one(cast):
    actor = make_actor(cast["coordinator"])
    users = [cast["coordinator"], cast["unit_manager"]]

    def add(i: int) -> ActorLink:
        return actors.add_link(user=User.objects.get(pk=users[i].pk), actor_id=actor.pk, link=link())

    results, refused = _race(add)
    assert len(results) == 1 and len(refused) == 1 and "har redan en koppling" in refused[0]
    assert ActorLink.objects.count() == 1


def test_two_saves_from_one_form_keep_one(cast):
    actor = make_actor(cast["coordinator"])
    users = [cast["coordinator"], cast["central_coordinator"]]

    def save(i: int) -> Actor:
        user = User.objects.get(pk=users[i].pk)
        return actors.update_actor(user=user, actor_id=actor.pk, lock_version=1, details=details(name=f"Namn {i}"))

    results, refused = _race(save)
    assert len(results) == 1 and len(refused) == 1 and "någon annan" in refused[0]
    actor.refresh_from_db()
    assert actor.lock_version == 2 and actor.name == results[0].name
