"""The criteria of the democracy condition: read by the register's readers, kept by the central
coordinator, retired instead of deleted; a change of wording never reaches an answered finding."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.audit.models import AccessLogEntry
from vbe.collaboration import assessments_criteria
from vbe.collaboration.assessments_criteria import Wording
from vbe.collaboration.models import Criterion, CriterionFinding
from vbe.collaboration.tests.assessments_fixtures import decide, fill, make_actor, start

pytestmark = pytest.mark.django_db


def _first() -> Criterion:
    return Criterion.objects.order_by("number").first()


def test_the_list_shows_the_reference_criteria_and_edit_links_to_the_central_coordinator_only(cast):
    page = cast.client("board_reader").get("/samverkan/kriterier/")
    assert page.status_code == 200 and len(page.context["active"]) == 5
    assert _first().text[:40] in page.content.decode()
    assert f"/samverkan/kriterier/{_first().pk}/andra/" not in page.content.decode()
    central = cast.client("central_coordinator").get("/samverkan/kriterier/").content.decode()
    assert f"/samverkan/kriterier/{_first().pk}/andra/" in central and "/samverkan/kriterier/ny/" in central


def test_a_new_criterion_is_answered_by_new_drafts(cast):
    response = cast.client("central_coordinator").post(
        "/samverkan/kriterier/ny/",
        {
            "lock_version": 0,
            "number": 6,
            "text": "Aktören respekterar barns rättigheter.",
            "guidance": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    criterion = Criterion.objects.get(number=6)
    draft = start(cast["coordinator"], make_actor(created_by=cast["coordinator"]), "jarva")
    assert draft.findings.filter(criterion=criterion, text="Aktören respekterar barns rättigheter.").exists()
    assert AccessLogEntry.objects.filter(action="democracy_criterion_created", object_id=str(criterion.pk)).exists()


def test_editing_the_wording_never_changes_answered_findings(cast):
    actor = make_actor(created_by=cast["coordinator"])
    decided = decide(cast["coordinator"], fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva")))
    draft = start(cast["coordinator"], actor, "jarva", "premises")
    criterion = _first()
    old = criterion.text
    response = cast.client("central_coordinator").post(
        f"/samverkan/kriterier/{criterion.pk}/andra/",
        {"lock_version": criterion.lock_version, "number": criterion.number, "text": "Ny lydelse.", "is_active": "on"},
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.text == "Ny lydelse." and criterion.lock_version == 2
    for assessment in (decided, draft):
        assert CriterionFinding.objects.get(assessment=assessment, criterion=criterion).text == old
    page = cast.client("coordinator").get(f"/samverkan/bedomningar/{decided.pk}/").content.decode()
    assert "Ny lydelse." not in page
    assert (
        start(cast["coordinator"], actor, "jarva", "partnership").findings.get(criterion=criterion).text
        == "Ny lydelse."
    )


def test_a_retired_criterion_stays_and_is_not_asked_again(cast):
    criterion = _first()
    actor = make_actor(created_by=cast["coordinator"])
    before = start(cast["coordinator"], actor, "jarva")
    retired = assessments_criteria.update_criterion(
        user=cast["central_coordinator"],
        criterion_id=criterion.pk,
        lock_version=criterion.lock_version,
        wording=Wording(criterion.number, criterion.text, criterion.guidance, is_active=False),
    )
    assert not retired.is_active and Criterion.objects.filter(pk=criterion.pk).exists()
    assert before.findings.filter(criterion=criterion).exists()
    after = start(cast["coordinator"], actor, "jarva", "premises")
    assert not after.findings.filter(criterion=criterion).exists()
    page = cast.client("coordinator").get("/samverkan/kriterier/")
    assert [c.pk for c in page.context["retired"]] == [criterion.pk]
    assert AccessLogEntry.objects.filter(action="democracy_criterion_retired").count() == 1


def test_only_the_central_coordinator_keeps_the_criteria(cast):
    criterion = _first()
    for role in ("coordinator", "unit_manager", "board_reader", "admin"):
        with pytest.raises(PermissionDenied):
            assessments_criteria.update_criterion(
                user=cast[role], criterion_id=criterion.pk, lock_version=1, wording=Wording(1, "Intrång")
            )
    criterion.refresh_from_db()
    assert criterion.text != "Intrång"


def test_stale_and_empty_forms_are_refused_in_swedish(cast):
    criterion = _first()
    client = cast.client("central_coordinator")
    path = f"/samverkan/kriterier/{criterion.pk}/andra/"
    stale = client.post(path, {"lock_version": 99, "number": 1, "text": "Min text", "is_active": "on"})
    assert stale.status_code == 400 and "någon annan" in stale.content.decode() and "Min text" in stale.content.decode()
    empty = client.post(path, {"lock_version": criterion.lock_version, "number": "ett", "text": ""})
    page = empty.content.decode()
    assert empty.status_code == 400 and "Skriv kriteriets lydelse." in page and "Skriv numret med siffror" in page
    with pytest.raises(ValidationError):
        assessments_criteria.create_criterion(
            user=cast["central_coordinator"], wording=Wording(7, "Ring 070-123 45 67")
        )
