"""Who asks the permission rules (vbe.accounts.permissions), and the facts of what they ask about.

The rules read a few facts of the objects they guard. accounts lies below concerns, incidents and plans
and does not import them, so those facts are named here as protocols: any object that has them (the
models of the higher floors) is accepted. They are runtime-checkable, so a rule asked about the wrong
kind of object refuses loudly (TypeError), a programming error, instead of reading whatever is there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, Self, TypeVar, runtime_checkable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q
from typing_extensions import TypeIs

from vbe.accounts.models import User
from vbe.organisations.models import Organisation

Person = User | AnonymousUser  # ``request.user``, or the actor a service is given
M = TypeVar("M", bound=Model)
T = TypeVar("T")


class Rows(Protocol):
    """The related rows of an object (``concern.disclosures``): filtered, then asked whether any exist."""

    def filter(self, *args: Q, **kwargs: object) -> Rows: ...

    def exists(self) -> bool: ...


@runtime_checkable
class Routed(Protocol):
    """An item sent to an organisation (a concern or an incident)."""

    @property
    def organisation_id(self) -> int: ...

    @property
    def without_coordinator(self) -> bool: ...


@runtime_checkable
class ConcernFacts(Routed, Protocol):
    @property
    def state(self) -> str: ...

    @property
    def assigned_to_id(self) -> int | None: ...

    @property
    def disclosures(self) -> Rows: ...


@runtime_checkable
class IncidentFacts(Routed, Protocol):
    @property
    def status(self) -> str: ...

    @property
    def reporter_organisation_id(self) -> int | None: ...

    @property
    def unit_id(self) -> int | None: ...


@runtime_checkable
class Submission(Protocol):
    """What someone reported (a concern or an incident): its reporter sees the receipt."""

    @property
    def reporter_id(self) -> int | None: ...


@runtime_checkable
class PlanFacts(Protocol):
    @property
    def organisation_id(self) -> int: ...

    @property
    def is_decided(self) -> bool: ...


class PlanRows(Protocol):
    """A queryset of plans (``PlanQuerySet``): which are decided is asked of it, as of the plan."""

    def none(self) -> Self: ...

    def filter(self, *args: Q, **kwargs: object) -> Self: ...

    def decided(self) -> Self: ...

    def __or__(self, other: Self, /) -> Self: ...


P = TypeVar("P", bound=PlanRows)


@runtime_checkable
class ProposalFacts(Protocol):
    """An access change waiting for a second person (``AccessChangeRequest``)."""

    @property
    def proposed_by_id(self) -> int | None: ...

    @property
    def target_id(self) -> int | None: ...


# A rule: may ``user`` do the action (on ``obj``, for the actions about an object)?
Rule = Callable[[Person, Model | None], bool]


def about(is_kind: Callable[[object], TypeIs[T]], rule: Callable[[Person, T], bool]) -> Rule:
    """``rule``, about one kind of object: asked about any other (or none), a programming error."""

    def checked(user: Person, obj: Model | None) -> bool:
        if not is_kind(obj):
            raise TypeError(f"{rule.__name__} is not asked about {type(obj).__name__}")
        return rule(user, obj)

    return checked


def is_concern(obj: object) -> TypeIs[ConcernFacts]:
    return isinstance(obj, ConcernFacts)


def is_incident(obj: object) -> TypeIs[IncidentFacts]:
    return isinstance(obj, IncidentFacts)


def is_submission(obj: object) -> TypeIs[Submission]:
    return isinstance(obj, Submission)


def is_plan(obj: object) -> TypeIs[PlanFacts]:
    return isinstance(obj, PlanFacts)


def is_proposal_or_none(obj: object) -> TypeIs[ProposalFacts | None]:
    return obj is None or isinstance(obj, ProposalFacts)


def is_model(obj: object) -> TypeIs[Model]:
    return isinstance(obj, Model)


def is_organisation(obj: object) -> TypeIs[Organisation]:
    return isinstance(obj, Organisation)


def is_organisation_or_none(obj: object) -> TypeIs[Organisation | None]:
    return obj is None or isinstance(obj, Organisation)
