"""Each synthetic city-year's actors, assessments and forum meetings (vbe/demo/scale/collaboration.py and
collaboration_meetings.py): the year's volumes, valid organisation numbers, a finding per criterion, the
same rows grown or built at once, nothing added twice, and the benchmark's targets."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.test import Client
from django.utils import timezone

from tools.bench import django_side
from tools.bench.pages import COORDINATOR_ORGANISATION, key_pages
from vbe.accounts.models import Membership, Role
from vbe.collaboration.models import (
    Actor,
    ActorLink,
    Assessment,
    Criterion,
    CriterionFinding,
    Decision,
    Forum,
    Meeting,
    MeetingAction,
)
from vbe.collaboration.tests.test_demo import luhn_ok
from vbe.core.textcheck import reject_identifying_numbers
from vbe.demo import city, scale
from vbe.demo.city import ACCOUNTS
from vbe.demo.scale import collaboration
from vbe.organisations.models import Organisation

SMALL = scale.Volumes(
    units=6,
    users=40,
    concerns=4,
    incidents=20,
    plans=2,
    measures_per_plan=1,
    log_rows=10,
    resources=5,
    actors=120,
    meetings_per_forum=3,
)


@pytest.fixture
def demo_city(reference_data):
    city.seed()


def _scaled():
    return Actor.objects.filter(org_number__startswith=collaboration.NUMBER_PREFIX)


def _fingerprint() -> dict[str, object]:
    """The year's collaboration rows, independent of ids."""
    actors = _scaled()
    assessments = Assessment.objects.filter(actor__in=actors)
    return {
        "actors": sorted(actors.values_list("org_number", "name", "kind", "email")),
        "links": sorted(
            ActorLink.objects.filter(actor__in=actors).values_list(
                "actor__org_number", "organisation__slug", "kind", "reference", "starts_on", "ends_on"
            )
        ),
        "assessments": sorted(
            assessments.values_list(
                "actor__org_number",
                "organisation__slug",
                "purpose",
                "decision",
                "decided_on",
                "valid_until",
                "supersedes__decided_on",
                "created_by__email",
            ),
            key=repr,
        ),  # fmt: skip
        "findings": sorted(
            CriterionFinding.objects.filter(assessment__in=assessments).values_list(
                "assessment__actor__org_number", "assessment__decision", "criterion__number", "finding"
            )
        ),
        "meetings": sorted(
            Meeting.objects.values_list("forum__name", "held_on", "agenda", "decisions", "created_by__email")
        ),
        "participants": sorted(
            Meeting.participant_organisations.through.objects.values_list(
                "meeting__forum__name", "meeting__held_on", "meeting__agenda", "organisation__slug"
            )
        ),
        "actions": sorted(
            MeetingAction.objects.values_list(
                "meeting__forum__name",
                "meeting__held_on",
                "description",
                "owner_organisation__slug",
                "owner_partner__name",
                "due_on",
                "done_on",
            ),
            key=repr,
        ),  # fmt: skip
    }


class _Undo(Exception):
    pass


def _each_year_has_its_actors_with_valid_numbers_and_links(now):
    for number in (1, 2):
        year = scale.Year.of(number, now)
        rows = Actor.objects.filter(org_number__startswith=collaboration.year_prefix(number))
        assert rows.count() == SMALL.actors
        span = rows.aggregate(first=Min("created_at"), last=Max("created_at"))
        assert year.start <= span["first"] <= span["last"] <= year.end
        for org_number in rows.values_list("org_number", flat=True):
            assert luhn_ok(org_number) and org_number[:2] in ("80", "81", "82") and int(org_number[2]) >= 2
        assert not rows.filter(links__isnull=True).exists()
    assert _scaled().annotate(n=Count("links")).filter(n__gte=6).exists()  # a few busy actors


def _a_decision_per_actor_every_two_years_with_findings():
    actors = _scaled()
    decided = Assessment.objects.filter(actor__in=actors).exclude(decision="")
    assessed = decided.values("actor").distinct().count()
    assert 0.3 * actors.count() < assessed < 0.8 * actors.count()
    assert Assessment.objects.filter(actor__in=actors, decision="").exists()  # drafts
    assert decided.filter(decision=Decision.FAILS).exists() or decided.filter(decision=Decision.INVESTIGATE).exists()
    assert not decided.filter(decision=Decision.FAILS, reasons="").exists()
    criteria = dict(Criterion.objects.filter(is_active=True).values_list("pk", "text"))
    for assessment in Assessment.objects.filter(actor__in=actors).prefetch_related("findings")[:200]:
        assert {f.criterion_id: f.text for f in assessment.findings.all()} == criteria
    renewals = decided.filter(supersedes__isnull=False).select_related("supersedes")
    assert renewals.exists()
    for renewal in renewals:
        assert (renewal.actor_id, renewal.organisation_id) == (
            renewal.supersedes.actor_id,
            renewal.supersedes.organisation_id,
        )
        assert renewal.decided_on > renewal.supersedes.decided_on
    # Every decision is dated in the past, and an assessment is made by its own organisation's coordinator
    # (the executive board's by the central coordinator).
    assert not decided.filter(decided_on__gt=timezone.localdate()).exists()
    coordinators = set(Membership.objects.filter(role=Role.COORDINATOR).values_list("user_id", "organisation_id"))
    central = set(Membership.objects.filter(role=Role.CENTRAL_COORDINATOR).values_list("user_id", flat=True))
    for user_id, organisation_id in Assessment.objects.filter(actor__in=actors).values_list(
        "created_by_id", "organisation_id"
    ):
        assert (user_id, organisation_id) in coordinators or user_id in central


