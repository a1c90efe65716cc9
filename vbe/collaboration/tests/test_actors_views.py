"""The actor register's pages: the register (search, kinds, key-set pages), an actor's page, the forms
(typed input kept on error, the duplicate number named and linked, a stale form), links per role."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.collaboration import actors, org_number
from vbe.collaboration.forms_actors import ActorForm
from vbe.collaboration.models import Actor, ActorKind, ActorLink, LinkKind
from vbe.collaboration.tests.test_actors import NUMBER, dashed, link, make_actor
from vbe.collaboration.tests.test_org_number import valid, wrong

BASE = "/samverkan/aktorer/"


def form_data(**overrides) -> dict:
    data = {
        "lock_version": "0",
        "name": "Föreningen Formtest",
        "org_number": NUMBER,
        "kind": ActorKind.NON_PROFIT,
        "email": "info@formtest.example",
        "phone": "08-123 456 78",
        "website": "formtest.example",
        "address": "Testgatan 2, 164 00 Kista",
    }
    return {**data, **overrides}


def html(response) -> str:
    return response.content.decode()


def names_in(response) -> list[str]:
    return re.findall(r'href="/samverkan/aktorer/\d+/">([^<]+)</a>', html(response))


# --- The register -----------------------------------------------------------------------------------------


def test_the_register_explains_the_condition_and_offers_registering_to_keepers(cast):
    make_actor(cast["coordinator"], name="Föreningen Alfa")
    page = cast.client("coordinator").get(BASE)
    assert page.status_code == 200
    text = html(page)
    assert "Åsikter i sig är aldrig skäl att neka bidrag eller lokaler." in text
    assert "inte ge bidrag, lokaler eller partnerskap till en aktör som inte uppfyller" in text
    assert "Registrera aktör" in text and "Föreningen Alfa" in text and dashed(NUMBER) in text
    assert 'class="app-table-scroll"' in text
    reader = cast.client("board_reader").get(BASE)
    assert reader.status_code == 200 and "Registrera aktör" not in html(reader)


def test_the_register_searches_names_numbers_and_kinds_and_hides_inactive_actors(cast):
    user = cast["coordinator"]
    make_actor(user, name="Idrottsföreningen Kista", org_number=valid("802412345"))
    make_actor(user, name="Kista moské", kind=ActorKind.FAITH_COMMUNITY, org_number=valid("802999999"))
    gone = make_actor(user, name="Kista gamla förening", org_number="")
    Actor.objects.filter(pk=gone.pk).update(is_active=False)
    client = cast.client("coordinator")
    assert names_in(client.get(BASE, {"sok": "kista"})) == ["Idrottsföreningen Kista", "Kista moské"]
    assert names_in(client.get(BASE, {"sok": "idrott"})) == ["Idrottsföreningen Kista"]
    assert names_in(client.get(BASE, {"sok": "802999"})) == ["Kista moské"]
    assert names_in(client.get(BASE, {"sok": dashed(valid("802412345"))})) == ["Idrottsföreningen Kista"]
    assert names_in(client.get(BASE, {"typ": ActorKind.FAITH_COMMUNITY})) == ["Kista moské"]
    assert "Inga aktörer matchar sökningen." in html(client.get(BASE, {"sok": "finns inte"}))
    assert client.get(BASE, {"typ": "party"}).status_code == 400


def test_the_register_pages_by_name_and_id_without_offset(cast):
    user = cast["coordinator"]
    # Two actors share a name: the id orders them, and neither is lost between pages.
    for i in range(28):
        Actor.objects.create(name=f"Förening {i:02d}", kind=ActorKind.NON_PROFIT, created_by=user)
    Actor.objects.create(name="Förening 24", kind=ActorKind.FOUNDATION, created_by=user)
    client = cast.client("coordinator")
    first = client.get(BASE, {"sok": "förening"})
    shown = names_in(first)
    assert len(shown) == 25 and "Nästa sida" in html(first)
    next_query = re.search(r'href="\?([^"]+)" rel="next"', html(first))[1].replace("&amp;", "&")
    assert "sok=" in next_query and "efter=" in next_query
    with CaptureQueriesContext(connection) as queries:
        second = client.get(f"{BASE}?{next_query}")
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
    rest = names_in(second)
    assert shown + rest == sorted(shown + rest) and len(shown + rest) == 29
    assert rest.count("Förening 24") + shown.count("Förening 24") == 2
    assert "Nästa sida" not in html(second) and "Till början" in html(second)
    # A position that names no actor shows the first page.
    assert names_in(client.get(BASE, {"efter": "999999999"}))[:1] == ["Förening 00"]


# --- An actor's page ------------------------------------------------------------------------------------


def test_the_actor_page_groups_links_and_offers_removing_to_assessors_of_the_link(cast):
    actor = make_actor(cast["coordinator"], name="Föreningen Länkad")
    actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link(reference="GRANT-1"))
    actors.add_link(
        user=cast["central_coordinator"], actor_id=actor.pk, link=link("ks", kind=LinkKind.PREMISES, reference="LOK-7")
    )
    page = cast.client("coordinator").get(f"{BASE}{actor.pk}/")
    text = html(page)
    assert page.status_code == 200
    assert text.index("Bidrag") < text.index("GRANT-1") < text.index("Lokalupplåtelse") < text.index("LOK-7")
    # A remove button for Järva's grant, none for the executive board's premises.
    grant, premises = actor.links.get(reference="GRANT-1"), actor.links.get(reference="LOK-7")
    assert f"/kopplingar/{grant.pk}/ta-bort/" in text and f"/kopplingar/{premises.pk}/ta-bort/" not in text
    assert "Lägg till koppling" in text and "Ändra uppgifterna" in text
    assert "inte en privatpersons" in text
    reader = html(cast.client("board_reader").get(f"{BASE}{actor.pk}/"))
    assert "GRANT-1" in reader and "/ta-bort/" not in reader and "Lägg till koppling" not in reader


def test_an_inactive_or_unknown_actor_is_not_found(cast):
    actor = make_actor(cast["coordinator"])
    Actor.objects.filter(pk=actor.pk).update(is_active=False)
    client = cast.client("coordinator")
    for path in (
        f"{BASE}{actor.pk}/",
        f"{BASE}{actor.pk}/andra/",
        f"{BASE}{actor.pk}/kopplingar/ny/",
        f"{BASE}999999/",
    ):
        assert client.get(path).status_code == 404, path


# --- Registering and changing --------------------------------------------------------------------------


def test_registering_an_actor_goes_to_its_page(cast):
    client = cast.client("unit_manager")
    response = client.post(f"{BASE}ny/", form_data())
    actor = Actor.objects.get(name="Föreningen Formtest")
    assert response.status_code == 302 and response["Location"] == f"{BASE}{actor.pk}/"
    assert actor.org_number == dashed(NUMBER) and actor.website == "https://formtest.example"
    assert "Aktören Föreningen Formtest är registrerad." in html(client.get(response["Location"]))


def test_a_form_with_errors_keeps_what_was_typed(cast):
    client = cast.client("coordinator")
    response = client.post(
        f"{BASE}ny/", form_data(org_number=wrong("802000000"), address="Ring 070-123 45 67", email="inte-en-adress")
    )
    text = html(response)
    assert response.status_code == 400
    assert "Det finns ett problem" in text and "kontrollsiffran" in text and "telefonnummer" in text
    assert "Skriv en e-postadress" in text
    for typed in ("Föreningen Formtest", wrong("802000000"), "inte-en-adress", "08-123 456 78"):
        assert f'value="{typed}"' in text, typed
    assert not Actor.objects.filter(name="Föreningen Formtest").exists()


def test_a_personnummer_as_organisation_number_is_refused(cast):
    response = cast.client("coordinator").post(f"{BASE}ny/", form_data(org_number="199001012385"))
    assert response.status_code == 400
    assert "Vi registrerar aldrig en persons personnummer som organisationsnummer" in html(response)


def test_a_duplicate_number_names_and_links_the_actor_that_has_it(cast):
    existing = make_actor(cast["coordinator"], name="Föreningen Först")
    response = cast.client("coordinator_other").post(f"{BASE}ny/", form_data(org_number=dashed(NUMBER)))
    text = html(response)
    assert response.status_code == 400
    assert "finns redan i registret, för Föreningen Först" in text
    assert f'href="{BASE}{existing.pk}/">Föreningen Först</a>' in text
    assert Actor.objects.filter(org_number=dashed(NUMBER)).count() == 1


def test_a_duplicate_found_by_the_service_is_linked_too(cast, monkeypatch):
    """Someone saved the number between the form's check and the save: the service's refusal is shown
    with the same link."""
    existing = make_actor(cast["coordinator"], name="Föreningen Hann Före")
    # The form's own check passes (as it did before the other save); the service finds the holder.
    monkeypatch.setattr(
        ActorForm, "clean_org_number", lambda form: org_number.normalise(form.cleaned_data["org_number"])
    )
    response = cast.client("coordinator").post(f"{BASE}ny/", form_data(org_number=dashed(NUMBER)))
    assert response.status_code == 400
    assert f'href="{BASE}{existing.pk}/">Föreningen Hann Före</a>' in html(response)


def test_the_edit_form_shows_the_actor_and_saves_a_change(cast):
    actor = make_actor(cast["coordinator"], name="Föreningen Före")
    client = cast.client("central_coordinator")
    page = html(client.get(f"{BASE}{actor.pk}/andra/"))
    assert 'value="Föreningen Före"' in page and 'name="lock_version" value="1"' in page
    assert "organisationens egna kontaktuppgifter, inte en privatpersons" in page
    response = client.post(f"{BASE}{actor.pk}/andra/", form_data(name="Föreningen Efter", lock_version="1"))
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.name == "Föreningen Efter" and actor.lock_version == 2


def test_a_stale_edit_says_someone_else_changed_it_and_keeps_the_text(cast):
    actor = make_actor(cast["coordinator"], name="Föreningen Före")
    client = cast.client("coordinator")
    assert client.post(f"{BASE}{actor.pk}/andra/", form_data(name="Först", lock_version="1")).status_code == 302
    response = client.post(f"{BASE}{actor.pk}/andra/", form_data(name="Sist", lock_version="1"))
    assert response.status_code == 400
    assert "ändrats av någon annan" in html(response) and 'value="Sist"' in html(response)
    actor.refresh_from_db()
    assert actor.name == "Först"


def test_a_board_reader_may_not_register_or_change(cast):
    actor = make_actor(cast["coordinator"])
    client = cast.client("board_reader")
    assert client.post(f"{BASE}ny/", form_data(name="Nej")).status_code == 403
    assert client.post(f"{BASE}{actor.pk}/andra/", form_data(name="Nej", lock_version="1")).status_code == 403
    assert not Actor.objects.filter(name="Nej").exists()


# --- Links ---------------------------------------------------------------------------------------------


def test_the_link_form_offers_only_the_users_own_organisations(cast):
    actor = make_actor(cast["coordinator"])
    page = html(cast.client("coordinator").get(f"{BASE}{actor.pk}/kopplingar/ny/"))
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)
    assert options == ["Järva stadsdelsnämnd"]
    central = html(cast.client("central_coordinator").get(f"{BASE}{actor.pk}/kopplingar/ny/"))
    assert re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', central) == ["Kommunstyrelsen"]


def test_adding_a_link_and_its_errors(cast):
    actor = make_actor(cast["coordinator"])
    jarva, sodermalm = link().organisation, link("sodermalm").organisation
    client = cast.client("coordinator")
    url = f"{BASE}{actor.pk}/kopplingar/ny/"
    data = {"organisation": jarva.pk, "kind": LinkKind.PREMISES, "reference": "BOK-55", "description": "Lokal"}
    refused = client.post(
        url, {**data, "organisation": sodermalm.pk, "starts_on": "2026-05-02", "ends_on": "2026-05-01"}
    )
    text = html(refused)
    assert refused.status_code == 400
    assert "Välj en nämnd eller ett bolag som du bedömer demokrativillkoret för." in text
    assert "Slutdatumet kan inte ligga före startdatumet." in text
    assert 'value="BOK-55"' in text and 'value="2026-05-02"' in text
    done = client.post(url, {**data, "starts_on": "2026-05-01", "ends_on": "2026-05-31"})
    assert done.status_code == 302 and done["Location"] == f"{BASE}{actor.pk}/#kopplingar"
    assert ActorLink.objects.get().reference == "BOK-55"
    again = client.post(url, data)
    assert again.status_code == 400 and "har redan en koppling" in html(again)


def test_removing_a_link(cast):
    actor = make_actor(cast["coordinator"])
    row = actors.add_link(user=cast["coordinator"], actor_id=actor.pk, link=link())
    url = f"{BASE}{actor.pk}/kopplingar/{row.pk}/ta-bort/"
    assert cast.client("coordinator").get(url).status_code == 405
    assert cast.client("coordinator_other").post(url).status_code == 403
    assert cast.client("board_reader").post(url).status_code == 403
    assert ActorLink.objects.filter(pk=row.pk).exists()
    other = make_actor(cast["coordinator"], name="Annan", org_number="")
    assert cast.client("coordinator").post(f"{BASE}{other.pk}/kopplingar/{row.pk}/ta-bort/").status_code == 404
    response = cast.client("coordinator").post(url)
    assert response.status_code == 302 and not ActorLink.objects.filter(pk=row.pk).exists()
