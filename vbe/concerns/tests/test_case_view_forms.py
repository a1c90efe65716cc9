"""The case page offers exactly the writes its handling views would accept, for each role and state: it
builds and renders only those forms, never one the view would refuse and never hiding one it would
accept. Each write is posted (in a savepoint, rolled back) and its answer compared with the page.

A refused form comes back with its errors and what the user typed; the page's queries do not grow with
the chronology, the actions, the consents or the disclosures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vbe.concerns import closure, referrals, services, sharing
from vbe.concerns.models import (
    ActionKind,
    AssessmentArea,
    Concern,
    Consent,
    Disclosure,
    Outcome,
    ReferralKind,
    State,
)
from vbe.concerns.retention import purge_expired
from vbe.concerns.writes import STALE
from vbe.organisations.models import Organisation

HANDLING = {"advance", "assess", "add_action", "add_consent", "refer", "close", "withdraw_consent"}
COORDINATING = {"assign", "transfer", "disclose", "legal_hold", "withdraw_disclosure"}
EVERY_WRITE = HANDLING | COORDINATING
# What stays possible once a concern is closed: withdrawing a consent or a disclosure (what they allowed
# ends even after the handling), disclosing it, and keeping it past its retention.
AFTER_CLOSING = {"withdraw_consent", "disclose", "legal_hold", "withdraw_disclosure"}


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


@dataclass
class Case:
    concern: Concern
    consent: Consent | None = None
    disclosure: Disclosure | None = None


def _handled_case(cast, make_concern, state: str) -> Case:
    """A concern at Järva assigned to the caseworker, with a consent and a disclosure to Södermalm in
    force, in ``state`` ("purged": closed and purged)."""
    concern = make_concern()
    coordinator = cast["coordinator"]
    services.assign(concern_id=concern.pk, actor=coordinator, lock_version=1, caseworker=cast["caseworker"])
    consent = sharing.record_consent(
        concern_id=concern.pk,
        actor=coordinator,
        lock_version=2,
        purpose="SIG",
        given_by="Personen",
        given_on=timezone.localdate(),
    )
    disclosure = sharing.disclose(
        concern_id=concern.pk,
        actor=coordinator,
        to_organisation=_org("sodermalm"),
        legal_ground="OSL",
        decided_by="Chef",
    )
    if state == State.FOLLOW_UP:
        Concern.objects.filter(pk=concern.pk).update(state=State.FOLLOW_UP)
    if state in (State.CLOSED, "purged"):
        closure.close(
            concern_id=concern.pk,
            actor=coordinator,
            lock_version=_fresh(concern).lock_version,
            outcome=Outcome.HANDED_OVER,
        )
    if state == "purged":
        Concern.objects.filter(pk=concern.pk).update(retain_until=timezone.localdate() - datetime.timedelta(days=1))
        assert purge_expired().purged == 1
    return Case(_fresh(concern), consent, disclosure)


def _writes(cast, case: Case) -> dict[str, tuple[str, dict]]:
    """Each write's URL and data that its view would accept from someone allowed to make it."""
    ref, version, today = case.concern.reference, case.concern.lock_version, timezone.localdate().isoformat()
    writes = {
        # To the next step; from the last (or a closed concern) to "closed", which the advance refuses.
        "advance": ("advance", {"note": "", "to_state": services.NEXT_STATE.get(case.concern.state, "closed")}),
        "assess": ("assess", {"areas": ["family"], "text": "Bedömning", "environment": "unknown"}),
        "refer": (
            "refer",
            {"kind": "relatives_district", "referred_on": today, "confirmed": ["relative_wants_support"]},
        ),
        "add_action": ("add_action", {"kind": ActionKind.SIP, "done_on": today, "note": ""}),
        "add_consent": ("add_consent", {"purpose": "SIG", "given_by": "Personen", "given_on": today}),
        "close": ("close", {"outcome": Outcome.HANDED_OVER, "reason": ""}),
        "assign": ("assign", {"caseworker": cast["caseworker"].pk}),
        "transfer": ("transfer", {"to_organisation": _org("sodermalm").pk, "legal_ground": "OSL 10 kap. 2 §"}),
        "legal_hold": ("legal_hold", {"hold": "on", "reason": "Förundersökning"}),
    }
    urls = {
        name: (reverse(f"concerns:{view}", args=[ref]), {"lock_version": version, **data})
        for name, (view, data) in writes.items()
    }
    urls["disclose"] = (
        reverse("concerns:disclose", args=[ref]),
        {"to_organisation": _org("utbildningsnamnden").pk, "legal_ground": "OSL", "decided_by": "Chef"},
    )
    if case.consent:
        urls["withdraw_consent"] = (
            reverse("concerns:withdraw_consent", args=[ref, case.consent.pk]),
            {"lock_version": version},
        )
    if case.disclosure:
        prefix = f"d{case.disclosure.pk}"
        urls["withdraw_disclosure"] = (
            reverse("concerns:withdraw_disclosure", args=[ref, case.disclosure.pk]),
            {f"{prefix}-reason": "Beslutet gäller inte längre"},
        )
    return urls


