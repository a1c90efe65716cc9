"""Competence (issue 11) in a real browser: every new page passes axe-core at 1280 px and at 375 px
(``assert_accessible`` runs axe at the page's width and again at 375 px) and never scrolls sideways at
375 px; the forms are used as people use them (GOV.UK date input, an error summary that takes the focus,
the headcount grid, the reminder switch), and the import goes through upload, mapping, check and import
with the queue run in the test process between page loads. The progress page works without JavaScript:
its "Uppdatera" link loads the job's new state."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.competence.models import (
    Completion,
    CompletionImport,
    CompletionSource,
    Course,
    CoverageTarget,
    Headcount,
    ImportState,
    Learner,
    Level,
    Placement,
    ReminderSetting,
    StaffGroup,
)
from vbe.jobs.models import Job, JobState
from vbe.organisations.models import Organisation, Unit, UnitKind

pytestmark = pytest.mark.browser

WIDE, NARROW = 1280, 375
BASIC = "Stadens digitala grundutbildning om våldsbejakande extremism"  # reference data, renewed after 3 years
ADVANCED = "Stadens digitala fördjupningsutbildning om våldsbejakande extremism"


# The innermost elements reaching past the right edge of the window: what makes a page scroll sideways.
WIDE_ELEMENTS = """
() => [...document.body.querySelectorAll("*")]
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
  .slice(0, 5).map((el) => el.outerHTML.slice(0, 160))
"""


def check(page, axe_source: str, console: ConsoleLog) -> None:
    """axe-core at 1280 px and 375 px, and no sideways scrolling of the page itself at 375 px."""
    page.set_viewport_size({"width": WIDE, "height": 900})
    assert_accessible(page, axe_source, console)
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.wait_for_function("(w) => window.innerWidth === w", arg=NARROW)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} rullar i sidled vid {NARROW} px ({overflow} px): {page.evaluate(WIDE_ELEMENTS)}"
    page.set_viewport_size({"width": WIDE, "height": 900})


def open_page(page, path: str, status: int = 200):
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    return response


def run_jobs() -> None:
    call_command("run_jobs", batch=True, verbosity=0)


@pytest.fixture
def uploads(settings, tmp_path):
    """Uploads (certificates, import files) in the test's own directory."""
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


@pytest.fixture
def jarva(cast) -> dict:
    """Järva with three units, two people placed, completions and this year's headcounts; the board
    (Utbildningsnämnden) with a small and a big unit, for the suppressed view of its board reader."""
    today = timezone.localdate()
    org = Organisation.objects.get(slug="jarva")
    youth = Unit.objects.get(organisation=org, name="Testfritidsgården")
    library = Unit.objects.create(organisation=org, name="Biblioteket i Rinkeby", kind=UnitKind.LIBRARY)
    school = Unit.objects.create(organisation=org, name="Askebyskolan", kind=UnitKind.SCHOOL)
    leisure = StaffGroup.objects.get(slug="fritid")
    libraries = StaffGroup.objects.get(slug="bibliotek")
    schools = StaffGroup.objects.get(slug="skola")
    basic, advanced = Course.objects.get(title=BASIC), Course.objects.get(title=ADVANCED)
    half_a_year_ago = today - datetime.timedelta(days=180)
    people = []
    for i, (name, unit, group, courses) in enumerate(
        [
            ("Alva Ek", youth, leisure, [basic, advanced]),
            ("Bertil Lind", library, libraries, [basic]),
            ("Cecilia Holm", school, schools, []),
        ]
    ):
        learner = Learner.objects.create(email=f"deltagare{i}@example.invalid", name=name, employee_number=f"J{i}")
        Placement.objects.create(learner=learner, unit=unit, staff_group=group)
        for course in courses:
            Completion.objects.create(
                learner=learner,
                course=course,
                completed_on=half_a_year_ago,
                source=CompletionSource.SELF,
                # The person page's download link (never followed here): its row must not widen the page.
                certificate="training-certificates/test.pdf" if course == advanced else "",
                certificate_name="intyg.pdf" if course == advanced else "",
            )
        people.append(learner)
    for unit, group, count in [(youth, leisure, 4), (library, libraries, 6), (school, schools, 12)]:
        Headcount.objects.create(unit=unit, staff_group=group, year=today.year, count=count)
    CoverageTarget.objects.update_or_create(level=Level.BASIC, defaults={"percent": 80})

    board = Organisation.objects.get(slug="utbildningsnamnden")
    small = Unit.objects.create(organisation=board, name="Lilla skolan", kind=UnitKind.SCHOOL)
    big = Unit.objects.create(organisation=board, name="Stora skolan", kind=UnitKind.SCHOOL)
    Headcount.objects.create(unit=small, staff_group=schools, year=today.year, count=3)
    Headcount.objects.create(unit=big, staff_group=schools, year=today.year, count=20)
    for i, unit in enumerate([small] + [big] * 12):
        learner = Learner.objects.create(email=f"larare{i}@example.invalid", name=f"Lärare {i}")
        Placement.objects.create(learner=learner, unit=unit, staff_group=schools)
        Completion.objects.create(
            learner=learner, course=basic, completed_on=half_a_year_ago, source=CompletionSource.IMPORT
        )
    return {"org": org, "youth": youth, "library": library, "school": school, "people": people, "leisure": leisure}


