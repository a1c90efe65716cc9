"""The page of raising a concern in SSPF or BUS, and what the case page shows of it: the link for those
who handle the concern, each raising in the actions list naming its forum (never a meeting), and the
plain action form that neither offers nor accepts the raised kinds."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from vbe.collaboration.models import ForumRaising
from vbe.collaboration.raising import raise_in_forum
from vbe.collaboration.tests.raising_fixtures import (
    GIVEN_ON,
    LEGAL_GROUND,
    RAISED_ON,
    consent,
    forum,
    jarva_concern,
    version,
)
from vbe.concerns import closure, sharing
from vbe.concerns.models import ActionKind, ActionTaken, Outcome
from vbe.organisations.models import Organisation


def _url(concern) -> str:
    return f"/samverkan/oro/{concern.reference}/lyft/"


def _post(client, concern, **data):
    values = {
        "lock_version": version(concern),
        "kind": ActionKind.RAISED_IN_SSPF,
        "forum": forum("SSPF Järva").pk,
        "done_on": f"{RAISED_ON:%Y-%m-%d}",
        "consent": "",
        "legal_ground": "",
        **data,
    }
    return client.post(_url(concern), values)


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def test_the_page_explains_the_ground_and_lists_only_the_forums_and_consents_that_can_be_used(cast):
    concern = jarva_concern(cast)
    consent(cast, concern, purpose="Lyft i SSPF")
    withdrawn = consent(cast, concern, purpose="Tidigare samtycke")
    sharing.withdraw_consent(
        actor=cast["coordinator"], concern_id=concern.pk, lock_version=version(concern), consent_id=withdrawn.pk
    )
    response = cast.client("caseworker").get(_url(concern))
    assert response.status_code == 200
    html = response.content.decode()
    assert "bara med personens samtycke" in html and "annat rättsligt stöd" in html
    assert "mötesanteckningar får inte namnge personen" in html
    assert _options(html, "forum") == ["Välj forum", "SSPF Järva", "BUS-gruppen Järva"]
    assert 'label="SSPF (skola, socialtjänst, polis, fritid)"' in html  # grouped by kind
    assert _options(html, "consent") == ["Inget samtycke: ange rättslig grund", f"Lyft i SSPF ({GIVEN_ON:%Y-%m-%d})"]
    assert "<legend" in html and "Grund för att lyfta personen" in html


def test_raising_through_the_page_returns_to_the_case_with_the_forum_in_the_actions(cast):
    concern = jarva_concern(cast)
    given = consent(cast, concern)
    client = cast.client("caseworker")
    response = _post(client, concern, consent=given.pk)
    assert response.status_code == 302 and response.url == f"/oro/arenden/{concern.reference}/"
    raising = ForumRaising.objects.get(action__concern=concern)
    assert (raising.forum.name, raising.consent_id, raising.legal_ground) == ("SSPF Järva", given.pk, "")
    page = client.get(response.url).content.decode()
    assert "Ärendet är registrerat som lyft i SSPF Järva." in page
    actions = page[page.index("Registrerade åtgärder") : page.index("Samtycken")]
    forum_url = reverse("collaboration:forum", args=[raising.forum_id])
    assert f'<a class="govuk-link" href="{forum_url}">SSPF Järva</a>' in actions
    assert "Lyft i SSPF" in actions
    assert "mote" not in actions.lower()  # never a meeting
    assert "Lyft i SSPF: SSPF Järva" in page  # the chronology


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "bara med samtycke eller annat rättsligt stöd"),
        ({"legal_ground": "OSL"}, "Skriv ut den rättsliga grunden"),
        ({"legal_ground": "OSL 10 kap. 2 § för 19900101-2385"}, "liknar ett personnummer"),
        ({"forum": "999999", "legal_ground": LEGAL_GROUND}, "Välj ett av forumen i listan"),
        ({"kind": ActionKind.SIP, "legal_ground": LEGAL_GROUND}, "Välj om ärendet lyftes i SSPF eller i BUS"),
        ({"done_on": "", "legal_ground": LEGAL_GROUND}, "Ange vilken dag ärendet lyftes"),
        ({"kind": ActionKind.RAISED_IN_BUS, "legal_ground": LEGAL_GROUND}, "inte ett forum av typen BUS"),
    ],
)
def test_bad_input_is_a_swedish_error_that_keeps_what_was_typed(cast, data, message):
    concern = jarva_concern(cast)
    response = _post(cast.client("coordinator"), concern, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "govuk-error-summary" in html
    if data.get("legal_ground"):
        assert f'value="{data["legal_ground"]}"' in html
    assert not ForumRaising.objects.exists()


def test_both_grounds_are_refused_on_the_form(cast):
    concern = jarva_concern(cast)
    given = consent(cast, concern)
    response = _post(cast.client("coordinator"), concern, consent=given.pk, legal_ground=LEGAL_GROUND)
    assert response.status_code == 400 and "inte båda" in response.content.decode()
    assert not ForumRaising.objects.exists()


def test_a_stale_form_says_someone_else_changed_the_concern(cast):
    concern = jarva_concern(cast)
    stale = version(concern)
    consent(cast, concern)  # a colleague's write meanwhile
    response = _post(cast.client("caseworker"), concern, lock_version=stale, legal_ground=LEGAL_GROUND)
    assert response.status_code == 400
    assert "ändrats av någon annan" in response.content.decode()
    assert not ForumRaising.objects.exists()


def test_404_for_those_who_cannot_read_the_concern_and_403_for_a_reader_who_cannot_handle_it(cast):
    concern = jarva_concern(cast)
    assert cast.client("coordinator_other").get(_url(concern)).status_code == 404
    assert cast.client("coordinator_other").post(_url(concern), {}).status_code == 404
    assert cast.client("coordinator").get("/samverkan/oro/ORO-2026-00000/lyft/").status_code == 404
    sharing.disclose(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 2 §",
        decided_by="Enhetschef",
    )
    board = cast.client("coordinator_board")
    assert board.get(f"/oro/arenden/{concern.reference}/").status_code == 200
    assert board.get(_url(concern)).status_code == 403
    assert _post(board, concern, legal_ground=LEGAL_GROUND).status_code == 403
    assert not ForumRaising.objects.exists()


def test_a_closed_concern_offers_no_form(cast):
    concern = jarva_concern(cast)
    closure.close(
        actor=cast["coordinator"], concern_id=concern.pk, lock_version=version(concern), outcome=Outcome.HANDED_OVER
    )
    client = cast.client("coordinator")
    html = client.get(_url(concern)).content.decode()
    assert "Ärendet är avslutat och kan inte ändras." in html and 'name="legal_ground"' not in html
    assert _post(client, concern, legal_ground=LEGAL_GROUND).status_code == 200
    assert not ForumRaising.objects.exists()
    case_page = client.get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert _url(concern) not in case_page


def test_the_case_page_links_to_the_raising_for_handlers_only(cast):
    concern = jarva_concern(cast)
    for name in ("coordinator", "caseworker"):
        html = cast.client(name).get(f"/oro/arenden/{concern.reference}/").content.decode()
        assert f'href="{_url(concern)}">Lyft i SSPF eller BUS</a>' in html
        assert 'href="#lyft"' in html  # in the task list
    sharing.disclose(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 2 §",
        decided_by="Enhetschef",
    )
    html = cast.client("coordinator_board").get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert _url(concern) not in html


def test_a_reader_through_a_disclosure_sees_the_forum_of_a_raising(cast):
    concern = jarva_concern(cast)
    raise_in_forum(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=version(concern),
        kind=ActionKind.RAISED_IN_BUS,
        forum_id=forum("BUS-gruppen Järva").pk,
        done_on=RAISED_ON,
        legal_ground=LEGAL_GROUND,
    )
    sharing.disclose(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 2 §",
        decided_by="Enhetschef",
    )
    html = cast.client("coordinator_board").get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert "BUS-gruppen Järva</a>" in html
    assert LEGAL_GROUND not in html  # the ground is the handlers' record, not shown in the list


def test_the_plain_action_form_neither_offers_nor_accepts_the_raised_kinds(cast):
    concern = jarva_concern(cast)
    client = cast.client("coordinator")
    html = client.get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert 'value="raised_in_sspf"' not in html and 'value="raised_in_bus"' not in html
    assert 'value="child_welfare_report"' in html  # the form is there
    for kind in (ActionKind.RAISED_IN_SSPF, ActionKind.RAISED_IN_BUS):
        response = client.post(
            f"/oro/arenden/{concern.reference}/atgard/",
            {"lock_version": version(concern), "kind": kind, "done_on": f"{RAISED_ON:%Y-%m-%d}"},
        )
        assert response.status_code == 400
        assert "Lyft i SSPF eller BUS registreras på sidan" in response.content.decode()
    assert not ActionTaken.objects.filter(concern=concern).exists()
