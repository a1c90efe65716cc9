"""Two keepers registering the same organisation number at the same moment, two adding the same link,
and two saving one actor from the same form (PostgreSQL: real locks). One wins; the other gets a
Swedish refusal, never an error page."""

from __future__ import annotations

from tests.races import POSTGRES_RACE, race
from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.collaboration import actors
from vbe.collaboration.models import Actor, ActorLink
from vbe.collaboration.tests.test_actors import NUMBER, dashed, details, link, make_actor

pytestmark = POSTGRES_RACE


def test_two_registrations_of_one_number_make_one_actor(cast):
    users = [cast["coordinator"], cast["coordinator_other"]]

    def register(i: int) -> Actor:
        user = User.objects.get(pk=users[i].pk)
        return actors.create_actor(user=user, details=details(name=f"Föreningen {i}"))

    results, refused = race(register)
    assert len(results) == 1 and len(refused) == 1
    winner = Actor.objects.get(org_number=dashed(NUMBER))
    assert refused[0] == f"Organisationsnumret {dashed(NUMBER)} finns redan i registret, för {winner.name}."
    assert AccessLogEntry.objects.filter(action="actor_created").count() == 1


def test_two_keepers_adding_one_link_make_one(cast):
    actor = make_actor(cast["coordinator"])
    users = [cast["coordinator"], cast["unit_manager"]]

    def add(i: int) -> ActorLink:
        return actors.add_link(user=User.objects.get(pk=users[i].pk), actor_id=actor.pk, link=link())

    results, refused = race(add)
    assert len(results) == 1 and len(refused) == 1 and "har redan en koppling" in refused[0]
    assert ActorLink.objects.count() == 1


def test_two_saves_from_one_form_keep_one(cast):
    actor = make_actor(cast["coordinator"])
    users = [cast["coordinator"], cast["central_coordinator"]]

    def save(i: int) -> Actor:
        user = User.objects.get(pk=users[i].pk)
        return actors.update_actor(user=user, actor_id=actor.pk, lock_version=1, details=details(name=f"Namn {i}"))

    results, refused = race(save)
    assert len(results) == 1 and len(refused) == 1 and "någon annan" in refused[0]
    actor.refresh_from_db()
    assert actor.lock_version == 2 and actor.name == results[0].name
