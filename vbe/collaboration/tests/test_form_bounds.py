"""A posted id no key can be is a form error on the collaboration forms (vbe.core.form_fields.RowsField),
never a failed request."""

from __future__ import annotations

from vbe.collaboration.models import Forum


def test_a_meeting_posted_with_a_huge_participant_id_is_a_form_error(cast):
    forum = Forum.objects.get(name="SSPF Järva")
    response = cast.client("coordinator").post(
        f"/samverkan/forum/{forum.pk}/moten/nytt/",
        {"lock_version": "0", "held_on": "2026-11-01", "participant_organisations": ["99999999999999999999"]},
    )
    assert response.status_code == 400
    assert not forum.meetings.exists()


def test_a_forum_posted_with_a_huge_focus_area_id_is_a_form_error(cast):
    response = cast.client("central_coordinator").post(
        "/samverkan/forum/nytt/",
        {"lock_version": "0", "name": "Nytt forum", "kind": "other", "focus_areas": ["99999999999999999999"]},
    )
    assert response.status_code == 400
    assert not Forum.objects.filter(name="Nytt forum").exists()
