"""The routines other pages link to by key, loaded from data/stockholm/resources.json: created once,
never overwritten, found by their key after any change of title."""

from __future__ import annotations

import pytest

from vbe.knowledge.models import Kind, Resource
from vbe.knowledge.reference import load_resources

pytestmark = pytest.mark.django_db


def test_the_two_routines_are_loaded_with_their_owner_links_and_version(reference_data):
    Resource.objects.filter(key__in=["orosrutin", "pdv-rutin"]).delete()
    assert load_resources() == {"resources": 2}
    concern = Resource.objects.get(key="orosrutin")
    assert (concern.kind, concern.owner.slug, concern.version, concern.is_active) == (Kind.ROUTINE, "ks", 1, True)
    assert "112" in concern.body and "orosanmälan" in concern.body and "lokala samordnare" in concern.body
    assert sorted(concern.focus_areas.values_list("number", flat=True)) == [4, 5]
    assert "Stadens rutin vid oro för en individ eller en händelse" in concern.methods.values_list("name", flat=True)
    version = concern.versions.get()
    assert (version.number, version.changed_by, version.body) == (1, None, concern.body)
    pdv = Resource.objects.get(key="pdv-rutin")
    assert pdv.owner.slug == "ks" and "pågående dödligt våld" in pdv.body
    assert "förvaltas av kommunstyrelsen och finns inte i portalen" in pdv.body
    assert list(pdv.methods.values_list("name", flat=True)) == ["Skolors våldspreventiva arbete"]


def test_loading_again_creates_nothing_and_keeps_edits(reference_data):
    load_resources()
    Resource.objects.filter(key="orosrutin").update(title="Vår egen rubrik", body="Egen text.", is_active=False)
    count = Resource.objects.count()
    assert load_resources() == {"resources": 0}
    assert Resource.objects.count() == count
    concern = Resource.objects.get(key="orosrutin")
    assert (concern.title, concern.body, concern.is_active) == ("Vår egen rubrik", "Egen text.", False)


def test_the_key_leads_to_the_routine_after_a_change_of_title(cast):
    load_resources()
    concern = Resource.objects.get(key="orosrutin")
    Resource.objects.filter(pk=concern.pk).update(title="Ny rubrik på orosrutinen")
    response = cast.client("staff").get("/stod/rutin/orosrutin/", follow=True)
    assert response.redirect_chain == [(f"/stod/{concern.pk}/", 302)]
    assert "Ny rubrik på orosrutinen" in response.content.decode()
    assert "Ring 112 först." in response.content.decode()
