"""The resources' write path: who may own what, the rules of a resource, versions (one per saved
change, none for a save that changes nothing), the optimistic lock, archiving, the search index and
the access log."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import resources
from vbe.knowledge.models import Kind, Resource
from vbe.knowledge.resources import Content
from vbe.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def content(**changes) -> Content:
    values = {
        "kind": Kind.ROUTINE,
        "title": "Rutin för fritidsgårdar",
        "owner": org("jarva"),
        "summary": "Kort om rutinen.",
        "body": "# Steg\n\n1. Ring 112 vid fara.",
    }
    values.update(changes)
    return Content(**values)


def create(cast, actor: str = "coordinator", **changes) -> Resource:
    return resources.create_resource(actor=cast[actor], content=content(**changes), today=datetime.date(2026, 1, 31))


# --- Creating -------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_resource_of_their_organisation_as_version_1(cast, monkeypatch):
    indexed = []
    monkeypatch.setattr(resources.search, "reindex", lambda resource: indexed.append(resource.pk))
    area = FocusArea.objects.get(number=4, intervention_area__guideline__is_current=True)
    method = Method.objects.filter(focus_area=area).first()
    group = StaffGroup.objects.get(slug="fritid")
    resource = create(
        cast,
        focus_areas=[area],
        methods=[method],
        audience_groups=[group],
        audience_roles=["staff", "coordinator", "staff"],
        review_interval_months=1,
    )
    resource.refresh_from_db()
    assert (resource.version, resource.lock_version, resource.is_active) == (1, 0, True)
    # 31 January + 1 month: the month's last day.
    assert resource.next_review_on == datetime.date(2026, 2, 28)
    assert resource.audience_roles == ["staff", "coordinator"]
    assert list(resource.focus_areas.all()) == [area] and list(resource.methods.all()) == [method]
    assert list(resource.audience_groups.all()) == [group]
    version = resource.versions.get()
    assert (version.number, version.title, version.body, version.changed_by) == (
        1,
        "Rutin för fritidsgårdar",
        "# Steg\n\n1. Ring 112 vid fara.",
        cast["coordinator"],
    )
    assert indexed == [resource.pk]
    log = AccessLogEntry.objects.get(action="resource_created")
    assert log.object_id == str(resource.pk) and log.actor_id == cast["coordinator"].pk


def test_a_coordinator_cannot_make_another_organisation_the_owner(cast):
    with pytest.raises(PermissionDenied):
        create(cast, owner=org("sodermalm"))
    assert not Resource.objects.filter(key="").exists()  # the city's routines of the reference data aside


@pytest.mark.parametrize("role", ["staff", "unit_manager", "caseworker", "board_reader", "auditor", "admin"])
def test_roles_without_the_right_create_nothing(cast, role):
    with pytest.raises(PermissionDenied):
        create(cast, actor=role)
    assert not Resource.objects.filter(key="").exists()  # the city's routines of the reference data aside


def test_the_central_coordinator_may_pick_any_owner(cast):
    resource = create(cast, actor="central_coordinator", owner=org("sodermalm"))
    assert resource.owner.slug == "sodermalm"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "Skriv en rubrik."),
        ({"kind": Kind.EXTERNAL_LINK, "url": ""}, "En extern länk behöver en webbadress."),
        ({"url": "ftp://fil.example/"}, "Länken ska börja med https://."),
        ({"audience_roles": ["staff", "kung"]}, "Välj roller bland dem i listan."),
        ({"review_interval_months": 0}, "Granskningsintervallet ska vara mellan 1 och 60 månader."),
        ({"review_interval_months": 61}, "Granskningsintervallet ska vara mellan 1 och 60 månader."),
        ({"kind": "hemlig"}, "Välj typ av stödmaterial."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(cast, changes, message):
    with pytest.raises(ValidationError) as refused:
        create(cast, **changes)
    assert message in refused.value.messages
    assert not Resource.objects.filter(key="").exists()  # the city's routines of the reference data aside
    assert not AccessLogEntry.objects.filter(action="resource_created").exists()


def test_an_external_link_with_an_address_is_fine(cast):
    resource = create(cast, kind=Kind.EXTERNAL_LINK, url="https://kunskap.example/", body="")
    assert resource.url == "https://kunskap.example/"


def test_the_responsible_must_keep_the_owner(cast):
    with pytest.raises(ValidationError) as refused:
        create(cast, responsible=cast["coordinator_other"])
    assert "Den ansvariga ska vara samordnare för Järva stadsdelsnämnd eller central samordnare." in (
        refused.value.messages
    )
    resource = create(cast, responsible=cast["central_coordinator"])
    assert resource.responsible == cast["central_coordinator"]


# --- Changing -------------------------------------------------------------------------------------


def update(cast, resource: Resource, actor: str = "coordinator", note: str = "", **changes) -> Resource:
    lock_version = changes.pop("lock_version", resource.lock_version)
    values = {
        "kind": resource.kind,
        "title": resource.title,
        "owner": resource.owner,
        "summary": resource.summary,
        "body": resource.body,
        "url": resource.url,
        "responsible": resource.responsible,
        "audience_roles": resource.audience_roles,
        "audience_groups": list(resource.audience_groups.all()),
        "focus_areas": list(resource.focus_areas.all()),
        "methods": list(resource.methods.all()),
        "review_interval_months": resource.review_interval_months,
    }
    values.update(changes)
    return resources.update_resource(
        actor=cast[actor],
        resource_id=resource.pk,
        lock_version=lock_version,
        content=Content(**values),
        note=note,
    )


def test_each_saved_change_is_the_next_version_with_its_note(cast):
    resource = create(cast)
    second = update(cast, resource, body="Ny text.", note="Förenklade texten")
    third = update(cast, second, actor="central_coordinator", title="Ny rubrik")
    assert (third.version, third.lock_version) == (3, 2)
    versions = list(third.versions.order_by("number").values_list("number", "title", "body", "note", "changed_by"))
    assert versions == [
        (1, "Rutin för fritidsgårdar", "# Steg\n\n1. Ring 112 vid fara.", "Skapad", cast["coordinator"].pk),
        (2, "Rutin för fritidsgårdar", "Ny text.", "Förenklade texten", cast["coordinator"].pk),
        (3, "Ny rubrik", "Ny text.", "", cast["central_coordinator"].pk),
    ]
    assert AccessLogEntry.objects.filter(action="resource_changed").count() == 2


def test_a_save_that_changes_nothing_writes_no_version(cast):
    resource = create(cast)
    same = update(cast, resource, title="  Rutin för fritidsgårdar  ", note="Inget egentligen")
    assert (same.version, same.lock_version) == (1, 0)
    assert resource.versions.count() == 1
    assert not AccessLogEntry.objects.filter(action="resource_changed").exists()


def test_a_change_of_facts_only_is_a_version_that_says_what_changed(cast):
    resource = create(cast)
    area = FocusArea.objects.get(number=4, intervention_area__guideline__is_current=True)
    changed = update(cast, resource, focus_areas=[area], review_interval_months=6)
    assert changed.version == 2
    assert changed.versions.get(number=2).note == "Ändrade uppgifter: granskningsintervall, områden"
    # The next review follows the new interval, counted from when the resource was made.
    assert changed.next_review_on == timezone.localtime(changed.created_at).date() + relativedelta(months=6)


def test_an_edit_from_an_old_page_is_refused_and_changes_nothing(cast):
    resource = create(cast)
    update(cast, resource, body="Första ändringen.")
    with pytest.raises(ValidationError) as refused:
        update(cast, resource, body="Andra ändringen.", lock_version=0)
    assert "ändrats av någon annan" in refused.value.messages[0]
    resource.refresh_from_db()
    assert (resource.body, resource.version) == ("Första ändringen.", 2)


def test_a_coordinator_of_another_organisation_cannot_change_it(cast):
    resource = create(cast)
    with pytest.raises(PermissionDenied):
        update(cast, resource, actor="coordinator_other", body="Intrång.")
    assert Resource.objects.get(pk=resource.pk).version == 1


def test_moving_to_another_owner_needs_the_right_over_both(cast):
    resource = create(cast)
    with pytest.raises(PermissionDenied):
        update(cast, resource, owner=org("sodermalm"))
    moved = update(cast, resource, actor="central_coordinator", owner=org("sodermalm"))
    assert moved.owner.slug == "sodermalm" and "ägare" in moved.versions.get(number=2).note
    # Järva's coordinator no longer keeps it.
    with pytest.raises(PermissionDenied):
        update(cast, moved, body="Tillbaka?")


# --- Archiving ------------------------------------------------------------------------------------


def test_archive_and_restore(cast, monkeypatch):
    indexed = []
    resource = create(cast)
    monkeypatch.setattr(resources.search, "reindex", lambda r: indexed.append(r.is_active))
    archived = resources.archive_resource(actor=cast["coordinator"], resource_id=resource.pk, lock_version=0)
    assert (archived.is_active, archived.lock_version, archived.version) == (False, 1, 1)
    with pytest.raises(ValidationError) as refused:
        update(cast, archived, body="Ändrad i arkivet.")
    assert "arkiverat" in refused.value.messages[0]
    restored = resources.restore_resource(actor=cast["central_coordinator"], resource_id=resource.pk, lock_version=1)
    assert restored.is_active and restored.lock_version == 2
    assert indexed == [False, True]
    actions = list(
        AccessLogEntry.objects.filter(action__startswith="resource_").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["resource_created", "resource_archived", "resource_restored"]


def test_archiving_is_refused_to_others_and_from_an_old_page(cast):
    resource = create(cast)
    with pytest.raises(PermissionDenied):
        resources.archive_resource(actor=cast["staff"], resource_id=resource.pk, lock_version=0)
    update(cast, resource, body="Ändrad.")
    with pytest.raises(ValidationError):
        resources.archive_resource(actor=cast["coordinator"], resource_id=resource.pk, lock_version=0)
    assert Resource.objects.get(pk=resource.pk).is_active
