"""The guards of the concern services, asked of the services themselves (not through a form or a view,
which check some of the same things first): a closed concern takes no handling, a concern is assigned
only to an active caseworker of the organisation holding it, and every write refuses a stale page.

Each guard has a test here that fails when the guard is removed or turned around."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.audit.models import AccessLogEntry
from vbe.concerns import closure, intake, services, sharing
from vbe.concerns.models import (
    ActionKind,
    Concern,
    Consent,
    Disclosure,
    Event,
    Outcome,
    RetentionPeriod,
    State,
    Transfer,
)
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


def _snapshot(concern: Concern) -> tuple:
    """Everything a refused write could have changed."""
    now = _fresh(concern)
    return (
        now.lock_version,
        now.state,
        now.organisation_id,
        now.assigned_to_id,
        now.assessment,
        now.legal_hold,
        Event.objects.filter(concern=concern).count(),
        now.actions.count(),
        Consent.objects.filter(concern=concern).count(),
        Consent.objects.filter(concern=concern, withdrawn_on=None).count(),
        Disclosure.objects.filter(concern=concern, revoked_at=None).count(),
        Transfer.objects.filter(concern=concern).count(),
    )


def _closed(cast, make_concern) -> Concern:
    concern = make_concern()
    closure.close(
        concern_id=concern.pk, actor=cast["coordinator"], lock_version=concern.lock_version, outcome=Outcome.HANDED_OVER
    )
    closed = _fresh(concern)
    assert closed.state == State.CLOSED
    return closed


# --- A closed concern takes no handling ------------------------------------------------------------
# Each write, as its handler would make it on an open concern (each is accepted there: see below).
HANDLING = {
    "advance": lambda c, a: services.advance(concern_id=c.pk, actor=a, lock_version=c.lock_version),
    "record_assessment": lambda c, a: services.record_assessment(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, areas=["family"], text="Ny bedömning"
    ),
    "record_action": lambda c, a: services.record_action(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, kind=ActionKind.SIP, done_on=timezone.localdate()
    ),
    "record_consent": lambda c, a: sharing.record_consent(
        concern_id=c.pk,
        actor=a,
        lock_version=c.lock_version,
        purpose="SIG",
        given_by="Personen",
        given_on=timezone.localdate(),
    ),
    "assign": lambda c, a: services.assign(
        concern_id=c.pk,
        actor=a,
        lock_version=c.lock_version,
        caseworker=User.objects.get(email="caseworker@test.example"),
    ),
    "transfer": lambda c, a: sharing.transfer(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, to_organisation=_org("sodermalm"), legal_ground="OSL"
    ),
    "close": lambda c, a: closure.close(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, outcome=Outcome.MEASURES_COMPLETED
    ),
}


@pytest.mark.parametrize("name", list(HANDLING))
def test_a_closed_concern_is_refused_by_the_service_and_nothing_changes(cast, make_concern, name):
    concern = _closed(cast, make_concern)
    before = _snapshot(concern)
    with pytest.raises(ValidationError, match="avslutat"):
        HANDLING[name](concern, User.objects.get(pk=cast["coordinator"].pk))
    assert _snapshot(concern) == before


@pytest.mark.parametrize("name", list(HANDLING))
def test_the_same_write_is_accepted_on_an_open_concern(cast, make_concern, name):
    """The counterpart of the refusal: the write itself is valid, so only the closed state refused it."""
    concern = make_concern()
    before = _snapshot(concern)
    HANDLING[name](_fresh(concern), User.objects.get(pk=cast["coordinator"].pk))
    assert _fresh(concern).lock_version == concern.lock_version + 1
    assert _snapshot(concern) != before


def test_the_assessment_of_a_closed_concern_stays_as_it_was_closed(cast, make_concern):
    concern = make_concern()
    services.record_assessment(
        concern_id=concern.pk, actor=cast["coordinator"], lock_version=1, areas=["family"], text="Bedömningen"
    )
    closure.close(concern_id=concern.pk, actor=cast["coordinator"], lock_version=2, outcome=Outcome.HANDED_OVER)
    with pytest.raises(ValidationError, match="avslutat"):
        services.record_assessment(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            lock_version=3,
            areas=["online"],
            text="Ändrad i efterhand",
        )
    closed = _fresh(concern)
    assert (closed.assessment, closed.assessment_areas) == ("Bedömningen", ["family"])


def test_a_closed_concern_is_not_handed_over_even_by_the_central_coordinator(cast, make_concern):
    """Skärholmen has no coordinator: the central coordinator may hand over its open concerns, not a
    closed one (which no longer waits for anyone)."""
    concern = make_concern("queue", "skarholmen")
    central = User.objects.get(pk=cast["central_coordinator"].pk)
    Concern.objects.filter(pk=concern.pk).update(state=State.CLOSED)
    with pytest.raises((PermissionDenied, ValidationError)):  # the right to hand over ends with the state
        sharing.transfer(
            concern_id=concern.pk,
            actor=central,
            lock_version=concern.lock_version,
            to_organisation=_org("jarva"),
            legal_ground="OSL",
        )
    assert _fresh(concern).organisation.slug == "skarholmen"
    assert not Transfer.objects.filter(concern=concern).exists()


# --- Kept and ended on a closed concern: these are not handling ----------------------------------


def test_a_closed_concern_can_still_be_kept_for_a_legal_reason_and_its_sharing_ended(cast, make_concern):
    concern = make_concern()
    coordinator = cast["coordinator"]
    consent = sharing.record_consent(
        concern_id=concern.pk,
        actor=coordinator,
        lock_version=1,
        purpose="SIG",
        given_by="Personen",
        given_on=timezone.localdate(),
    )
    disclosure = sharing.disclose(
        concern_id=concern.pk,
        actor=coordinator,
        to_organisation=_org("utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    )
    concern = _closed(cast, lambda: _fresh(concern))
    closure.set_legal_hold(
        concern_id=concern.pk, actor=coordinator, lock_version=concern.lock_version, hold=True, reason="Förundersökning"
    )
    concern = _fresh(concern)
    sharing.withdraw_consent(
        concern_id=concern.pk, consent_id=consent.pk, actor=coordinator, lock_version=concern.lock_version
    )
    sharing.withdraw_disclosure(concern_id=concern.pk, disclosure_id=disclosure.pk, actor=coordinator, reason="Klart")
    closed = _fresh(concern)
    assert closed.legal_hold and closed.state == State.CLOSED
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is not None
    assert Disclosure.objects.get(pk=disclosure.pk).revoked_at is not None


# --- Assigned only to an active caseworker of the organisation holding the concern -------------------


def _member(email: str, slug: str, role: str, *, active: bool = True) -> User:
    user = User.objects.create_user(email=email, password="x-losenord-123", is_active=active)
    Membership.objects.create(user=user, organisation=_org(slug), role=role)
    return user


NOT_A_CASEWORKER_HERE = {
    "staff": lambda cast: cast["staff"],
    "unit_manager": lambda cast: cast["unit_manager"],
    "coordinator": lambda cast: cast["coordinator"],  # handles as coordinator, is not assigned
    "central_coordinator": lambda cast: cast["central_coordinator"],
    "caseworker_elsewhere": lambda cast: _member("handlaggare-sodermalm@test.example", "sodermalm", Role.CASEWORKER),
    "inactive_caseworker": lambda cast: _member(
        "avslutad-handlaggare@test.example", "jarva", Role.CASEWORKER, active=False
    ),
}


@pytest.mark.parametrize("who", list(NOT_A_CASEWORKER_HERE))
def test_a_concern_is_assigned_only_to_an_active_caseworker_of_its_organisation(cast, make_concern, who):
    concern = make_concern()
    before = _snapshot(concern)
    with pytest.raises(ValidationError, match="Välj en handläggare"):
        services.assign(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            lock_version=concern.lock_version,
            caseworker=NOT_A_CASEWORKER_HERE[who](cast),
        )
    assert _snapshot(concern) == before


def test_the_caseworker_of_the_organisation_is_assigned_and_can_be_unassigned(cast, make_concern):
    concern = make_concern()
    services.assign(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1, caseworker=cast["caseworker"])
    assert _fresh(concern).assigned_to == cast["caseworker"]
    services.assign(concern_id=concern.pk, actor=cast["coordinator"], lock_version=2, caseworker=None)
    assert _fresh(concern).assigned_to is None
    assert _fresh(concern).lock_version == 3


# --- Every write that changes what the user saw refuses a stale page -------------------------------


@pytest.mark.parametrize("name", list(HANDLING) + ["set_legal_hold", "withdraw_consent"])
def test_every_versioned_write_refuses_a_stale_page(cast, make_concern, name):
    concern = make_concern()
    consent = sharing.record_consent(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=1,
        purpose="SIG",
        given_by="Personen",
        given_on=timezone.localdate(),
    )
    stale = Concern.objects.get(pk=concern.pk)
    stale.lock_version = 1  # the page was opened before the consent was recorded
    writes = {
        **HANDLING,
        "set_legal_hold": lambda c, a: closure.set_legal_hold(
            concern_id=c.pk, actor=a, lock_version=c.lock_version, hold=True, reason="Förundersökning"
        ),
        "withdraw_consent": lambda c, a: sharing.withdraw_consent(
            concern_id=c.pk, consent_id=consent.pk, actor=a, lock_version=c.lock_version
        ),
    }
    before = _snapshot(concern)
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        writes[name](stale, User.objects.get(pk=cast["coordinator"].pk))
    assert _snapshot(concern) == before


# --- A consent or disclosure is ended only through its own concern ----------------------------------


def _consent(cast, concern: Concern, given_by: str) -> Consent:
    return sharing.record_consent(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=_fresh(concern).lock_version,
        purpose="SIG",
        given_by=given_by,
        given_on=timezone.localdate(),
    )


def test_a_consent_is_withdrawn_only_through_its_own_concern_and_only_that_one(cast, make_concern):
    ours, theirs = make_concern("ours"), make_concern("theirs")
    first, second = _consent(cast, ours, "Personen"), _consent(cast, ours, "Vårdnadshavaren")
    other = _consent(cast, theirs, "Någon annan")
    with pytest.raises(Consent.DoesNotExist):
        sharing.withdraw_consent(
            concern_id=ours.pk, consent_id=other.pk, actor=cast["coordinator"], lock_version=_fresh(ours).lock_version
        )
    assert Consent.objects.get(pk=other.pk).withdrawn_on is None
    sharing.withdraw_consent(
        concern_id=ours.pk, consent_id=second.pk, actor=cast["coordinator"], lock_version=_fresh(ours).lock_version
    )
    assert Consent.objects.get(pk=second.pk).withdrawn_on is not None
    assert Consent.objects.get(pk=first.pk).withdrawn_on is None


def test_a_disclosure_is_withdrawn_only_through_its_own_concern_and_only_that_one(cast, make_concern):
    ours, theirs = make_concern("ours"), make_concern("theirs")

    def disclose(concern: Concern, slug: str) -> Disclosure:
        return sharing.disclose(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            to_organisation=_org(slug),
            legal_ground="OSL 10 kap. 28 §",
            decided_by="Enhetschef A",
        )

    first, second, other = disclose(ours, "utbildningsnamnden"), disclose(ours, "sodermalm"), disclose(theirs, "ks")
    with pytest.raises(Disclosure.DoesNotExist):
        sharing.withdraw_disclosure(concern_id=ours.pk, disclosure_id=other.pk, actor=cast["coordinator"], reason="Fel")
    assert Disclosure.objects.get(pk=other.pk).revoked_at is None
    sharing.withdraw_disclosure(concern_id=ours.pk, disclosure_id=second.pk, actor=cast["coordinator"], reason="Fel")
    assert Disclosure.objects.get(pk=second.pk).revoked_at is not None
    assert Disclosure.objects.get(pk=first.pk).revoked_at is None


# --- Every accepted write names its actor, in the chronology and in the access log ---------------------


@pytest.mark.parametrize("name", list(HANDLING))
def test_each_write_names_who_made_it_in_the_chronology_and_the_log(cast, make_concern, name):
    concern = make_concern()
    coordinator = User.objects.get(pk=cast["coordinator"].pk)
    events, rows = Event.objects.count(), AccessLogEntry.objects.filter(subject_ref=concern.reference).count()
    HANDLING[name](_fresh(concern), coordinator)
    new_events = Event.objects.filter(concern=concern).order_by("-pk")[: Event.objects.count() - events]
    assert new_events and all(event.actor_id == coordinator.pk for event in new_events)
    logged = AccessLogEntry.objects.filter(subject_ref=concern.reference).order_by("-pk")
    assert logged.count() > rows
    assert logged.first().actor_id == coordinator.pk


# --- The rest of the handling guards -------------------------------------------------------------------


def test_an_unread_hand_over_refuses_a_stale_page(cast, make_concern):
    """Skärholmen's coordinators left after the concern arrived: the central coordinator may hand it
    over, unread, but only as the page showed it."""
    concern = make_concern("waiting", "skarholmen")
    Concern.objects.filter(pk=concern.pk).update(without_coordinator=False, lock_version=2)
    central = User.objects.get(pk=cast["central_coordinator"].pk)
    before = _snapshot(concern)
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        sharing.hand_over_unread(
            actor=central, concern_id=concern.pk, lock_version=1, to_organisation=_org("jarva"), legal_ground="OSL"
        )
    assert _snapshot(concern) == before
    sharing.hand_over_unread(
        actor=central, concern_id=concern.pk, lock_version=2, to_organisation=_org("jarva"), legal_ground="OSL"
    )
    assert _fresh(concern).organisation.slug == "jarva"


def test_lifting_a_legal_hold_clears_its_reason_and_says_so(cast, make_concern):
    concern = make_concern()
    coordinator = cast["coordinator"]
    closure.set_legal_hold(concern_id=concern.pk, actor=coordinator, lock_version=1, hold=True, reason=" Utredning ")
    held = _fresh(concern)
    assert (held.legal_hold, held.legal_hold_reason) == (True, "Utredning")
    closure.set_legal_hold(concern_id=concern.pk, actor=coordinator, lock_version=2, hold=False, reason="Utredning")
    lifted = _fresh(concern)
    assert (lifted.legal_hold, lifted.legal_hold_reason) == (False, "")
    summaries = list(
        Event.objects.filter(concern=concern, kind="legal_hold").order_by("pk").values_list("summary", "actor")
    )
    assert summaries == [("Bevaras av rättsligt skäl", coordinator.pk), ("Bevarandet hävt", coordinator.pk)]
    actions = list(
        AccessLogEntry.objects.filter(subject_ref=concern.reference, action__startswith="concern_legal_hold")
        .order_by("pk")
        .values_list("action", "actor_id")
    )
    assert actions == [("concern_legal_hold", coordinator.pk), ("concern_legal_hold_lifted", coordinator.pk)]


def test_a_legal_hold_needs_its_reason(cast, make_concern):
    concern = make_concern()
    with pytest.raises(ValidationError, match="skälet"):
        closure.set_legal_hold(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1, hold=True, reason=" ")
    assert not _fresh(concern).legal_hold


def test_the_assignment_says_who_was_assigned_and_when_it_was_taken_away(cast, make_concern):
    concern = make_concern()
    coordinator, caseworker = cast["coordinator"], cast["caseworker"]
    services.assign(concern_id=concern.pk, actor=coordinator, lock_version=1, caseworker=caseworker)
    services.assign(concern_id=concern.pk, actor=coordinator, lock_version=2, caseworker=None)
    events = list(
        Event.objects.filter(concern=concern, kind="assigned").order_by("pk").values_list("summary", flat=True)
    )
    assert events == ["Handläggare tilldelad", "Tilldelning borttagen"]
    details = list(
        AccessLogEntry.objects.filter(subject_ref=concern.reference, action="concern_assigned")
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details == [str(caseworker.pk), ""]


def test_the_last_step_is_not_advanced_past_and_an_empty_assessment_is_refused(cast, make_concern):
    concern = make_concern()
    Concern.objects.filter(pk=concern.pk).update(state=State.FOLLOW_UP)
    with pytest.raises(ValidationError, match="sista steget"):
        services.advance(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1)
    with pytest.raises(ValidationError, match="Skriv din bedömning"):
        services.record_assessment(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1, areas=[], text=" ")
    assert _fresh(concern).state == State.FOLLOW_UP and _fresh(concern).lock_version == 1


def test_the_receipt_says_who_received_the_concern(cast, make_concern):
    assert intake.intake_route(make_concern("here", "jarva")) == "coordinator"
    assert intake.intake_route(make_concern("queue", "skarholmen")) == "central"  # no coordinator there


# --- Handed over or shown only to an organisation in use ----------------------------------------------
SHARING = {
    "transfer": lambda c, a, to: sharing.transfer(
        concern_id=c.pk, actor=a, lock_version=c.lock_version, to_organisation=to, legal_ground="OSL"
    ),
    "disclose": lambda c, a, to: sharing.disclose(
        concern_id=c.pk, actor=a, to_organisation=to, legal_ground="OSL 10 kap. 28 §", decided_by="Enhetschef A"
    ),
}


@pytest.mark.parametrize("name", list(SHARING))
def test_a_concern_is_not_shared_with_an_organisation_no_longer_in_use(cast, make_concern, name):
    """The form lists only active organisations, but the service decides: the organisation may have been
    retired (a district merge) after the page was opened, with the page's object still active."""
    concern = make_concern()
    retired = _org("sodermalm")
    Organisation.objects.filter(pk=retired.pk).update(is_active=False)
    before = _snapshot(concern)
    with pytest.raises(ValidationError) as refused:
        SHARING[name](_fresh(concern), User.objects.get(pk=cast["coordinator"].pk), retired)
    assert refused.value.messages == [f"{retired.name} är inte längre en aktiv organisation."]
    assert _snapshot(concern) == before
    assert not Disclosure.objects.filter(concern=concern).exists()