def test_the_competence_home_page_for_each_role(page, context, live_server, cast, axe_source, console):
    year = timezone.localdate().year
    expected = {
        "staff": ["Utbildningskatalogen", "Mina utbildningar"],
        "unit_manager": ["Antal anställda", "Importera från fil"],
        "coordinator": ["Andel utbildade", "Antal anställda", "Importera från fil", "Påminnelser"],
        "central_coordinator": ["Personalgrupper", "Mål för andel utbildade", "Andel utbildade i staden"],
        "board_reader": ["Andel utbildade"],
    }
    for role, links in expected.items():
        sign_in_browser(context, live_server, cast[role])
        open_page(page, "/utbildning/")
        expect(page.locator("h1")).to_have_text("Utbildning")
        for name in links:
            expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()
        check(page, axe_source, console)
    # The last one, the board reader, reads coverage but keeps nothing.
    expect(page.get_by_role("link", name="Antal anställda", exact=True)).to_have_count(0)
    expect(page.locator(f'a[href="/utbildning/utbildningsnamnden/anstallda/{year}/"]')).to_have_count(0)


def test_the_catalogue_and_what_the_central_coordinator_keeps(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["central_coordinator"])
    open_page(page, "/utbildning/katalog/")
    page.get_by_label("Nivå").select_option(label="Fördjupning")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrera").click()
    assert "niva=fordjupning" in page.url
    advanced = Course.objects.filter(level=Level.ADVANCED, is_active=True).count()
    expect(page.locator("#courses-caption")).to_have_text(f"{advanced} utbildningar")
    expect(page.get_by_role("link", name=ADVANCED)).to_be_visible()
    expect(page.get_by_role("link", name=BASIC)).to_have_count(0)
    expect(page.get_by_role("link", name="Visa hela katalogen")).to_be_visible()
    check(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("link", name=ADVANCED).click()
    expect(page.locator("h1")).to_have_text(ADVANCED)
    check(page, axe_source, console)

    courses = Course.objects.count()
    open_page(page, "/utbildning/katalog/ny/")
    check(page, axe_source, console)
    page.get_by_label("Anordnare").fill("Testanordnaren")
    page.get_by_label("Förnyas efter antal år (frivillig)").fill("99")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara utbildningen").click()
    assert page.title().startswith("Fel: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Skriv vad utbildningen heter.")
    expect(summary).to_contain_text("Giltighetstiden kan vara högst 20 år.")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('govuk-error-summary')")
    expect(page.get_by_label("Anordnare")).to_have_value("Testanordnaren")  # what was typed is kept
    check(page, axe_source, console)
    assert Course.objects.count() == courses

    open_page(page, "/utbildning/personalgrupper/")
    expect(page.get_by_text("Fritidsverksamhet").first).to_be_visible()
    check(page, axe_source, console)

    open_page(page, "/utbildning/mal/")
    check(page, axe_source, console)
    page.get_by_label("Mål för grundläggande nivå, i procent").fill("75")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara målen").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Målen är sparade.")
    check(page, axe_source, console)
    assert CoverageTarget.objects.get(level=Level.BASIC).percent == 75


