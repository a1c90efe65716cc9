"""The review duty of support resources (issue 12, item 2): marking a resource reviewed, the warning
readers see when a review is overdue, and the keepers' overview of overdue and soon-due resources."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.knowledge import review
from vbe.knowledge.models import Resource
from vbe.knowledge.tests.test_attachments import make_resource

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 31)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# --- Marking a resource reviewed -------------------------------------------------------------------


def test_a_review_sets_today_and_the_next_due_date_and_nothing_else(cast):
    resource = make_resource(review_interval_months=1, next_review_on=datetime.date(2026, 1, 10), body="Text")
    before = Resource.objects.values().get(pk=resource.pk)
    saved = review.record_review(actor=cast["coordinator"], resource_id=resource.pk, lock_version=0, today=TODAY)
    assert saved.reviewed_on == TODAY and saved.next_review_on == datetime.date(2026, 2, 28)  # a month on
    after = Resource.objects.values().get(pk=resource.pk)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"reviewed_on", "next_review_on", "lock_version"} and after["lock_version"] == 1
    entry = AccessLogEntry.objects.get(action="resource_reviewed")
    assert entry.object_id == str(resource.pk) and entry.actor_id == cast["coordinator"].pk
    assert "2026-02-28" in entry.detail


def test_the_next_due_date_follows_the_interval_in_months():
    assert review.next_review(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert review.next_review(datetime.date(2026, 3, 15), 6) == datetime.date(2026, 9, 15)


def test_a_stale_version_an_archived_resource_and_other_organisations_are_refused(cast):
    resource = make_resource(next_review_on=datetime.date(2026, 1, 10))
    with pytest.raises(ValidationError) as stale:
        review.record_review(actor=cast["coordinator"], resource_id=resource.pk, lock_version=3, today=TODAY)
    assert stale.value.code == "stale"
    with pytest.raises(PermissionDenied):
        review.record_review(actor=cast["coordinator_other"], resource_id=resource.pk, lock_version=0, today=TODAY)
    Resource.objects.filter(pk=resource.pk).update(is_active=False)
    with pytest.raises(ValidationError) as archived:
        review.record_review(actor=cast["central_coordinator"], resource_id=resource.pk, lock_version=0, today=TODAY)
    assert archived.value.code == "archived"
    resource.refresh_from_db()
    assert resource.reviewed_on is None and resource.next_review_on == datetime.date(2026, 1, 10)
    assert not AccessLogEntry.objects.filter(action="resource_reviewed").exists()


def test_the_button_marks_it_reviewed_through_the_page(cast):
    resource = make_resource(next_review_on=days(-3), review_interval_months=12)
    client = cast.client("central_coordinator")
    page = client.get(f"/stod/{resource.pk}/granskad/")
    assert page.status_code == 200 and "Markera som granskad" in page.content.decode()
    response = client.post(f"/stod/{resource.pk}/granskad/", {"lock_version": 0})
    assert response.status_code == 302 and response["Location"] == f"/stod/{resource.pk}/"
    resource.refresh_from_db()
    assert resource.reviewed_on == timezone.localdate()
    assert resource.next_review_on == review.next_review(timezone.localdate(), 12)


def test_the_page_refuses_a_stale_version_with_400_and_others_with_403(cast):
    resource = make_resource(next_review_on=days(-3))
    response = cast.client("coordinator").post(f"/stod/{resource.pk}/granskad/", {"lock_version": 5})
    assert response.status_code == 400
    assert "har ändrats av någon annan" in response.content.decode()
    assert cast.client("coordinator").post(f"/stod/{resource.pk}/granskad/", {"lock_version": "x"}).status_code == 400
    for role in ("staff", "coordinator_other", "admin"):
        assert cast.client(role).post(f"/stod/{resource.pk}/granskad/", {"lock_version": 0}).status_code == 403
    assert cast.client("coordinator").post("/stod/999999/granskad/", {"lock_version": 0}).status_code == 404
    resource.refresh_from_db()
    assert resource.reviewed_on is None


# --- The warning on the resource's page ------------------------------------------------------------


def test_readers_are_warned_of_an_overdue_review_and_keepers_get_the_button(cast):
    overdue = make_resource(next_review_on=datetime.date(2025, 11, 3))
    reader = cast.client("staff").get(f"/stod/{overdue.pk}/").content.decode()
    assert "Granskningen är försenad sedan 3 november 2025; innehållet kan vara inaktuellt." in reader
    assert f"Materialet ägs av {overdue.owner.name}." in reader
    assert "Markera som granskad" not in reader
    keeper = cast.client("coordinator").get(f"/stod/{overdue.pk}/").content.decode()
    assert "Granskningen är försenad" in keeper and "Markera som granskad" in keeper
    assert f'action="/stod/{overdue.pk}/granskad/"' in keeper


def test_no_warning_before_the_due_date(cast):
    current = make_resource(next_review_on=days(0))
    assert "försenad" not in cast.client("staff").get(f"/stod/{current.pk}/").content.decode()


# --- The overview ----------------------------------------------------------------------------------


@pytest.fixture
def due_resources(cast, settings):
    settings.VBE_RESOURCE_REVIEW_NOTICE_DAYS = 30
    return {
        "jarva_late": make_resource(title="Järva försenad", next_review_on=days(-40)),
        "sodermalm_late": make_resource("sodermalm", title="Södermalm försenad", next_review_on=days(-10)),
        "jarva_soon": make_resource(title="Järva snart", next_review_on=days(12)),
        "ks_soon": make_resource("ks", title="KS snart", next_review_on=days(30)),
        "later": make_resource(title="Järva senare", next_review_on=days(31)),
        "archived": make_resource(title="Järva arkiverad", next_review_on=days(-100), is_active=False),
    }


def titles(response) -> list[str]:
    return [r.title for r in response.context["page"].rows]


def test_the_central_coordinator_sees_the_whole_city_oldest_due_first(cast, due_resources):
    response = cast.client("central_coordinator").get("/stod/granskning/")
    assert response.status_code == 200
    assert titles(response) == ["Järva försenad", "Södermalm försenad", "Järva snart", "KS snart"]
    assert response.context["page"].overdue == 2
    body = response.content.decode()
    assert "2 försenade granskningar" in body and "Försenad" in body and "Snart" in body


def test_a_local_coordinator_sees_their_own_organisations_only(cast, due_resources):
    response = cast.client("coordinator").get("/stod/granskning/")
    assert response.status_code == 200
    assert titles(response) == ["Järva försenad", "Järva snart"] and response.context["page"].overdue == 1
    other = cast.client("coordinator_other").get("/stod/granskning/")
    assert titles(other) == ["Södermalm försenad"]
    assert titles(cast.client("coordinator_board").get("/stod/granskning/")) == []


@pytest.mark.parametrize("role", ["staff", "unit_manager", "caseworker", "board_reader", "auditor", "admin"])
def test_others_may_not_see_the_overview(cast, role):
    assert cast.client(role).get("/stod/granskning/").status_code == 403


def test_the_overview_is_paged_by_position(cast, settings, monkeypatch):
    settings.VBE_RESOURCE_REVIEW_NOTICE_DAYS = 30
    monkeypatch.setattr(review, "PER_PAGE", 2)
    for i in range(5):
        make_resource(title=f"R{i}", next_review_on=days(-5 + (i // 2)))
    client = cast.client("central_coordinator")
    first = client.get("/stod/granskning/")
    assert titles(first) == ["R0", "R1"] and first.context["page"].overdue == 5
    cursor = str(first.context["page"].next)
    second = client.get("/stod/granskning/", {"efter": cursor})
    assert titles(second) == ["R2", "R3"]
    third = client.get("/stod/granskning/", {"efter": str(second.context["page"].next)})
    assert titles(third) == ["R4"] and third.context["page"].next is None
    assert "Till början" in third.content.decode()
    # A position that does not parse shows the first page.
    assert titles(client.get("/stod/granskning/", {"efter": "2026-13-45-1"})) == ["R0", "R1"]


def test_the_overview_keeps_to_the_query_bound(cast, settings, django_assert_max_num_queries):
    settings.VBE_RESOURCE_REVIEW_NOTICE_DAYS = 30
    responsible = cast["coordinator"]
    for i in range(40):
        make_resource(title=f"R{i:02d}", next_review_on=days(i - 20), responsible=responsible if i % 2 else None)
    client = cast.client("coordinator")
    with django_assert_max_num_queries(20):
        response = client.get("/stod/granskning/")
    assert len(titles(response)) == review.PER_PAGE and response.context["page"].overdue == 20