@pytest.mark.parametrize("name", list(SHARING))
def test_a_concern_is_shared_with_an_organisation_in_use(cast, make_concern, name):
    concern = make_concern()
    SHARING[name](_fresh(concern), User.objects.get(pk=cast["coordinator"].pk), _org("sodermalm"))
    assert _fresh(concern).lock_version == concern.lock_version + 1


# --- Closing, disclosing and the dates recorded ----------------------------------------------------------


def test_closing_sets_how_long_the_concern_is_kept_by_its_outcome(cast, make_concern):
    RetentionPeriod.objects.update_or_create(outcome=Outcome.HANDED_OVER, defaults={"days": 40})
    RetentionPeriod.objects.filter(outcome=Outcome.MEASURES_COMPLETED).delete()
    kept = _closed(cast, make_concern)
    assert kept.retain_until == timezone.localdate() + datetime.timedelta(days=40)
    assert kept.closed_at is not None and kept.outcome == Outcome.HANDED_OVER
    other = make_concern("other")
    closure.close(concern_id=other.pk, actor=cast["coordinator"], lock_version=1, outcome=Outcome.MEASURES_COMPLETED)
    days = closure.DEFAULT_RETENTION_DAYS  # no period set for this outcome
    assert _fresh(other).retain_until == timezone.localdate() + datetime.timedelta(days=days)