def test_staff_register_their_own_training(page, context, live_server, cast, axe_source, console, uploads):
    today = timezone.localdate()
    staff = cast["staff"]
    sign_in_browser(context, live_server, staff)
    open_page(page, "/utbildning/mina/")
    expect(page.get_by_text("Du har inga registrerade utbildningar.")).to_be_visible()
    check(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("link", name="Registrera en genomförd utbildning").first.click()
    assert page.url.endswith("/utbildning/mina/ny/")
    check(page, axe_source, console)

    # A day in the future: the error summary, the date kept as typed.
    tomorrow = today + datetime.timedelta(days=1)
    page.get_by_label("Utbildning").select_option(label=BASIC)
    page.get_by_label("Dag").fill(str(tomorrow.day))
    page.get_by_label("Månad").fill(str(tomorrow.month))
    page.get_by_label("År", exact=True).fill(str(tomorrow.year))
    page.get_by_label("Personalgrupp").select_option(label="Fritidsverksamhet")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera").click()
    assert page.title().startswith("Fel: ")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('govuk-error-summary')")
    expect(page.get_by_label("Dag")).to_have_value(str(tomorrow.day))
    check(page, axe_source, console)
    assert not Completion.objects.exists()

    page.get_by_label("Dag").fill("3")
    page.get_by_label("Månad").fill("3")
    page.get_by_label("År", exact=True).fill(str(today.year))
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera").click()
    assert page.url.endswith("/utbildning/mina/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{BASIC} den 3 mars {today.year} är registrerad."
    )
    table = page.get_by_role("region", name="Genomförda utbildningar")
    expect(table).to_contain_text(BASIC)
    expect(table).to_contain_text(f"{today.year}-03-03")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Fritidsverksamhet")
    check(page, axe_source, console)
    completion = Completion.objects.get()
    assert (completion.learner.user, completion.completed_on) == (staff, datetime.date(today.year, 3, 3))
    assert completion.source == CompletionSource.SELF


def test_the_coordinator_keeps_headcounts_people_and_reminders(
    page, context, live_server, cast, axe_source, console, jarva
):
    year = timezone.localdate().year
    sign_in_browser(context, live_server, cast["coordinator"])
    open_page(page, f"/utbildning/jarva/anstallda/{year}/")
    check(page, axe_source, console)
    cell = page.get_by_label("Fritidsverksamhet på Testfritidsgården", exact=True)
    expect(cell).to_have_value("4")
    cell.fill("9")
    page.get_by_label("Skola på Biblioteket i Rinkeby", exact=True).fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara antalen").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 uppgifter om antal anställda är sparade.")
    expect(page.get_by_label("Fritidsverksamhet på Testfritidsgården", exact=True)).to_have_value("9")
    check(page, axe_source, console)
    assert Headcount.objects.get(unit=jarva["youth"], staff_group=jarva["leisure"], year=year).count == 9
    assert Headcount.objects.get(unit=jarva["library"], staff_group__slug="skola", year=year).count == 2

    # A count that is not a number: the grid again with the error and the summary.
    page.get_by_label("Fritidsverksamhet på Testfritidsgården", exact=True).fill("nio")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara antalen").click()
    assert page.title().startswith("Fel: ")
    expect(page.locator(".govuk-error-summary")).to_contain_text("som ett heltal")
    check(page, axe_source, console)

    open_page(page, "/utbildning/jarva/deltagare/")
    rows = page.get_by_role("region", name="Deltagare")
    for learner in jarva["people"]:
        expect(rows.get_by_role("link", name=learner.name)).to_be_visible()
    check(page, axe_source, console)
    page.get_by_label("Sök på namn eller e-postadress").fill("alva")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrera").click()
    expect(rows.get_by_role("link")).to_have_count(1)
    check(page, axe_source, console)

    with page.expect_navigation():
        rows.get_by_role("link", name="Alva Ek").click()
    expect(page.locator("h1")).to_have_text("Alva Ek")
    expect(page.get_by_role("region", name="Genomförda utbildningar")).to_contain_text(ADVANCED)
    expect(page.get_by_role("link", name=f"Ladda ner intyg för {ADVANCED}")).to_be_visible()
    check(page, axe_source, console)

    open_page(page, "/utbildning/jarva/paminnelser/")
    switch = page.get_by_label("Skicka påminnelser till medarbetarna")
    expect(switch).to_be_checked()
    check(page, axe_source, console)
    switch.uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Medarbetarna får inga påminnelser om utbildning."
    )
    expect(page.get_by_label("Skicka påminnelser till medarbetarna")).not_to_be_checked()
    check(page, axe_source, console)
    assert ReminderSetting.objects.get(organisation=jarva["org"]).staff_reminders is False


