"""What every reader of the register sees holds no personnummer or phone number: a link's reference and
an actor's website are checked like its name and address; odd page positions never fail the register;
an inactive actor cannot be assessed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vbe.collaboration import actors
from vbe.collaboration.models import Actor, ActorLink
from vbe.collaboration.tests.test_actors import link, make_actor, organisation

PERSONNUMMER = "19900101-2385"  # Skatteverket's test list


def test_a_link_reference_with_a_personnummer_is_refused_by_the_service_and_nothing_is_saved(cast):
    actor = make_actor(cast["coordinator"])
    with pytest.raises(ValidationError, match="personnummer"):
        actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link(reference=f"Bokning {PERSONNUMMER}"))
    assert not ActorLink.objects.filter(actor=actor).exists()


def test_a_link_reference_with_a_phone_number_is_refused_on_the_page_and_what_was_typed_is_kept(cast):
    actor = make_actor(cast["coordinator"])
    reference = "Ring 070-123 45 67"
    response = cast.client("coordinator").post(
        f"/samverkan/aktorer/{actor.pk}/kopplingar/ny/",
        {"organisation": organisation("jarva").pk, "kind": "grant", "reference": reference},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "telefonnummer" in page and reference in page
    assert not ActorLink.objects.filter(actor=actor).exists()


def test_a_website_carrying_a_personnummer_is_refused(cast):
    with pytest.raises(ValidationError, match="personnummer"):
        make_actor(cast["coordinator"], website=f"https://forening.example/?pnr={PERSONNUMMER.replace('-', '')}")
    assert not Actor.objects.filter(name="Föreningen Testgården").exists()


@pytest.mark.parametrize("position", ["%C2%B2", "١٢", "-1", "1" * 30, "abc"])
def test_an_odd_page_position_shows_the_first_page(cast, position):
    make_actor(cast["coordinator"], name="Föreningen Första")
    response = cast.client("coordinator").get(f"/samverkan/aktorer/?efter={position}")
    assert response.status_code == 200
    assert "Föreningen Första" in response.content.decode()


def test_an_inactive_actor_cannot_be_assessed(cast):
    actor = make_actor(cast["coordinator"])
    Actor.objects.filter(pk=actor.pk).update(is_active=False)
    client = cast.client("coordinator")
    assert client.get(f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/").status_code == 404
    assert client.post(f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/", {}).status_code == 404


def test_a_number_held_by_an_inactive_actor_is_refused_without_naming_it(cast):
    hidden = make_actor(cast["coordinator"], name="Föreningen Vilande")
    Actor.objects.filter(pk=hidden.pk).update(is_active=False)
    response = cast.client("coordinator").post(
        "/samverkan/aktorer/ny/",
        {"lock_version": "0", "name": "Föreningen Ny", "org_number": hidden.org_number, "kind": "non_profit"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "inte längre är aktiv" in page
    assert "Föreningen Vilande" not in page and f"/samverkan/aktorer/{hidden.pk}/" not in page
    assert not Actor.objects.filter(name="Föreningen Ny").exists()