def _offered_in(page: str, writes: dict[str, tuple[str, dict]]) -> set[str]:
    return {name for name, (url, _) in writes.items() if f'action="{url}"' in page}


def _offered_on_page(client, case: Case, writes: dict[str, tuple[str, dict]]) -> set[str]:
    response = client.get(case.concern.get_absolute_url())
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    return _offered_in(response.content.decode(), writes)


def _accepted(client, url: str, data: dict) -> bool:
    """Whether the view accepts the write; undone afterwards, so each write meets the same concern."""
    with transaction.atomic():
        status = client.post(url, data).status_code
        transaction.set_rollback(True)
    assert status in (302, 400, 403, 404)  # refused with an answer, never a 500
    return status == 302


def _check(cast, name: str, case: Case, expected: set[str]) -> None:
    client = cast.client(name)
    writes = _writes(cast, case)
    assert _offered_on_page(client, case, writes) == expected
    accepted = {write for write, (url, data) in writes.items() if _accepted(client, url, data)}
    assert accepted == expected  # the page and the views agree, write by write


HANDLED = [
    ("coordinator", State.RECEIVED, EVERY_WRITE),
    ("coordinator", State.FOLLOW_UP, EVERY_WRITE - {"advance"}),  # the next step from follow-up is closing
    ("coordinator", State.CLOSED, AFTER_CLOSING),
    ("coordinator", "purged", set()),  # a purged concern takes no writes at all
    ("caseworker", State.RECEIVED, HANDLING),  # the assigned caseworker handles, does not coordinate
    ("caseworker", State.FOLLOW_UP, HANDLING - {"advance"}),
    ("caseworker", State.CLOSED, {"withdraw_consent"}),
    ("caseworker", "purged", set()),  # unassigned by the purge: not even readable
    ("coordinator_other", State.RECEIVED, set()),  # reads through the disclosure to Södermalm, nothing more
    ("coordinator_other", State.CLOSED, set()),
]


@pytest.mark.parametrize(("name", "state", "expected"), HANDLED)
def test_the_page_offers_exactly_the_writes_the_views_accept(cast, make_concern, name, state, expected):
    _check(cast, name, _handled_case(cast, make_concern, state), expected)


def test_the_central_coordinator_is_offered_only_the_hand_over_of_a_concern_in_the_queue(cast, make_concern):
    case = Case(make_concern("queued", organisation="skarholmen"))  # no coordinator there: the central queue
    _check(cast, "central_coordinator", case, {"transfer"})
    page = cast.client("central_coordinator").get(case.concern.get_absolute_url()).content.decode()
    assert "väntar i den centrala samordnarens kö" in page
    assert ">Hantera ärendet</h2>" not in page and ">Samordna</h2>" not in page