def _charts_with_tables(page) -> None:
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 1
    for i in range(charts.count()):
        assert charts.nth(i).get_attribute("aria-label") or charts.nth(i).get_attribute("aria-labelledby")
    # Every figure with charts has its table beside them.
    for figure in page.locator("section.app-figure").all():
        if figure.locator("svg[role=img]").count():
            assert figure.locator("table").count() == 1


def test_coverage_pages(page, context, live_server, cast, axe_source, console, jarva):
    sign_in_browser(context, live_server, cast["central_coordinator"])
    open_page(page, "/utbildning/tackning/")
    _charts_with_tables(page)
    check(page, axe_source, console)

    sign_in_browser(context, live_server, cast["coordinator"])
    open_page(page, "/utbildning/tackning/jarva/")
    _charts_with_tables(page)
    # Exact figures for the keepers: Testfritidsgården has 4 posts, 1 with a valid basic training.
    cells = page.get_by_role("region", name="Tabell: per verksamhet och personalgrupp")
    expect(cells.get_by_role("row", name="Testfritidsgården")).to_contain_text("25")
    check(page, axe_source, console)

    sign_in_browser(context, live_server, cast["board_reader"])
    open_page(page, "/utbildning/tackning/utbildningsnamnden/")
    _charts_with_tables(page)
    # A reader sees shares only: no unit (the small one could be worked out) and no counts of posts.
    expect(page.get_by_text("Lilla skolan")).to_have_count(0)
    expect(page.get_by_role("columnheader", name="Anställda", exact=True)).to_have_count(0)
    check(page, axe_source, console)


GOOD = (
    "E-post;Anställningsnummer;Namn;Kurs;Datum;Verksamhet;Personalgrupp\n"
    f"dana.d@example.invalid;D1;Dana D;{BASIC};2026-03-14;Testfritidsgården;Fritidsverksamhet\n"
    f"dana.d@example.invalid;D1;Dana D;{ADVANCED};2026-04-14;Testfritidsgården;Fritidsverksamhet\n"
    f"erik.e@example.invalid;;Erik E;{BASIC};2026-05-02;Biblioteket i Rinkeby;Bibliotek\n"
)


def _job_url(kind: str) -> str:
    return f"/jobb/{Job.objects.get(kind=kind).pk}/"


