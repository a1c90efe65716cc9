"""The demo city's actors, assessments, meetings and raising in SSPF (vbe/collaboration/demo.py and
demo_forums.py): the promised shapes, valid organisation numbers, no identifying numbers in any free
text, the right authors, and nothing added by a second run."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from vbe.accounts.models import User
from vbe.collaboration import demo
from vbe.collaboration.models import (
    Actor,
    ActorLink,
    Assessment,
    Criterion,
    CriterionFinding,
    Decision,
    Finding,
    Forum,
    ForumKind,
    ForumRaising,
    LinkKind,
    Meeting,
    MeetingAction,
)
from vbe.concerns.demo import NAMES
from vbe.concerns.models import ActionKind
from vbe.core.textcheck import reject_identifying_numbers
from vbe.demo import city

ORG_NUMBER = re.compile(r"^(8[012])([2-9])\d{3}-\d{4}$")


def luhn_ok(number: str) -> bool:
    """Swedish organisation numbers: weights 2, 1, 2 … from the left over all ten digits, sum ≡ 0 (mod 10)."""
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(sum(divmod(d * (2 - i % 2), 10)) for i, d in enumerate(digits))
    return len(digits) == 10 and total % 10 == 0


@pytest.fixture
def seeded(reference_data):
    city.seed()
    return timezone.localdate()


def _snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Actor, ActorLink, Assessment, CriterionFinding, Meeting, MeetingAction, ForumRaising)
    )


def test_luhn_of_the_test_agrees_with_the_demos_check_digit():
    # The same check digit as a personnummer's: one from Skatteverket's test list passes, a changed one not.
    assert luhn_ok("900101-2385")
    assert not luhn_ok("900101-2386")
    assert demo.org_number("802400123")[-1] == demo.check_digit("802400123")
    assert luhn_ok(demo.org_number("802400123"))
    with pytest.raises(ValueError):
        demo.org_number("801400123")  # third digit below 2: a personnummer's month, not an organisation


def test_actors_are_made_up_non_profits_with_valid_numbers_and_links(seeded):
    actors = Actor.objects.filter(org_number__in=[a.org_number for a in demo.ACTORS])
    assert actors.count() == len(demo.ACTORS) == 12
    for actor in actors:
        assert ORG_NUMBER.match(actor.org_number), actor.org_number
        assert luhn_ok(actor.org_number), actor.org_number
        assert actor.email.endswith("@vbe.example") and actor.phone == ""
    links = ActorLink.objects.filter(actor__in=actors)
    assert set(links.values_list("organisation__slug", flat=True)) >= {
        "kulturnamnden",
        "idrottsnamnden",
        "jarva",
        "sodermalm",
    }
    assert set(links.values_list("kind", flat=True)) == set(LinkKind.values)


def test_assessments_show_every_state_of_the_democracy_condition(seeded):
    today = seeded
    demo_assessments = Assessment.objects.filter(actor__org_number__in=[a.org_number for a in demo.ACTORS])
    current = demo_assessments.filter(superseded_by__isnull=True)
    meets = current.filter(decision=Decision.MEETS)
    assert meets.filter(valid_until__gt=today + datetime.timedelta(days=60)).exists()
    assert meets.filter(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=60)).count() == 1
    assert meets.filter(valid_until__lt=today).count() == 1
    refusal = current.get(decision=Decision.FAILS)
    assert len(refusal.reasons) > 50 and refusal.appeal_information and refusal.decided_on
    assert set(refusal.findings.filter(finding=Finding.NOT_MET).values_list("criterion__number", flat=True)) == {2, 4}
    investigate = current.get(decision=Decision.INVESTIGATE)
    assert investigate.reasons == demo.REASONS[Decision.INVESTIGATE] and investigate.valid_until is None
    # Dated as if made over time: an actor registered before it was assessed, a decision written before it.
    for assessment in demo_assessments.exclude(decided_on=None).select_related("actor"):
        assert assessment.actor.created_at < assessment.created_at
        assert timezone.localdate(assessment.created_at) < assessment.decided_on
    drafts = demo_assessments.filter(decision="")
    assert drafts.count() == 2
    active = {c.pk: c.text for c in Criterion.objects.filter(is_active=True)}
    for draft in drafts:
        assert draft.evidence and draft.decided_on is None
        assert {f.criterion_id: f.text for f in draft.findings.all()} == active
    # A renewal superseded an earlier decision of the same organisation, decided later.
    renewal = demo_assessments.get(supersedes__isnull=False)
    assert renewal.supersedes.organisation_id == renewal.organisation_id
    assert renewal.decided_on > renewal.supersedes.decided_on
    # Two organisations assessed the same actor: what the cross-board look-up shows.
    assert demo_assessments.values("actor").annotate(n=Count("organisation", distinct=True)).filter(n__gte=2)
    # Written by the organisation's own coordinator, the central coordinator for the executive board.
    assert set(demo_assessments.filter(organisation__slug="jarva").values_list("created_by__email", flat=True)) == {
        "samordnare.jarva@vbe.example"
    }
    assert set(demo_assessments.filter(organisation__slug="ks").values_list("created_by__email", flat=True)) == {
        "central@vbe.example"
    }


def test_meetings_of_the_reference_forums_name_organisations_only(seeded):
    today = seeded
    meetings = Meeting.objects.select_related("forum").prefetch_related(
        "participant_organisations", "forum__member_organisations", "actions"
    )
    for kind in (ForumKind.SSPF, ForumKind.BUS):
        for slug in ("jarva", "sodermalm"):
            assert meetings.filter(forum__kind=kind, forum__district__council__slug=slug).count() >= 6
    for kind in (ForumKind.COORDINATOR_NETWORK, ForumKind.REDEX, ForumKind.POLICE_AREA):
        assert meetings.filter(forum__kind=kind).exists()
    for meeting in meetings:
        assert today - datetime.timedelta(days=548) <= meeting.held_on <= today
        assert timezone.localdate(meeting.created_at) == meeting.held_on
        members = set(meeting.forum.member_organisations.all())
        assert set(meeting.participant_organisations.all()) <= members
        assert len(meeting.actions.all()) == 2
        for action in meeting.actions.all():
            assert action.owner_organisation in members or action.owner_partner_id
    assert set(meetings.filter(forum__name="SSPF Järva").values_list("created_by__email", flat=True)) == {
        "samordnare.jarva@vbe.example"
    }
    assert set(meetings.filter(forum__kind=ForumKind.REDEX).values_list("created_by__email", flat=True)) == {
        "central@vbe.example"
    }
    actions = MeetingAction.objects.all()
    assert actions.filter(done_on__isnull=False).exclude(follow_up="").count() > actions.count() // 2
    assert actions.filter(done_on__isnull=True, due_on__gte=today).exists()
    assert actions.filter(done_on__isnull=True, due_on__lt=today).count() == 2


def test_a_concern_of_jarva_is_raised_in_sspf_on_its_consent(seeded):
    raising = ForumRaising.objects.select_related("action__concern__organisation", "forum", "consent").get()
    assert raising.forum == Forum.objects.get(name="SSPF Järva")
    assert raising.action.kind == ActionKind.RAISED_IN_SSPF
    assert raising.action.concern.organisation.slug == "jarva"
    assert raising.consent.concern_id == raising.action.concern_id and raising.consent.withdrawn_on is None
    assert raising.action.recorded_by == User.objects.get(email="samordnare.jarva@vbe.example")
    # Written through the service: the timeline names the forum.
    assert "Lyft i SSPF: SSPF Järva" in [event.summary for event in raising.action.concern.events.all()]


def _free_texts():
    yield from Actor.objects.values_list("name", "address", "website")
    yield from ActorLink.objects.values_list("reference", "description")
    yield from Assessment.objects.values_list("evidence", "sources", "reasons", "appeal_information", "deciding_body")
    yield from CriterionFinding.objects.values_list("text", "note")
    yield from Meeting.objects.values_list("agenda", "decisions")
    yield from MeetingAction.objects.values_list("description", "follow_up")


def test_no_free_text_holds_a_personnummer_a_phone_number_or_a_subjects_name(seeded):
    texts = [text for row in _free_texts() for text in row if text]
    assert len(texts) > 100
    for text in texts:
        try:
            reject_identifying_numbers(text)
        except ValidationError:
            pytest.fail(f"identifying number in: {text}")
        assert not any(name in text for name in NAMES), text


def test_a_second_run_adds_nothing_and_keeps_what_was_changed(seeded):
    before = _snapshot()
    actor = Actor.objects.get(org_number=demo.ACTORS[0].org_number)
    Actor.objects.filter(pk=actor.pk).update(name="Ändrat namn i demon")
    assert demo.seed_collaboration() == 0
    assert city.seed()["collaboration"] == 0
    assert _snapshot() == before
    assert Actor.objects.get(pk=actor.pk).name == "Ändrat namn i demon"
