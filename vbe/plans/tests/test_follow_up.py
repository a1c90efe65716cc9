"""Yearly follow-up of a decided plan, and the roll-ups per plan and per focus area."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vbe.plans import rollup, services
from vbe.plans.models import FollowUp, Plan, PlanEvent, PlanState
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, focus_area, follow_up, make_plan


def _decided(cast, **kwargs) -> Plan:
    return make_plan(
        cast,
        year=LAST_YEAR,
        state=PlanState.DECIDED,
        measures=[
            {"title": "Föräldraträffar", "area": 1, "indicators": [("Träffar", "10")]},
            {"title": "Källkritik", "area": 2, "indicators": []},
        ],
        **kwargs,
    )


def _entry(measure, status: str = "", comment: str = "", **indicators) -> dict[str, str]:
    data = {f"m{measure.pk}-status": status, f"m{measure.pk}-comment": comment}
    for indicator in measure.indicators.all():
        data[f"m{measure.pk}-indicator_{indicator.pk}"] = indicators.get(indicator.name, "")
    return data


def _post(client, plan: Plan, suffix: str = "", **data):
    plan.refresh_from_db()
    return client.post(
        f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR}/{suffix}", {"lock_version": plan.lock_version, **data}
    )


def test_coordinator_follows_up_last_years_plan_and_marks_it_done(cast):
    plan = _decided(cast)
    parents, sources = plan.measures.order_by("title")
    client = cast.client("coordinator")
    page = client.get(f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR}/").content.decode()
    assert "Status för Föräldraträffar" in page and "Utfall: Träffar" in page and "Målvärde: 10" in page

    # One measure first: saved, the other still missing, so it cannot be marked done yet.
    response = _post(client, plan, **_entry(parents, "done", "Tolv träffar hölls.", Träffar="12"), **_entry(sources))
    assert response.status_code == 302
    saved = FollowUp.objects.get(measure=parents, year=LAST_YEAR)
    indicator = parents.indicators.get()
    assert (saved.status, saved.comment, saved.indicator_values) == (
        "done",
        "Tolv träffar hölls.",
        {str(indicator.pk): "12"},
    )
    response = _post(client, plan, "klar/")
    assert response.status_code == 400
    assert f"1 åtgärd saknar uppföljning för {LAST_YEAR}." in response.content.decode()

    response = _post(
        client,
        plan,
        **_entry(parents, "done", "Tolv träffar hölls.", Träffar="12"),
        **_entry(sources, "delayed", "Ny lärare."),
    )
    assert response.status_code == 302
    assert (
        PlanEvent.objects.filter(plan=plan, summary__startswith=f"Uppföljning {LAST_YEAR}:").count() == 2
    )  # unchanged one skipped
    assert _post(client, plan, "klar/").status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.FOLLOWED_UP
    assert services.follow_up_completed(plan, LAST_YEAR)
    page = client.get(f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR}/").content.decode()
    assert "är markerad som klar" in page and "Markera uppföljningen som klar" not in page
    detail = client.get(f"/planer/{plan.pk}/").content.decode()
    assert "Tolv träffar hölls." in detail and "Träffar: 12 (mål 10)" in detail


def test_status_is_needed_when_something_is_written_and_typed_values_stay(cast):
    plan = _decided(cast)
    parents, sources = plan.measures.order_by("title")
    response = _post(
        cast.client("coordinator"),
        plan,
        **_entry(parents, "", "Skrev en kommentar utan status"),
        **_entry(sources, "done", "Klart"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Välj status för Föräldraträffar." in html and "Skrev en kommentar utan status" in html
    # The first radio carries the field's own id (the error summary links to it).
    assert f'id="id_m{sources.pk}-status" name="m{sources.pk}-status" type="radio" value="done" checked' in html
    assert not FollowUp.objects.exists()  # nothing saved when one entry is wrong


def test_stale_follow_up_is_refused_and_keeps_what_was_typed(cast):
    plan = _decided(cast)
    parents, sources = plan.measures.order_by("title")
    stale = plan.lock_version
    services.record_follow_up(
        actor=cast["coordinator"], measure_id=sources.pk, lock_version=stale, year=LAST_YEAR, status="ongoing"
    )
    response = cast.client("coordinator").post(
        f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR}/",
        {"lock_version": stale, **_entry(parents, "cancelled", "Min kommentar"), **_entry(sources)},
    )
    html = response.content.decode()
    assert response.status_code == 400 and str(services.STALE) in html and "Min kommentar" in html
    assert not FollowUp.objects.filter(measure=parents).exists()


def test_follow_ups_are_saved_all_or_nothing(cast):
    plan = _decided(cast)
    parents, sources = plan.measures.order_by("title")
    with pytest.raises(ValidationError):
        services.record_follow_ups(
            plan_id=plan.pk,
            actor=cast["coordinator"],
            lock_version=plan.lock_version,
            year=LAST_YEAR,
            entries=[
                services.FollowUpEntry(measure_id=parents.pk, status="done"),
                services.FollowUpEntry(measure_id=sources.pk, status="finished-ish"),
            ],
        )
    assert not FollowUp.objects.exists()


def test_a_draft_is_not_followed_up(cast):
    plan = make_plan(cast, year=LAST_YEAR)
    measure = plan.measures.get()
    client = cast.client("coordinator")
    page = client.get(f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR}/").content.decode()
    assert "Planen är inte beslutad ännu." in page and "Spara uppföljningen" not in page
    response = _post(client, plan, **_entry(measure, "done"))
    assert response.status_code == 400
    assert "Bara åtgärder i en gällande, beslutad plan följs upp." in response.content.decode()
    assert _post(client, plan, "klar/").status_code == 400


def test_follow_up_years_outside_the_plan_or_in_the_future_are_not_found(cast):
    plan = _decided(cast)
    client = cast.client("coordinator")
    assert client.get(f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR - 1}/").status_code == 404
    assert client.get(f"/planer/{plan.pk}/uppfoljning/{THIS_YEAR}/").status_code == 404
    current = make_plan(cast, state=PlanState.DECIDED)
    assert client.get(f"/planer/{current.pk}/uppfoljning/{THIS_YEAR + 1}/").status_code == 404


@pytest.mark.parametrize("role", ["central_coordinator"])
def test_readers_see_the_follow_up_read_only(cast, role):
    plan = _decided(cast)
    parents, _ = plan.measures.order_by("title")
    follow_up(plan, cast["coordinator"], LAST_YEAR, {"Föräldraträffar": "done"})
    client = cast.client(role)
    page = client.get(f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR}/").content.decode()
    assert "Spara uppföljningen" not in page and "Genomförd" in page and "Inte uppföljd" in page
    assert _post(client, plan, **_entry(parents, "cancelled")).status_code == 403
    assert _post(client, plan, "klar/").status_code == 403
    assert FollowUp.objects.get(measure=parents).status == "done"


@pytest.mark.parametrize("role", ["coordinator_other", "board_reader", "staff", "auditor", "admin"])
def test_others_find_no_follow_up(cast, role):
    plan = _decided(cast)
    parents, _ = plan.measures.order_by("title")
    client = cast.client(role)
    assert client.get(f"/planer/{plan.pk}/uppfoljning/{LAST_YEAR}/").status_code == 404
    assert _post(client, plan, **_entry(parents, "done")).status_code == 404
    assert not FollowUp.objects.exists()


# --- Roll-ups against hand-computed figures ----------------------------------------------------------


@pytest.fixture
def followed_up_city(cast):
    """Järva: A (1) done, B (1) delayed, C (2) done, D (4) not followed up. Södermalm: E (1) ongoing,
    F (7) cancelled. Utbildningsnämnden's board plan covering last year: G (2) done. Not counted: a
    superseded version (Farsta) and Järva's follow-up of another year."""
    jarva = make_plan(
        cast,
        year=LAST_YEAR,
        state=PlanState.DECIDED,
        measures=[
            {"title": "A", "area": 1},
            {"title": "B", "area": 1},
            {"title": "C", "area": 2},
            {"title": "D", "area": 4},
        ],
    )
    follow_up(jarva, cast["coordinator"], LAST_YEAR, {"A": "done", "B": "delayed", "C": "done"})
    sodermalm = make_plan(
        cast,
        organisation="sodermalm",
        coordinator="coordinator_other",
        year=LAST_YEAR,
        state=PlanState.DECIDED,
        measures=[{"title": "E", "area": 1}, {"title": "F", "area": 7}],
    )
    follow_up(sodermalm, cast["coordinator_other"], LAST_YEAR, {"E": "ongoing", "F": "cancelled"})
    board = make_plan(
        cast,
        organisation="utbildningsnamnden",
        coordinator="coordinator_board",
        year=LAST_YEAR - LAST_YEAR % 2,
        state=PlanState.DECIDED,
        measures=[{"title": "G", "area": 2}],
    )
    follow_up(board, cast["coordinator_board"], LAST_YEAR, {"G": "done"})
    from vbe.accounts.models import Membership, Role, User
    from vbe.organisations.models import Organisation

    farsta = Organisation.objects.get(slug="farsta")
    Membership.objects.create(user=cast["coordinator"], organisation=farsta, role=Role.COORDINATOR)
    cast["coordinator"] = User.objects.get(pk=cast["coordinator"].pk)  # a user object reads its memberships once
    superseded = make_plan(
        cast, organisation="farsta", year=LAST_YEAR, state=PlanState.DECIDED, measures=[{"title": "H", "area": 3}]
    )
    follow_up(superseded, cast["coordinator"], LAST_YEAR, {"H": "done"})
    superseded.refresh_from_db()
    services.new_version(plan_id=superseded.pk, actor=cast["coordinator"], lock_version=superseded.lock_version)
    return {"jarva": jarva, "sodermalm": sodermalm, "board": board}


