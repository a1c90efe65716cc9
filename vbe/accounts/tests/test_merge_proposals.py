"""Four eyes on district merges: a merge only ever goes into districts in use, one at a time per
district, never decided by someone in the receiving council who would read what moves, and what
arrives where nobody coordinates is announced."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vbe.accounts import four_eyes_decisions, four_eyes_proposals
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, Membership, Role, User
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.incidents.tests.factories import JARVA, SODERMALM
from vbe.notifications.models import Notification
from vbe.organisations.models import District, Organisation
from vbe.portal import orphans


def _propose(cast, sources: list[District], target: District) -> AccessChangeRequest:
    return four_eyes_proposals.propose(
        actor=cast["admin"], kind=ChangeKind.MERGE_DISTRICTS, target=None, districts=sources, district=target
    )


def test_a_district_merged_away_takes_no_more_merges(cast):
    jarva, sodermalm = District.objects.get(code=JARVA), District.objects.get(code=SODERMALM)
    farsta = District.objects.get(name="Farsta")
    first = _propose(cast, [sodermalm], farsta)
    four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=first.pk)
    assert not District.objects.get(pk=sodermalm.pk).is_active
    with pytest.raises(ValidationError, match="inte längre i bruk"):
        _propose(cast, [jarva], District.objects.get(pk=sodermalm.pk))


def test_a_proposal_whose_target_was_merged_away_meanwhile_is_void(cast):
    """Proposed while both were in use; the target went into another district before the decision."""
    jarva, sodermalm = District.objects.get(code=JARVA), District.objects.get(code=SODERMALM)
    proposal = _propose(cast, [jarva], sodermalm)
    # What another approved merge would leave behind: the district and its council out of use.
    District.objects.filter(pk=sodermalm.pk).update(is_active=False)
    Organisation.objects.filter(district=sodermalm).update(is_active=False)
    with pytest.raises(ValidationError):
        four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    assert AccessChangeRequest.objects.get(pk=proposal.pk).state == ChangeState.VOID
    assert District.objects.get(pk=jarva.pk).is_active


def test_two_merges_over_one_district_are_not_in_flight_at_once(cast):
    jarva, sodermalm = District.objects.get(code=JARVA), District.objects.get(code=SODERMALM)
    _propose(cast, [jarva], sodermalm)
    with pytest.raises(ValidationError, match="redan ett förslag"):
        _propose(cast, [sodermalm], District.objects.get(name="Farsta"))


def test_a_caseworker_of_the_receiving_council_does_not_decide_the_merge(cast):
    jarva, sodermalm = District.objects.get(code=JARVA), District.objects.get(code=SODERMALM)
    proposal = _propose(cast, [jarva], sodermalm)
    decider = User.objects.create_user(email="handlaggare-admin@test.example", password="x", full_name="Dubbel")
    Membership.objects.create(user=decider, organisation=Organisation.objects.get(slug="ks"), role=Role.ADMIN)
    Membership.objects.create(
        user=decider, organisation=Organisation.objects.get(slug="sodermalm"), role=Role.CASEWORKER
    )
    with pytest.raises(ValidationError, match="arbetar i den nämnd"):
        four_eyes_decisions.approve(actor=decider, proposal_id=proposal.pk)
    assert AccessChangeRequest.objects.get(pk=proposal.pk).state == ChangeState.PENDING
    assert District.objects.get(pk=jarva.pk).is_active


def test_what_arrives_where_nobody_coordinates_is_announced(cast):
    jarva, sodermalm = District.objects.get(code=JARVA), District.objects.get(code=SODERMALM)
    submit_test_concern(cast, "merge-orphan", "jarva", notify=False)
    Membership.objects.filter(organisation__district=sodermalm, role=Role.COORDINATOR).delete()
    proposal = _propose(cast, [jarva], sodermalm)
    four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    told = Notification.objects.filter(kind=orphans.KIND)
    assert told.exists()
    assert all("Södermalm" in n.subject for n in told)
