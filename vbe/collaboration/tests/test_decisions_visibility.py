"""Who sees what of an assessment: the assessing organisation's assessors read the working notes;
every other reader of the actor register reads a decision's shared part only, and no draft at all.
Checked on every page that shows assessments, for every role of the cast: Järva's notes appear in no
page's HTML for anyone outside Järva's assessors, the central coordinator included."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from conftest import CAST
from vbe.collaboration import decisions
from vbe.collaboration.models import Decision
from vbe.collaboration.tests.assessments_fixtures import (
    JARVA_DRAFT_NOTES,
    JARVA_NOTES,
    decide,
    fill,
    jarva_decided,
    jarva_draft,
    make_actor,
    start,
)

pytestmark = pytest.mark.django_db

JARVA_ASSESSORS = {"coordinator", "unit_manager"}
REGISTER_READERS = {
    "coordinator",
    "unit_manager",
    "coordinator_other",
    "coordinator_board",
    "central_coordinator",
    "board_reader",
}


@pytest.fixture
def world(cast):
    actor = make_actor("Föreningen Insyn", created_by=cast["coordinator"])
    decided = jarva_decided(cast, actor)
    draft = jarva_draft(cast, actor)
    # Södermalm's own decision, so each role has something of its own or another's to see.
    sodermalm = decide(
        cast["coordinator_other"], fill(cast["coordinator_other"], start(cast["coordinator_other"], actor, "sodermalm"))
    )
    return {"actor": actor, "decided": decided, "draft": draft, "sodermalm": sodermalm}


def _pages(world) -> list[str]:
    """Every page that shows an assessment of the actor, the actor's own page included."""
    actor, decided, draft = world["actor"], world["decided"], world["draft"]
    return [
        f"/samverkan/bedomningar/{decided.pk}/",
        f"/samverkan/bedomningar/{draft.pk}/",
        f"/samverkan/bedomningar/{draft.pk}/andra/",
        f"/samverkan/bedomningar/{draft.pk}/beslut/",
        "/samverkan/bedomningar/?visa=utkast",
        "/samverkan/bedomningar/?visa=beslutade",
        "/samverkan/bedomningar/?visa=fornyas",
        f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/",
        reverse("collaboration:actor", args=[actor.pk]),
    ]


@pytest.mark.parametrize("role", list(CAST))
def test_jarvas_notes_show_on_no_page_outside_jarvas_assessors(cast, world, role):
    client = cast.client(role)
    html = {path: client.get(path).content.decode() for path in _pages(world)}
    section = render_to_string(
        "collaboration/_actor_assessments.html", decisions.actor_section(cast[role], world["actor"])
    )
    html["actor section"] = section
    markers = JARVA_NOTES + JARVA_DRAFT_NOTES
    if role in JARVA_ASSESSORS:
        page = html[f"/samverkan/bedomningar/{world['decided'].pk}/"]
        assert all(marker in page for marker in JARVA_NOTES)
        assert all(marker in html[f"/samverkan/bedomningar/{world['draft'].pk}/"] for marker in JARVA_DRAFT_NOTES)
        assert not any(marker in section for marker in markers)  # the section shows decisions only
        return
    leaks = {path: [m for m in markers if m in text] for path, text in html.items()}
    assert not any(leaks.values()), leaks


@pytest.mark.parametrize("role", sorted(REGISTER_READERS - JARVA_ASSESSORS))
def test_other_readers_see_the_shared_part_of_the_decision_and_no_draft(cast, world, role):
    client = cast.client(role)
    response = client.get(f"/samverkan/bedomningar/{world['decided'].pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Uppfyller demokrativillkoret" in page and "Nämnden" in page and "Järva stadsdelsnämnd" in page
    assert "Motivering" not in page and "Underlag" not in page and "Förnya bedömningen" not in page
    assert client.get(f"/samverkan/bedomningar/{world['draft'].pk}/").status_code == 404
    section = decisions.actor_section(cast[role], world["actor"])["democracy"]
    assert {d.organisation_name for d in section.decisions} == {"Järva stadsdelsnämnd", "Södermalm stadsdelsnämnd"}
    assert all(d.organisation_name != "Järva stadsdelsnämnd" for d in section.drafts)


def test_the_central_coordinator_reads_no_notes_of_jarva(cast, world):
    client = cast.client("central_coordinator")
    page = client.get(f"/samverkan/bedomningar/{world['decided'].pk}/").content.decode()
    assert "JARVA-UNDERLAG" not in page and "JARVA-MOTIVERING" not in page
    assert client.get(f"/samverkan/bedomningar/{world['draft'].pk}/andra/").status_code == 404
    assert client.get(f"/samverkan/bedomningar/{world['decided'].pk}/beslut/").status_code == 403
    assert client.post(f"/samverkan/bedomningar/{world['decided'].pk}/fornya/", {"lock_version": 1}).status_code == 403


def test_readers_outside_the_register_are_refused(cast, world):
    for role in ("staff", "caseworker", "auditor", "admin"):
        assert cast.client(role).get(f"/samverkan/bedomningar/{world['decided'].pk}/").status_code == 403


def test_the_look_up_before_starting_shows_others_decisions_without_notes(cast, world):
    response = cast.client("coordinator_board").get(f"/samverkan/aktorer/{world['actor'].pk}/bedomningar/ny/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Järva stadsdelsnämnd" in page and "Södermalm stadsdelsnämnd" in page
    assert page.count("Uppfyller demokrativillkoret") >= 2
    assert world["decided"].decided_on.strftime("%Y") in page
    others = response.context["others"]
    assert {d.organisation_name for d in others} == {"Järva stadsdelsnämnd", "Södermalm stadsdelsnämnd"}
    # Only the shared columns exist on a look-up row.
    assert not hasattr(others[0], "evidence") and not hasattr(others[0], "reasons")


def test_the_look_up_shows_the_newest_decision_of_each_organisation(cast, world):
    newer = decide(
        cast["coordinator"],
        fill(cast["coordinator"], start(cast["coordinator"], world["actor"], "jarva", "premises")),
        Decision.INVESTIGATE,
    )
    rows = decisions.newest_per_organisation(world["actor"].pk)
    jarva = [row for row in rows if row.organisation_name == "Järva stadsdelsnämnd"]
    assert [row.pk for row in jarva] == [newer.pk]
