"""The plan's way through the workflow in the views: create, write, submit, take back, decide, new
version. Who may do each step, what a locked plan refuses, and concurrent edits."""

from __future__ import annotations

import pytest

from conftest import CAST
from vbe.audit.models import AccessLogEntry
from vbe.plans import services
from vbe.plans.models import Indicator, Measure, Plan, PlanEvent, PlanKind, PlanState
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, focus_area, make_plan, method_of

NOT_EDITORS = [
    "coordinator_other",
    "coordinator_board",
    "central_coordinator",
    "board_reader",
    "staff",
    "admin",
    "auditor",
]


def _post(client, plan: Plan, suffix: str, **data):
    plan.refresh_from_db()
    return client.post(f"/planer/{plan.pk}/{suffix}", {"lock_version": plan.lock_version, **data})


def _state(plan: Plan) -> str:
    return Plan.objects.get(pk=plan.pk).state


# --- The happy path --------------------------------------------------------------------------------


def test_coordinator_creates_writes_submits_and_records_the_decision(cast, jarva):
    client = cast.client("coordinator")
    page = client.get("/planer/ny/").content.decode()
    assert f'<option value="{THIS_YEAR}" selected>' in page  # the year Järva owes next

    response = client.post("/planer/ny/", {"organisation": jarva.pk, "year": THIS_YEAR, "title": ""})
    plan = Plan.objects.get(organisation=jarva, year=THIS_YEAR)
    assert response.status_code == 302 and response["Location"] == f"/planer/{plan.pk}/"
    assert plan.kind == PlanKind.DISTRICT and plan.end_year == THIS_YEAR and plan.state == PlanState.DRAFT
    assert plan.title == f"Åtgärdsplan mot våldsbejakande extremism {THIS_YEAR} – Järva"

    response = _post(client, plan, "andra/", title="Åtgärdsplan Järva", situation_analysis="Affischer vid torget.")
    assert response.status_code == 302

    area = focus_area(2)
    response = _post(
        client,
        plan,
        "atgarder/ny/",
        title="Källkritik i skolan",
        description="Lektioner om propaganda.",
        focus_area=area.pk,
        methods=[method_of(2).pk],
        responsible_unit="",
        starts_on=f"{THIS_YEAR}-02-01",
        ends_on=f"{THIS_YEAR}-12-15",
        status="planned",
        indicator_1_name="Antal klasser",
        indicator_1_target="20",
    )
    assert response.status_code == 302
    measure = Measure.objects.get(plan=plan)
    assert measure.focus_area == area and list(measure.methods.all()) == [method_of(2)]
    assert [(i.name, i.target) for i in measure.indicators.all()] == [("Antal klasser", "20")]

    assert _post(client, plan, "lamna-till-namnden/").status_code == 302
    assert _state(plan) == PlanState.READY

    response = _post(client, plan, "beslut/", decided_on=f"{THIS_YEAR}-01-01", minute_reference="§ 12")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.DECIDED and plan.minute_reference == "§ 12" and plan.is_locked

    summaries = list(plan.events.values_list("summary", flat=True))
    assert summaries[0] == "Planen skapades"
    assert "Lämnad till nämnden för beslut" in summaries and f"Beslutad {THIS_YEAR}-01-01, § 12" in summaries
    actions = set(AccessLogEntry.objects.filter(object_id=str(plan.pk)).values_list("action", flat=True))
    assert {"plan_created", "plan_changed", "plan_submitted", "plan_decided"} <= actions


def test_coordinator_takes_a_submitted_plan_back_to_draft(cast):
    plan = make_plan(cast, state=PlanState.READY)
    assert _post(cast.client("coordinator"), plan, "ta-tillbaka/").status_code == 302
    assert _state(plan) == PlanState.DRAFT


def test_a_board_plan_is_for_an_even_year_and_covers_two(cast):
    client = cast.client("coordinator_board")
    board = CAST["coordinator_board"].organisation
    page = client.get("/planer/ny/").content.decode()
    assert f'value="{THIS_YEAR + THIS_YEAR % 2 + 1}"' not in page  # odd years are not offered to a board
    even = THIS_YEAR + THIS_YEAR % 2
    from vbe.organisations.models import Organisation

    organisation = Organisation.objects.get(slug=board)
    assert client.post("/planer/ny/", {"organisation": organisation.pk, "year": even}).status_code == 302
    plan = Plan.objects.get(organisation=organisation)
    assert (plan.kind, plan.year, plan.end_year) == (PlanKind.BOARD, even, even + 1)


