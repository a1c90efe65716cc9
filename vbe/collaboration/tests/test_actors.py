"""The actor register's services: registering and changing an actor (validation, the unique
organisation number, optimistic locking, the access log) and adding and removing links (who may, for
which organisation, duplicates, dates)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from vbe.audit.models import AccessLogEntry
from vbe.collaboration import actors
from vbe.collaboration.actors import ActorDetails, LinkDetails
from vbe.collaboration.models import Actor, ActorKind, ActorLink, LinkKind
from vbe.collaboration.tests.test_org_number import valid
from vbe.organisations.models import Organisation

NUMBER = valid("802000000")  # 8020000009 style: made up, right check digit
OTHER_NUMBER = valid("802412345")


def dashed(number: str) -> str:
    return f"{number[:6]}-{number[6:]}"


def details(**overrides) -> ActorDetails:
    values = {"name": "Föreningen Testgården", "kind": ActorKind.NON_PROFIT, "org_number": NUMBER}
    return ActorDetails(**{**values, **overrides})


def make_actor(user, **overrides) -> Actor:
    return actors.create_actor(user=user, details=details(**overrides))


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def link(slug: str = "jarva", **overrides) -> LinkDetails:
    values = {"organisation": organisation(slug), "kind": LinkKind.GRANT, "reference": "JARVA 2026/12"}
    return LinkDetails(**{**values, **overrides})


def log(action: str):
    return AccessLogEntry.objects.filter(action=action)


# --- Registering and changing ------------------------------------------------------------------------


def test_a_coordinator_registers_an_actor_with_its_number_normalised_and_logged(cast):
    actor = make_actor(
        cast["coordinator"],
        name="  Föreningen   Testgården ",
        org_number=NUMBER,
        email=" Info@Testgarden.example ",
        phone="08-123 456 78",
        website="https://testgarden.example/",
        address="Testvägen 1, 163 00 Spånga",
    )
    actor.refresh_from_db()
    assert actor.name == "Föreningen Testgården"
    assert actor.org_number == dashed(NUMBER)
    assert actor.email == "info@testgarden.example"
    assert actor.created_by == cast["coordinator"]
    assert actor.lock_version == 1
    entry = log("actor_created").get()
    assert entry.actor_id == cast["coordinator"].pk and entry.object_id == str(actor.pk)


def test_an_actor_without_organisation_number_is_fine_and_many_may_lack_one(cast):
    first = make_actor(cast["coordinator"], org_number="")
    second = make_actor(cast["central_coordinator"], name="Trossamfundet Test", org_number="")
    assert first.org_number == second.org_number == ""


@pytest.mark.parametrize("role", ["staff", "caseworker", "board_reader", "auditor", "admin"])
def test_only_keepers_of_the_register_register_actors(cast, role):
    with pytest.raises(PermissionDenied):
        make_actor(cast[role])
    assert not Actor.objects.filter(org_number=dashed(NUMBER)).exists()


def test_a_second_actor_with_the_same_number_is_refused_naming_the_first(cast):
    make_actor(cast["coordinator"], name="Första föreningen")
    with pytest.raises(ValidationError) as caught:
        make_actor(cast["coordinator_other"], name="Andra föreningen", org_number=dashed(NUMBER))
    assert "Första föreningen" in caught.value.messages[0]
    assert dashed(NUMBER) in caught.value.messages[0]
    assert Actor.objects.filter(org_number=dashed(NUMBER)).count() == 1


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"name": "Föreningen 199001012385"}, "personnummer"),
        ({"address": "Ring 070-123 45 67"}, "telefonnummer"),
        ({"org_number": "199001012385"}, "personnummer"),
        ({"org_number": dashed(NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10))}, "kontrollsiffran"),
        ({"name": "   "}, "namn"),
        ({"kind": "party"}, "typ"),
        ({"website": "ftp://testgarden.example"}, "https://"),
    ],
)
def test_bad_details_are_refused_in_swedish(cast, overrides, words):
    with pytest.raises(ValidationError) as caught:
        make_actor(cast["coordinator"], **overrides)
    assert words in caught.value.messages[0]
    assert not Actor.objects.filter(name__startswith="Föreningen T").exists()


def test_a_change_bumps_the_version_and_logs_the_changed_fields(cast):
    actor = make_actor(cast["coordinator"])
    saved = actors.update_actor(
        user=cast["coordinator_other"],
        actor_id=actor.pk,
        lock_version=1,
        details=details(name="Föreningen Nya Testgården", kind=ActorKind.FOUNDATION),
    )
    assert saved.lock_version == 2
    actor.refresh_from_db()
    assert (actor.name, actor.kind) == ("Föreningen Nya Testgården", ActorKind.FOUNDATION)
    assert log("actor_changed").get().detail == "name,kind"


def test_a_change_that_changes_nothing_writes_nothing(cast):
    actor = make_actor(cast["coordinator"])
    saved = actors.update_actor(user=cast["coordinator"], actor_id=actor.pk, lock_version=1, details=details())
    assert saved.lock_version == 1
    assert not log("actor_changed").exists()


def test_a_stale_form_is_refused_and_changes_nothing(cast):
    actor = make_actor(cast["coordinator"])
    actors.update_actor(user=cast["coordinator"], actor_id=actor.pk, lock_version=1, details=details(name="Ny"))
    with pytest.raises(ValidationError) as caught:
        actors.update_actor(user=cast["coordinator"], actor_id=actor.pk, lock_version=1, details=details(name="Gammal"))
    assert "någon annan" in caught.value.messages[0]
    actor.refresh_from_db()
    assert actor.name == "Ny"


def test_changing_to_another_actors_number_is_refused(cast):
    make_actor(cast["coordinator"], name="Har numret", org_number=OTHER_NUMBER)
    actor = make_actor(cast["coordinator"])
    with pytest.raises(ValidationError) as caught:
        actors.update_actor(
            user=cast["coordinator"], actor_id=actor.pk, lock_version=1, details=details(org_number=OTHER_NUMBER)
        )
    assert "Har numret" in caught.value.messages[0]


def test_an_inactive_actor_cannot_be_changed(cast):
    actor = make_actor(cast["coordinator"])
    Actor.objects.filter(pk=actor.pk).update(is_active=False)
    with pytest.raises(Http404):
        actors.update_actor(user=cast["coordinator"], actor_id=actor.pk, lock_version=1, details=details(name="X"))


def test_a_board_reader_cannot_change_an_actor(cast):
    actor = make_actor(cast["coordinator"])
    with pytest.raises(PermissionDenied):
        actors.update_actor(user=cast["board_reader"], actor_id=actor.pk, lock_version=1, details=details(name="X"))


# --- Links --------------------------------------------------------------------------------------------


def test_a_coordinator_links_a_grant_of_their_own_organisation(cast):
    actor = make_actor(cast["coordinator"])
    row = actors.add_link(
        user=cast["coordinator"],
        actor_id=actor.pk,
        link=link(
            description="  Verksamhetsbidrag   2026 ",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        ),
    )
    assert (row.organisation.slug, row.kind, row.reference) == ("jarva", LinkKind.GRANT, "JARVA 2026/12")
    assert row.description == "Verksamhetsbidrag 2026"
    entry = log("actor_link_added").get()
    assert entry.object_id == str(row.pk) and entry.actor_organisation == "Järva stadsdelsnämnd"


@pytest.mark.parametrize(("role", "slug"), [("coordinator_other", "jarva"), ("coordinator", "sodermalm")])
def test_a_link_about_another_organisation_is_refused(cast, role, slug):
    actor = make_actor(cast["coordinator"])
    with pytest.raises(PermissionDenied):
        actors.add_link(user=cast[role], actor_id=actor.pk, link=link(slug))
    assert not ActorLink.objects.exists()


def test_the_central_coordinator_links_for_the_executive_board_only(cast):
    actor = make_actor(cast["coordinator"])
    row = actors.add_link(
        user=cast["central_coordinator"], actor_id=actor.pk, link=link("ks", kind=LinkKind.PARTNERSHIP)
    )
    assert row.organisation.slug == "ks"
    with pytest.raises(PermissionDenied):
        actors.add_link(user=cast["central_coordinator"], actor_id=actor.pk, link=link("jarva"))


@pytest.mark.parametrize("role", ["board_reader", "staff", "caseworker", "admin"])
def test_roles_that_do_not_assess_add_no_links(cast, role):
    actor = make_actor(cast["coordinator"])
    with pytest.raises(PermissionDenied):
        actors.add_link(user=cast[role], actor_id=actor.pk, link=link("utbildningsnamnden"))


def test_the_same_link_twice_is_refused_in_swedish(cast):
    actor = make_actor(cast["coordinator"])
    actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link())
    with pytest.raises(ValidationError) as caught:
        actors.add_link(user=cast["unit_manager"], actor_id=actor.pk, link=link(reference=" JARVA 2026/12 "))
    assert "har redan en koppling" in caught.value.messages[0] and "JARVA 2026/12" in caught.value.messages[0]
    # Another kind, or another reference, is another link.
    actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link(kind=LinkKind.PREMISES))
    actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link(reference="JARVA 2026/13"))
    assert actor.links.count() == 3


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"starts_on": datetime.date(2026, 6, 1), "ends_on": datetime.date(2026, 5, 31)}, "före startdatumet"),
        ({"description": "Kontakt 199001022384"}, "personnummer"),
        ({"description": "Ring 0701234567"}, "telefonnummer"),
        ({"reference": "  "}, "referens"),
        ({"kind": "loan"}, "kopplingen gäller"),
    ],
)
def test_bad_links_are_refused(cast, overrides, words):
    actor = make_actor(cast["coordinator"])
    with pytest.raises(ValidationError) as caught:
        actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link(**overrides))
    assert words in caught.value.messages[0]
    assert not ActorLink.objects.exists()


def test_a_link_to_an_inactive_actor_is_refused(cast):
    actor = make_actor(cast["coordinator"])
    Actor.objects.filter(pk=actor.pk).update(is_active=False)
    with pytest.raises(Http404):
        actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link())


def test_a_link_is_removed_by_an_assessor_of_its_organisation_only(cast):
    actor = make_actor(cast["coordinator"])
    row = actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link())
    with pytest.raises(PermissionDenied):
        actors.remove_link(user=cast["coordinator_other"], actor_id=actor.pk, link_id=row.pk)
    with pytest.raises(PermissionDenied):
        actors.remove_link(user=cast["central_coordinator"], actor_id=actor.pk, link_id=row.pk)
    actors.remove_link(user=cast["unit_manager"], actor_id=actor.pk, link_id=row.pk)
    assert not ActorLink.objects.exists()
    entry = log("actor_link_removed").get()
    assert entry.object_id == str(row.pk) and entry.actor_id == cast["unit_manager"].pk


def test_removing_a_link_already_gone_says_so(cast):
    actor = make_actor(cast["coordinator"])
    row = actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link())
    actors.remove_link(user=cast["coordinator"], actor_id=actor.pk, link_id=row.pk)
    with pytest.raises(ValidationError) as caught:
        actors.remove_link(user=cast["coordinator"], actor_id=actor.pk, link_id=row.pk)
    assert "finns inte längre" in caught.value.messages[0]