def test_a_reader_gets_the_page_without_any_handling_section(cast, make_concern):
    case = _handled_case(cast, make_concern, State.RECEIVED)
    page = cast.client("coordinator_other").get(case.concern.get_absolute_url()).content.decode()
    assert "Du läser ärendet efter ett röjande" in page
    for section in (">Hantera ärendet</h2>", ">Samordna</h2>", ">Röjanden</h2>", "Visa hela numret", "govuk-task-list"):
        assert section not in page


def test_the_considered_areas_are_listed_for_every_reader(cast, make_concern):
    case = _handled_case(cast, make_concern, State.CLOSED)
    Concern.objects.filter(pk=case.concern.pk).update(
        assessment="Bedömd", assessment_areas=[AssessmentArea.FAMILY, AssessmentArea.ONLINE]
    )
    expected = f"{AssessmentArea.FAMILY.label}; {AssessmentArea.ONLINE.label}"
    for name in ("coordinator", "coordinator_other"):  # no assessment form for either: the concern is closed
        assert expected in cast.client(name).get(case.concern.get_absolute_url()).content.decode()


# --- A refused form comes back with its errors and what the user typed -------------------------------

TYPED = "Skrivet av handläggaren 4711"
# write -> (view, data with an error, the error shown). The typed text must come back in the form.
REFUSED = {
    "advance_form": ("advance", {"lock_version": 0, "to_state": "initial_assessment", "note": TYPED}, str(STALE)),
    "assessment_form": ("assess", {"lock_version": 0, "areas": ["peers"], "text": TYPED}, str(STALE)),
    "action_form": ("add_action", {"kind": ActionKind.SIP, "done_on": "2026-13-45", "note": TYPED}, "ÅÅÅÅ-MM-DD"),
    "referral_form": (
        "refer",
        {"kind": "sig", "referred_on": "2026-11-02", "adult": "yes", "note": TYPED},
        "Saknas: personen har en egen vilja till förändring",
    ),
    "consent_form": ("add_consent", {"purpose": TYPED, "given_by": "", "given_on": "2026-01-01"}, "Ange vem som"),
    "close_form": ("close", {"outcome": "", "reason": TYPED}, "Välj utfall."),
    "transfer_form": ("transfer", {"to_organisation": "", "legal_ground": TYPED}, "Välj organisation."),
    "disclosure_form": ("disclose", {"to_organisation": "", "legal_ground": TYPED, "decided_by": ""}, "Ange vem"),
    "hold_form": ("legal_hold", {"hold": "on", "reason": ""}, "Ange skälet"),
}


