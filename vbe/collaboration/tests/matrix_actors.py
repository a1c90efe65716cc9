"""URL × role entries for the actors pages.

The register and an actor's page are read by coordinators, unit managers, the central coordinator and
board readers of any organisation; all of them but the board readers register and change actors and
add links (each assesses for their own organisation). Removing a link is a POST.
"""

from __future__ import annotations

from tests.matrix import NOT_ALLOWED, Entry, expect, only
from vbe.accounts.models import User
from vbe.collaboration.models import Actor, ActorKind, ActorLink, LinkKind
from vbe.organisations.models import Organisation

KEEPERS = ("unit_manager", "coordinator", "coordinator_other", "coordinator_board", "central_coordinator")
READERS = (*KEEPERS, "board_reader")
NAME = "Matrisföreningen"


def _actor(ctx: dict) -> int:
    """An actor with one Järva grant, made once per test."""
    actor = Actor.objects.filter(name=NAME).first()
    if actor is None:
        creator = User.objects.get(email="coordinator@test.example")
        actor = Actor.objects.create(name=NAME, kind=ActorKind.NON_PROFIT, created_by=creator)
        ActorLink.objects.create(
            actor=actor,
            organisation=Organisation.objects.get(slug="jarva"),
            kind=LinkKind.GRANT,
            reference="JARVA 2026/1",
            created_by=creator,
        )
    return actor.pk


def _link(ctx: dict) -> str:
    pk = _actor(ctx)
    return f"/samverkan/aktorer/{pk}/kopplingar/{ActorLink.objects.get(actor_id=pk).pk}/ta-bort/"


MATRIX = {
    "collaboration:actors": Entry(lambda ctx: "/samverkan/aktorer/", only(*READERS)),
    "collaboration:actor_create": Entry(lambda ctx: "/samverkan/aktorer/ny/", only(*KEEPERS)),
    "collaboration:actor": Entry(lambda ctx: f"/samverkan/aktorer/{_actor(ctx)}/", only(*READERS)),
    "collaboration:actor_edit": Entry(lambda ctx: f"/samverkan/aktorer/{_actor(ctx)}/andra/", only(*KEEPERS)),
    "collaboration:actor_link_add": Entry(
        lambda ctx: f"/samverkan/aktorer/{_actor(ctx)}/kopplingar/ny/", only(*KEEPERS)
    ),
    # POST only: a GET is refused before anyone's role is asked.
    "collaboration:actor_link_remove": Entry(_link, expect(NOT_ALLOWED)),
}
