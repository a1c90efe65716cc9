"""What a signed-in request costs before the page's own work, and the idle timeout that costs nothing.

A signed-in page reads the session, the user and the user's memberships (three queries) and writes
nothing; the session row is saved only when the session changed or its idle expiry is more than one
tick (``session_lifetime.session_tick_seconds()``) old.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vbe.accounts import permissions, services, session_lifetime
from vbe.accounts.models import Membership, Role
from vbe.organisations.models import Organisation

SIMPLE_PAGE = "/tillganglighet/"  # no queries of its own: what is left is the per-request overhead
WRITES = ("INSERT", "UPDATE", "DELETE")


class Clock:
    """timezone.now(), frozen and moved by hand: sessions, the session policy and expiry all read it."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def _session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _writes(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def _get(client: Client, url: str = SIMPLE_PAGE):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, ctx.captured_queries


def _signed_in(cast, name: str) -> Client:
    client = cast.client(name)  # a completed sign-in: the session row is saved now (the clock's now)
    client.get(SIMPLE_PAGE)
    return client


@pytest.mark.parametrize("name", ["staff", "coordinator", "central_coordinator", "admin"])
def test_a_signed_in_simple_page_reads_session_user_and_memberships_and_writes_nothing(cast, clock, name):
    client = _signed_in(cast, name)
    clock.advance(1)
    response, queries = _get(client)
    assert response.status_code == 200
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in queries]
    assert tables == ["django_session", "accounts_user", "accounts_membership"]
    assert not _writes(queries)


def test_an_anonymous_simple_page_touches_no_table(cast):
    response, queries = _get(Client())
    assert response.status_code == 200
    assert queries == []


def test_the_session_is_saved_once_per_tick_not_on_every_request(cast, clock):
    client = _signed_in(cast, "coordinator")
    tick = session_lifetime.session_tick_seconds()
    expires = _session_row(client).expire_date
    assert expires == clock.now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    for _ in range(3):  # requests within the tick: no write, the expiry stays
        clock.advance((tick - 1) / 3)
        response, queries = _get(client)
        assert response.status_code == 200 and not _writes(queries)
    assert _session_row(client).expire_date == expires

    clock.advance(2)  # now past the tick since the last save: one save pushes the expiry forward
    response, queries = _get(client)
    assert response.status_code == 200
    writes = _writes(queries)
    assert len(writes) == 1 and "django_session" in writes[0]
    assert _session_row(client).expire_date == clock.now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    clock.advance(1)  # and the next request is free again
    assert not _writes(_get(client)[1])


def test_an_active_user_stays_signed_in_well_beyond_the_idle_timeout(cast, clock):
    client = _signed_in(cast, "staff")
    tick = session_lifetime.session_tick_seconds()
    idle = settings.SESSION_COOKIE_AGE
    saves = 0
    # The longest pause that is always safe: the timeout minus one tick, with the last save a tick old.
    for pause in [tick - 1, idle - tick - 1] * 4:
        clock.advance(pause)
        response, queries = _get(client)
        assert response.status_code == 200, "signed out while active"
        saves += len(_writes(queries))
    assert saves == 4  # one per long pause; none after the short ones


def test_a_user_idle_beyond_the_timeout_is_signed_out(cast, clock):
    client = _signed_in(cast, "staff")
    tick = session_lifetime.session_tick_seconds()
    clock.advance(tick - 1)
    assert client.get(SIMPLE_PAGE).status_code == 200  # active, but within the tick: not saved
    clock.advance(settings.SESSION_COOKIE_AGE + 1)  # idle longer than the timeout since that request
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/logga-in/")


