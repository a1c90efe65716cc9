"""A district merge moves every domain's rows that were routed to the old councils: the tree changes in
vbe.organisations, and incidents and concerns each follow on its announcement."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.audit.models import AccessLogEntry
from vbe.concerns import services
from vbe.concerns.models import Concern, Disclosure, Event
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.concerns.writes import STALE
from vbe.incidents.models import Incident, StatusChange
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.organisations.models import District, Organisation
from vbe.organisations.services import districts_merged, merge_districts, merge_effect


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
    assert dict(effect["moves"]) == {
        "Händelser som flyttas": 2,
        "Utlämnade ärenden som flyttas": 0,
        "Ärenden om oro som flyttas": 1,
    }


# --- Each moved row is written as any other write: a trace, a new version, the access log ------------


def _merge(cast) -> tuple[District, District, Organisation, Organisation]:
    jarva, sodermalm, old_council, new_council = _districts()
    merge_districts(sources=[jarva], target=sodermalm, actor=cast["admin"])
    return jarva, sodermalm, old_council, new_council


def test_a_moved_concern_names_the_approver_in_its_chronology_and_the_log(cast):
    concern = submit_test_concern(cast, "merge-4", "jarva", notify=False)
    Concern.objects.filter(pk=concern.pk).update(district=District.objects.get(code=JARVA))
    seen = Concern.objects.get(pk=concern.pk).lock_version
    events = Event.objects.filter(concern=concern).count()

    _jarva, _sodermalm, old_council, new_council = _merge(cast)

    moved = Concern.objects.get(pk=concern.pk)
    assert moved.lock_version == seen + 1
    assert Event.objects.filter(concern=concern).count() == events + 1
    event = Event.objects.filter(concern=concern).last()
    assert (event.kind, event.actor) == ("moved_by_merge", cast["admin"])
    assert new_council.name in event.summary
    (row,) = AccessLogEntry.objects.filter(action="concern_moved_by_merge")
    assert (row.actor_id, row.object_id, row.subject_ref) == (cast["admin"].pk, str(concern.pk), moved.reference)
    assert old_council.name in row.detail and new_council.name in row.detail


def test_a_page_opened_before_the_merge_is_refused(cast):
    concern = submit_test_concern(cast, "merge-5", "jarva", notify=False)
    seen = Concern.objects.get(pk=concern.pk).lock_version

    _merge(cast)

    with pytest.raises(ValidationError) as refused:
        services.record_assessment(
            actor=cast["coordinator_other"], concern_id=concern.pk, lock_version=seen, areas=["family"], text="Ny"
        )
    assert refused.value.messages == [str(STALE)]
    assert Concern.objects.get(pk=concern.pk).assessment == ""


def test_a_concern_only_observed_in_the_old_district_is_traced_too(cast):
    elsewhere = submit_test_concern(cast, "merge-6", "sisab", notify=False)
    Concern.objects.filter(pk=elsewhere.pk).update(district=District.objects.get(code=JARVA))
    seen = Concern.objects.get(pk=elsewhere.pk).lock_version

    _jarva, sodermalm, _old, _new = _merge(cast)

    moved = Concern.objects.get(pk=elsewhere.pk)
    assert (moved.organisation.slug, moved.district, moved.lock_version) == ("sisab", sodermalm, seen + 1)
    assert Event.objects.filter(concern=elsewhere, kind="moved_by_merge", actor=cast["admin"]).exists()
    assert AccessLogEntry.objects.filter(action="concern_moved_by_merge", object_id=str(elsewhere.pk)).exists()


def test_an_untouched_concern_gets_no_trace(cast):
    concern = submit_test_concern(cast, "merge-7", "sodermalm", notify=False)
    seen = Concern.objects.get(pk=concern.pk).lock_version

    _merge(cast)

    assert Concern.objects.get(pk=concern.pk).lock_version == seen
    assert not Event.objects.filter(concern=concern, kind="moved_by_merge").exists()
    assert not AccessLogEntry.objects.filter(action="concern_moved_by_merge").exists()


def test_the_approver_is_announced_with_the_merge(cast):
    heard = []

    def listen(**signal):
        heard.append(signal.get("actor"))

    districts_merged.connect(listen)
    try:
        _merge(cast)
    finally:
        districts_merged.disconnect(listen)
    assert heard == [cast["admin"]]


# --- The caseworker who cannot follow ---------------------------------------------------------------


def _assigned(cast, key: str) -> Concern:
    concern = Concern.objects.get(pk=submit_test_concern(cast, key, "jarva", notify=False).pk)
    return services.assign(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=concern.lock_version,
        caseworker=cast["caseworker"],
    )


def test_a_caseworker_without_a_caseworker_role_at_the_target_council_is_unassigned(cast):
    concern = _assigned(cast, "merge-8")

    _merge(cast)

    moved = Concern.objects.get(pk=concern.pk)
    assert moved.assigned_to is None
    event = Event.objects.get(concern=concern, kind="moved_by_merge")
    assert "inte längre tilldelad" in event.note


def test_a_caseworker_of_the_target_council_stays_assigned(cast):
    concern = _assigned(cast, "merge-9")
    Membership.objects.create(
        user=cast["caseworker"], organisation=Organisation.objects.get(slug="sodermalm"), role=Role.CASEWORKER
    )

    _merge(cast)

    moved = Concern.objects.get(pk=concern.pk)
    assert moved.assigned_to == cast["caseworker"]
    assert permissions.can(User.objects.get(pk=cast["caseworker"].pk), Action.HANDLE_CONCERN, moved)
    assert Event.objects.get(concern=concern, kind="moved_by_merge").note == ""


# --- Disclosures: only those in force move ----------------------------------------------------------


def _disclosed(cast, key: str, to: Organisation, *, revoked: bool = False) -> Disclosure:
    concern = submit_test_concern(cast, key, "sisab", notify=False)
    return Disclosure.objects.create(
        concern=concern,
        to_organisation=to,
        legal_ground="Test",
        decided_by="Test",
        decided_at=timezone.now(),
        recorded_by=cast["coordinator"],
        revoked_at=timezone.now() if revoked else None,
    )


def test_a_revoked_disclosure_stays_as_it_was_revoked(cast):
    _jarva, _sodermalm, old_council, new_council = _districts()
    revoked = _disclosed(cast, "merge-10", old_council, revoked=True)
    active = _disclosed(cast, "merge-11", old_council)

    _merge(cast)

    assert Disclosure.objects.get(pk=revoked.pk).to_organisation == old_council
    assert Disclosure.objects.get(pk=active.pk).to_organisation == new_council
    assert not Event.objects.filter(concern=revoked.concern, kind="moved_by_merge").exists()
    assert Event.objects.filter(concern=active.concern, kind="moved_by_merge", actor=cast["admin"]).exists()


def test_the_decider_is_told_how_many_disclosed_concerns_would_move(cast):
    jarva, sodermalm, old_council, _new = _districts()
    _disclosed(cast, "merge-12", old_council)
    _disclosed(cast, "merge-13", old_council)
    _disclosed(cast, "merge-14", old_council, revoked=True)

    moves = dict(merge_effect(sources=[jarva], target=sodermalm)["moves"])

    assert moves["Utlämnade ärenden som flyttas"] == 2


# --- Incidents --------------------------------------------------------------------------------------


def test_an_incident_keeps_the_district_where_it_happened(cast):
    jarva, sodermalm, old_council, new_council = _districts()
    farsta = District.objects.get(name="Farsta")
    farsta_council = Organisation.objects.get(district=farsta)
    in_farsta = make_incident(reporter=cast["staff"], district_code=farsta.code)
    Incident.objects.filter(pk=in_farsta.pk).update(organisation=old_council)
    in_jarva = make_incident(reporter=cast["staff"], district_code=JARVA)
    Incident.objects.filter(pk=in_jarva.pk).update(organisation=farsta_council)

    merge_districts(sources=[jarva], target=sodermalm, actor=cast["admin"])

    in_farsta.refresh_from_db()
    in_jarva.refresh_from_db()
    assert (in_farsta.organisation, in_farsta.district) == (new_council, farsta)
    assert (in_jarva.organisation, in_jarva.district) == (farsta_council, sodermalm)


def test_a_moved_incident_names_the_approver_in_its_history_and_the_log(cast):
    jarva, sodermalm, old_council, new_council = _districts()
    incident = make_incident(reporter=cast["staff"], district_code=JARVA)
    untouched = make_incident(reporter=cast["staff"], district_code=SODERMALM)
    seen = incident.lock_version

    merge_districts(sources=[jarva], target=sodermalm, actor=cast["admin"])

    incident.refresh_from_db()
    assert incident.lock_version == seen + 1
    (change,) = StatusChange.objects.filter(incident=incident)
    assert change.changed_by == cast["admin"]
    assert (change.from_status, change.to_status) == (incident.status, incident.status)
    assert old_council.name in change.comment and new_council.name in change.comment
    (row,) = AccessLogEntry.objects.filter(action="incident_moved_by_merge")
    assert (row.actor_id, row.object_id) == (cast["admin"].pk, str(incident.pk))
    assert incident.reference in row.detail
    untouched.refresh_from_db()
    assert untouched.lock_version == seen
    assert not StatusChange.objects.filter(incident=untouched).exists()
