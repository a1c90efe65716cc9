"""Synthetic concerns for the demo: every process step in two district councils and one board.

Names are made up; personnummer come only from Skatteverket's test list shipped in data/stockholm.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from vbe.accounts.models import Membership, Role
from vbe.concerns import closure, intake, referrals, services
from vbe.concerns.models import ActionKind, Concern, Event, Outcome, ReferralKind, State
from vbe.guidelines.vocabulary import Environment
from vbe.organisations.models import District, Organisation

ORGANISATIONS = ["jarva", "sodermalm", "utbildningsnamnden"]
OBSERVATIONS = [
    "En elev har vid flera tillfällen visat propagandafilmer för klasskamrater och uttryckt stöd för våld mot en folkgrupp.",
    "En ungdom på fritidsgården berättar att en äldre bekant vill att han ska följa med på träningsläger med en våldsbejakande grupp.",
    "En förälder hör av sig om oro för att hennes son har dragit sig undan och umgås i slutna chattgrupper som hyllar attentat.",
    "En deltagare på Jobbtorg har delat material som uppmanar till våld och sagt att det snart är dags att agera.",
    "Personal har sett en ung vuxen dela ut flygblad från en våldsbejakande organisation utanför skolan.",
]
NAMES = ["Alex Demo", "Kim Exempel", "Robin Påhittad", "Sam Testsson", "Love Fiktiv", "Noor Prov", "Eli Låtsas"]
STEPS = [s for s in State if s != State.CLOSED]
ASSESSED = [e for e in Environment if e != Environment.UNKNOWN]


def _test_personnummer() -> list[str]:
    path = Path(settings.BASE_DIR) / "data" / "stockholm" / "skatteverket-testpersonnummer.csv"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()[:200] if line.strip()]


def seed_concerns(*, seed: int = 2026) -> int:
    if Concern.objects.filter(idempotency_key__startswith="demo-").exists():
        return 0
    rng = random.Random(seed)
    numbers = _test_personnummer()
    created = 0
    for slug in ORGANISATIONS:
        organisation = Organisation.objects.get(slug=slug)
        handler = Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR).first()
        reporters = list(Membership.objects.filter(organisation=organisation, role=Role.STAFF).select_related("user"))
        if handler is None or not reporters:
            continue
        for n, target in enumerate([*STEPS, State.CLOSED, State.CLOSED]):
            reporter = reporters[n % len(reporters)]
            with_person = n % 3 != 2
            concern = intake.submit_concern(
                reporter=reporter.user,
                reporter_organisation=organisation,
                organisation=organisation,
                idempotency_key=f"demo-{slug}-{n}",
                observation=rng.choice(OBSERVATIONS),
                observed_on=timezone.localdate() - datetime.timedelta(days=rng.randint(1, 60)),
                concerns_child=rng.choice(["yes", "no", "unknown"]),
                child_report_made=rng.choice(["yes", "no"]),
                district_id=organisation.district_id,
                person_name=rng.choice(NAMES) if with_person else "",
                person_pnr=rng.choice(numbers) if with_person else "",
                notify=False,  # nobody to tell in a demo being built
            )
            _progress(concern, handler.user, target, rng)
            _backdate(concern.pk, received_days_ago=3 + 4 * n + rng.randint(0, 3), rng=rng)
            created += 1
    return created


def _backdate(concern_id: int, *, received_days_ago: int, rng: random.Random) -> None:
    """Spread the demo's concerns over the last weeks, as a real inbox is: received some days ago, last
    touched some time since (a concern still waiting to be received was never touched), its chronology
    in order between. Written in bulk, which the statistics do not see: seeding recounts them after."""
    now = timezone.now()
    received = now - datetime.timedelta(days=received_days_ago, hours=rng.randint(0, 8))
    concern = Concern.objects.get(pk=concern_id)
    idle_days = received_days_ago if concern.state == State.RECEIVED else rng.randint(0, received_days_ago)
    touched = max(received, now - datetime.timedelta(days=idle_days, hours=rng.randint(0, 8)))
    events = list(concern.events.order_by("at", "pk").values_list("pk", flat=True))
    step = (touched - received) / max(len(events) - 1, 1)
    for position, event_id in enumerate(events):
        Event.objects.filter(pk=event_id).update(at=received + step * position)
    closed = {}
    if concern.state == State.CLOSED:  # its retention runs from the day it was closed
        closed = {"closed_at": touched, "retain_until": concern.retain_until - (now.date() - touched.date())}
    Concern.objects.filter(pk=concern_id).update(created_at=received, updated_at=touched, **closed)


def _progress(concern: Concern, actor, target: str, rng: random.Random) -> None:
    today = timezone.localdate()
    while concern.state != target and concern.state in services.NEXT_STATE and target != State.CLOSED:
        concern = services.advance(actor=actor, concern_id=concern.pk, lock_version=concern.lock_version)
        if concern.state == State.ASSESSMENT:
            concern = services.record_assessment(
                concern_id=concern.pk,
                actor=actor,
                lock_version=concern.lock_version,
                areas=rng.sample(["family", "school_work", "peers", "online", "protective"], 2),
                text="Samlad bedömning efter samtal med skolan och vårdnadshavare. Skyddsfaktorer finns i familjen.",
                # The handler's assessment, in the guideline's terms: the reporter is never asked.
                environment=rng.choice(ASSESSED),
            )
        if concern.state == State.MEASURES:
            services.record_action(
                concern_id=concern.pk,
                actor=actor,
                lock_version=concern.lock_version,
                kind=rng.choice([ActionKind.SIP, ActionKind.SOCIAL_EMERGENCY]),
                done_on=today - datetime.timedelta(days=3),
            )
            concern.refresh_from_db()
            # Relatives' support, its one precondition confirmed as a fact.
            referrals.record_referral(
                concern_id=concern.pk,
                actor=actor,
                lock_version=concern.lock_version,
                kind=ReferralKind.RELATIVES_DISTRICT,
                referred_on=today - datetime.timedelta(days=2),
                adult=None,
                confirmed=["relative_wants_support"],
            )
            concern.refresh_from_db()
    if target == State.CLOSED:
        outcome = rng.choice([Outcome.NO_FURTHER_ACTION, Outcome.HANDED_OVER])
        # A child concern is closed with its orosanmälan on record, as the routine requires.
        closure.close(
            concern_id=concern.pk,
            actor=actor,
            lock_version=concern.lock_version,
            outcome=outcome,
            reason="Samtal med vårdnadshavare visade att oron inte gällde våldsbejakande extremism."
            if outcome == Outcome.NO_FURTHER_ACTION
            else "",
            child_report=closure.CHILD_REPORT_MADE,
            child_report_made_by=rng.choice(["Mentor", "Rektor", "Fritidsledare"]),
            child_report_made_on=today - datetime.timedelta(days=5),
            child_report_district_id=concern.organisation.district_id or _any_district_id(),
        )


def _any_district_id() -> int:
    return District.objects.filter(is_active=True).values_list("pk", flat=True).order_by("pk").first()
