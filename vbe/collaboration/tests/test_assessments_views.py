"""The assessment pages: start, fill in, decide, renew; what a decided assessment's forms answer; the
list and its paging; the query bounds of the list and the actor page's section."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.collaboration import assessments_list, decisions
from vbe.collaboration.models import Actor, Assessment, Decision, Finding, LinkKind
from vbe.collaboration.tests.assessments_fixtures import decide, fill, make_actor, org, start

pytestmark = pytest.mark.django_db
MAX_QUERIES = 20


@pytest.fixture
def actor(cast):
    return make_actor(created_by=cast["coordinator"])


def _draft_post(assessment: Assessment, **extra) -> dict:
    data = {"lock_version": assessment.lock_version, "evidence": "Föreningens stadgar", "sources": "Stadgar 2025"}
    for finding in assessment.findings.all():
        data[f"finding_{finding.pk}"] = Finding.MET
        data[f"note_{finding.pk}"] = f"Not {finding.criterion.number}"
    return {**data, **extra}


def test_starting_an_assessment_leads_to_its_form(cast, actor):
    client = cast.client("coordinator")
    page = client.get(f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/")
    assert list(page.context["form"].fields["organisation"].queryset) == [org("jarva")]
    response = client.post(
        f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/", {"organisation": org("jarva").pk, "purpose": LinkKind.GRANT}
    )
    draft = Assessment.objects.get(actor=actor)
    assert response.status_code == 302 and response["Location"] == f"/samverkan/bedomningar/{draft.pk}/andra/"


def test_another_organisation_cannot_be_chosen(cast, actor):
    response = cast.client("coordinator").post(
        f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/", {"organisation": org("sodermalm").pk, "purpose": "grant"}
    )
    assert response.status_code == 400
    assert "Välj en nämnd eller ett bolag som du gör bedömningar för." in response.content.decode()
    assert not Assessment.objects.filter(actor=actor).exists()


def test_a_second_open_draft_is_a_form_error(cast, actor):
    start(cast["coordinator"], actor, "jarva")
    response = cast.client("unit_manager").post(
        f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/", {"organisation": org("jarva").pk, "purpose": "grant"}
    )
    assert response.status_code == 400 and "redan en påbörjad bedömning" in response.content.decode()


def test_the_draft_form_has_a_fieldset_per_criterion_and_saves(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    client = cast.client("coordinator")
    page = client.get(f"/samverkan/bedomningar/{draft.pk}/andra/").content.decode()
    assert page.count('<fieldset class="govuk-fieldset" aria-describedby="kriterium-') == 5
    response = client.post(f"/samverkan/bedomningar/{draft.pk}/andra/", _draft_post(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.evidence == "Föreningens stadgar" and draft.lock_version == 2
    assert set(draft.findings.values_list("finding", flat=True)) == {Finding.MET}


def test_a_stale_draft_form_keeps_what_was_typed(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    fill(cast["unit_manager"], draft, evidence="Någon annans")
    response = cast.client("coordinator").post(
        f"/samverkan/bedomningar/{draft.pk}/andra/", _draft_post(draft, evidence="Mitt underlag", lock_version=1)
    )
    page = response.content.decode()
    assert response.status_code == 400 and "någon annan" in page and "Mitt underlag" in page
    draft.refresh_from_db()
    assert draft.evidence == "Någon annans"


def test_the_decision_page_says_opinions_are_never_a_ground_and_prefills_the_appeal(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    response = cast.client("coordinator").get(f"/samverkan/bedomningar/{draft.pk}/beslut/")
    page = response.content.decode()
    assert "Åsikter i sig är aldrig skäl att neka. Ett avslag ska grunda sig på vad aktören gör, och motiveras." in page
    appeal = response.context["form"]["appeal_information"].value()
    assert "Laglighetsprövning" in appeal and "Förvaltningsbesvär" in appeal and "tre veckor" in appeal


def test_a_refusal_without_reasons_is_a_swedish_form_error(cast, actor):
    draft = fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva"), answer=Finding.NOT_MET)
    data = {
        "lock_version": draft.lock_version,
        "decision": Decision.FAILS,
        "deciding_body": "Järva stadsdelsnämnd",
        "decided_on": timezone.localdate().isoformat(),
        "reasons": "",
        "appeal_information": "Överklaga inom tre veckor.",
    }
    client = cast.client("coordinator")
    response = client.post(f"/samverkan/bedomningar/{draft.pk}/beslut/", data)
    page = response.content.decode()
    assert response.status_code == 400 and "Skriv en motivering" in page and "Järva stadsdelsnämnd" in page
    draft.refresh_from_db()
    assert not draft.is_decided
    response = client.post(f"/samverkan/bedomningar/{draft.pk}/beslut/", {**data, "reasons": "Uppmanar till våld."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.decision, draft.reasons, draft.valid_until) == (Decision.FAILS, "Uppmanar till våld.", None)


def test_a_future_date_is_refused_on_the_form(cast, actor):
    draft = start(cast["coordinator"], actor, "jarva")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = cast.client("coordinator").post(
        f"/samverkan/bedomningar/{draft.pk}/beslut/",
        {"lock_version": 1, "decision": "investigate", "deciding_body": "Nämnden", "decided_on": tomorrow.isoformat()},
    )
    assert response.status_code == 400 and "Datumet kan inte ligga i framtiden." in response.content.decode()


def test_the_forms_of_a_decided_assessment_change_nothing(cast, actor):
    decided = decide(
        cast["coordinator"], fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva"), evidence="Före")
    )
    client = cast.client("coordinator")
    for path in (f"/samverkan/bedomningar/{decided.pk}/andra/", f"/samverkan/bedomningar/{decided.pk}/beslut/"):
        for response in (
            client.get(path),
            client.post(path, {"lock_version": decided.lock_version, "evidence": "Efter"}),
        ):
            assert response.status_code == 302 and response["Location"] == f"/samverkan/bedomningar/{decided.pk}/"
            assert any("beslutad och kan inte ändras" in str(m) for m in get_messages(response.wsgi_request))
    decided.refresh_from_db()
    assert decided.evidence == "Före" and decided.lock_version == 3


def test_renewing_starts_a_draft_once_and_the_page_shows_the_history(cast, actor):
    first = decide(cast["coordinator"], fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva")))
    client = cast.client("coordinator")
    response = client.post(f"/samverkan/bedomningar/{first.pk}/fornya/", {"lock_version": first.lock_version})
    renewal = Assessment.objects.get(supersedes=first)
    assert response.status_code == 302 and response["Location"] == f"/samverkan/bedomningar/{renewal.pk}/andra/"
    again = client.post(f"/samverkan/bedomningar/{first.pk}/fornya/", {"lock_version": first.lock_version})
    assert again.status_code == 400 and "redan förnyad" in again.content.decode()
    assert Assessment.objects.filter(actor=actor).count() == 2
    second = decide(cast["coordinator"], fill(cast["coordinator"], renewal), Decision.INVESTIGATE)
    page = client.get(f"/samverkan/bedomningar/{second.pk}/")
    assert [row.pk for row in page.context["history"]] == [first.pk]
    assert "Tidigare beslut" in page.content.decode()
    old = client.get(f"/samverkan/bedomningar/{first.pk}/").content.decode()
    assert "Beslutet har ersatts av ett nyare." in old and "Förnya bedömningen" not in old
    # Another board reads the chain's shared part too.
    other = cast.client("board_reader").get(f"/samverkan/bedomningar/{second.pk}/")
    assert [row.pk for row in other.context["history"]] == [first.pk]


def _many(cast, n: int, slug: str = "jarva") -> list[Assessment]:
    """``n`` actors, each with a decision of ``slug`` running out a day apart from 10 days on."""
    today = timezone.localdate()
    rows = []
    for i in range(n):
        actor = Actor.objects.create(name=f"Förening {i:03d}", kind="non_profit", created_by=cast["coordinator"])
        rows.append(
            Assessment(
                actor=actor,
                organisation=org(slug),
                purpose=LinkKind.GRANT,
                decision=Decision.MEETS,
                deciding_body="Nämnden",
                decided_on=today - datetime.timedelta(days=300),
                valid_until=today + datetime.timedelta(days=10 + i % 7),
                created_by=cast["coordinator"],
            )
        )
    return Assessment.objects.bulk_create(rows)


def test_the_list_shows_drafts_decisions_and_those_to_renew(cast, actor, settings):
    settings.VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS = 60
    today = timezone.localdate()
    draft = start(cast["coordinator"], actor, "jarva")
    soon = _many(cast, 1)[0]
    far = decide(cast["coordinator"], fill(cast["coordinator"], start(cast["coordinator"], actor, "jarva", "premises")))
    gone = _many(cast, 1)[0]
    Assessment.objects.filter(pk=gone.pk).update(valid_until=today - datetime.timedelta(days=1))
    renewed = _many(cast, 1)[0]
    Assessment.objects.create(
        actor=renewed.actor,
        organisation=org("jarva"),
        purpose="grant",
        supersedes=renewed,
        created_by=cast["coordinator"],
    )
    sodermalm = _many(cast, 1, "sodermalm")[0]
    client = cast.client("coordinator")

    def shown(view: str) -> list[int]:
        return [row.pk for row in client.get(f"/samverkan/bedomningar/?visa={view}").context["page"].rows]

    assert draft.pk in shown("utkast") and far.pk not in shown("utkast")
    assert (
        far.pk in shown("beslutade") and draft.pk not in shown("beslutade") and sodermalm.pk not in shown("beslutade")
    )
    assert shown("fornyas") == [gone.pk, soon.pk]
    page = client.get("/samverkan/bedomningar/?visa=fornyas").content.decode()
    assert "Har gått ut" in page and "Förnyas snart" in page


def test_the_list_pages_by_key_and_keeps_its_query_bound(cast, settings):
    settings.VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS = 60
    rows = _many(cast, assessments_list.PER_PAGE + 5)
    client = cast.client("coordinator")
    client.get("/samverkan/bedomningar/")  # warm the session
    seen: list[int] = []
    for view in ("beslutade", "fornyas"):
        path, pages = f"/samverkan/bedomningar/?visa={view}", []
        while path:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200 and len(queries) <= MAX_QUERIES, len(queries)
            page = response.context["page"]
            pages.append([row.pk for row in page.rows])
            path = f"/samverkan/bedomningar/?visa={view}&efter={page.next}" if page.next else ""
        assert [len(p) for p in pages] == [assessments_list.PER_PAGE, 5]
        seen = [pk for p in pages for pk in p]
        assert sorted(seen) == sorted(row.pk for row in rows)
    by_day = [Assessment.objects.get(pk=pk).valid_until for pk in seen]
    assert by_day == sorted(by_day)
    # A position that is not one is the first page, not an error.
    assert client.get("/samverkan/bedomningar/?visa=fornyas&efter=2026-13-40-1").context["page"].first


def test_the_actor_section_keeps_its_query_count_as_decisions_grow(cast, actor):
    def count() -> int:
        user = type(cast["coordinator"]).objects.get(pk=cast["coordinator"].pk)
        with CaptureQueriesContext(connection) as queries:
            decisions.actor_section(user, actor)
        return len(queries)

    decide(
        cast["coordinator_other"], fill(cast["coordinator_other"], start(cast["coordinator_other"], actor, "sodermalm"))
    )
    few = count()
    for role, slug in (
        ("coordinator_board", "utbildningsnamnden"),
        ("central_coordinator", "ks"),
        ("coordinator", "jarva"),
    ):
        decide(cast[role], fill(cast[role], start(cast[role], actor, slug)))
    start(cast["coordinator"], actor, "jarva", "premises")
    assert count() == few <= 4
