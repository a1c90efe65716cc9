"""The assessments' services: a draft answers the active criteria with their wording copied, one open
draft per actor, organisation and purpose, the rules of a decision (reasons for a refusal, dates,
validity), a decision frozen, renewal once, every write audited and locked to its assessors."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.collaboration import assessments
from vbe.collaboration.models import Assessment, Criterion, Decision, Finding, LinkKind
from vbe.collaboration.tests.assessments_fixtures import decide, fill, make_actor, org, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(cast):
    return make_actor(created_by=cast["coordinator"])


def test_a_draft_answers_every_active_criterion_with_its_wording_copied(cast, actor):
    Criterion.objects.filter(number=5).update(is_active=False)
    draft = start(cast["coordinator"], actor, "jarva")
    active = list(Criterion.objects.filter(is_active=True).order_by("number"))
    assert [(f.criterion_id, f.text, f.finding) for f in draft.findings.all()] == [(c.pk, c.text, "") for c in active]
    assert len(active) == 4
    assert not draft.is_decided and draft.created_by == cast["coordinator"]
    assert AccessLogEntry.objects.filter(action="democracy_assessment_created", object_id=str(draft.pk)).exists()


def test_only_the_organisations_assessors_start_one(cast, actor):
    for role in ("coordinator_other", "board_reader", "staff", "caseworker"):
        with pytest.raises(PermissionDenied):
            start(cast[role], actor, "jarva")
    # The central coordinator assesses for their own organisation only, not Järva.
    with pytest.raises(PermissionDenied):
        start(cast["central_coordinator"], actor, "jarva")
    assert start(cast["central_coordinator"], actor, "ks").organisation.slug == "ks"
    assert start(cast["unit_manager"], actor, "jarva").organisation.slug == "jarva"


def test_one_open_draft_per_actor_organisation_and_purpose(cast, actor):
    start(cast["coordinator"], actor, "jarva", LinkKind.GRANT)
    with pytest.raises(ValidationError) as refused:
        start(cast["unit_manager"], actor, "jarva", LinkKind.GRANT)
    assert "redan en påbörjad bedömning" in refused.value.messages[0]
    # Another purpose or another organisation is another assessment.
    start(cast["coordinator"], actor, "jarva", LinkKind.PREMISES)
    start(cast["coordinator_other"], actor, "sodermalm", LinkKind.GRANT)
    assert Assessment.objects.filter(actor=actor).count() == 3


def test_a_refusal_needs_reasons(cast, actor):
    draft = fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva"), answer=Finding.NOT_MET)
    with pytest.raises(ValidationError) as refused:
        decide(cast["coordinator"], draft, Decision.FAILS, reasons="   ")
    assert "Skriv en motivering" in refused.value.messages[0]
    draft.refresh_from_db()
    assert not draft.is_decided
    decided = decide(cast["coordinator"], draft, Decision.FAILS, reasons="Föreningen har uppmanat till våld.")
    assert decided.decision == Decision.FAILS and decided.valid_until is None
    assert decided.decided_by == cast["coordinator"]


def test_investigation_needs_no_reasons_nor_answered_criteria(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    decided = decide(cast["coordinator"], draft, Decision.INVESTIGATE)
    assert decided.decision == Decision.INVESTIGATE and decided.reasons == ""


def test_meets_and_fails_need_every_criterion_answered(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    with pytest.raises(ValidationError) as refused:
        decide(cast["coordinator"], draft, Decision.MEETS)
    assert "Besvara alla kriterier" in refused.value.messages[0]


def test_validity_defaults_to_the_setting_and_must_come_after_the_decision(cast, actor, settings):
    settings.VBE_DEMOCRACY_VALIDITY_MONTHS = 12
    today = timezone.localdate()
    first = fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva"))
    decided = decide(cast["coordinator"], first, on=today)
    assert decided.valid_until == assessments.add_months(today, 12)
    second = fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva", LinkKind.PREMISES))
    with pytest.raises(ValidationError) as refused:
        decide(cast["coordinator"], second, on=today, valid_until=today)
    assert "efter beslutsdatumet" in refused.value.messages[0]
    chosen = today + datetime.timedelta(days=100)
    assert decide(cast["coordinator"], second, on=today, valid_until=chosen).valid_until == chosen


def test_add_months_keeps_the_end_of_the_month():
    assert assessments.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert assessments.add_months(datetime.date(2026, 3, 2), 12) == datetime.date(2027, 3, 2)


def test_the_decision_date_is_neither_in_the_future_nor_before_the_draft(cast, actor):
    draft = fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva"))
    today = timezone.localdate()
    ruling = assessments.Ruling(Decision.MEETS, "Nämnden", today + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as future:
        assessments.decide(
            user=cast["coordinator"],
            assessment_id=draft.pk,
            lock_version=draft.lock_version,
            ruling=ruling,
            today=today,
        )
    assert "framtiden" in future.value.messages[0]
    ruling = assessments.Ruling(Decision.MEETS, "Nämnden", today - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as before:
        assessments.decide(
            user=cast["coordinator"],
            assessment_id=draft.pk,
            lock_version=draft.lock_version,
            ruling=ruling,
            today=today,
        )
    assert "före den dag bedömningen påbörjades" in before.value.messages[0]


def test_a_decision_is_never_changed(cast, actor):
    decided = decide(
        cast["coordinator"], fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva"), evidence="Före")
    )
    with pytest.raises(ValidationError) as edit:
        fill(cast["coordinator"], decided, evidence="Efter")
    assert "beslutad och kan inte ändras" in edit.value.messages[0]
    with pytest.raises(ValidationError):
        decide(cast["coordinator"], decided, Decision.FAILS, reasons="Nytt")
    decided.refresh_from_db()
    assert (decided.evidence, decided.decision) == ("Före", Decision.MEETS)


def test_a_stale_form_is_refused(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    stale = draft.lock_version
    fill(cast["coordinator"], draft, evidence="Först")
    with pytest.raises(ValidationError) as refused:
        assessments.update_draft(
            user=cast["unit_manager"],
            assessment_id=draft.pk,
            lock_version=stale,
            draft=assessments.Draft(evidence="Sen"),
        )
    assert "någon annan" in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.evidence == "Först"


def test_notes_refuse_a_personnummer(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    with pytest.raises(ValidationError):
        fill(cast["coordinator"], draft, evidence="Ordföranden 199001012385 sade")
    with pytest.raises(ValidationError):
        fill(cast["coordinator"], draft, note="Se 19900101-2385")


def test_another_organisation_cannot_write_a_draft(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    with pytest.raises(PermissionDenied):
        fill(cast["coordinator_other"], draft, evidence="Intrång")
    with pytest.raises(PermissionDenied):
        decide(cast["central_coordinator"], draft, Decision.INVESTIGATE)


def test_renewal_supersedes_once_and_a_new_start_continues_the_chain(cast, actor):
    first = decide(cast["coordinator"], fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva")))
    renewal = assessments.renew_assessment(
        user=cast["coordinator"], assessment_id=first.pk, lock_version=first.lock_version
    )
    assert renewal.supersedes == first and not renewal.is_decided and renewal.findings.count() == 5
    with pytest.raises(ValidationError) as again:
        assessments.renew_assessment(user=cast["unit_manager"], assessment_id=first.pk, lock_version=first.lock_version)
    assert "redan förnyad" in again.value.messages[0]
    second = decide(cast["coordinator"], fill(cast["coordinator"], renewal))
    # Starting anew for the same purpose renews the decision in force.
    third = start(cast["coordinator"], actor, "jarva")
    assert third.supersedes == second
    assert AccessLogEntry.objects.filter(action="democracy_assessment_renewed").count() == 2
    assert AccessLogEntry.objects.filter(action="democracy_assessment_decided").count() == 2


def test_a_draft_cannot_be_renewed(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    with pytest.raises(ValidationError) as refused:
        assessments.renew_assessment(user=cast["coordinator"], assessment_id=draft.pk, lock_version=draft.lock_version)
    assert "Bara en beslutad" in refused.value.messages[0]


def test_each_write_is_logged_in_the_organisations_scope(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    fill(cast["coordinator"], draft, evidence="Underlag")
    decide(cast["coordinator"], draft)
    rows = AccessLogEntry.objects.filter(object_id=str(draft.pk), object_type="collaboration.assessment")
    assert list(rows.order_by("id").values_list("action", flat=True)) == [
        "democracy_assessment_created",
        "democracy_assessment_changed",
        "democracy_assessment_decided",
    ]
    assert all(row.actor_email == "coordinator@test.example" for row in rows)
    assert org("jarva").name in rows.first().actor_organisation
