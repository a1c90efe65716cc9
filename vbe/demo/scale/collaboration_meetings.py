"""A city-year's forum meetings (the second half of ``vbe.demo.scale.collaboration``): every active forum
meets ``Volumes.meetings_per_forum`` times a year with its member organisations taking part, and each
meeting decides ``ACTIONS_PER_MEETING`` follow-up actions owned by a member, ``FOLLOWED_UP`` of them
followed up by now. The minutes name subjects and organisations, never people."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from vbe.collaboration.demo_forums import ACTIONS, AGENDA, DECISIONS
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.demo.scale.base import BATCH, City, Volumes, Year, field_of, stored_as_given
from vbe.demo.scale.collaboration import central_writers, with_ids, writer_for

ACTIONS_PER_MEETING = 2
FOLLOWED_UP = 0.85
PRESENT_SHARE = 0.85  # of a forum's members, in the city (at least one) and outside it, at a meeting
PARTNER_OWNS_SHARE = 0.15  # of the actions of a forum with partners outside the city


def add_meetings(city: City, year: Year, rng: random.Random, volumes: Volumes) -> int:
    """The year's meetings of every active forum, their participants and follow-up actions."""
    per_forum = volumes.meetings_per_forum
    forums = list(
        Forum.objects.filter(is_active=True)
        .prefetch_related("member_organisations", "member_partners")
        .order_by("name")
    )
    central = central_writers()
    if not per_forum or not forums or not central:
        return 0
    today = timezone.localdate()
    meetings, participants, actions = [], [], []
    for forum in forums:
        members = sorted(forum.member_organisations.all(), key=lambda o: o.pk)
        partners = sorted(forum.member_partners.all(), key=lambda p: p.pk)
        if not members:
            continue
        for moment in year.moments(rng, per_forum):
            held_on = min(timezone.localdate(moment), today)
            writer_of = members[0] if len(members) == 1 else rng.choice(members)
            kind = forum.kind if forum.kind in AGENDA else rng.choice(list(AGENDA))
            items = rng.sample(AGENDA[kind], k=min(3, len(AGENDA[kind])))
            meetings.append(
                Meeting(
                    forum=forum,
                    held_on=held_on,
                    created_by_id=writer_for(city, writer_of.pk, rng, central),
                    agenda="\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1)),
                    decisions=" ".join(rng.sample(DECISIONS, k=2)),
                    created_at=moment,
                    updated_at=moment,
                )
            )
            present = [o for o in members if rng.random() < PRESENT_SHARE] or members[:1]
            participants.append((present, [p for p in partners if rng.random() < PRESENT_SHARE]))
            planned = []
            for _n in range(ACTIONS_PER_MEETING):
                description, follow_up = rng.choice(ACTIONS)
                due_on = held_on + datetime.timedelta(days=rng.randint(14, 60))
                done_on = min(held_on + datetime.timedelta(days=rng.randint(1, (due_on - held_on).days + 20)), today)
                done = rng.random() < FOLLOWED_UP
                by_partner = bool(partners) and rng.random() < PARTNER_OWNS_SHARE
                planned.append(
                    (
                        description,
                        None if by_partner else rng.choice(members).pk,
                        rng.choice(partners).pk if by_partner else None,
                        due_on,
                        done_on if done else None,
                        follow_up if done else "",
                    )
                )
            actions.append(planned)
    with stored_as_given(field_of(Meeting, "created_at"), field_of(Meeting, "updated_at")):
        meetings = with_ids(Meeting.objects.bulk_create(meetings, batch_size=BATCH), Meeting)
    organisations, partners_of = Meeting.participant_organisations.through, Meeting.participant_partners.through
    pairs = list(zip(meetings, participants, strict=True))
    organisations.objects.bulk_create(
        [organisations(meeting_id=m.pk, organisation_id=o.pk) for m, (present, _p) in pairs for o in present],
        batch_size=BATCH,
    )
    partners_of.objects.bulk_create(
        [partners_of(meeting_id=m.pk, partner_id=p.pk) for m, (_o, present) in pairs for p in present],
        batch_size=BATCH,
    )
    with stored_as_given(field_of(MeetingAction, "created_at")):
        MeetingAction.objects.bulk_create(
            [
                MeetingAction(
                    meeting_id=m.pk,
                    description=description,
                    owner_organisation_id=owner,
                    owner_partner_id=partner,
                    due_on=due_on,
                    done_on=done_on,
                    follow_up=follow_up,
                    created_by_id=m.created_by_id,
                    created_at=m.created_at,
                )
                for m, planned in zip(meetings, actions, strict=True)
                for description, owner, partner, due_on, done_on, follow_up in planned
            ],
            batch_size=BATCH,
        )
    return len(meetings)