def test_an_import_through_upload_mapping_check_and_import(
    page, context, browser, live_server, cast, axe_source, console, jarva, uploads
):
    coordinator = cast["coordinator"]
    sign_in_browser(context, live_server, coordinator)
    open_page(page, "/utbildning/jarva/import/")
    check(page, axe_source, console)
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "lms.csv", "mimeType": "text/csv", "buffer": GOOD.encode("utf-8")}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Ladda upp filen").click()
    imp = CompletionImport.objects.get()
    assert page.url.endswith(f"/utbildning/jarva/import/{imp.pk}/kolumner/")
    expect(page.locator(".app-table-scroll").first).to_contain_text("dana.d@example.invalid")  # the file's first row
    check(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("button", name="Spara och kontrollera filen").click()
    check_url = _job_url("training_import_check")
    assert page.url.endswith(check_url)
    expect(page.locator("[data-job-state]")).to_have_text("I kö")
    check(page, axe_source, console)  # before the job has run

    # Without JavaScript: the page as it was made, and a link that loads it again.
    quiet = browser.new_context(base_url=live_server.url, locale="sv-SE", java_script_enabled=False)
    try:
        sign_in_browser(quiet, live_server, coordinator)
        still = quiet.new_page()
        still.set_default_timeout(10_000)
        # No axe here: axe.run waits on timers that never fire without JavaScript. The markup is the
        # same template the JavaScript page above and below is checked with.
        open_page(still, check_url)
        refresh = still.get_by_role("link", name="Uppdatera")
        expect(refresh).to_be_visible()
        expect(still.locator("[data-job-state]")).to_have_text("I kö")
        expect(still.get_by_role("link", name="Visa resultatet")).to_have_count(0)

        page.goto("about:blank")  # the poller of the JavaScript page stops while the queue runs
        run_jobs()
        assert Job.objects.get(kind="training_import_check").state == JobState.DONE

        with still.expect_navigation():
            refresh.click()
        assert still.url.endswith(check_url)
        expect(still.locator("[data-job-state]")).to_have_text("Klart")
        expect(still.get_by_role("link", name="Uppdatera")).to_have_count(0)
        expect(still.get_by_role("link", name="Visa resultatet")).to_be_visible()
    finally:
        quiet.close()

    open_page(page, check_url)  # after the job has run
    expect(page.locator("[data-job-state]")).to_have_text("Klart")
    expect(page.locator("progress")).to_have_attribute("value", "3")
    check(page, axe_source, console)
    with page.expect_navigation():
        page.get_by_role("link", name="Visa resultatet").click()
    assert page.url.endswith(f"/utbildning/jarva/import/{imp.pk}/")
    expect(page.get_by_role("region", name="Förhandsvisning")).to_contain_text("erik.e@example.invalid")
    check(page, axe_source, console)
    assert Completion.objects.filter(source=CompletionSource.IMPORT, batch=imp).count() == 0  # checked only

    with page.expect_navigation():
        page.get_by_role("button", name="Importera").click()
    import_url = _job_url("training_import")
    assert page.url.endswith(import_url)
    check(page, axe_source, console)
    page.goto("about:blank")
    run_jobs()
    open_page(page, import_url)
    expect(page.locator("[data-job-state]")).to_have_text("Klart")
    check(page, axe_source, console)
    with page.expect_navigation():
        page.get_by_role("link", name="Visa resultatet").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Importerad")
    check(page, axe_source, console)
    imp.refresh_from_db()
    assert imp.state == ImportState.DONE and (imp.created_count, imp.existing_count) == (3, 0)
    dana = Learner.objects.get(email="dana.d@example.invalid")
    assert set(dana.completions.values_list("course__title", "completed_on")) == {
        (BASIC, datetime.date(2026, 3, 14)),
        (ADVANCED, datetime.date(2026, 4, 14)),
    }
    assert Placement.objects.filter(learner__email="erik.e@example.invalid", unit=jarva["library"]).exists()