def test_a_reason_alone_does_not_settle_the_child_report_question(cast, make_concern):
    """One of the two answers must be chosen; a reason typed without choosing "not made" is no answer."""
    concern = make_concern(concerns_child="yes")
    with pytest.raises(ValidationError, match="orosanmälan"):
        closure.close(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            lock_version=1,
            outcome=Outcome.HANDED_OVER,
            child_report="",
            child_report_reason="Personen är vuxen",
        )
    assert _fresh(concern).state != State.CLOSED


@pytest.mark.parametrize(("legal_ground", "decided_by"), [("", "Enhetschef A"), ("OSL 10 kap. 28 §", " "), ("", "")])
def test_a_disclosure_needs_both_its_legal_ground_and_who_decided(cast, make_concern, legal_ground, decided_by):
    concern = make_concern()
    with pytest.raises(ValidationError, match="rättslig grund"):
        sharing.disclose(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            to_organisation=_org("utbildningsnamnden"),
            legal_ground=legal_ground,
            decided_by=decided_by,
        )
    assert not Disclosure.objects.filter(concern=concern).exists()


def test_dates_are_checked_against_the_day_the_concern_was_received_even_on_a_leap_day(cast, make_concern):
    """Received on 29 February 2024: five years before is 28 February 2019 (there is no 29th)."""
    concern = make_concern()
    received = timezone.make_aware(datetime.datetime(2024, 2, 29, 12, 0))
    Concern.objects.filter(pk=concern.pk).update(created_at=received)

    def record(done_on: datetime.date) -> None:
        services.record_action(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            lock_version=_fresh(concern).lock_version,
            kind=ActionKind.SIP,
            done_on=done_on,
        )

    with pytest.raises(ValidationError, match="2024-02-29"):
        record(datetime.date(2019, 2, 27))
    record(datetime.date(2019, 2, 28))
    assert _fresh(concern).actions.get().done_on == datetime.date(2019, 2, 28)
    with pytest.raises(ValidationError, match="framtiden"):
        record(timezone.localdate() + datetime.timedelta(days=1))


