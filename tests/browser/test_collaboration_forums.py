"""Forums and meetings (issue 13, part C) in a real browser: Järva's coordinator opens the forums,
records a meeting of SSPF Järva with a follow-up action, is warned about a concern subject's name and
confirms, and follows the action up; a board reader sees the number of meetings only of the forums whose
meetings it reads. Every page passes axe-core at 1280 px and 375 px and never scrolls
sideways at 375 px."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.collaboration.tests.meetings_fixtures import concern_about

pytestmark = pytest.mark.browser

WIDE, NARROW = 1280, 375


def check(page, axe_source: str, console: ConsoleLog) -> None:
    page.set_viewport_size({"width": WIDE, "height": 900})
    assert_accessible(page, axe_source, console)
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.wait_for_function("(w) => window.innerWidth === w", arg=NARROW)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} rullar i sidled vid {NARROW} px ({overflow} px)"
    page.set_viewport_size({"width": WIDE, "height": 900})


def test_the_coordinator_records_a_meeting_with_an_action_and_follows_it_up(
    page, context, live_server, cast, axe_source, console
):
    today = timezone.localdate().isoformat()
    concern_about(cast)  # Järva's coordinator reads it: its subject's name brings the warning
    sign_in_browser(context, live_server, cast["coordinator"])

    page.goto("/samverkan/forum/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samverkansforum")
    check(page, axe_source, console)
    page.get_by_label("Stadsdelsområde").select_option(label="Järva")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("link", name="SSPF Södermalm")).to_have_count(0)
    page.get_by_role("link", name="SSPF Järva", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SSPF Järva")
    check(page, axe_source, console)

    page.get_by_role("link", name="Registrera möte").click()
    expect(page.get_by_text("aldrig namn på enskilda personer").first).to_be_visible()
    check(page, axe_source, console)
    page.get_by_label("Datum").fill(today)
    page.get_by_label("Dagordning").fill("Lägesbild. Skolan tog upp Test Testsson.")
    page.get_by_label("Beslut och slutsatser").fill("Kartlägga lovaktiviteter i området.")
    page.get_by_role("button", name="Spara mötet").click()
    expect(page.get_by_text("Texten verkar innehålla namnet på en person i ett ärende.")).to_be_visible()
    check(page, axe_source, console)
    assert not Meeting.objects.exists()
    page.get_by_label("Dagordning").fill("Lägesbild från skola, socialtjänst, polis och fritid.")
    page.get_by_role("button", name="Spara mötet").click()
    expect(page.get_by_text("Mötet är sparat.")).to_be_visible()
    check(page, axe_source, console)

    page.get_by_role("link", name="Lägg till åtgärd").click()
    check(page, axe_source, console)
    page.get_by_label("Vad ska göras").fill("Kartlägga lovaktiviteter")
    page.get_by_label("Ansvarig").select_option(label="Järva stadsdelsnämnd")
    page.get_by_label("Klart senast").fill(today)
    page.get_by_role("button", name="Spara åtgärden").click()
    expect(page.get_by_text("Åtgärden är sparad.")).to_be_visible()
    check(page, axe_source, console)

    page.get_by_role("link", name="Följ upp").click()
    check(page, axe_source, console)
    page.get_by_label("Följdes upp").fill(today)
    page.get_by_label("Vad har gjorts").fill("Kartläggningen är klar och delad med skolan.")
    page.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.get_by_text("Uppföljningen är sparad.")).to_be_visible()
    expect(page.get_by_text("Uppföljd", exact=False).first).to_be_visible()
    action = MeetingAction.objects.get()
    assert action.done_on is not None and action.meeting.agenda.startswith("Lägesbild från skola")

    page.goto("/samverkan/atgarder/")
    expect(page.get_by_text("Inga öppna åtgärder.")).to_be_visible()
    check(page, axe_source, console)


def test_the_name_warning_box_and_the_actions_list_are_accessible(
    page, context, live_server, cast, axe_source, console
):
    concern_about(cast)
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto("/samverkan/forum/")
    page.get_by_role("link", name="SSPF Järva", exact=True).click()
    page.get_by_role("link", name="Registrera möte").click()
    page.get_by_label("Datum").fill(timezone.localdate().isoformat())
    page.get_by_label("Beslut och slutsatser").fill("Test Testsson ska få stöd.")
    page.get_by_role("button", name="Spara mötet").click()
    box = page.get_by_label("Jag har läst texten igen", exact=False)
    expect(box).to_be_visible()
    check(page, axe_source, console)
    box.check()
    page.get_by_role("button", name="Spara mötet").click()
    expect(page.get_by_text("Mötet är sparat.")).to_be_visible()
    assert Meeting.objects.count() == 1


def test_a_board_reader_sees_meeting_counts_only_of_the_forums_whose_meetings_it_reads(
    page, context, live_server, cast, axe_source, console
):
    rinkeby = "Samverkansmöte Lokalpolisområde Rinkeby"
    for name in ("SSPF Järva", rinkeby):
        Meeting.objects.create(
            forum=Forum.objects.get(name=name), held_on=timezone.localdate(), created_by=cast["coordinator"]
        )
    sign_in_browser(context, live_server, cast["board_reader"])
    page.goto("/samverkan/forum/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samverkansforum")
    sspf = page.get_by_role("row").filter(has=page.get_by_role("link", name="SSPF Järva", exact=True))
    expect(sspf.get_by_role("cell").last).to_have_text("1")
    police = page.get_by_role("row").filter(has=page.get_by_role("link", name=rinkeby, exact=True))
    expect(police.get_by_role("cell").last).to_contain_text("Visas bara för forumets deltagare")
    expect(police.get_by_role("cell").last).not_to_contain_text("1")
    check(page, axe_source, console)