def _by_area(rows) -> dict[int, tuple[list[int], int]]:
    return {r.focus_area.number: (r.tally.cells, r.tally.missing) for r in rows if r.tally.total}


def test_plan_rollup_per_status_and_focus_area(followed_up_city):
    plan = followed_up_city["jarva"]
    tally = rollup.plan_rollup(plan, LAST_YEAR)
    # columns: done, ongoing, delayed, cancelled
    assert (tally.cells, tally.missing, tally.total) == ([2, 0, 1, 0], 1, 4)
    measures = plan.measures.select_related("focus_area").prefetch_related("follow_ups")
    in_memory = rollup.tally_measures(measures, LAST_YEAR)
    assert (in_memory.cells, in_memory.missing) == (tally.cells, tally.missing)
    expected = {1: ([1, 0, 1, 0], 0), 2: ([1, 0, 0, 0], 0), 4: ([0, 0, 0, 0], 1)}
    assert _by_area(rollup.tally_measures_by_focus_area(measures, LAST_YEAR)) == expected
    assert _by_area(rollup.focus_area_rollup(Plan.objects.filter(pk=plan.pk), LAST_YEAR)) == expected
    assert rollup.plan_rollup(plan, LAST_YEAR - 1).missing == 4  # another year: nothing followed up


def test_city_wide_rollup_page_for_the_central_coordinator(cast, followed_up_city):
    response = cast.client("central_coordinator").get(f"/planer/uppfoljning/{LAST_YEAR}/")
    assert response.status_code == 200
    by_area = response.context["by_area"]
    assert [r.focus_area.number for r in by_area] == [1, 2, 3, 4, 5, 6, 7]  # every area, even empty ones
    assert _by_area(by_area) == {
        1: ([1, 1, 1, 0], 0),
        2: ([2, 0, 0, 0], 0),
        4: ([0, 0, 0, 0], 1),
        7: ([0, 0, 0, 1], 0),
    }
    total = response.context["total"]
    assert (total.cells, total.missing, total.total) == ([3, 1, 1, 1], 1, 7)
    plans = {row.plan.organisation.slug: (row.tally.cells, row.tally.missing) for row in response.context["by_plan"]}
    assert plans == {
        "jarva": ([2, 0, 1, 0], 1),
        "sodermalm": ([0, 1, 0, 1], 0),
        "utbildningsnamnden": ([1, 0, 0, 0], 0),
    }