def test_a_hand_over_tells_the_receiving_coordinators_that_it_was_handed_over(cast, make_concern):
    concern = make_concern()
    sharing.transfer(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=1,
        to_organisation=_org("sodermalm"),
        legal_ground="OSL",
    )
    told = Notification.objects.get(recipient=cast["coordinator_other"], reference=concern.reference)
    assert told.kind == "concern_handed_over" and told.subject.startswith("Överlämnad oro")
    # To an organisation without a coordinator it waits in the central queue, and the chronology says so.
    queued = make_concern("queued")
    sharing.transfer(
        concern_id=queued.pk,
        actor=cast["coordinator"],
        lock_version=1,
        to_organisation=_org("skarholmen"),
        legal_ground="OSL",
    )
    assert _fresh(queued).without_coordinator
    assert Event.objects.filter(concern=queued, kind=intake.HANDED_TO_CENTRAL_QUEUE, actor=cast["coordinator"]).exists()
    assert Notification.objects.filter(recipient=cast["central_coordinator"], reference=queued.reference).exists()


def test_the_same_form_key_from_another_reporter_is_another_concern(cast, make_concern):
    """A second submit of one form returns the first concern, but only to the one who sent it: another
    reporter's form with the same key is a concern of its own, never someone else's receipt."""
    first = make_concern("form-key")
    assert make_concern("form-key").pk == first.pk
    other = intake.submit_concern(
        reporter=cast["unit_manager"],
        reporter_organisation=_org("jarva"),
        organisation=_org("jarva"),
        idempotency_key="form-key",
        observation="En annan iakttagelse",
        observed_on=timezone.localdate(),
        concerns_child="no",
        child_report_made="unknown",
    )
    assert other.pk != first.pk and other.reporter_id == cast["unit_manager"].pk
    assert Concern.objects.count() == 2