def test_a_second_plan_for_the_same_year_is_refused_with_a_message(cast, jarva):
    make_plan(cast)
    response = cast.client("coordinator").post("/planer/ny/", {"organisation": jarva.pk, "year": THIS_YEAR})
    assert response.status_code == 400
    assert f"Järva stadsdelsnämnd har redan en plan för {THIS_YEAR}" in response.content.decode()


def test_a_coordinator_cannot_create_a_plan_for_another_organisation(cast):
    other = cast.client("coordinator").post("/planer/ny/", {"organisation": _org("sodermalm").pk, "year": THIS_YEAR})
    assert other.status_code == 400 and not Plan.objects.exists()


def _org(slug: str):
    from vbe.organisations.models import Organisation

    return Organisation.objects.get(slug=slug)


# --- Who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_EDITORS)
@pytest.mark.parametrize(
    "state,suffix,data",
    [
        (PlanState.DRAFT, "lamna-till-namnden/", {}),
        (PlanState.READY, "ta-tillbaka/", {}),
        (PlanState.READY, "beslut/", {"decided_on": "2020-01-01", "minute_reference": "§ 1"}),
        (PlanState.DECIDED, "ny-version/", {}),
        (PlanState.DRAFT, "andra/", {"title": "Kapad", "situation_analysis": ""}),
        (PlanState.DRAFT, "atgarder/ny/", {"title": "Kapad", "focus_area": "1", "status": "planned"}),
    ],
)
def test_only_the_organisations_coordinator_may_change_a_plan(cast, role, state, suffix, data):
    plan = make_plan(cast, state=state)
    before = (plan.state, plan.lock_version, Measure.objects.count())
    response = _post(cast.client(role), plan, suffix, **data)
    assert response.status_code == (403 if role == "central_coordinator" else 404)
    plan.refresh_from_db()
    assert (plan.state, plan.lock_version, Measure.objects.count()) == before
    assert Plan.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(cast):
    plan = make_plan(cast)
    response = _post(cast.client(None), plan, "lamna-till-namnden/")
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


