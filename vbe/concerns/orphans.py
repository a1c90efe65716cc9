"""When an organisation loses its last active coordinator while it has open concerns or incidents.

Those items then wait, unread, for a new coordinator (vbe.accounts.permissions: "waiting for a new
coordinator"). Nothing may be lost silently, so whoever removes a coordinator membership or deactivates
a coordinator's account (today: the admin site, vbe.accounts.admin) does it inside
``watching_coordinators``: if that leaves an organisation without an active coordinator and with open
items, the central coordinators are told (the organisation and a count: no references, no names) and
the access log gets a row with the references.

It composes accounts, concerns and incidents, so it lives above all three; vbe.accounts calls it only
from the admin site, never at module level.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.urls import reverse

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role
from vbe.audit.log import record
from vbe.concerns.models import Concern, State
from vbe.incidents.models import Incident, Status
from vbe.notifications import outbox, recipients
from vbe.organisations.models import Organisation

KIND = "coordinator_gap"
DETAIL_LENGTH = 500  # vbe.audit.models.AccessLogEntry.detail


def _coordinated_by(user_ids: list[int]) -> list[int]:
    return sorted(
        set(
            Membership.objects.filter(user_id__in=user_ids, role=Role.COORDINATOR).values_list(
                "organisation_id", flat=True
            )
        )
    )


@contextmanager
def watching_coordinators(*, request: Any, user_ids: Iterable[int]) -> Iterator[None]:
    """Wrap a change to these users' accounts or memberships. Afterwards, every organisation in which
    one of them was a coordinator that had an active coordinator before the change and has none after it
    is reported (``report_lost_coordinator``), in the same transaction."""
    organisation_ids = _coordinated_by(list(user_ids))
    if not organisation_ids:
        yield
        return
    with transaction.atomic():
        # Two administrators removing an organisation's last two coordinators at once: each waits for the
        # other, so the second sees the first's change and the gap is reported once, not never.
        list(Organisation.objects.select_for_update().filter(pk__in=organisation_ids).order_by("pk").values("pk"))
        covered = [pk for pk in organisation_ids if permissions.has_active_coordinator(pk)]
        yield
        for organisation in Organisation.objects.filter(pk__in=covered).order_by("pk"):
            if not permissions.has_active_coordinator(organisation.pk):
                report_lost_coordinator(request=request, organisation=organisation)


def _chunks(prefix: str, references: list[str]) -> list[str]:
    """The references in as many log rows as they need: none is cut off."""
    rows, current = [], prefix
    for reference in references:
        if len(current) + len(reference) + 2 > DETAIL_LENGTH:
            rows.append(current)
            current = prefix
        current += ("" if current == prefix else ", ") + reference
    rows.append(current)
    return rows


def report_lost_coordinator(*, request: Any, organisation: Organisation) -> None:
    """Tell the central coordinators that ``organisation`` has open items and no active coordinator."""
    concerns = list(
        Concern.objects.filter(organisation=organisation)
        .exclude(state=State.CLOSED)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    incidents = list(
        Incident.objects.filter(organisation=organisation)
        .exclude(status=Status.CLOSED)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    if not concerns and not incidents:
        return
    central = list(recipients.central_coordinators())
    told = "centrala samordnare underrättade" if central else "ingen aktiv central samordnare finns"
    prefix = f"{len(concerns)} öppna ärenden om oro och {len(incidents)} öppna händelser utan aktiv lokal samordnare; {told}: "
    for detail in _chunks(prefix, concerns + incidents):
        record(action="organisation_lost_coordinator", request=request, obj=organisation, detail=detail)
    counts = " och ".join(
        text
        for n, text in [
            (len(concerns), f"{len(concerns)} öppna ärenden om oro"),
            (len(incidents), f"{len(incidents)} öppna händelser"),
        ]
        if n
    )
    outbox.queue(
        recipients=central,
        kind=KIND,
        reference="",
        subject=f"{organisation.name} saknar nu lokal samordnare",
        body=(
            f"{organisation.name} har inte längre någon aktiv lokal samordnare. Där finns {counts} som nu väntar "
            "på en ny samordnare. De omfattas av organisationens sekretess: du kan inte läsa dem, men du kan "
            "lämna över eller skicka vidare var och en till en organisation som har en lokal samordnare.\n\n"
            "Se listorna över det som väntar på en ny samordnare:\n"
            f"{outbox.absolute_url(reverse('concerns:case_list'))}#vantar-pa-samordnare\n"
            f"{outbox.absolute_url(reverse('incidents:list'))}#vantar-pa-samordnare\n\n"
            "Se till att organisationen får en ny lokal samordnare.\n"
        ),
    )
