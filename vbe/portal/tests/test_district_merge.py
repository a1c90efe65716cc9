"""A district merge moves every domain's rows that were routed to the old councils: the tree changes in
vbe.organisations, and incidents and concerns each follow on its announcement."""

from __future__ import annotations

from django.utils import timezone

from vbe.concerns.models import Concern, Disclosure
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.organisations.models import District, Organisation
from vbe.organisations.services import merge_districts, merge_effect


def _districts() -> tuple[District, District, Organisation, Organisation]:
    jarva, sodermalm = District.objects.get(code=JARVA), District.objects.get(code=SODERMALM)
    return jarva, sodermalm, Organisation.objects.get(district=jarva), Organisation.objects.get(district=sodermalm)


def test_concerns_and_incidents_of_the_old_council_go_to_the_target_council(cast):
    jarva, sodermalm, old_council, new_council = _districts()
    concern = submit_test_concern(cast, "merge-1", "jarva", notify=False)
    Concern.objects.filter(pk=concern.pk).update(district=jarva)
    elsewhere = submit_test_concern(cast, "merge-2", "sisab", notify=False)
    shown = Disclosure.objects.create(
        concern=elsewhere,
        to_organisation=old_council,
        legal_ground="Test",
        decided_by="Test",
        decided_at=timezone.now(),
        recorded_by=cast["coordinator"],
    )
    incident = make_incident(reporter=cast["staff"], district_code=JARVA)
    assert incident.organisation == old_council

    merge_districts(sources=[jarva], target=sodermalm, actor=None)

    concern.refresh_from_db()
    incident.refresh_from_db()
    shown.refresh_from_db()
    assert (concern.organisation, concern.district) == (new_council, sodermalm)
    assert (incident.organisation, incident.district) == (new_council, sodermalm)
    assert shown.to_organisation == new_council
    assert Concern.objects.get(pk=elsewhere.pk).organisation.slug == "sisab"


def test_the_decider_is_told_how_many_of_each_would_move(cast):
    jarva, sodermalm, _old_council, new_council = _districts()
    submit_test_concern(cast, "merge-3", "jarva", notify=False)
    make_incident(reporter=cast["staff"], district_code=JARVA)
    make_incident(reporter=cast["staff"], district_code=JARVA)
    make_incident(reporter=cast["staff"], district_code=SODERMALM)

    effect = merge_effect(sources=[jarva], target=sodermalm)

    assert effect["target_council"] == new_council
    assert dict(effect["moves"]) == {"Händelser som flyttas": 2, "Ärenden om oro som flyttas": 1}