def test_an_expired_session_row_is_not_loaded(cast):
    client = _signed_in(cast, "staff")
    Session.objects.filter(pk=_session_row(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get("/")["Location"].startswith("/logga-in/")


def test_a_session_changed_by_the_request_is_saved_and_its_tick_restarts(cast, rf, clock):
    request = rf.get("/")
    request.user = cast["staff"]
    request.session = SessionStore()
    request.session[services.SESSION_EXTENDED_AT] = clock.now.timestamp()
    request.session.modified = False
    clock.advance(5)
    session_lifetime.keep_session_alive(request)  # within the tick, nothing changed: left alone
    assert not request.session.modified
    request.session["changed"] = True
    session_lifetime.keep_session_alive(request)
    assert request.session[services.SESSION_EXTENDED_AT] == clock.now.timestamp()


def test_without_a_tick_yet_the_sign_in_counts_as_the_last_save(cast, rf, clock):
    request = rf.get("/")
    request.user = cast["staff"]
    request.session = SessionStore()
    request.session[services.SESSION_SIGNED_IN_AT] = clock.now.timestamp()
    request.session.modified = False
    clock.advance(session_lifetime.session_tick_seconds() - 1)
    session_lifetime.keep_session_alive(request)
    assert not request.session.modified
    clock.advance(2)
    session_lifetime.keep_session_alive(request)
    assert request.session[services.SESSION_EXTENDED_AT] == clock.now.timestamp()


def test_a_clock_that_went_back_counts_as_due(cast, rf, clock):
    request = rf.get("/")
    request.user = cast["staff"]
    request.session = SessionStore()
    request.session[services.SESSION_EXTENDED_AT] = (clock.now + datetime.timedelta(hours=1)).timestamp()
    request.session.modified = False
    session_lifetime.keep_session_alive(request)
    assert request.session.modified and request.session[services.SESSION_EXTENDED_AT] == clock.now.timestamp()


def test_the_tick_is_a_tenth_of_the_timeout_at_least_a_minute_and_at_most_half(settings):
    for idle, tick in [(30 * 60, 180), (5 * 60, 60), (60, 30), (8 * 3600, 2880)]:
        settings.SESSION_COOKIE_AGE = idle
        assert session_lifetime.session_tick_seconds() == tick


def test_memberships_are_read_once_per_request_however_many_checks_run(cast, clock, monkeypatch):
    user = cast["coordinator"]
    for slug, role in [("ks", Role.CENTRAL_COORDINATOR), ("ks", Role.AUDITOR), ("sodermalm", Role.CASEWORKER)]:
        Membership.objects.create(user=user, organisation=Organisation.objects.get(slug=slug), role=role)
    checks = []
    real_can = permissions.can
    monkeypatch.setattr(permissions, "can", lambda *args, **kwargs: checks.append(args[1]) or real_can(*args, **kwargs))
    client = _signed_in(cast, "coordinator")
    checks.clear()
    response, queries = _get(client)
    assert response.status_code == 200
    assert len(checks) >= 10  # the navigation asked about every item
    assert sum('FROM "accounts_membership"' in q["sql"] for q in queries) == 1
    page = response.content.decode()
    # The added roles count: the central coordinator's administration heading shows in the menu.
    assert reverse("admin:index") in page and ">Administration<" in page


def test_a_membership_change_takes_effect_on_the_next_request(cast, clock):
    client = _signed_in(cast, "coordinator")
    cases = f'href="{reverse("concerns:case_list")}"'
    assert cases in client.get(SIMPLE_PAGE).content.decode()
    Membership.objects.filter(user=cast["coordinator"], role=Role.COORDINATOR).delete()
    clock.advance(1)
    assert cases not in client.get(SIMPLE_PAGE).content.decode()
    assert client.get(reverse("concerns:case_list")).status_code == 403

    log = f'href="{reverse("audit:access_log")}"'
    assert log not in client.get(SIMPLE_PAGE).content.decode()
    Membership.objects.create(
        user=cast["coordinator"], organisation=Organisation.objects.get(slug="ks"), role=Role.AUDITOR
    )
    assert log in client.get(SIMPLE_PAGE).content.decode()


def test_clearsessions_removes_expired_sessions_only(cast, clock):
    """The scheduled job of the README: expired rows go, live ones stay."""
    idle_client, active_client = _signed_in(cast, "staff"), _signed_in(cast, "coordinator")
    clock.advance(settings.SESSION_COOKIE_AGE - 60)
    assert active_client.get(SIMPLE_PAGE).status_code == 200  # past the tick: its expiry moves on
    clock.advance(120)
    call_command("clearsessions")
    assert not Session.objects.filter(session_key=idle_client.cookies[settings.SESSION_COOKIE_NAME].value).exists()
    assert _session_row(active_client).expire_date > clock.now
    assert active_client.get(SIMPLE_PAGE).status_code == 200
