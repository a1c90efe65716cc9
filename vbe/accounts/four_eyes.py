"""Four eyes on power: grants of roles that see personal data, resets of someone's credentials,
reactivating an account that holds such roles, and merges of districts (which move incidents between
organisations).

One administrator proposes (``four_eyes_proposals.propose``); the change takes effect only when a second
person approves it (``four_eyes_decisions.approve``): another administrator or the central coordinator,
never the proposer and never the person concerned. Each step is written to the access log (references
only) and e-mailed (``four_eyes_mail``), one message per recipient, to the auditors and to the person
concerned.

What the decider approves is what was proposed: the names they read (user, e-mail, organisation, unit,
role, districts) are stored with the proposal (``snapshot``) and shown from there, and approval is
refused, the proposal closed as void, when any of them has changed since. So is a proposal older
than ``settings.ACCESS_CHANGE_EXPIRY_DAYS``, one whose proposer is no longer an administrator, one
whose account is gone, and a grant proposed by the administrator who created the account within
``NEW_ACCOUNT_DAYS`` (or an administrator role for an account they created at all): four eyes check
people, and an administrator could otherwise create an account at an address they control.

A password reset never carries a password: approving it makes the user's password unusable (which
also ends their sessions) and e-mails the user, and only the user, a one-time link to choose a new
one. Neither administrator ever knows the password. New accounts get the same link when created.
"""

from __future__ import annotations

import datetime
from typing import TypedDict, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.organisations.models import District, Organisation, Unit

M = TypeVar("M", bound=Model)

# The names the decider reads, as stored with the proposal (JSON): texts, lists of texts, an id.
Snapshot = dict[str, str | int | list[str] | None]

# An administrator may not propose roles for an account they created until it is this old: the
# set-password link goes to whatever address they typed, so "two people" would otherwise be one.
NEW_ACCOUNT_DAYS = 30

ALREADY_DECIDED = gettext_lazy("Förslaget är redan beslutat. Ladda om sidan för att se beslutet.")
EMAIL_TAKEN = gettext_lazy("E-postadressen används redan av ett annat konto.")
ALREADY_PENDING = gettext_lazy("Det finns redan ett förslag om samma ändring som väntar på beslut.")
# Follows, after a space, every reason a proposal can no longer be approved.
NEW_PROPOSAL = gettext_lazy("Lägg fram ett nytt förslag om ändringen fortfarande behövs.")
CHANGED = format_lazy(
    "{} {}",
    gettext_lazy(
        "Uppgifterna i förslaget har ändrats sedan förslaget lades fram (namn, e-postadress, organisation, "
        "verksamhet, roller eller område), så det kan inte godkännas."
    ),
    NEW_PROPOSAL,
)
PROPOSER_GONE = format_lazy(
    "{} {}",
    gettext_lazy("Den som lade fram förslaget är inte längre administratör, så det kan inte godkännas."),
    NEW_PROPOSAL,
)
TARGET_GONE = gettext_lazy("Kontot som förslaget gäller finns inte längre.")
GAINS_ACCESS = gettext_lazy(
    "Du arbetar i den nämnd som ärendena och händelserna skulle flyttas till och kan därför inte besluta "
    "om sammanslagningen. En annan person beslutar."
)
CREATOR_RECENT = gettext_lazy(
    "%(who)s skapade kontot för mindre än %(days)s dagar sedan. En annan administratör måste föreslå roller "
    "för det, så att två personer står för vem som får åtkomst."
)
CREATOR_ADMIN = gettext_lazy(
    "%(who)s skapade kontot och kan därför inte föreslå administratörsrollen för det. En annan "
    "administratör måste föreslå den."
)


def expired_message() -> str:
    expired = _("Förslaget har gått ut: det är äldre än %(days)s dagar.") % {"days": settings.ACCESS_CHANGE_EXPIRY_DAYS}
    return f"{expired} {NEW_PROPOSAL}"


def needs_four_eyes(role: str) -> bool:
    """Roles that see personal data somewhere: granting one needs a second person."""
    return role in permissions.PERSONAL_DATA_ROLES


def personal_data_memberships(user: User) -> list[Membership]:
    """The user's memberships whose roles see personal data (restored when the account is reactivated)."""
    return [
        m
        for m in Membership.objects.filter(user=user).select_related("organisation", "unit")
        if needs_four_eyes(m.role)
    ]


