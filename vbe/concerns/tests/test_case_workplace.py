"""Issue 10 on the case page: several steps in one decision, the handler's assessed environment (what the
statistics count), the Redex wording, referrals with their preconditions, and the page as a task list."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from vbe.accounts.models import Membership, Role
from vbe.audit.models import AccessLogEntry
from vbe.concerns import closure, referrals, services, sharing
from vbe.concerns.models import ActionKind, Concern, Event, Referral, ReferralKind, State
from vbe.concerns.writes import STALE
from vbe.guidelines.vocabulary import Environment
from vbe.organisations.models import Organisation
from vbe.statistics.models import ConcernCount


def _fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


# --- Several steps in one decision ----------------------------------------------------------------------


def test_a_coordinator_records_three_steps_in_one_decision_with_one_note(cast, make_concern):
    concern = make_concern()
    response = cast.client("coordinator").post(
        reverse("concerns:advance", args=[concern.reference]),
        {"lock_version": 1, "to_state": State.GATHERING_INFORMATION, "note": "Möte med skolan den 3 november"},
    )
    assert response.status_code == 302
    concern = _fresh(concern)
    assert concern.state == State.GATHERING_INFORMATION
    assert concern.lock_version == 2  # one write, one version
    moved = concern.events.get(kind="advanced")  # one entry, naming where it came from and went
    assert (moved.from_state, moved.to_state) == (State.RECEIVED, State.GATHERING_INFORMATION)
    assert moved.summary == "Från mottagen till informationsinhämtning"
    assert moved.note == "Möte med skolan den 3 november"
    log = AccessLogEntry.objects.filter(action="concern_advanced", subject_ref=concern.reference)
    assert [entry.detail for entry in log] == ["received → gathering_information"]


def test_a_reader_of_a_disclosure_sees_the_jump_as_one_process_step(cast, make_concern):
    concern = make_concern()
    sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=Organisation.objects.get(slug="sodermalm"),
        legal_ground="OSL",
        decided_by="Chef",
    )
    services.advance_to(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=_fresh(concern).lock_version,
        to_state=State.ASSESSMENT,
        note="Hemlig anteckning",
    )
    page = cast.client("coordinator_other").get(concern.get_absolute_url()).content.decode()
    assert "Från mottagen till bedömning" in page
    assert "Hemlig anteckning" not in page
    # Referrals are the handlers' business: the reader is told so, never that there are none.
    assert "Hänvisningar visas bara för dem som hanterar ärendet." in page
    assert "Inga hänvisningar registrerade." not in page


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (State.GATHERING_INFORMATION, State.GATHERING_INFORMATION),  # the same step
        (State.GATHERING_INFORMATION, State.INITIAL_ASSESSMENT),  # backwards
        (State.GATHERING_INFORMATION, State.CLOSED),  # closing has its own form, with its own rules
        (State.FOLLOW_UP, State.MEASURES),
        (State.GATHERING_INFORMATION, "nonsense"),
    ],
)
def test_advancing_refuses_anything_but_a_later_open_step(cast, make_concern, start, target):
    concern = make_concern()
    Concern.objects.filter(pk=concern.pk).update(state=start)
    with pytest.raises(ValidationError, match="Välj ett senare steg"):
        services.advance_to(actor=cast["coordinator"], concern_id=concern.pk, lock_version=1, to_state=target)
    assert _fresh(concern).state == start
    assert not Event.objects.filter(concern=concern, kind="advanced").exists()


def test_a_closed_concern_is_not_advanced(cast, make_concern):
    concern = make_concern()
    closure.close(actor=cast["coordinator"], concern_id=concern.pk, lock_version=1, outcome="handed_over")
    with pytest.raises(ValidationError, match="avslutat"):
        services.advance_to(actor=cast["coordinator"], concern_id=concern.pk, lock_version=2, to_state=State.FOLLOW_UP)


def test_a_stale_advance_is_refused_and_the_typed_note_kept(cast, make_concern):
    concern = make_concern()
    services.record_assessment(actor=cast["coordinator"], concern_id=concern.pk, lock_version=1, areas=[], text="A")
    response = cast.client("coordinator").post(
        reverse("concerns:advance", args=[concern.reference]),
        {"lock_version": 1, "to_state": State.ASSESSMENT, "note": "Min anteckning 4711"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert str(STALE) in page and "Min anteckning 4711" in page
    assert "<title>Fel: " in page
    assert _fresh(concern).state == State.RECEIVED


def test_the_advance_form_offers_only_the_later_open_steps(cast, make_concern):
    concern = make_concern()
    Concern.objects.filter(pk=concern.pk).update(state=State.ASSESSMENT)
    page = cast.client("coordinator").get(concern.get_absolute_url()).content.decode()
    offered = [value for value in State.values if f'name="to_state" type="radio" value="{value}"' in page]
    assert offered == [State.MEASURES, State.FOLLOW_UP]


# --- The assessed environment ---------------------------------------------------------------------------


def _counted(environment: str) -> int:
    return (
        ConcernCount.objects.filter(dimension="environment", value=environment).aggregate(total=Sum("n"))["total"] or 0
    )


def test_the_handler_records_the_environment_and_the_statistics_count_it(cast, make_concern):
    first, second = make_concern("a"), make_concern("b")
    assert _fresh(first).environment == Environment.UNKNOWN  # the reporter is never asked
    assert (_counted(Environment.UNKNOWN), _counted(Environment.ISLAMIST)) == (2, 0)
    response = cast.client("coordinator").post(
        reverse("concerns:assess", args=[first.reference]),
        {"lock_version": 1, "text": "Kontakter med en våldsbejakande grupp.", "environment": Environment.ISLAMIST},
    )
    assert response.status_code == 302
    assert _fresh(first).environment == Environment.ISLAMIST
    assert (_counted(Environment.UNKNOWN), _counted(Environment.ISLAMIST)) == (1, 1)
    # The chronology says that it changed, never what it is (special-category data stays on the concern).
    event = first.events.get(kind="assessment")
    assert event.summary == "Bedömningen och den bedömda miljön uppdaterades"
    assert "islamism" not in event.summary.lower()
    # An assessment posted without the environment leaves it as it was.
    services.record_assessment(actor=cast["coordinator"], concern_id=second.pk, lock_version=1, areas=[], text="B")
    assert _fresh(second).environment == Environment.UNKNOWN
    assert second.events.get(kind="assessment").summary == "Bedömningen uppdaterades"


def test_the_environment_is_named_in_the_guidelines_terms():
    assert [str(label) for label in Environment.labels] == [
        "Våldsbejakande högerextremism",
        "Våldsbejakande vänsterextremism",
        "Våldsbejakande islamism",
        "Hybrid eller oklar",
        "Ensamagerande",
        "Inte bedömd",
    ]


def test_an_unknown_environment_is_refused(cast, make_concern):
    concern = make_concern()
    with pytest.raises(ValidationError):
        services.record_assessment(
            actor=cast["coordinator"], concern_id=concern.pk, lock_version=1, areas=[], text="B", environment="x"
        )


# --- Redex is not a place a case is handed to -----------------------------------------------------------


def test_social_emergency_and_redex_are_two_actions():
    assert ActionKind.SOCIAL_EMERGENCY.label == "Kontakt med socialjouren"
    assert ActionKind.REDEX_EXCHANGE.label == "Informationsutbyte inom Redex via socialjouren"
    assert not any("Överlämnad" in str(label) and "Redex" in str(label) for label in ActionKind.labels)


# --- Referrals and their preconditions ------------------------------------------------------------------


def _refer(cast, concern, **data):
    return referrals.record_referral(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=_fresh(concern).lock_version,
        **{"referred_on": datetime.date(2026, 11, 2), "adult": None, "confirmed": [], **data},
    )


def test_the_exit_service_needs_the_police_protection_assessment_and_an_adult(cast, make_concern):
    concern = make_concern()
    with pytest.raises(ValidationError) as refused:
        _refer(cast, concern, kind=ReferralKind.EXIT_SERVICE, adult=False)
    message = refused.value.messages[0]
    assert "personen har fyllt 18 år" in message
    assert "polismyndighetens personsäkerhetsverksamhet har bedömt" in message
    with pytest.raises(ValidationError, match="personsäkerhetsverksamhet"):
        _refer(cast, concern, kind=ReferralKind.EXIT_SERVICE, adult=True)
    assert not Referral.objects.exists()
    referral = _refer(cast, concern, kind=ReferralKind.EXIT_SERVICE, adult=True, confirmed=["protection_need"])
    assert referral.preconditions == ["adult", "protection_need"]
    assert referral.recorded_by == cast["coordinator"] and referral.recorded_at is not None
    assert _fresh(concern).events.filter(kind="referral").get().summary == (
        "Hänvisning: Stadsövergripande avhopparverksamheten"
    )


def test_sig_needs_a_recorded_consent_and_for_an_adult_their_own_will(cast, make_concern):
    concern = make_concern()
    with pytest.raises(ValidationError, match="fyllt 18 år"):  # asked, because the rules differ
        _refer(cast, concern, kind=ReferralKind.SIG, confirmed=["consent_information_sharing"])
    with pytest.raises(ValidationError, match="egen vilja till förändring"):
        _refer(cast, concern, kind=ReferralKind.SIG, adult=True, confirmed=["consent_information_sharing"])
    with pytest.raises(ValidationError, match="gällande samtycke"):  # ticked, but none on record
        _refer(cast, concern, kind=ReferralKind.SIG, adult=False, confirmed=["consent_information_sharing"])
    consent = sharing.record_consent(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=_fresh(concern).lock_version,
        purpose="Informationsdelning inom SIG",
        given_by="Personen",
        given_on=datetime.date(2026, 11, 1),
    )
    # A child: the consent is enough; the own will is asked of those who have turned 18.
    referral = _refer(
        cast,
        concern,
        kind=ReferralKind.SIG,
        adult=False,
        confirmed=["consent_information_sharing"],
        consent_id=consent.pk,
    )
    assert referral.consent == consent and referral.preconditions == ["consent_information_sharing"]
    sharing.withdraw_consent(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=_fresh(concern).lock_version,
        consent_id=consent.pk,
    )
    with pytest.raises(ValidationError, match="gällande samtycke"):  # a withdrawn consent is no consent
        _refer(
            cast,
            concern,
            kind=ReferralKind.SIG,
            adult=True,
            confirmed=["own_will", "consent_information_sharing"],
            consent_id=consent.pk,
        )


def test_relatives_support_is_referred_when_the_relative_wants_it(cast, make_concern):
    concern = make_concern()
    with pytest.raises(ValidationError, match="den anhöriga har tillfrågats"):
        _refer(cast, concern, kind=ReferralKind.RELATIVES_TREATMENT)
    _refer(cast, concern, kind=ReferralKind.RELATIVES_TREATMENT, confirmed=["relative_wants_support"])
    _refer(cast, concern, kind=ReferralKind.RELATIVES_DISTRICT, confirmed=["relative_wants_support"])
    assert sorted(Referral.objects.values_list("kind", flat=True)) == ["relatives_district", "relatives_treatment"]


def test_a_referral_is_shown_under_hanvisningar_with_who_confirmed_what(cast, make_concern):
    concern = make_concern()
    _refer(cast, concern, kind=ReferralKind.RETURNEE, adult=True, confirmed=["returned"], note="Kontakt via Sofia")
    page = cast.client("coordinator").get(concern.get_absolute_url()).content.decode()
    card = page[page.index(">Hänvisningar</h2>") : page.index(">Kronologi</h2>")]
    assert "Stöd till återvändare från konfliktområden" in card
    assert f"Förutsättningar bekräftade av {cast['coordinator']} den" in card
    assert "Personen har återvänt från ett krigsdrabbat område" in card
    assert "Kontakt via Sofia" in card


def test_a_refused_referral_is_shown_again_with_the_missing_preconditions(cast, make_concern):
    concern = make_concern()
    response = cast.client("coordinator").post(
        reverse("concerns:refer", args=[concern.reference]),
        {"lock_version": 1, "kind": ReferralKind.JOBBTORG_EXIT, "referred_on": "2026-11-02", "adult": "no"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Fel: " in page
    assert "Saknas: personen har fyllt 18 år; personen har lämnat, eller vill lämna" in page
    assert not Referral.objects.exists()


def test_a_referral_by_someone_who_does_not_handle_the_concern_is_not_found(cast, make_concern):
    concern = make_concern()
    url = reverse("concerns:refer", args=[concern.reference])
    data = {"lock_version": 1, "kind": ReferralKind.RELATIVES_DISTRICT, "referred_on": "2026-11-02"}
    assert cast.client("caseworker").post(url, {**data, "confirmed": ["relative_wants_support"]}).status_code == 404
    assert not Referral.objects.exists()


# --- The page as a task list ----------------------------------------------------------------------------


def test_the_page_says_what_is_needed_and_links_each_action(cast, make_concern):
    concern = make_concern(concerns_child="yes", child_report_made="no")
    Concern.objects.filter(pk=concern.pk).update(state=State.ASSESSMENT)
    page = cast.client("coordinator").get(concern.get_absolute_url()).content.decode()
    needed = page[page.index("Det här behövs för att gå vidare") : page.index("Det du kan göra nu")]
    assert "Krävs för att avsluta" in needed and "Registrera orosanmälan" in needed
    assert "Ingen handläggare är tilldelad." in needed
    assert "Ingen bedömning är skriven ännu." in needed and "Miljön är inte bedömd ännu." in needed
    tasks = page[page.index('<ul class="govuk-task-list">') :]
    tasks = tasks[: tasks.index("</ul>")]
    anchors = [part.split('"')[0] for part in tasks.split('href="#')[1:]]
    assert anchors == [
        "ga-vidare",
        "bedomning",
        "atgard",
        "lyft",  # a link to its own page (vbe.collaboration), offered where a plain action is
        "samtycke",
        "hanvisning",
        "avsluta",
        "tilldela",
        "overlamna",
        "roj",
        "bevara",
    ]
    for anchor in anchors:  # each link lands on a visible section of the page
        assert f'<section class="app-requirement" id="{anchor}"' in page
    assert "<details" not in page


def test_the_caseworker_sees_only_the_handling_tasks(cast, make_concern):
    concern = make_concern()
    services.assign(actor=cast["coordinator"], concern_id=concern.pk, lock_version=1, caseworker=cast["caseworker"])
    page = cast.client("caseworker").get(concern.get_absolute_url()).content.decode()
    assert 'href="#hanvisning"' in page and 'href="#tilldela"' not in page and 'href="#roj"' not in page
    assert "Ingen handläggare är tilldelad." not in page


def test_a_closed_concern_needs_nothing_more(cast, make_concern):
    concern = make_concern()
    closure.close(actor=cast["coordinator"], concern_id=concern.pk, lock_version=1, outcome="handed_over")
    page = cast.client("coordinator").get(concern.get_absolute_url()).content.decode()
    assert "Det här behövs för att gå vidare" not in page
    assert 'href="#ga-vidare"' not in page and 'href="#roj"' in page  # disclosing stays possible


def test_the_demo_assesses_environments_only_past_the_first_assessment(cast, reference_data):
    from vbe.concerns.demo import seed_concerns

    for slug in ("jarva", "sodermalm", "utbildningsnamnden"):
        organisation = Organisation.objects.get(slug=slug)
        Membership.objects.get_or_create(user=cast["coordinator"], organisation=organisation, role=Role.COORDINATOR)
        Membership.objects.get_or_create(user=cast["staff"], organisation=organisation, role=Role.STAFF)
    assert seed_concerns() > 0
    early = Concern.objects.filter(state__in=[State.RECEIVED, State.INITIAL_ASSESSMENT, State.GATHERING_INFORMATION])
    assert early.exists() and not early.exclude(environment=Environment.UNKNOWN).exists()
    assert Concern.objects.exclude(environment=Environment.UNKNOWN).exists()
