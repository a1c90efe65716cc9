"""When an organisation loses its last active coordinator while it has open concerns or incidents.

Those items then wait, unread, for a new coordinator (vbe.accounts.permissions: "waiting for a new
coordinator"). Nothing may be lost silently, so whoever removes a coordinator membership or deactivates
a coordinator's account (today: the admin site) does it inside
``vbe.accounts.coordinators.watching_coordinators``, which announces every organisation left without
one. Here the announcement is answered: if the organisation has open items, the central coordinators
are told (the organisation and a count: no references, no names) and the access log gets a row with
the references. It names concerns and incidents, so it lives above both.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from vbe.accounts import recipients
from vbe.accounts.coordinators import organisation_lost_coordinator
from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.concerns.models import Concern, State
from vbe.incidents.models import Incident, Status
from vbe.notifications import outbox
from vbe.organisations.models import Organisation

KIND = "coordinator_gap"
DETAIL_LENGTH = 500  # vbe.audit.models.AccessLogEntry.detail


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


@receiver(organisation_lost_coordinator)
def report_lost_coordinator(*, actor: User | None, organisation: Organisation, **_signal: object) -> None:
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
        record(action="organisation_lost_coordinator", actor=actor, obj=organisation, detail=detail)
    open_concerns = _("%(count)s öppna ärenden om oro") % {"count": len(concerns)}
    open_incidents = _("%(count)s öppna händelser") % {"count": len(incidents)}
    if concerns and incidents:
        counts = _("%(concerns)s och %(incidents)s") % {"concerns": open_concerns, "incidents": open_incidents}
    else:
        counts = open_concerns if concerns else open_incidents
    outbox.queue(
        recipients=central,
        kind=KIND,
        reference="",
        subject=_("%(organisation)s saknar nu lokal samordnare") % {"organisation": organisation.name},
        body=(
            _(
                "%(organisation)s har inte längre någon aktiv lokal samordnare. Där finns %(counts)s som nu väntar "
                "på en ny samordnare. De omfattas av organisationens sekretess: du kan inte läsa dem, men du kan "
                "lämna över eller skicka vidare var och en till en organisation som har en lokal samordnare."
            )
            % {"organisation": organisation.name, "counts": counts}
            + "\n\n"
            + _("Se listorna över det som väntar på en ny samordnare:")
            + f"\n{outbox.absolute_url(reverse('concerns:case_list'))}#vantar-pa-samordnare\n"
            f"{outbox.absolute_url(reverse('incidents:list'))}#vantar-pa-samordnare\n\n"
            + _("Se till att organisationen får en ny lokal samordnare.")
            + "\n"
        ),
    )
