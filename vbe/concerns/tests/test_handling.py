"""The handlers' side: every transition, who may do it, secrecy, disclosure, concurrency."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import CAST
from vbe.audit.models import AccessLogEntry
from vbe.concerns import closure, services
from vbe.concerns.models import Concern, Event, Outcome, State
from vbe.concerns.tests.conftest import TEST_PNR
from vbe.organisations.models import Organisation

PATH_STEPS = [
    State.INITIAL_ASSESSMENT,
    State.GATHERING_INFORMATION,
    State.ASSESSMENT,
    State.MEASURES,
    State.FOLLOW_UP,
]


def _post(client, concern, suffix, **data):
    concern.refresh_from_db()
    return client.post(f"/oro/arenden/{concern.reference}/{suffix}", {"lock_version": concern.lock_version, **data})


def test_coordinator_walks_the_whole_process_and_closes(cast, make_concern):
    concern = make_concern()
    client = cast.client("coordinator")
    for expected in PATH_STEPS:
        response = _post(client, concern, "nasta-steg/", note="", to_state=expected)
        assert response.status_code == 302
        concern.refresh_from_db()
        assert concern.state == expected
    assert _post(client, concern, "nasta-steg/").status_code == 400  # no step after follow-up
    response = _post(client, concern, "avsluta/", outcome=Outcome.MEASURES_COMPLETED, reason="")
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.state == State.CLOSED and concern.retain_until is not None
    kinds = list(Event.objects.filter(concern=concern).values_list("kind", flat=True))
    assert kinds == ["submitted"] + ["advanced"] * 5 + ["closed"]
    assert AccessLogEntry.objects.filter(action="concern_advanced", subject_ref=concern.reference).count() == 5


@pytest.mark.parametrize("state", [s for s in State if s != State.CLOSED])
def test_a_concern_can_be_closed_from_every_open_step(cast, make_concern, state):
    concern = make_concern()
    Concern.objects.filter(pk=concern.pk).update(state=state)
    closure.close(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1, outcome=Outcome.HANDED_OVER)
    assert Concern.objects.get(pk=concern.pk).state == State.CLOSED


def test_closing_with_no_further_action_requires_a_reason(cast, make_concern):
    concern = make_concern()
    page = _post(cast.client("coordinator"), concern, "avsluta/", outcome=Outcome.NO_FURTHER_ACTION, reason=" ")
    assert page.status_code == 400 and "Skriv varför ingen vidare åtgärd behövs" in page.content.decode()
    assert Concern.objects.get(pk=concern.pk).state == State.RECEIVED
    with pytest.raises(ValidationError, match="varför"):
        closure.close(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            lock_version=1,
            outcome=Outcome.NO_FURTHER_ACTION,
            reason="",
        )


def test_a_closed_concern_cannot_be_changed(cast, make_concern):
    concern = make_concern()
    closure.close(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1, outcome=Outcome.HANDED_OVER)
    with pytest.raises(ValidationError, match="avslutat"):
        services.advance(concern_id=concern.pk, actor=cast["coordinator"], lock_version=2)


def test_concurrent_edit_is_refused_not_overwritten(cast, make_concern):
    concern = make_concern()
    stale_version = concern.lock_version
    services.record_assessment(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=stale_version,
        areas=["family"],
        text="Första bedömningen",
    )
    page = (
        cast.client("coordinator")
        .post(
            f"/oro/arenden/{concern.reference}/bedomning/",
            {"lock_version": stale_version, "areas": ["online"], "text": "Min text som inte får försvinna"},
        )
        .content.decode()
    )
    assert "ändrats av någon annan" in page
    assert "Min text som inte får försvinna" in page  # what the user typed is kept
    assert Concern.objects.get(pk=concern.pk).assessment == "Första bedömningen"


def test_assessment_records_areas_and_text_without_any_score(cast, make_concern):
    concern = make_concern()
    _post(
        cast.client("coordinator"), concern, "bedomning/", areas=["family", "protective"], text="Skyddsfaktorer finns."
    )
    concern.refresh_from_db()
    assert concern.assessment_areas == ["family", "protective"]
    assert concern.assessment == "Skyddsfaktorer finns."
    assert not any("score" in f.name or "risk" in f.name for f in Concern._meta.fields)


def test_child_welfare_report_action_needs_a_district_and_who_made_it(cast, make_concern):
    concern = make_concern()
    client = cast.client("coordinator")
    page = _post(client, concern, "atgard/", kind="child_welfare_report", done_on="2026-11-20", district="", note="")
    assert "Ange vilket område orosanmälan skickades till" in page.content.decode()
    assert "Ange vem som gjorde orosanmälan" in page.content.decode()
    district = Organisation.objects.get(slug="jarva").district
    assert (
        _post(
            client,
            concern,
            "atgard/",
            kind="child_welfare_report",
            done_on="2026-11-20",
            district=district.pk,
            made_by="Mentor",
            note="",
        ).status_code
        == 302
    )
    assert concern.actions.get().district == district


@pytest.mark.parametrize("kind", ["social_emergency", "redex_exchange", "sip"])
def test_each_kind_of_action_is_recorded(cast, make_concern, kind):
    concern = make_concern()
    assert _post(cast.client("coordinator"), concern, "atgard/", kind=kind, done_on="2026-11-20").status_code == 302
    assert concern.actions.get().kind == kind


def test_consent_is_recorded_and_can_be_withdrawn(cast, make_concern):
    concern = make_concern()
    client = cast.client("coordinator")
    _post(
        client,
        concern,
        "samtycke/",
        purpose="Social insatsgrupp (SIG)",
        given_by="Personen själv",
        given_on="2026-11-21",
    )
    consent = concern.consents.get()
    assert consent.is_active and consent.given_by == "Personen själv"
    assert _post(client, concern, f"samtycke/{consent.pk}/aterkalla/").status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None


def test_caseworker_handles_only_what_is_assigned(cast, make_concern):
    concern = make_concern()
    caseworker = cast.client("caseworker")
    assert caseworker.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    assert (
        _post(cast.client("coordinator"), concern, "handlaggare/", caseworker=cast["caseworker"].pk).status_code == 302
    )
    assert caseworker.get(f"/oro/arenden/{concern.reference}/").status_code == 200
    assert _post(caseworker, concern, "nasta-steg/", to_state=State.INITIAL_ASSESSMENT).status_code == 302
    # Assigning, handing over and disclosing stay with the coordinator.
    assert _post(caseworker, concern, "overlamna/", to_organisation=1, legal_ground="x").status_code == 403


def test_transfer_moves_the_concern_and_its_secrecy(cast, make_concern):
    concern = make_concern()
    sodermalm = Organisation.objects.get(slug="sodermalm")
    response = _post(
        cast.client("coordinator"), concern, "overlamna/", to_organisation=sodermalm.pk, legal_ground="OSL 10 kap. 2 §"
    )
    assert response["Location"] == "/oro/arenden/"
    assert cast.client("coordinator").get(f"/oro/arenden/{concern.reference}/").status_code == 404
    assert cast.client("coordinator_other").get(f"/oro/arenden/{concern.reference}/").status_code == 200
    transfer = concern.transfers.get()
    assert transfer.legal_ground == "OSL 10 kap. 2 §" and transfer.by == cast["coordinator"]


def test_transfer_requires_a_legal_ground(cast, make_concern):
    concern = make_concern()
    sodermalm = Organisation.objects.get(slug="sodermalm")
    page = _post(cast.client("coordinator"), concern, "overlamna/", to_organisation=sodermalm.pk, legal_ground="")
    assert "Ange den rättsliga grunden" in page.content.decode()
    assert Concern.objects.get(pk=concern.pk).organisation.slug == "jarva"


def test_disclosure_is_explicit_and_lets_the_other_organisation_read(cast, make_concern):
    concern = make_concern()
    other = cast.client("coordinator_board")
    assert other.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    utbildning = Organisation.objects.get(slug="utbildningsnamnden")
    response = cast.client("coordinator").post(
        f"/oro/arenden/{concern.reference}/rojande/",
        {"to_organisation": utbildning.pk, "legal_ground": "OSL 10 kap. 28 §", "decided_by": "Enhetschef A"},
    )
    assert response.status_code == 302
    disclosure = concern.disclosures.get()
    assert (disclosure.legal_ground, disclosure.decided_by) == ("OSL 10 kap. 28 §", "Enhetschef A")
    page = other.get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert "Observerat beteende" in page and "efter ett röjande" in page
    # Reading is not handling: the other organisation cannot move the concern on.
    assert _post(other, concern, "nasta-steg/").status_code == 403
    # The log names the encrypted record, never the free-text ground.
    assert AccessLogEntry.objects.filter(
        action="concern_disclosed", legal_ground=f"disclosure:{disclosure.pk}"
    ).exists()


@pytest.mark.parametrize("name", [n for n in CAST if n not in ("coordinator",)])
def test_nobody_else_sees_or_changes_the_concern(cast, make_concern, name):
    concern = make_concern()
    client = cast.client(name)
    assert client.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    for suffix in ("nasta-steg/", "bedomning/", "atgard/", "avsluta/", "personnummer/", "rojande/"):
        assert _post(client, concern, suffix, text="x", outcome="handed_over").status_code == 404
    listed = client.get("/oro/arenden/")
    assert listed.status_code in (200, 403)
    assert concern.reference not in listed.content.decode()
    assert Concern.objects.get(pk=concern.pk).lock_version == 1


def test_every_read_leaves_an_access_log_row(cast, make_concern):
    concern = make_concern()
    client = cast.client("coordinator")
    before = AccessLogEntry.objects.filter(subject_ref=concern.reference).count()
    client.get(f"/oro/arenden/{concern.reference}/")
    client.get(f"/oro/arenden/{concern.reference}/")
    viewed = AccessLogEntry.objects.filter(action="concern_viewed", subject_ref=concern.reference)
    assert viewed.count() == 2 and AccessLogEntry.objects.filter(subject_ref=concern.reference).count() == before + 2
    assert viewed.first().actor_id == cast["coordinator"].pk
    cast.client("coordinator_other").get(f"/oro/arenden/{concern.reference}/")
    assert AccessLogEntry.objects.filter(
        action="concern_access_refused", actor_id=cast["coordinator_other"].pk
    ).exists()


def test_personnummer_is_masked_and_revealed_on_request_with_a_log_row(cast, make_concern):
    concern = make_concern()
    client = cast.client("coordinator")
    assert "1990XXXX-XXXX" in client.get("/oro/arenden/").content.decode()
    page = client.get(f"/oro/arenden/{concern.reference}/").content.decode()
    assert TEST_PNR not in page and "1990XXXX-XXXX" in page
    revealed = client.post(f"/oro/arenden/{concern.reference}/personnummer/").content.decode()
    assert TEST_PNR in revealed
    assert AccessLogEntry.objects.filter(action="personnummer_revealed", subject_ref=concern.reference).count() == 1


def test_personnummer_lookup_by_post_finds_only_concerns_in_scope(cast, make_concern):
    mine = make_concern("a")
    other = make_concern("b", organisation="sodermalm")
    page = cast.client("coordinator").post("/oro/arenden/", {"pnr": "900225-2386"}).content.decode()
    assert mine.reference in page and other.reference not in page
    bad = cast.client("coordinator").post("/oro/arenden/", {"pnr": "12"}).content.decode()
    assert "10 eller 12 siffror" in bad


def test_legal_hold_needs_a_reason(cast, make_concern):
    concern = make_concern()
    page = _post(cast.client("coordinator"), concern, "bevarande/", hold="on", reason="")
    assert "Ange skälet" in page.content.decode()
    _post(cast.client("coordinator"), concern, "bevarande/", hold="on", reason="Begäran från polisen")
    assert Concern.objects.get(pk=concern.pk).legal_hold


def test_case_list_query_count_is_bounded(cast, make_concern, django_assert_max_num_queries):
    client = cast.client("coordinator")
    for i in range(30):
        make_concern(f"k{i}")
    reference = Concern.objects.first().reference
    with django_assert_max_num_queries(20):
        assert client.get("/oro/arenden/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/oro/arenden/{reference}/").status_code == 200


def test_each_named_transition_guards_its_from_state(cast, make_concern):
    concern = make_concern()
    with pytest.raises(ValidationError, match="ändrats"):
        services.begin_measures(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1)
    moved = services.begin_initial_assessment(concern_id=concern.pk, actor=cast["coordinator"], lock_version=1)
    assert moved.state == State.INITIAL_ASSESSMENT and moved.lock_version == 2
    assert [services.TRANSITIONS[s] for s in PATH_STEPS[:-1]] == [
        services.begin_gathering_information,
        services.begin_assessment,
        services.begin_measures,
        services.begin_follow_up,
    ]


def test_withdrawing_with_a_stale_page_explains_and_changes_nothing(cast, make_concern):
    concern = make_concern()
    client = cast.client("coordinator")
    _post(client, concern, "samtycke/", purpose="SIG", given_by="Personen själv", given_on="2026-11-21")
    consent = concern.consents.get()
    response = client.post(f"/oro/arenden/{concern.reference}/samtycke/{consent.pk}/aterkalla/", {"lock_version": 1})
    assert response.status_code == 400 and "ändrats av någon annan" in response.content.decode()
    consent.refresh_from_db()
    assert consent.is_active
