"""The plan cycle in a real browser: a Järva coordinator creates this year's plan, writes the
situation picture, adds a measure, submits it and records the board's decision; follows up last
year's decided plan; and axe-core (WCAG 2.1 A and AA) on every plans page, empty and with errors."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in_browser
from vbe.guidelines.models import CoordinatorDuty, FocusArea
from vbe.plans import services
from vbe.plans.models import FollowUp, Plan, PlanState
from vbe.plans.tests.conftest import follow_up, make_plan

pytestmark = pytest.mark.browser

THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def follow(page, link: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=link, exact=True).click()


def area(number: int) -> FocusArea:
    return FocusArea.objects.get(number=number, intervention_area__guideline__is_current=True)


def test_coordinator_writes_submits_and_records_the_decision(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto("/planer/")
    expect(page.get_by_text("Inga planer.")).to_be_visible()
    assert_accessible(page, axe_source, console)

    follow(page, "Ny plan")
    expect(page.get_by_label("År")).to_have_value(str(THIS_YEAR))  # the year Järva owes next
    assert_accessible(page, axe_source, console)
    submit(page, "Skapa planen")
    plan = Plan.objects.get()
    expect(page.locator("h1")).to_have_text(plan.title)
    expect(page.locator(".govuk-warning-text")).to_contain_text("lägesbilden och minst en åtgärd")
    assert_accessible(page, axe_source, console)  # a new draft

    # Submitting too early: the plan page again with the message, accessible too.
    submit(page, "Lämna till nämnden")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Planen behöver en lägesbild och minst en åtgärd")
    assert page.title().startswith("Fel: ")
    assert_accessible(page, axe_source, console)

    follow(page, "Skriv lägesbild och rubrik")
    assert_accessible(page, axe_source, console)
    page.get_by_label("Rubrik", exact=True).fill("")
    page.get_by_label("Lägesbild").fill("Klistermärken med extremistiska symboler vid två skolor i Rinkeby.")
    submit(page, "Spara")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Skriv en rubrik.")
    expect(page.get_by_label("Lägesbild")).to_have_value(
        "Klistermärken med extremistiska symboler vid två skolor i Rinkeby."
    )
    assert_accessible(page, axe_source, console)  # the form with errors
    page.get_by_label("Rubrik", exact=True).fill(f"Åtgärdsplan Järva {THIS_YEAR}")
    submit(page, "Spara")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Lägesbilden är sparad")

    follow(page, "Lägg till åtgärd")
    assert_accessible(page, axe_source, console)  # the empty measure form
    wrong = area(5).methods.order_by("name").first()
    page.get_by_label("Åtgärd", exact=True).fill("Källkritik i årskurs 8")
    page.get_by_label(str(area(2))).check()
    page.get_by_label(wrong.name, exact=True).check()
    submit(page, "Spara åtgärden")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"{wrong.name} hör till ett annat område")
    expect(page.get_by_label("Åtgärd", exact=True)).to_have_value("Källkritik i årskurs 8")
    assert_accessible(page, axe_source, console)  # the measure form with errors
    page.get_by_label(wrong.name, exact=True).uncheck()
    page.get_by_label(area(2).methods.order_by("name").first().name, exact=True).check()
    page.get_by_label("Vad mäts? (indikator 1)").fill("Klasser som har haft lektionen")
    page.get_by_label("Målvärde för indikator 1").fill("12")
    submit(page, "Spara åtgärden")
    expect(page.locator("#atgard-1, .app-measure").first).to_contain_text("Klasser som har haft lektionen – mål: 12")

    submit(page, "Lämna till nämnden")
    expect(page.locator(".app-steps__item--current")).to_have_text("Redo för nämnden")
    assert_accessible(page, axe_source, console)  # ready for the board, with the decision form

    submit(page, "Registrera beslut")  # no minute reference
    expect(page.locator(".govuk-error-summary")).to_contain_text("Ange protokollsparagrafen för beslutet.")
    assert_accessible(page, axe_source, console)
    page.get_by_label("Beslutsdatum").fill(timezone.localdate().isoformat())
    page.get_by_label("Protokollsparagraf").fill("§ 14")
    submit(page, "Registrera beslut")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Planen är nu låst")
    expect(page.get_by_role("link", name="Lägg till åtgärd")).to_have_count(0)
    assert_accessible(page, axe_source, console)  # decided and locked
    plan.refresh_from_db()
    assert (plan.state, plan.minute_reference) == (PlanState.DECIDED, "§ 14")


def test_coordinator_follows_up_last_years_decided_plan(page, context, live_server, cast, axe_source, console):
    plan = make_plan(
        cast,
        year=LAST_YEAR,
        state=PlanState.DECIDED,
        measures=[
            {"title": "Föräldraträffar", "area": 1, "indicators": [("Träffar", "10")]},
            {"title": "Nattvandring", "area": 3, "indicators": []},
        ],
    )
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto("/planer/att-gora/")
    expect(page.get_by_text(f"uppföljningen för {LAST_YEAR} saknas för 2 av 2 åtgärder")).to_be_visible()
    assert_accessible(page, axe_source, console)  # the task list
    follow(page, f"Följ upp {LAST_YEAR}")
    assert_accessible(page, axe_source, console)  # the follow-up form

    page.get_by_label("Kommentar om Föräldraträffar").fill("Elva träffar hölls.")
    submit(page, "Spara uppföljningen")  # a comment without status
    expect(page.locator(".govuk-error-summary")).to_contain_text("Välj status för Föräldraträffar.")
    expect(page.get_by_label("Kommentar om Föräldraträffar")).to_have_value("Elva träffar hölls.")
    assert_accessible(page, axe_source, console)

    page.locator("fieldset", has_text="Status för Föräldraträffar").get_by_label("Genomförd").check()
    page.get_by_label("Utfall: Träffar").fill("11")
    page.locator("fieldset", has_text="Status för Nattvandring").get_by_label("Försenad").check()
    submit(page, "Spara uppföljningen")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Uppföljningen är sparad")
    assert FollowUp.objects.filter(measure__plan=plan, year=LAST_YEAR).count() == 2

    submit(page, "Markera uppföljningen som klar")
    expect(page.locator(".app-steps__item--current")).to_have_text("Uppföljd")
    expect(page.get_by_text("Elva träffar hölls.")).to_be_visible()
    assert_accessible(page, axe_source, console)  # followed up, with the roll-up
    assert Plan.objects.get(pk=plan.pk).state == PlanState.FOLLOWED_UP


@pytest.fixture
def plans_in_every_state(cast):
    """A city with plans: Järva's of last year followed up and versioned, Södermalm's of last year
    partly followed up and this year's ready, the board's decided."""
    old = make_plan(
        cast, year=LAST_YEAR, state=PlanState.DECIDED, measures=[{"title": "A", "area": 1}, {"title": "B", "area": 4}]
    )
    follow_up(old, cast["coordinator"], LAST_YEAR, {"A": "done", "B": "ongoing"})
    old.refresh_from_db()
    new = services.new_version(plan_id=old.pk, actor=cast["coordinator"], lock_version=old.lock_version)
    ready = make_plan(cast, organisation="sodermalm", coordinator="coordinator_other", state=PlanState.READY)
    followed = make_plan(
        cast,
        organisation="sodermalm",
        coordinator="coordinator_other",
        year=LAST_YEAR,
        state=PlanState.DECIDED,
        measures=[{"title": "C", "area": 2}, {"title": "D", "area": 7}],
    )
    follow_up(followed, cast["coordinator_other"], LAST_YEAR, {"C": "delayed"})  # the roll-up has figures
    board = make_plan(
        cast,
        organisation="utbildningsnamnden",
        coordinator="coordinator_board",
        year=THIS_YEAR - THIS_YEAR % 2,
        state=PlanState.DECIDED,
    )
    return {"old": old, "new": new, "ready": ready, "board": board}


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/planer/", "central_coordinator"),
        ("/planer/?ar=abc", "central_coordinator"),  # the filter's error summary
        ("/planer/ny/", "coordinator_board"),
        ("/planer/att-gora/", "central_coordinator"),  # nothing to do
        ("/planer/att-gora/", "coordinator_board"),
        (f"/planer/uppfoljning/{LAST_YEAR}/", "central_coordinator"),
        ("OLD", "coordinator"),  # an earlier version, read-only
        ("NEW", "coordinator"),  # the new draft version
        ("READY", "central_coordinator"),  # read-only for the central coordinator
        ("BOARD", "board_reader"),
        ("OLD_FOLLOW_UP", "central_coordinator"),  # the follow-up, read-only
        ("DELETE", "coordinator"),
        ("EDIT_MEASURE", "coordinator"),
        (f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/", "coordinator"),
    ],
)
def test_plans_pages_are_accessible(
    page, context, live_server, cast, axe_source, console, plans_in_every_state, path, role
):
    plans = plans_in_every_state
    measure = plans["new"].measures.order_by("title").first()
    path = {
        "OLD": f"/planer/{plans['old'].pk}/",
        "NEW": f"/planer/{plans['new'].pk}/",
        "READY": f"/planer/{plans['ready'].pk}/",
        "BOARD": f"/planer/{plans['board'].pk}/",
        "OLD_FOLLOW_UP": f"/planer/{plans['old'].pk}/uppfoljning/{LAST_YEAR}/",
        "DELETE": f"/planer/{plans['new'].pk}/atgarder/{measure.pk}/ta-bort/",
        "EDIT_MEASURE": f"/planer/{plans['new'].pk}/atgarder/{measure.pk}/",
    }.get(path, path)
    sign_in_browser(context, live_server, cast[role])
    response = page.goto(path)
    assert response.status == 200
    assert_accessible(page, axe_source, console)


def test_duty_report_with_errors_is_accessible_and_saves(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto(f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/")
    duties = list(CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number"))
    page.get_by_label("Kommentar om uppgift 1").fill("Vi har besökt alla skolor.")
    submit(page, "Spara självskattningen")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Svara gjort, delvis eller inte gjort för uppgift 1.")
    expect(page.get_by_label("Kommentar om uppgift 1")).to_have_value("Vi har besökt alla skolor.")
    assert_accessible(page, axe_source, console)
    for duty in duties:
        page.locator("fieldset", has_text=duty.text).get_by_label("Gjort", exact=True).check()
    submit(page, "Spara självskattningen")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Självskattningen")
    assert_accessible(page, axe_source, console)


def test_a_locked_plan_refuses_a_stale_form_with_a_message(page, context, live_server, cast, axe_source, console):
    """The coordinator has the draft open while someone records the decision: the next change is refused."""
    plan = make_plan(cast, state=PlanState.READY)
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto(f"/planer/{plan.pk}/")
    services.record_decision(
        plan_id=plan.pk,
        actor=cast["coordinator"],
        lock_version=plan.lock_version,
        decided_on=timezone.localdate(),
        minute_reference="§ 2",
    )
    submit(page, "Ta tillbaka")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Planen har ändrats av någon annan")
    expect(page.get_by_role("button", name="Ny version")).to_be_visible()
    assert_accessible(page, axe_source, console)