def check_email_domain(email: str) -> None:
    """``settings.ACCOUNT_EMAIL_DOMAINS`` (empty: any domain): accounts only at the city's own domains,
    so nobody can create or move an account to an address outside them."""
    domains = settings.ACCOUNT_EMAIL_DOMAINS
    if domains and email.rpartition("@")[2].lower() not in domains:
        raise ValidationError(
            _("Använd en e-postadress i någon av kommunens domäner: %(domains)s.") % {"domains": ", ".join(domains)},
            code="email_domain",
        )


def _log_detail(proposal: AccessChangeRequest) -> str:
    """References only: the proposal number, the kind, for a grant the role and organisation ids, for a
    merge the district ids."""
    detail = f"förslag {proposal.pk}: {proposal.kind}"
    if proposal.kind == ChangeKind.GRANT_ROLE:
        detail += f" {proposal.role} org {proposal.organisation_id}"
        if proposal.unit_id:
            detail += f" enhet {proposal.unit_id}"
    elif proposal.kind == ChangeKind.MERGE_DISTRICTS:
        detail += f" {','.join(map(str, proposal.source_district_ids))} → {proposal.district_id}"
    return detail


class LogSubject(TypedDict):
    object_type: str
    object_id: str


def _subject(proposal: AccessChangeRequest) -> LogSubject:
    """What a log row about the proposal points at: the user, or for a merge the target district."""
    if proposal.kind == ChangeKind.MERGE_DISTRICTS:
        return {"object_type": "organisations.district", "object_id": str(proposal.district_id or "")}
    return {"object_type": "accounts.user", "object_id": str(proposal.target_id or "")}


# --- Snapshots: what the decider reads ---------------------------------------------------------------


def _membership_label(membership: Membership) -> str:
    label = _("%(role)s i %(organisation)s") % {
        "role": membership.get_role_display(),
        "organisation": membership.organisation.name,
    }
    return label + (f", {membership.unit.name}" if membership.unit is not None else "")


def _snapshot(
    *,
    kind: str,
    target: User | None,
    organisation: Organisation | None = None,
    unit: Unit | None = None,
    role: str = "",
    districts: list[District] | None = None,
    district: District | None = None,
) -> Snapshot:
    """The names shown to the decider, as they are now. Taken in the portal's own language, whatever
    the proposer's: approval compares it with one taken again, so the decider's language must not
    make an unchanged proposal look changed."""
    with translation.override(settings.LANGUAGE_CODE):
        return _names(
            kind=kind,
            target=target,
            organisation=organisation,
            unit=unit,
            role=role,
            districts=districts,
            district=district,
        )


def _names(
    *,
    kind: str,
    target: User | None,
    organisation: Organisation | None,
    unit: Unit | None,
    role: str,
    districts: list[District] | None,
    district: District | None,
) -> Snapshot:
    shot: Snapshot = {}
    if target is not None:
        shot.update(target_name=target.full_name, target_email=target.email)
    if kind == ChangeKind.GRANT_ROLE:
        shot.update(
            organisation=organisation.name if organisation is not None else "",
            unit=unit.name if unit is not None else "",
            role=str(Role(role).label) if role in Role.values else role,
        )
    elif kind == ChangeKind.REACTIVATE_ACCOUNT and target is not None:
        shot["memberships"] = sorted(_membership_label(m) for m in personal_data_memberships(target))
    elif kind == ChangeKind.MERGE_DISTRICTS:
        sources = sorted(districts or [], key=lambda d: d.name)
        council = Organisation.objects.filter(district=district).first() if district is not None else None
        shot.update(
            districts=[d.name for d in sources],
            target_district=district.name if district is not None else "",
            target_council=council.name if council is not None else "",
            target_council_id=council.pk if council is not None else None,
            source_councils=sorted(Organisation.objects.filter(district__in=sources).values_list("name", flat=True)),
            # A district or council taken out of use since (by another merge) voids the proposal.
            inactive=sorted(
                [d.name for d in [*sources, *([district] if district is not None else [])] if not d.is_active]
                + ([council.name] if council is not None and not council.is_active else [])
            ),
        )
    return shot