@pytest.mark.parametrize("form", list(REFUSED))
def test_a_refused_form_is_shown_again_with_its_errors_and_the_input(cast, make_concern, form):
    case = _handled_case(cast, make_concern, State.RECEIVED)
    view, data, error = REFUSED[form]
    data = {"lock_version": case.concern.lock_version, **data}
    response = cast.client("coordinator").post(reverse(f"concerns:{view}", args=[case.concern.reference]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    if form == "hold_form":
        assert 'name="hold" type="checkbox" checked' in page
    else:
        assert TYPED in page
    if form == "assessment_form":
        assert 'value="peers" checked' in page
    # Nothing folded away; the error summary leads the page and the title says "Fel:".
    assert "<details" not in page
    assert page.count('class="govuk-error-summary" data-module="govuk-error-summary"') == 1
    assert "<title>Fel: " in page
    assert _offered_in(page, _writes(cast, case)) == EVERY_WRITE  # and every other write, as before


def test_a_refused_form_is_kept_even_when_its_write_is_no_longer_offered(cast, make_concern):
    """The caseworker writes an assessment while the coordinator closes the concern: the refusal says
    why, and the text is there to copy, but nothing else is offered on the closed concern."""
    case = _handled_case(cast, make_concern, State.RECEIVED)
    seen = case.concern.lock_version
    closure.close(concern_id=case.concern.pk, actor=cast["coordinator"], lock_version=seen, outcome=Outcome.HANDED_OVER)
    response = cast.client("caseworker").post(
        reverse("concerns:assess", args=[case.concern.reference]), {"lock_version": seen, "text": TYPED}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert str(STALE) in page and TYPED in page
    for view in ("advance", "add_action", "add_consent", "close"):
        assert f'action="{reverse(f"concerns:{view}", args=[case.concern.reference])}"' not in page


def test_a_refused_withdrawal_of_a_consent_is_explained(cast, make_concern):
    case = _handled_case(cast, make_concern, State.CLOSED)
    url = reverse("concerns:withdraw_consent", args=[case.concern.reference, case.consent.pk])
    response = cast.client("caseworker").post(url, {"lock_version": 0})
    assert response.status_code == 400 and str(STALE) in response.content.decode()
    assert Consent.objects.get(pk=case.consent.pk).withdrawn_on is None


# --- The page's queries do not grow with what the concern holds ---------------------------------------


def _grow(cast, case: Case, n: int) -> None:
    """``n`` more actions, consents, referrals (each naming its consent) and disclosures, each also an
    entry in the chronology."""
    coordinator, today = cast["coordinator"], timezone.localdate()
    for i in range(n):
        services.record_action(
            concern_id=case.concern.pk,
            actor=coordinator,
            lock_version=_fresh(case.concern).lock_version,
            kind=ActionKind.CHILD_WELFARE_REPORT,
            done_on=today,
            district_id=case.concern.organisation.district_id,
            made_by=f"Rektor {i}",
        )
        consent = sharing.record_consent(
            concern_id=case.concern.pk,
            actor=coordinator,
            lock_version=_fresh(case.concern).lock_version,
            purpose="SIG",
            given_by=f"Personen {i}",
            given_on=today,
        )
        referrals.record_referral(
            concern_id=case.concern.pk,
            actor=coordinator,
            lock_version=_fresh(case.concern).lock_version,
            kind=ReferralKind.SIG,
            referred_on=today,
            adult=True,
            confirmed=["own_will", "consent_information_sharing"],
            consent_id=consent.pk,
        )
        sharing.disclose(
            concern_id=case.concern.pk,
            actor=coordinator,
            to_organisation=_org("sodermalm" if i % 2 else "utbildningsnamnden"),
            legal_ground="OSL",
            decided_by=f"Chef {i}",
        )


def _queries(cast, name: str, concern: Concern) -> int:
    client = cast.client(name)
    client.get(concern.get_absolute_url())  # the session's first use is not the page's
    with CaptureQueriesContext(connection) as queries:
        assert client.get(concern.get_absolute_url()).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["coordinator", "caseworker", "coordinator_other"])
def test_the_case_page_queries_do_not_grow_with_its_rows(cast, make_concern, name):
    small = _handled_case(cast, make_concern, State.RECEIVED)
    large = Case(_fresh(make_concern("large")))
    services.assign(
        concern_id=large.concern.pk, actor=cast["coordinator"], lock_version=1, caseworker=cast["caseworker"]
    )
    _grow(cast, large, 30)
    _grow(cast, small, 1)
    assert _fresh(large.concern).events.count() > 120 and _fresh(small.concern).events.count() < 10
    few, many = _queries(cast, name, small.concern), _queries(cast, name, large.concern)
    assert few == many
    assert many <= 20


def test_the_case_page_reads_no_district_shapes(cast, make_concern):
    """The district's name is shown, its shape (tens of kB of GeoJSON) never read."""
    case = _handled_case(cast, make_concern, State.RECEIVED)
    Concern.objects.filter(pk=case.concern.pk).update(district=case.concern.organisation.district)
    _grow(cast, case, 1)  # an orosanmälan names a district too
    client = cast.client("coordinator")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(case.concern.get_absolute_url()).content.decode()
    assert case.concern.organisation.district.name in page
    assert not [q["sql"] for q in queries if '"geometry"' in q["sql"]]
