"""Concerns follow a district merge (vbe.organisations.services.merge_districts): the target council
takes over the old councils' work, so what they held or were shown goes there.

Every concern the merge changes is written as any other write is (vbe.concerns.writes): an entry in its
chronology naming who approved the merge, a new version (a page opened before the merge is refused, not
saved over the move), and a row in the access log. Personal data changes hands here, so the move must be
traceable concern by concern."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts.models import Membership, Role, User
from vbe.audit.log import record
from vbe.concerns.models import Concern, Disclosure, Event
from vbe.concerns.signals import counted_rows_changed
from vbe.organisations.models import District, Organisation
from vbe.organisations.services import districts_merged, merge_preview

KIND = "moved_by_merge"


def _active_disclosures_to(organisation_ids: list[int]) -> QuerySet[Disclosure]:
    # A revoked disclosure stays as it was revoked: it records whom the concern was shown to until
    # then, and moving it would name an organisation that never had it.
    return Disclosure.objects.filter(to_organisation_id__in=organisation_ids, revoked_at=None)


class _Move:
    """What the merge changes in one concern, in its chronology's words and the log's."""

    def __init__(self, concern: Concern) -> None:
        self.concern = concern
        self.summary: list[str] = []
        self.detail: list[str] = []
        self.note = ""
        self.unassigned = False


def _describe(
    concern: Concern,
    *,
    old_council_ids: list[int],
    source_district_ids: list[int],
    target: District,
    target_council: Organisation | None,
    caseworkers: set[int],
    disclosures: list[Disclosure],
) -> _Move:
    move = _Move(concern)
    if target_council is not None and concern.organisation_id in old_council_ids:
        before = concern.organisation.name
        move.summary.append(
            _("Flyttad från %(before)s till %(after)s när stadsdelsområdena slogs ihop")
            % {"before": before, "after": target_council.name}
        )
        move.detail.append(f"från {before} till {target_council.name}")
        # Whoever is assigned keeps the concern only as a caseworker of the council that now holds it;
        # otherwise they would stay named as its caseworker without being able to open it.
        if concern.assigned_to_id is not None and concern.assigned_to_id not in caseworkers:
            move.unassigned = True
            move.note = _("Handläggaren har ingen handläggarroll i %(organisation)s och är inte längre tilldelad.") % {
                "organisation": target_council.name
            }
            move.detail.append("handläggaren är inte längre tilldelad")
    if concern.district is not None and concern.district_id in source_district_ids:
        move.summary.append(
            _("Stadsdelsområdet ändrat från %(before)s till %(after)s")
            % {"before": concern.district.name, "after": target.name}
        )
        move.detail.append(f"område {concern.district.name} → {target.name}")
    for disclosure in disclosures:
        after = target_council.name if target_council is not None else ""  # None only without old councils
        move.summary.append(
            _("Röjandet för %(before)s gäller nu %(after)s")
            % {"before": disclosure.to_organisation.name, "after": after}
        )
        move.detail.append(f"röjande disclosure:{disclosure.pk} nu för {after}")
    return move


@receiver(districts_merged)
def follow_merged_districts(
    *,
    old_council_ids: list[int],
    source_district_ids: list[int],
    target: District,
    target_council: Organisation | None,
    actor: User | None = None,
    **_signal: object,
) -> None:
    shown = _active_disclosures_to(old_council_ids)
    concerns = (
        Concern.objects.select_for_update(of=("self",))
        .filter(
            Q(organisation_id__in=old_council_ids)
            | Q(district_id__in=source_district_ids)
            | Q(pk__in=shown.values("concern_id"))
        )
        .select_related("organisation", "district")
        .order_by("pk")
    )
    disclosed: dict[int, list[Disclosure]] = {}
    for disclosure in shown.select_related("to_organisation").order_by("pk"):
        disclosed.setdefault(disclosure.concern_id, []).append(disclosure)
    caseworkers = set(
        Membership.objects.filter(organisation=target_council, role=Role.CASEWORKER).values_list("user_id", flat=True)
    )
    moves = [
        _describe(
            concern,
            old_council_ids=old_council_ids,
            source_district_ids=source_district_ids,
            target=target,
            target_council=target_council,
            caseworkers=caseworkers,
            disclosures=disclosed.get(concern.pk, []),
        )
        for concern in concerns
    ]
    if not moves:
        return
    ids = [move.concern.pk for move in moves]
    Concern.objects.filter(pk__in=[move.concern.pk for move in moves if move.unassigned]).update(assigned_to=None)
    Concern.objects.filter(pk__in=ids, organisation_id__in=old_council_ids).update(organisation=target_council)
    # Where it was observed keeps counting in the area's statistics under the district that now holds it.
    Concern.objects.filter(pk__in=ids, district_id__in=source_district_ids).update(district=target)
    shown.update(to_organisation=target_council)
    Concern.objects.filter(pk__in=ids).update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    # The updates send no post_save: the statistics count these again (before the log rows below, so the
    # statistics' lock is taken before the log's, as on every other write).
    counted_rows_changed.send(sender=Concern, ids=ids)
    Event.objects.bulk_create(
        Event(concern=move.concern, actor=actor, kind=KIND, summary=". ".join(move.summary) + ".", note=move.note)
        for move in moves
    )
    for move in moves:
        if move.concern.organisation_id in old_council_ids and target_council is not None:
            move.concern.organisation = target_council  # the log row is in the scope of the council holding it now
        record(
            action="concern_moved_by_merge",
            actor=actor,
            obj=move.concern,
            subject_ref=move.concern.reference,
            detail="; ".join(move.detail),
        )


@receiver(merge_preview)
def concerns_to_move(*, old_council_ids: list[int], **_signal: object) -> tuple[str, int]:
    return (_("Ärenden om oro som flyttas"), Concern.objects.filter(organisation_id__in=old_council_ids).count())


@receiver(merge_preview)
def disclosed_concerns_to_move(*, old_council_ids: list[int], **_signal: object) -> tuple[str, int]:
    """Other organisations' concerns shown to the old councils: who may read them changes too."""
    count = _active_disclosures_to(old_council_ids).values("concern_id").distinct().count()
    return (_("Utlämnade ärenden som flyttas"), count)