def test_the_rollup_is_scoped_to_the_plans_a_user_can_see(cast, followed_up_city):
    response = cast.client("coordinator_other").get(f"/planer/uppfoljning/{LAST_YEAR}/")
    assert _by_area(response.context["by_area"]) == {1: ([0, 1, 0, 0], 0), 7: ([0, 0, 0, 1], 0)}
    response = cast.client("board_reader").get(f"/planer/uppfoljning/{LAST_YEAR}/")
    assert _by_area(response.context["by_area"]) == {2: ([1, 0, 0, 0], 0)}
    assert cast.client("staff").get(f"/planer/uppfoljning/{LAST_YEAR}/").status_code == 403
    assert cast.client("central_coordinator").get("/planer/uppfoljning/1999/").status_code == 404


def test_the_plan_page_shows_its_rollup(cast, followed_up_city):
    plan = followed_up_city["jarva"]
    response = cast.client("coordinator").get(f"/planer/{plan.pk}/")
    (year_rollup,) = response.context["rollups"]
    assert year_rollup["year"] == LAST_YEAR and year_rollup["tally"].cells == [2, 0, 1, 0]
    assert _by_area(year_rollup["by_area"]) == {1: ([1, 0, 1, 0], 0), 2: ([1, 0, 0, 0], 0), 4: ([0, 0, 0, 0], 1)}
    assert focus_area(4).name in response.content.decode()
