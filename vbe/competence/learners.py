"""The Learner of a portal user: the row in the competence register that is this person.

A learner may come into the register before its person ever signs in (an import from the learning
platform knows them by e-mail). The portal account with the same e-mail, compared lower-case as the
register stores it, is then that learner: their own page shows what was imported, and their first
registration links the account. A learner already linked to another account is never taken over.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.competence.models import Learner, Placement
from vbe.organisations.models import Organisation


def normalised_email(email: str) -> str:
    return (email or "").strip().lower()


def learner_of(user: User) -> Learner | None:
    """The user's learner for reading (nothing is written): linked to the account, or else unlinked
    with the account's e-mail. None when the register does not know them yet."""
    linked = Learner.objects.filter(user=user).first()
    if linked is not None:
        return linked
    email = normalised_email(user.email)
    if not email:
        return None
    return Learner.objects.filter(email=email, user__isnull=True).first()


def learner_for_update(user: User) -> Learner:
    """Inside a transaction: the user's learner, locked, linked to the account and created if there is
    none. Raises ValidationError when the e-mail belongs to a learner linked to someone else."""
    email = normalised_email(user.email)
    for _attempt in range(2):
        learner = Learner.objects.select_for_update().filter(user=user).first()
        if learner is not None:
            return learner
        learner = Learner.objects.select_for_update().filter(email=email).first() if email else None
        if learner is not None:
            if learner.user_id is not None:
                raise ValidationError(
                    _("Din e-postadress hör till en annan deltagare i registret. Be din samordnare rätta uppgifterna."),
                    code="email_taken",
                )
            learner.user = user
            fields = ["user"]
            if not learner.name:
                learner.name = user.full_name
                fields.append("name")
            learner.save(update_fields=fields)
            return learner
        try:
            # A savepoint: a registration of the same person at the same moment may create the row first,
            # and then this one finds it on the next turn.
            with transaction.atomic():
                return Learner.objects.create(email=email, name=user.full_name, user=user)
        except IntegrityError:
            continue
    raise ValidationError(_("Registreringen kunde inte sparas just nu. Försök igen."), code="retry")


# --- The keepers' view: learners placed in an organisation's units -------------------------------


def keeper_organisation(user: User, learner_id: int) -> Organisation | None:
    """An organisation whose training records ``user`` keeps and where the learner is placed, in a unit
    within the user's scope (a unit manager: their own units). None: the user keeps no record of them."""
    placements = Placement.objects.filter(learner_id=learner_id).select_related("unit__organisation")
    for placement in placements:
        organisation = placement.unit.organisation
        if permissions.can(user, Action.MANAGE_ORGANISATION_TRAINING, organisation):
            scope = permissions.training_unit_scope(user, organisation.pk)
            if scope is None or placement.unit_id in scope:
                return organisation
    return None


def placements_in(organisation: Organisation, scope: set[int] | None) -> QuerySet[Placement]:
    """The placements in the organisation's units that the keeper sees (``scope``: the unit ids, None: all)."""
    placements = Placement.objects.filter(unit__organisation=organisation)
    return placements if scope is None else placements.filter(unit_id__in=scope)


PER_PAGE = 50
AFTER = "efter"  # the rows after this learner in alphabetical order: the next page
BEFORE = "fore"  # the rows before it: the previous page
ORDER = ("name", "email", "pk")


@dataclass
class PeoplePage:
    """One page of learners, alphabetical. The links carry a learner's id only: where the page starts
    is read from that row, so no name or e-mail travels in an address."""

    object_list: list[Learner]
    before: int | None  # the link to the previous page starts at this learner (None: the first page)
    after: int | None  # the link to the next page starts here (None: the last page)

    def has_other_pages(self) -> bool:
        return self.before is not None or self.after is not None

    def __iter__(self) -> Iterator[Learner]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _past(anchor: dict[str, object], *, ascending: bool) -> Q:
    """Rows after (or before) the anchor in (name, email, pk) order. The first condition alone bounds
    an index range on the name."""
    name, email, pk = anchor["name"], anchor["email"], anchor["pk"]
    gt, ge = ("gt", "gte") if ascending else ("lt", "lte")
    return Q(**{f"name__{ge}": name}) & (
        Q(**{f"name__{gt}": name})
        | Q(name=name, **{f"email__{gt}": email})
        | Q(name=name, email=email, **{f"pk__{gt}": pk})
    )


def _position(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 18 else None


def people_page(learners: QuerySet[Learner], params: Mapping[str, str], per_page: int = PER_PAGE) -> PeoplePage:
    """The page of ``learners`` (alphabetical) that ``params`` points at: by position, never OFFSET.
    At most three queries: the anchor row, the page (one row more, to know whether more follow), and
    for a previous page that turns out to be the first, the first page."""
    after_pk = _position(params.get(AFTER))
    before_pk = None if after_pk else _position(params.get(BEFORE))
    anchor_pk = after_pk or before_pk
    # The anchor from the same scoped rows: a learner outside them would tell where their name sorts.
    anchor = learners.filter(pk=anchor_pk).values(*ORDER).first() if anchor_pk else None
    ordered = learners.order_by(*ORDER)
    if anchor is not None and before_pk:
        above = list(learners.filter(_past(anchor, ascending=False)).order_by("-name", "-email", "-pk")[: per_page + 1])
        if len(above) > per_page:
            rows = above[:per_page][::-1]
            return PeoplePage(rows, rows[0].pk, rows[-1].pk)
        # Fewer than a page above: the first page, in full.
    elif anchor is not None:
        rows = list(ordered.filter(_past(anchor, ascending=True))[: per_page + 1])
        if rows:
            return PeoplePage(rows[:per_page], rows[0].pk, rows[per_page - 1].pk if len(rows) > per_page else None)
    rows = list(ordered[: per_page + 1])
    return PeoplePage(rows[:per_page], None, rows[per_page - 1].pk if len(rows) > per_page else None)