def _every_forum_meets_with_its_members_and_follows_up():
    forums = Forum.objects.filter(is_active=True).exclude(member_organisations__isnull=True).distinct()
    assert not forums.annotate(n=Count("meetings")).filter(n__lt=2 * SMALL.meetings_per_forum).exists()
    for meeting in Meeting.objects.prefetch_related(
        "participant_organisations", "forum__member_organisations", "actions"
    ):
        members = set(meeting.forum.member_organisations.all())
        assert meeting.participant_organisations.all() and set(meeting.participant_organisations.all()) <= members
        assert len(meeting.actions.all()) == 2
        for action in meeting.actions.all():
            assert action.owner_organisation in members or action.owner_partner_id
    actions = MeetingAction.objects.all()
    done = actions.filter(done_on__isnull=False).count()
    assert 0.7 * actions.count() < done < 0.97 * actions.count()
    assert not actions.filter(done_on__gt=timezone.localdate()).exists()


def _free_text_names_nobody():
    texts = {
        *Meeting.objects.values_list("agenda", flat=True),
        *Meeting.objects.values_list("decisions", flat=True),
        *MeetingAction.objects.values_list("description", flat=True),
        *Assessment.objects.values_list("reasons", flat=True),
        *_scaled().values_list("name", flat=True),
    }
    for text in texts:
        try:
            reject_identifying_numbers(text)
        except ValidationError:
            pytest.fail(f"identifying number in: {text}")


def test_each_city_year_adds_its_collaboration_grown_or_built_at_once(demo_city):
    """Grown from one year to two in a savepoint, rolled back, then built at once: the same rows."""
    demo_meetings = Meeting.objects.count()
    try:
        with transaction.atomic():
            scale.generate(scale=1, volumes=SMALL)
            added = scale.generate(scale=2, volumes=SMALL)
            assert added["actors"] == SMALL.actors and added["meetings"] > 0
            grown = _fingerprint()
            raise _Undo
    except _Undo:
        pass
    assert not _scaled().exists() and Meeting.objects.count() == demo_meetings
    added = scale.generate(scale=2, volumes=SMALL)
    assert added["actors"] == 2 * SMALL.actors
    assert added["meetings"] == Meeting.objects.count() - demo_meetings
    assert _fingerprint() == grown
    _each_year_has_its_actors_with_valid_numbers_and_links(timezone.now())
    _a_decision_per_actor_every_two_years_with_findings()
    _every_forum_meets_with_its_members_and_follows_up()
    _free_text_names_nobody()
    # A second run adds nothing.
    counts = (Actor.objects.count(), Assessment.objects.count(), Meeting.objects.count(), MeetingAction.objects.count())
    assert scale.generate(scale=2, volumes=SMALL)["years"] == 0
    assert (
        Actor.objects.count(),
        Assessment.objects.count(),
        Meeting.objects.count(),
        MeetingAction.objects.count(),
    ) == counts


def test_the_benchmarks_targets_are_the_bench_coordinators_organisations(demo_city):
    scale.generate(scale=1, volumes=SMALL)
    organisation = Organisation.objects.get(slug=COORDINATOR_ORGANISATION)
    targets = collaboration.bench_targets(organisation)
    assessment = Assessment.objects.get(pk=targets["collaboration_assessment_pk"])
    assert assessment.organisation == organisation and assessment.actor_id == targets["collaboration_actor_pk"]
    forum = Forum.objects.get(pk=targets["collaboration_forum_pk"])
    assert organisation in forum.member_organisations.all()
    meeting = Meeting.objects.get(pk=targets["collaboration_meeting_pk"])
    assert meeting.forum == forum and meeting.held_on == forum.meetings.aggregate(m=Max("held_on"))["m"]
    # The same targets a second time: what `compare` matches runs on.
    assert collaboration.bench_targets(organisation) == targets
    assert collaboration.bench_targets(None) == dict.fromkeys(targets)
    paths = {
        page.key: page.path for page in key_pages({**targets, "access_log": {"oldest_path": "/", "filtered_path": "/"}})
    }
    assert paths["collaboration.actor"] == f"/samverkan/aktorer/{targets['collaboration_actor_pk']}/"
    assert paths["collaboration.assessment"] == f"/samverkan/bedomningar/{assessment.pk}/"
    assert paths["collaboration.forum"] == f"/samverkan/forum/{forum.pk}/"
    assert paths["collaboration.meeting"] == f"/samverkan/moten/{meeting.pk}/"


def test_the_benchmarks_collaboration_pages_answer_the_bench_coordinator(demo_city):
    """What `make bench` asks of django_side and then opens: every /samverkan/ page answers 200."""
    scale.generate(scale=1, volumes=SMALL)
    email = next(a.email for a in ACCOUNTS if a.role == "coordinator")
    targets = django_side.targets(email, None)
    pages = [page for page in key_pages(targets) if page.key.startswith("collaboration.")]
    assert len(pages) == 9
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = django_side.sessions([email], 1)[email][0]
    for page in pages:
        response = client.get(page.path)
        assert response.status_code == 200, (page.key, page.path, response.status_code)
    found = client.get(next(p.path for p in pages if p.key == "collaboration.actors.search")).content.decode()
    assert "Föreningen" in found