def test_the_board_reader_reads_decided_plans_of_the_board_only(cast):
    draft = make_plan(
        cast, organisation="utbildningsnamnden", coordinator="coordinator_board", year=THIS_YEAR - THIS_YEAR % 2
    )
    reader = cast.client("board_reader")
    assert reader.get(f"/planer/{draft.pk}/").status_code == 404
    services.submit_for_decision(plan_id=draft.pk, actor=cast["coordinator_board"], lock_version=draft.lock_version)
    draft.refresh_from_db()
    services.record_decision(
        plan_id=draft.pk,
        actor=cast["coordinator_board"],
        lock_version=draft.lock_version,
        decided_on=draft.created_at.date(),
        minute_reference="§ 3",
    )
    page = reader.get(f"/planer/{draft.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ny version" not in html and "Arbeta med planen" not in html
    assert reader.get(f"/planer/{draft.pk}/andra/").status_code == 403  # reads it, may not change it
    assert reader.get("/planer/").content.decode().count(f"/planer/{draft.pk}/") == 1


def test_the_central_coordinator_reads_every_plan_without_edit_controls(cast):
    plan = make_plan(cast)
    page = cast.client("central_coordinator").get(f"/planer/{plan.pk}/").content.decode()
    assert plan.title in page
    for control in ("Lämna till nämnden", "Lägg till åtgärd", "/andra/", "ta-bort/"):
        assert control not in page


# --- Locking ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix,data",
    [
        ("andra/", {"title": "Ändrad efter beslut", "situation_analysis": "Ny text efter beslut"}),
        ("atgarder/ny/", {"title": "Ny efter beslut", "focus_area": "1", "status": "planned"}),
        ("lamna-till-namnden/", {}),
    ],
)
def test_a_decided_plan_refuses_changes_with_a_clear_message(cast, suffix, data):
    plan = make_plan(cast, state=PlanState.DECIDED)
    data = {**data, "focus_area": str(focus_area(1).pk)} if "focus_area" in data else data
    response = _post(cast.client("coordinator"), plan, suffix, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert str(services.LOCKED) in html or "Bara ett utkast kan lämnas till nämnden." in html
    if "title" in data:
        assert data["title"] in html  # what the user typed is kept
    plan.refresh_from_db()
    assert plan.state == PlanState.DECIDED and plan.measures.count() == 1


def test_a_decided_plan_refuses_measure_edits_and_deletes(cast):
    plan = make_plan(cast, state=PlanState.DECIDED)
    measure = plan.measures.get()
    client = cast.client("coordinator")
    response = _post(
        client, plan, f"atgarder/{measure.pk}/", title="Nytt namn", focus_area=measure.focus_area_id, status="done"
    )
    assert response.status_code == 400 and str(services.LOCKED) in response.content.decode()
    response = _post(client, plan, f"atgarder/{measure.pk}/ta-bort/")
    assert response.status_code == 400 and str(services.LOCKED) in response.content.decode()
    assert Measure.objects.get(pk=measure.pk).title == "Föräldraträffar"


def test_the_locked_plans_pages_show_no_edit_controls(cast):
    plan = make_plan(cast, state=PlanState.DECIDED)
    client = cast.client("coordinator")
    detail = client.get(f"/planer/{plan.pk}/").content.decode()
    assert "Ny version" in detail and "Lägg till åtgärd" not in detail and "ta-bort/" not in detail
    edit = client.get(f"/planer/{plan.pk}/andra/").content.decode()
    assert "Planen är beslutad och låst" in edit and "<textarea" not in edit


def test_a_new_version_copies_measures_methods_and_indicators_and_keeps_the_old_read_only(cast):
    plan = make_plan(
        cast,
        state=PlanState.DECIDED,
        measures=[
            {
                "title": "Föräldraträffar",
                "area": 1,
                "methods": 2,
                "indicators": [("Träffar", "10"), ("Föräldrar", "80")],
            },
            {"title": "Källkritik", "area": 2},
        ],
    )
    client = cast.client("coordinator")
    response = _post(client, plan, "ny-version/")
    new = Plan.objects.get(previous=plan)
    assert response.status_code == 302 and response["Location"] == f"/planer/{new.pk}/"
    old = Plan.objects.get(pk=plan.pk)
    assert (old.is_current, old.state, new.is_current, new.state, new.version) == (
        False,
        PlanState.DECIDED,
        True,
        PlanState.DRAFT,
        2,
    )
    assert new.situation_analysis == old.situation_analysis

    def shape(p: Plan):
        return [
            (
                m.title,
                m.focus_area_id,
                sorted(m.methods.values_list("pk", flat=True)),
                list(m.indicators.values_list("name", "target")),
            )
            for m in p.measures.order_by("title")
        ]

    assert shape(new) == shape(old) and len(shape(new)) == 2
    assert not set(new.measures.values_list("pk", flat=True)) & set(old.measures.values_list("pk", flat=True))
    assert Indicator.objects.count() == 6

    old_page = client.get(f"/planer/{old.pk}/").content.decode()
    assert "en tidigare version som inte längre gäller" in old_page and f"/planer/{new.pk}/" in old_page
    assert "Ny version" not in old_page and "Arbeta med planen" not in old_page
    response = _post(client, old, "andra/", title="Ändra gammal", situation_analysis="x")
    assert response.status_code == 400 and str(services.LOCKED) in response.content.decode()
    assert _post(client, old, "ny-version/").status_code == 400  # only the current decided version

    # The new version goes the same way to the board.
    assert _post(client, new, "andra/", title=new.title, situation_analysis="Uppdaterad lägesbild").status_code == 302
    assert _post(client, new, "lamna-till-namnden/").status_code == 302
    assert PlanEvent.objects.filter(plan=new, summary__startswith="Ny version av beslutad version 1").exists()


# --- Bad input and concurrency ----------------------------------------------------------------------


def test_submitting_without_situation_picture_or_measures_is_refused(cast):
    plan = make_plan(cast, analysis="", measures=[])
    response = _post(cast.client("coordinator"), plan, "lamna-till-namnden/")
    assert response.status_code == 400
    assert "Planen behöver en lägesbild och minst en åtgärd innan den lämnas till nämnden." in response.content.decode()
    assert _state(plan) == PlanState.DRAFT


def test_decision_needs_date_and_minute_reference_and_no_future_date(cast):
    plan = make_plan(cast, state=PlanState.READY)
    client = cast.client("coordinator")
    response = _post(client, plan, "beslut/", decided_on="", minute_reference="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ange ett datum." in html and "Ange protokollsparagrafen för beslutet." in html
    response = _post(client, plan, "beslut/", decided_on=f"{THIS_YEAR + 1}-01-01", minute_reference="§ 4")
    html = response.content.decode()
    assert "Beslutsdatumet kan inte ligga i framtiden." in html and 'value="§ 4"' in html
    assert _state(plan) == PlanState.READY


def test_measure_form_errors_keep_what_was_typed(cast):
    plan = make_plan(cast, measures=[])
    response = _post(
        cast.client("coordinator"),
        plan,
        "atgarder/ny/",
        title="Nattvandring",
        description="Vuxna på stan på fredagar.",
        focus_area="",
        status="planned",
        starts_on=f"{THIS_YEAR}-06-01",
        ends_on=f"{THIS_YEAR}-05-01",
        indicator_1_name="",
        indicator_1_target="12",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Välj vilket område i riktlinjerna åtgärden hör till." in html
    assert "Slutdatum kan inte vara före startdatum." in html
    assert "Skriv vad indikator 1 mäter, eller ta bort målvärdet." in html
    assert 'value="Nattvandring"' in html and "Vuxna på stan på fredagar." in html and 'value="12"' in html
    assert html.startswith("<!DOCTYPE html>") and "<title>Fel: " in html
    assert not Measure.objects.exists()


def test_methods_must_belong_to_the_chosen_focus_area(cast):
    plan = make_plan(cast, measures=[])
    wrong = method_of(5)
    response = _post(
        cast.client("coordinator"),
        plan,
        "atgarder/ny/",
        title="Föräldrastöd",
        focus_area=focus_area(1).pk,
        methods=[method_of(1).pk, wrong.pk],
        status="planned",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f"{wrong.name} hör till ett annat område än {focus_area(1).name}." in html
    assert html.count(" checked") >= 3  # focus area, both methods, the status are still chosen
    assert not Measure.objects.exists()


def test_the_services_also_refuse_methods_and_units_from_elsewhere(cast):
    from django.core.exceptions import ValidationError

    from vbe.organisations.models import Unit, UnitKind

    plan = make_plan(cast, measures=[])
    with pytest.raises(ValidationError, match="annat område"):
        services.save_measure(
            plan_id=plan.pk,
            actor=cast["coordinator"],
            lock_version=Plan.objects.get(pk=plan.pk).lock_version,
            title="Fel",
            focus_area=focus_area(1),
            methods=[method_of(4)],
        )
    elsewhere = Unit.objects.create(organisation=_org("sodermalm"), name="Annan skola", kind=UnitKind.SCHOOL)
    with pytest.raises(ValidationError, match="annan organisation"):
        services.save_measure(
            plan_id=plan.pk,
            actor=cast["coordinator"],
            lock_version=Plan.objects.get(pk=plan.pk).lock_version,
            title="Fel",
            focus_area=focus_area(1),
            responsible_unit=elsewhere,
        )


def test_a_measure_is_edited_and_deleted(cast, jarva_unit):
    plan = make_plan(cast)
    measure = plan.measures.get()
    client = cast.client("coordinator")
    page = client.get(f"/planer/{plan.pk}/atgarder/{measure.pk}/").content.decode()
    assert 'value="Föräldraträffar"' in page and 'value="Antal deltagare"' in page
    response = _post(
        client,
        plan,
        f"atgarder/{measure.pk}/",
        title="Föräldraträffar (ABC)",
        focus_area=focus_area(1).pk,
        methods=[method_of(1, 1).pk],
        responsible_unit=jarva_unit.pk,
        status="ongoing",
        indicator_1_name="Antal träffar",
        indicator_1_target="8",
        indicator_2_name="Nöjda föräldrar",
        indicator_2_target="90 %",
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#atgard-{measure.pk}")
    measure.refresh_from_db()
    assert (measure.title, measure.responsible_unit, measure.status) == ("Föräldraträffar (ABC)", jarva_unit, "ongoing")
    assert list(measure.methods.all()) == [method_of(1, 1)]
    assert list(measure.indicators.values_list("name", "target")) == [
        ("Antal träffar", "8"),
        ("Nöjda föräldrar", "90 %"),
    ]

    assert client.get(f"/planer/{plan.pk}/atgarder/{measure.pk}/ta-bort/").status_code == 200
    assert _post(client, plan, f"atgarder/{measure.pk}/ta-bort/").status_code == 302
    assert not Measure.objects.exists()
    assert PlanEvent.objects.filter(plan=plan, summary="Åtgärd borttagen: Föräldraträffar (ABC)").exists()


def test_a_measure_of_another_plan_is_not_found(cast):
    plan = make_plan(cast)
    other = make_plan(cast, year=LAST_YEAR)
    measure = other.measures.get()
    assert cast.client("coordinator").get(f"/planer/{plan.pk}/atgarder/{measure.pk}/").status_code == 404


def test_a_stale_lock_version_is_refused_and_keeps_what_was_typed(cast):
    plan = make_plan(cast)
    stale = plan.lock_version
    services.update_plan(
        plan_id=plan.pk, actor=cast["coordinator"], lock_version=stale, title=plan.title, situation_analysis="Först"
    )
    client = cast.client("coordinator")
    response = client.post(
        f"/planer/{plan.pk}/andra/",
        {"lock_version": stale, "title": "Min rubrik", "situation_analysis": "Min text som inte får försvinna"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Planen har ändrats av någon annan sedan du öppnade sidan." in html
    assert "Min text som inte får försvinna" in html and 'value="Min rubrik"' in html
    assert Plan.objects.get(pk=plan.pk).situation_analysis == "Först"

    response = client.post(
        f"/planer/{plan.pk}/atgarder/ny/",
        {"lock_version": stale, "title": "Sen åtgärd", "focus_area": focus_area(3).pk, "status": "planned"},
    )
    assert response.status_code == 400 and "ändrats av någon annan" in response.content.decode()
    assert 'value="Sen åtgärd"' in response.content.decode()
    response = client.post(f"/planer/{plan.pk}/lamna-till-namnden/", {"lock_version": stale})
    assert response.status_code == 400 and "ändrats av någon annan" in response.content.decode()
    assert _state(plan) == PlanState.DRAFT


def test_a_missing_or_bad_lock_version_is_a_form_error_not_a_crash(cast):
    plan = make_plan(cast)
    client = cast.client("coordinator")
    assert client.post(f"/planer/{plan.pk}/lamna-till-namnden/", {}).status_code == 400
    assert client.post(f"/planer/{plan.pk}/andra/", {"lock_version": "x", "title": "t"}).status_code == 400


def test_workflow_urls_answer_only_post(cast):
    plan = make_plan(cast)
    client = cast.client("coordinator")
    for suffix in ("lamna-till-namnden/", "ta-tillbaka/", "beslut/", "ny-version/"):
        assert client.get(f"/planer/{plan.pk}/{suffix}").status_code == 405


def test_the_list_shows_own_plans_first_and_filters(cast):
    own = make_plan(cast, year=LAST_YEAR)
    other = make_plan(cast, organisation="sodermalm", coordinator="coordinator_other", year=THIS_YEAR)
    # The central coordinator sees both; Järva's coordinator only Järva's.
    central = cast.client("central_coordinator").get("/planer/").content.decode()
    assert f"/planer/{own.pk}/" in central and f"/planer/{other.pk}/" in central
    mine = cast.client("coordinator").get("/planer/").content.decode()
    assert f"/planer/{own.pk}/" in mine and f"/planer/{other.pk}/" not in mine
    # A coordinator of both sees own first although it is older.
    from vbe.accounts.models import Membership, Role

    Membership.objects.create(user=cast["coordinator"], organisation=other.organisation, role=Role.CENTRAL_COORDINATOR)
    both = cast.client("coordinator").get("/planer/").content.decode()
    assert both.index(f"/planer/{own.pk}/") < both.index(f"/planer/{other.pk}/")
    filtered = cast.client("central_coordinator").get(f"/planer/?ar={LAST_YEAR}").content.decode()
    assert f"/planer/{own.pk}/" in filtered and f"/planer/{other.pk}/" not in filtered
    by_org = cast.client("central_coordinator").get(f"/planer/?organisation={other.organisation_id}").content.decode()
    assert f"/planer/{own.pk}/" not in by_org and f"/planer/{other.pk}/" in by_org
    bad = cast.client("central_coordinator").get("/planer/?ar=abc")
    assert bad.status_code == 200 and "Välj ett av åren i listan." in bad.content.decode()


def test_a_plan_awaiting_the_decision_is_taken_back_before_it_changes(cast):
    plan = make_plan(cast, state=PlanState.READY)
    measure = plan.measures.get()
    client = cast.client("coordinator")
    detail = client.get(f"/planer/{plan.pk}/").content.decode()
    assert "Registrera beslut" in detail and "Ta tillbaka" in detail and "ta-bort/" not in detail
    assert "Planen väntar på nämndens beslut" in client.get(f"/planer/{plan.pk}/andra/").content.decode()
    response = _post(client, plan, "andra/", title="Ny rubrik", situation_analysis="Ny lägesbild")
    assert response.status_code == 400 and str(services.AWAITING_DECISION) in response.content.decode()
    response = _post(client, plan, f"atgarder/{measure.pk}/ta-bort/")
    assert response.status_code == 400 and str(services.AWAITING_DECISION) in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).situation_analysis != "Ny lägesbild" and Measure.objects.exists()
