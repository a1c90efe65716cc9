"""The register and an actor's page keep to the query bound (≤ 20) and make no more queries when the
register grows to some 60 actors or an actor gets more links."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.collaboration.models import Actor, ActorKind, ActorLink, LinkKind
from vbe.organisations.models import Organisation

MAX_QUERIES = 20


def _grow(user, n: int) -> None:
    start = Actor.objects.count()
    kinds = ActorKind.values
    Actor.objects.bulk_create(
        Actor(name=f"Förening {i:03d}", kind=kinds[i % len(kinds)], created_by=user) for i in range(start, start + n)
    )


def _link_all(user, actor: Actor, n: int) -> None:
    organisations = list(Organisation.objects.filter(slug__in=["jarva", "ks", "utbildningsnamnden", "sodermalm"]))
    start = actor.links.count()
    for i in range(start, start + n):
        ActorLink.objects.create(
            actor=actor,
            organisation=organisations[i % len(organisations)],
            kind=LinkKind.values[i % len(LinkKind.values)],
            reference=f"REF-{i}",
            created_by=user,
        )


def _count(client, path: str) -> int:
    assert client.get(path).status_code == 200, path  # warm-up: per-process caches filled
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return len(queries)


def test_the_register_and_an_actors_page_keep_to_the_bound(cast):
    user = cast["coordinator"]
    client = cast.client("coordinator")
    _grow(user, 5)
    actor = Actor.objects.order_by("pk").first()
    _link_all(user, actor, 3)
    after = Actor.objects.order_by("name", "pk")[2].pk
    paths = [
        "/samverkan/aktorer/",
        "/samverkan/aktorer/?sok=f%C3%B6rening&typ=non_profit",
        f"/samverkan/aktorer/?efter={after}",
        f"/samverkan/aktorer/{actor.pk}/",
    ]
    small = {path: _count(client, path) for path in paths}
    _grow(user, 55)
    _link_all(user, actor, 20)
    assert Actor.objects.count() >= 60
    large = {path: _count(client, path) for path in paths}
    assert max(large.values()) <= MAX_QUERIES, large
    assert large == small, (small, large)
