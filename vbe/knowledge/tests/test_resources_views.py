"""The resource pages per role: the detail page, the forms (what was typed kept, 400 on bad input, the
conflict message), archiving, the history and its differences, the stable key address, the links from
the concern guide and the guideline, and the query bound."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import resources, views_resources
from vbe.knowledge.models import Kind, Resource, ResourceVersion
from vbe.knowledge.resources import Content
from vbe.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def area(number: int) -> FocusArea:
    return FocusArea.objects.get(number=number, intervention_area__guideline__is_current=True)


def make(cast, **changes) -> Resource:
    values = {
        "kind": Kind.ROUTINE,
        "title": "Rutin för fritidsgårdar",
        "owner": Organisation.objects.get(slug="jarva"),
        "summary": "Kort om rutinen.",
        "body": "# Steg\n\nRing **112** vid fara.\n\n<script>alert(1)</script>",
        "focus_areas": [area(4)],
        "methods": [Method.objects.get(focus_area=area(4), name="Socialstyrelsens stödmaterial")],
        "audience_groups": [StaffGroup.objects.get(slug="fritid")],
        "audience_roles": ["unit_manager"],
    }
    values.update(changes)
    return resources.create_resource(actor=cast["coordinator"], content=Content(**values))


def form_data(resource: Resource | None = None, **changes) -> dict:
    data = {
        "lock_version": resource.lock_version if resource else 0,
        "kind": "routine",
        "title": "Ny rutin",
        "summary": "",
        "body": "Text i *Markdown*.",
        "url": "",
        "owner": Organisation.objects.get(slug="jarva").pk,
        "responsible": "",
        "audience_roles": [],
        "audience_groups": [],
        "focus_areas": [area(4).pk],
        "methods": [],
        "review_interval_months": "12",
        "note": "",
    }
    data.update(changes)
    return data


# --- Reading --------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_resource_rendered(cast):
    resource = make(cast)
    page = cast.client("staff").get(f"/stod/{resource.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<h1 class="govuk-heading-xl">Rutin för fritidsgårdar</h1>' in text
    assert '<h2 class="govuk-heading-l">Steg</h2>' in text and "<strong>112</strong>" in text
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert "Rutin" in text and "Järva stadsdelsnämnd" in text
    assert "Verksamhetschef" in text and "Fritid" in text
    assert f'href="{area(4).get_absolute_url()}"' in text
    method = resource.methods.get()
    assert f'href="{area(4).get_absolute_url()}#metod-{method.pk}"' in text
    assert "Version 1" in text and "Inte granskad ännu" in text
    assert resource.next_review_on.strftime("%Y") in text
    assert "Ändra stödmaterialet" not in text and "Arkivera" not in text  # no keeper's buttons


def test_keepers_see_their_buttons_and_an_overdue_review_is_warned_of(cast):
    resource = make(cast)
    Resource.objects.filter(pk=resource.pk).update(next_review_on=timezone.localdate() - datetime.timedelta(days=3))
    for role in ("coordinator", "central_coordinator"):
        text = cast.client(role).get(f"/stod/{resource.pk}/").content.decode()
        assert "Ändra stödmaterialet" in text and "Arkivera stödmaterialet" in text
    assert "Ändra stödmaterialet" not in cast.client("coordinator_other").get(f"/stod/{resource.pk}/").content.decode()
    assert "govuk-warning-text" in cast.client("staff").get(f"/stod/{resource.pk}/").content.decode()


def test_a_missing_resource_is_404(cast):
    client = cast.client("staff")
    for url in ("/stod/999999/", "/stod/999999/historik/", "/stod/999999/historik/1/2/", "/stod/999999999999999999/"):
        assert client.get(url).status_code == 404


def test_an_archived_resource_is_found_by_its_keepers_only(cast):
    resource = make(cast, title="Arkiverad rutin")
    resources.update_resource(
        actor=cast["coordinator"],
        resource_id=resource.pk,
        lock_version=0,
        content=Content(kind=Kind.ROUTINE, title="Arkiverad rutin", owner=resource.owner, body="Ny text."),
    )
    resources.archive_resource(actor=cast["coordinator"], resource_id=resource.pk, lock_version=1)
    Resource.objects.filter(pk=resource.pk).update(key="arkiverad")
    urls = [f"/stod/{resource.pk}/", f"/stod/{resource.pk}/historik/", f"/stod/{resource.pk}/historik/1/2/"]
    for role in ("staff", "coordinator_other", "board_reader"):
        client = cast.client(role)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        assert client.get("/stod/rutin/arkiverad/").status_code == 404
    for role in ("coordinator", "central_coordinator"):
        client = cast.client(role)
        assert [client.get(url).status_code for url in urls] == [200, 200, 200]
        assert "Återställ stödmaterialet" in client.get(urls[0]).content.decode()


def test_the_stable_key_leads_to_the_resource_whatever_its_title(cast):
    resource = make(cast)
    Resource.objects.filter(pk=resource.pk).update(key="fritidsrutin", title="Helt ny rubrik")
    response = cast.client("staff").get("/stod/rutin/fritidsrutin/")
    assert response.status_code == 302 and response["Location"] == f"/stod/{resource.pk}/"
    assert cast.client("staff").get("/stod/rutin/finns-inte/").status_code == 404
    assert cast.client(None).get("/stod/rutin/fritidsrutin/").status_code == 302  # to the sign-in page


# --- The form -------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_resource_through_the_form(cast):
    client = cast.client("coordinator")
    page = client.get("/stod/ny/")
    assert page.status_code == 200
    owners = [o.slug for o in page.context["form"].fields["owner"].queryset]
    assert owners == ["jarva"]  # only what they coordinate
    response = client.post("/stod/ny/", form_data())
    resource = Resource.objects.get(title="Ny rutin")
    assert response.status_code == 302 and response["Location"] == f"/stod/{resource.pk}/"
    assert (resource.version, resource.owner.slug, list(resource.focus_areas.all())) == (1, "jarva", [area(4)])


def test_bad_input_shows_the_form_again_with_what_was_typed(cast):
    data = form_data(title="", kind="external_link", body="Min egen text", review_interval_months="99")
    page = cast.client("coordinator").post("/stod/ny/", data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "Det finns ett problem" in text and text.count("Fel:") >= 3
    assert 'href="#id_title"' in text and "Skriv en rubrik." in text
    assert "En extern länk behöver en webbadress." in text
    assert "Granskningsintervallet kan vara högst 60 månader." in text
    assert "Min egen text" in text and 'value="99"' in text
    assert not Resource.objects.filter(key="").exists()  # the city's routines of the reference data aside


def test_a_version_note_with_a_personnummer_is_refused(cast):
    """The note is shown to every reader for as long as the resource lives."""
    page = cast.client("coordinator").post("/stod/ny/", form_data(note="Ändrat efter samtal om 19900101-2385"))
    assert page.status_code == 400
    assert "19900101-2385" in page.content.decode()  # what was typed is kept for correcting
    assert not Resource.objects.filter(key="").exists()  # the city's routines of the reference data aside


def test_another_organisation_cannot_be_picked_as_owner(cast):
    other = Organisation.objects.get(slug="sodermalm").pk
    page = cast.client("coordinator").post("/stod/ny/", form_data(owner=other))
    assert page.status_code == 400
    assert "Välj en organisation som du är samordnare för." in page.content.decode()
    assert not Resource.objects.filter(key="").exists()  # the city's routines of the reference data aside


def test_an_edit_is_saved_as_the_next_version(cast):
    resource = make(cast)
    client = cast.client("coordinator")
    page = client.get(f"/stod/{resource.pk}/andra/")
    assert page.status_code == 200 and "Rutin för fritidsgårdar" in page.content.decode()
    data = form_data(resource, title=resource.title, body="Kortare text.", note="Kortade texten")
    response = client.post(f"/stod/{resource.pk}/andra/", data)
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.version, resource.body) == (2, "Kortare text.")
    assert resource.versions.get(number=2).note == "Kortade texten"
    message = [str(m) for m in response.wsgi_request._messages]
    assert message == ["Stödmaterialet Rutin för fritidsgårdar är sparat som version 2."]


def test_an_edit_that_changes_nothing_says_so(cast):
    resource = make(cast, audience_groups=[], audience_roles=[], methods=[], summary="")
    data = form_data(resource, title=resource.title, body=resource.body)
    response = cast.client("coordinator").post(f"/stod/{resource.pk}/andra/", data, follow=True)
    assert "Inget ändrades." in response.content.decode()
    assert Resource.objects.get(pk=resource.pk).version == 1


def test_an_edit_from_an_old_page_is_refused_with_what_was_typed(cast):
    resource = make(cast)
    client = cast.client("coordinator")
    client.post(f"/stod/{resource.pk}/andra/", form_data(resource, body="Först."))
    page = client.post(f"/stod/{resource.pk}/andra/", form_data(resource, body="Min andra text."))
    assert page.status_code == 400
    text = page.content.decode()
    assert "har ändrats av någon annan sedan du öppnade sidan" in text
    assert "Min andra text." in text
    assert Resource.objects.get(pk=resource.pk).body == "Först."


def test_others_may_not_open_the_form(cast):
    resource = make(cast)
    assert cast.client("coordinator_other").get(f"/stod/{resource.pk}/andra/").status_code == 403
    assert cast.client("staff").get("/stod/ny/").status_code == 403
    assert cast.client("staff").post(f"/stod/{resource.pk}/andra/", form_data(resource)).status_code == 403
    assert Resource.objects.get(pk=resource.pk).version == 1


def test_archive_and_restore_through_the_buttons(cast):
    resource = make(cast)
    client = cast.client("coordinator")
    assert cast.client("staff").post(f"/stod/{resource.pk}/arkivera/", {"lock_version": 0}).status_code == 403
    response = client.post(f"/stod/{resource.pk}/arkivera/", {"lock_version": 0})
    assert response.status_code == 302 and not Resource.objects.get(pk=resource.pk).is_active
    stale = client.post(f"/stod/{resource.pk}/aterstall/", {"lock_version": 0})
    assert stale.status_code == 400 and "ändrats av någon annan" in stale.content.decode()
    assert client.post(f"/stod/{resource.pk}/aterstall/", {"lock_version": 1}).status_code == 302
    assert Resource.objects.get(pk=resource.pk).is_active
    assert client.post(f"/stod/{resource.pk}/arkivera/", {"lock_version": "x"}).status_code == 400


# --- History and differences ----------------------------------------------------------------------


def _with_versions(cast, count: int) -> Resource:
    resource = make(cast, body="rad 1\nrad 2\nrad 3")
    for n in range(2, count + 1):
        resource = resources.update_resource(
            actor=cast["coordinator" if n % 2 else "central_coordinator"],
            resource_id=resource.pk,
            lock_version=resource.lock_version,
            content=Content(
                kind=resource.kind, title=resource.title, owner=resource.owner, body=f"rad 1\nändrad {n}\nrad 3"
            ),
            note=f"Ändring {n}",
        )
    return resource


def test_the_history_lists_who_changed_what_and_when(cast):
    resource = _with_versions(cast, 3)
    page = cast.client("staff").get(f"/stod/{resource.pk}/historik/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ändring 3" in text and "Ändring 2" in text and "Skapad" in text
    assert "Test Coordinator" in text and "Test Central Coordinator" in text
    assert f'href="/stod/{resource.pk}/historik/2/3/"' in text
    assert 'class="app-table-scroll"' in text


def test_the_compare_form_leads_to_the_differences(cast):
    resource = _with_versions(cast, 3)
    client = cast.client("staff")
    response = client.get(f"/stod/{resource.pk}/historik/?fran=1&till=3")
    assert response.status_code == 302 and response["Location"] == f"/stod/{resource.pk}/historik/1/3/"
    bad = client.get(f"/stod/{resource.pk}/historik/?fran=1&till=9")
    assert bad.status_code == 400 and "Välj en version." in bad.content.decode()


def test_the_differences_say_in_words_what_was_added_and_removed(cast):
    resource = _with_versions(cast, 2)
    ResourceVersion.objects.filter(resource=resource, number=2).update(title="Ny rubrik")
    page = cast.client("staff").get(f"/stod/{resource.pk}/historik/1/2/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<del>rad 2</del>" in text and "<ins>ändrad 2</ins>" in text
    assert "<ins>rad 1" not in text and "<del>rad 3" not in text  # unchanged lines are neither
    assert "Borttaget:" in text and "Tillagt:" in text and "Oförändrat:" in text
    assert "1 rad tillagd" in text and "1 rad borttagen" in text
    assert "<del>Rutin för fritidsgårdar</del>" in text and "<ins>Ny rubrik</ins>" in text
    assert cast.client("staff").get(f"/stod/{resource.pk}/historik/1/7/").status_code == 404


def test_texts_too_long_to_compare_are_not_compared(cast, monkeypatch):
    """Any reader may ask for any pair of versions, and comparing grows with the square of the lines."""
    resource = _with_versions(cast, 2)
    monkeypatch.setattr(views_resources, "MAX_DIFF_LINES", 5)  # the two versions hold three lines each
    text = cast.client("staff").get(f"/stod/{resource.pk}/historik/1/2/").content.decode()
    assert "för långa för att jämföras" in text and "<del>rad 2</del>" not in text and "rad tillagd" not in text


def test_the_pages_keep_to_the_query_bound_with_many_versions(cast, django_assert_max_num_queries):
    resource = make(cast)
    ResourceVersion.objects.bulk_create(
        ResourceVersion(resource=resource, number=n, title=resource.title, body=f"text {n}", changed_by=cast["staff"])
        for n in range(2, 302)
    )
    Resource.objects.filter(pk=resource.pk).update(version=301)
    client = cast.client("coordinator")
    client.get("/")  # warm up: session, content types
    for url in (
        f"/stod/{resource.pk}/",
        f"/stod/{resource.pk}/historik/",
        f"/stod/{resource.pk}/historik/?fore=100",
        f"/stod/{resource.pk}/historik/1/301/",
        f"/stod/{resource.pk}/andra/",
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url
    history = client.get(f"/stod/{resource.pk}/historik/")
    assert len(history.context["versions"]) == 50 and history.context["older"] == 252
    older = client.get(f"/stod/{resource.pk}/historik/?fore=252").context["versions"]
    assert [v.number for v in older][:2] == [251, 250]


# --- Links from the rest of the portal ------------------------------------------------------------


def test_the_concern_guide_links_to_both_routines():
    from django.test import Client

    text = Client().get("/oro/").content.decode()
    assert 'href="/stod/rutin/orosrutin/"' in text and 'href="/stod/rutin/pdv-rutin/"' in text


def test_each_method_of_a_focus_area_links_to_its_support_material(cast):
    focus = area(4)
    text = cast.client("staff").get(focus.get_absolute_url()).content.decode()
    assert f'href="/stod/?omrade={focus.number}"' in text
    for method in focus.methods.all():
        assert f'href="/stod/?metod={method.pk}"' in text and f'id="metod-{method.pk}"' in text
    assert text.count("Stödmaterial för metoden") == focus.methods.count()