def current_snapshot(proposal: AccessChangeRequest, *, lock: bool = False) -> Snapshot:
    """The proposal's snapshot as it would be taken now; with ``lock``, the rows read stay locked."""

    def get(rows: QuerySet[M], pk: int | None) -> M | None:
        if pk is None:
            return None
        return (rows.select_for_update() if lock else rows).filter(pk=pk).first()

    districts = None
    if proposal.kind == ChangeKind.MERGE_DISTRICTS:
        rows = District.objects.select_for_update() if lock else District.objects
        districts = list(rows.filter(pk__in=proposal.source_district_ids).order_by("pk"))
    return _snapshot(
        kind=proposal.kind,
        target=get(User.objects.all(), proposal.target_id),
        organisation=get(Organisation.objects.all(), proposal.organisation_id),
        unit=get(Unit.objects.all(), proposal.unit_id),
        role=proposal.role,
        districts=districts,
        district=get(District.objects.all(), proposal.district_id),
    )


def _roles_granted(proposal_kind: str, role: str, target: User) -> set[str]:
    if proposal_kind == ChangeKind.GRANT_ROLE:
        return {role}
    if proposal_kind == ChangeKind.REACTIVATE_ACCOUNT:
        return {m.role for m in personal_data_memberships(target)}
    return set()


def _creator_refusal(*, proposer_id: int | None, target: User, roles: set[str], at: datetime.datetime, who: str) -> str:
    """Four eyes on people: the administrator who created the account may not propose its roles at
    first, nor ever the administrator role. "" when nothing is in the way."""
    if not roles or target.created_by_id is None or target.created_by_id != proposer_id:
        return ""
    if Role.ADMIN in roles:
        return CREATOR_ADMIN % {"who": who}
    if at - target.date_joined < datetime.timedelta(days=NEW_ACCOUNT_DAYS):
        return CREATOR_RECENT % {"who": who, "days": NEW_ACCOUNT_DAYS}
    return ""


# Who in the receiving council reads what a merge moves there: its coordinators (concerns, incidents,
# disclosures) and caseworkers (concerns assigned to them, disclosures).
MERGE_READER_ROLES = (Role.COORDINATOR, Role.CASEWORKER)


def gains_access(user: User, proposal: AccessChangeRequest) -> bool:
    """A merge concerns the people of the council the concerns and incidents would go to: they gain
    access to them, so, like the person a grant concerns, they do not decide on it."""
    if proposal.kind != ChangeKind.MERGE_DISTRICTS or proposal.district_id is None:
        return False
    return Membership.objects.filter(
        user=user, role__in=MERGE_READER_ROLES, organisation__district_id=proposal.district_id
    ).exists()


def is_expired(proposal: AccessChangeRequest) -> bool:
    return timezone.now() - proposal.proposed_at > datetime.timedelta(days=settings.ACCESS_CHANGE_EXPIRY_DAYS)


def obstacle(proposal: AccessChangeRequest, *, lock: bool = False) -> tuple[str, str, str] | None:
    """Why a pending proposal cannot be approved now, as (closing state, log code, message), or None.

    Asked under the locks at approval, and without them on the proposals page (so the decider is told
    before pressing the button)."""
    if is_expired(proposal):
        return ChangeState.EXPIRED, "expired", expired_message()
    proposer_id = proposal.proposed_by_id
    proposer = User.objects.filter(pk=proposer_id).first() if proposer_id is not None else None
    needed = Action.MANAGE_ORGANISATIONS if proposal.kind == ChangeKind.MERGE_DISTRICTS else Action.MANAGE_USERS
    if proposer is None or not permissions.can(proposer, needed):
        return ChangeState.VOID, "proposer", str(PROPOSER_GONE)
    if proposal.kind != ChangeKind.MERGE_DISTRICTS and proposal.target_id is None:
        return ChangeState.VOID, "target", str(TARGET_GONE)
    if current_snapshot(proposal, lock=lock) != proposal.snapshot:
        return ChangeState.VOID, "changed", str(CHANGED)
    unit = proposal.unit if proposal.kind == ChangeKind.GRANT_ROLE else None
    if unit is not None and unit.organisation_id != proposal.organisation_id:
        unit_moved = _("Verksamheten hör inte längre till organisationen i förslaget.")
        return ChangeState.VOID, "unit", f"{unit_moved} {NEW_PROPOSAL}"
    if proposal.target_id is not None:
        target = User.objects.get(pk=proposal.target_id)
        roles = _roles_granted(proposal.kind, proposal.role, target)
        refusal = _creator_refusal(
            proposer_id=proposal.proposed_by_id,
            target=target,
            roles=roles,
            at=proposal.proposed_at,
            who=_("Den som lade fram förslaget"),
        )
        if refusal:
            return ChangeState.VOID, "creator", refusal
    return None
