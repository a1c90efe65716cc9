"""The shape of the scoped querysets the lists are built on (``*_visible_to``): every branch of the
scope is a condition on the item's own row, so there is no join, no DISTINCT and no duplicate, however
many disclosures name the reader's organisation and whatever roles the reader holds. Which items they
return is asserted against the object rules by tests/test_visibility_selectors.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role
from vbe.concerns.models import Concern, Disclosure
from vbe.incidents.models import Incident
from vbe.incidents.tests.factories import make_incident
from vbe.organisations.models import Organisation


def _concern(organisation: Organisation, key: str, **fields) -> Concern:
    return Concern.objects.create(
        reference=f"SHAPE-{key}",
        reporter_organisation=organisation,
        reported_to=organisation,
        organisation=organisation,
        idempotency_key=key,
        observation="Observerat",
        observed_on=datetime.date(2026, 1, 1),
        concerns_child="no",
        **fields,
    )


def _disclose(concern: Concern, to: Organisation, by, *, revoked: bool = False) -> Disclosure:
    return Disclosure.objects.create(
        concern=concern,
        to_organisation=to,
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef",
        decided_at=timezone.now(),
        recorded_by=by,
        revoked_at=timezone.now() if revoked else None,
    )


@pytest.fixture
def every_handler_role(cast):
    """Järva's coordinator, also caseworker and central coordinator: every branch of both scopes at once."""
    user = cast["coordinator"]
    jarva = Organisation.objects.get(slug="jarva")
    Membership.objects.create(user=user, organisation=jarva, role=Role.CASEWORKER)
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ks"), role=Role.CENTRAL_COORDINATOR
    )
    return user


def _outer_from(sql: str, table: str) -> str:
    """The outer query's FROM clause (subqueries in the WHERE clause may join what they like)."""
    return sql.split(f'FROM "{table}"', 1)[1].split(" WHERE ", 1)[0]


def test_concerns_scope_has_no_join_and_no_distinct(cast, every_handler_role):
    sql = str(permissions.concerns_visible_to(every_handler_role, Concern.objects.all()).query)
    assert "DISTINCT" not in sql and "JOIN" not in _outer_from(sql, "concerns_concern"), sql


def test_incidents_scope_has_no_join_and_no_distinct(cast, every_handler_role):
    make_incident(reporter=cast["staff"])
    sql = str(permissions.incidents_visible_to(every_handler_role, Incident.objects.all()).query)
    assert "DISTINCT" not in sql and "JOIN" not in _outer_from(sql, "incidents_incident"), sql


def test_a_concern_disclosed_many_times_is_one_row(cast, every_handler_role):
    board = Organisation.objects.get(slug="utbildningsnamnden")
    jarva = Organisation.objects.get(slug="jarva")
    other = Organisation.objects.get(slug="sodermalm")
    twice = _concern(other, "twice")
    for _ in range(2):
        _disclose(twice, jarva, cast["coordinator_other"])
    _disclose(twice, board, cast["coordinator_other"])
    withdrawn = _concern(other, "withdrawn")
    _disclose(withdrawn, jarva, cast["coordinator_other"], revoked=True)
    own = _concern(jarva, "own", assigned_to=every_handler_role)
    _disclose(own, board, every_handler_role)
    for user, expected in [
        (every_handler_role, {twice.pk, own.pk}),
        (cast["coordinator_board"], {twice.pk, own.pk}),
        (cast["caseworker"], {twice.pk}),  # not assigned to them: only what was disclosed to Järva
    ]:
        pks = list(permissions.concerns_visible_to(user, Concern.objects.all()).values_list("pk", flat=True))
        assert sorted(pks) == sorted(expected), user
        assert permissions.concerns_visible_to(user, Concern.objects.all()).count() == len(expected)


def test_nothing_is_disclosed_to_a_reader_without_a_reading_role(cast):
    """A unit manager holds no role that reads disclosures: no branch at all, not an empty subquery."""
    jarva = Organisation.objects.get(slug="jarva")
    _disclose(_concern(Organisation.objects.get(slug="sodermalm"), "d"), jarva, cast["coordinator_other"])
    assert not permissions.concerns_visible_to(cast["unit_manager"], Concern.objects.all()).exists()
