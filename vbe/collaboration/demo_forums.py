"""The forums' half of the demo city (``vbe.collaboration.demo.seed_collaboration``): meetings of the
reference data's forums over the last eighteen months, and one concern of Järva raised in SSPF Järva.

Meetings are held by SSPF and BUS of Järva and Södermalm, the local police area meeting in Rinkeby,
the city's coordinator network, Redex and the dialogue with civil society, each at its own pace. The
member organisations take part (now and then one is away); each meeting decides two follow-up actions
owned by a member, most done by their due date, the newest still open and a couple overdue. The texts
are about subjects and organisations, never about people: no names, no personnummer.

The raising is what the concern's action "Lyft i SSPF" leaves: the person's consent, the action and the
forum it was raised in, never a meeting (the minutes know nothing of the concern).

Idempotent: a forum that has meetings gets none from the demo (whoever recorded them), and a concern
raised in a forum is not raised again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from vbe.collaboration import raising
from vbe.collaboration.demo import author_for
from vbe.collaboration.models import Forum, ForumKind, ForumRaising, Meeting, MeetingAction
from vbe.concerns import sharing
from vbe.concerns.models import ActionKind, Concern, State
from vbe.organisations.models import Organisation

ACTIONS_PER_MEETING = 2
DUE_DAYS = 30


@dataclass(frozen=True)
class Cadence:
    kind: str
    council: str | None  # the district council whose district the forum serves; None: city-wide
    every_days: int
    meetings: int  # the newest within the last weeks, the oldest within eighteen months
    writer: str  # slug of the organisation whose coordinator records the minutes


CADENCES = [
    Cadence(ForumKind.SSPF, "jarva", 60, 9, "jarva"),
    Cadence(ForumKind.BUS, "jarva", 90, 6, "jarva"),
    Cadence(ForumKind.SSPF, "sodermalm", 60, 9, "sodermalm"),
    Cadence(ForumKind.BUS, "sodermalm", 90, 6, "sodermalm"),
    Cadence(ForumKind.POLICE_AREA, "jarva", 90, 6, "jarva"),
    Cadence(ForumKind.COORDINATOR_NETWORK, None, 90, 6, "ks"),
    Cadence(ForumKind.REDEX, None, 120, 4, "ks"),
    Cadence(ForumKind.CIVIL_SOCIETY, None, 180, 3, "ks"),
]
# (cadence index, meetings before the newest, action number): left open past their due date.
OVERDUE = {(0, 1, 1), (2, 1, 0)}

AGENDA = {
    ForumKind.SSPF: [
        "Lägesbild från skola, socialtjänst, polis och fritid",
        "Unga som samlas i centrumområdet sena kvällar",
        "Lovaktiviteter och fritidsgårdarnas öppettider",
        "Skolans arbete med närvaro och studiero",
    ],
    ForumKind.BUS: [
        "Lägesbild för barn och unga i stadsdelsområdet",
        "Samordning av insatser inför sommaren",
        "Föräldrastöd och föräldramöten i skolorna",
    ],
    ForumKind.POLICE_AREA: [
        "Klotter och klistermärken med våldsbejakande budskap",
        "Trygghetsvandringar i området",
        "Läget kring större evenemang i stadsdelen",
    ],
    ForumKind.COORDINATOR_NETWORK: [
        "Nyheter i stadens riktlinje mot våldsbejakande extremism",
        "Erfarenhetsutbyte mellan nämnder och bolag",
        "Underlaget till nulägesrapporten",
        "Stadens utbildning för medarbetare",
    ],
    ForumKind.REDEX: [
        "Regional lägesbild",
        "Stadens kontaktväg via socialjouren",
        "Informationsutbyte med rättsligt stöd",
    ],
    ForumKind.CIVIL_SOCIETY: [
        "Demokrativillkoret i föreningsstödet",
        "Föreningarnas behov av lokaler",
        "Trygga mötesplatser för unga",
    ],
}
DECISIONS = [
    "Mötet enades om att följa upp läget vid nästa möte.",
    "Fritidsgårdarna utökar öppettiderna under lovet.",
    "Förvaltningen sammanställer en gemensam lägesbild till nästa möte.",
    "Parterna fortsätter med gemensamma trygghetsvandringar varannan månad.",
    "Stadsdelsförvaltningen bjuder in föreningslivet till ett dialogmöte.",
]
ACTIONS = [
    ("Sammanställa lägesbild inför nästa möte", "Lägesbilden skickades ut före mötet."),
    ("Kontakta fastighetsägaren om sanering av klotter", "Saneringen är gjord."),
    ("Bjuda in föreningar till dialogmöte", "Dialogmötet hölls med åtta föreningar."),
    ("Ta fram informationsblad om stöd till anhöriga", "Informationsbladet finns på fritidsgårdarna."),
    ("Planera gemensam trygghetsvandring", "Trygghetsvandringen genomfördes."),
    ("Stämma av lovaktiviteterna med skolorna", "Skolorna har fått programmet."),
]


def _forum(cadence: Cadence, councils: dict[str, Organisation]) -> Forum | None:
    forums = Forum.objects.filter(kind=cadence.kind, is_active=True).order_by("pk")
    if cadence.council is None:
        return forums.filter(district__isnull=True).first()
    council = councils.get(cadence.council)
    return forums.filter(district_id=council.district_id).first() if council and council.district_id else None


def _agenda(kind: str, k: int) -> str:
    items = AGENDA[kind]
    chosen = [items[(k + i) % len(items)] for i in range(min(3, len(items)))]
    return "\n".join(f"{n}. {item}" for n, item in enumerate([*chosen, "Uppföljning av åtgärder"], start=1))


def _meetings(index: int, cadence: Cadence, forum: Forum, writer: Organisation, today: datetime.date) -> int:
    author = author_for(writer)
    members = list(forum.member_organisations.order_by("pk"))
    partners = list(forum.member_partners.order_by("pk"))
    newest = 5 + 7 * index  # days ago: each forum on its own day
    for k in range(cadence.meetings):
        before_newest = cadence.meetings - 1 - k
        held_on = today - datetime.timedelta(days=newest + cadence.every_days * before_newest)
        meeting = Meeting.objects.create(
            forum=forum,
            held_on=held_on,
            agenda=_agenda(cadence.kind, k),
            decisions=" ".join(DECISIONS[(k + i) % len(DECISIONS)] for i in range(2)),
            created_by=author,
        )
        away = members[-1:] if k % 3 == 2 and len(members) > 1 else []  # now and then one is away
        meeting.participant_organisations.set([m for m in members if m not in away])
        meeting.participant_partners.set(partners)
        actions = []
        for j in range(ACTIONS_PER_MEETING):
            description, follow_up = ACTIONS[(index + k + j) % len(ACTIONS)]
            due_on = held_on + datetime.timedelta(days=DUE_DAYS)
            done = due_on <= today and (index, before_newest, j) not in OVERDUE
            by_partner = bool(partners) and j == 1 and k % 3 == 0
            actions.append(
                MeetingAction(
                    meeting=meeting,
                    description=description,
                    owner_organisation=None if by_partner else members[(k + j) % len(members)],
                    owner_partner=partners[0] if by_partner else None,
                    due_on=due_on,
                    done_on=due_on - datetime.timedelta(days=(k + j) % 10) if done else None,
                    follow_up=follow_up if done else "",
                    created_by=author,
                )
            )
        MeetingAction.objects.bulk_create(actions)
        # Recorded the day the meeting was held, not the day the demo was built.
        recorded = timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(16)))
        Meeting.objects.filter(pk=meeting.pk).update(created_at=recorded, updated_at=recorded)
        MeetingAction.objects.filter(meeting=meeting).update(created_at=recorded)
    return cadence.meetings


def seed_meetings(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in={"jarva", "sodermalm", "ks"})}
    made = 0
    for index, cadence in enumerate(CADENCES):
        forum = _forum(cadence, organisations)
        if forum is None or cadence.writer not in organisations or forum.meetings.exists():
            continue
        if not forum.member_organisations.exists():
            continue
        made += _meetings(index, cadence, forum, organisations[cadence.writer], today)
    return made


def raise_in_sspf(today: datetime.date | None = None) -> int:
    """A concern of Järva raised in SSPF Järva on the person's consent; 1 if it was made now."""
    today = today or timezone.localdate()
    jarva = Organisation.objects.filter(slug="jarva").first()
    forum = Forum.objects.filter(kind=ForumKind.SSPF, district_id=getattr(jarva, "district_id", None)).first()
    if jarva is None or forum is None:
        return 0
    demo = Concern.objects.filter(organisation=jarva, idempotency_key__startswith="demo-jarva-")
    if ForumRaising.objects.filter(action__concern__in=demo).exists():
        return 0
    concern = (
        demo.filter(state=State.MEASURES).order_by("pk").first()
        or demo.exclude(state=State.CLOSED).order_by("pk").first()
    )
    if concern is None:
        return 0
    handler = author_for(jarva)
    # Through the services, as a handler would: the consent and the raising land in the timeline and the
    # access log with the forum's name. Given by a guardian, named by role: the demo keeps names out even
    # of the encrypted fields it writes.
    consent = concern.consents.filter(withdrawn_on=None).order_by("pk").first()
    if consent is None:
        consent = sharing.record_consent(
            actor=handler,
            concern_id=concern.pk,
            lock_version=concern.lock_version,
            purpose="Att ärendet tas upp i SSPF Järva",
            given_by="Vårdnadshavare",
            given_on=today,
        )
    raising.raise_in_forum(
        actor=handler,
        concern_id=concern.pk,
        lock_version=Concern.objects.values_list("lock_version", flat=True).get(pk=concern.pk),
        kind=ActionKind.RAISED_IN_SSPF,
        forum_id=forum.pk,
        done_on=today,
        consent_id=consent.pk,
    )
    return 1


def seed_forums(today: datetime.date | None = None) -> tuple[int, int]:
    """(meetings made, raisings made)."""
    return seed_meetings(today), raise_in_sspf(today)
