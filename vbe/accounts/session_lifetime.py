"""How long a signed-in session lives while it is used: its idle expiry, pushed forward on a coarse tick.

The absolute lifetime (``SESSION_ABSOLUTE_HOURS``) is checked by ``middleware.SessionPolicyMiddleware``,
which also calls ``keep_session_alive`` after each view.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from vbe.accounts.services import SESSION_EXTENDED_AT, SESSION_SIGNED_IN_AT


def session_tick_seconds() -> int:
    """How stale a signed-in session's idle expiry may get before a request pushes it forward.

    A tenth of the idle timeout, at least a minute, and never more than half of it, so that a user
    who keeps working is never signed out.
    """
    idle = settings.SESSION_COOKIE_AGE
    return min(max(60, idle // 10), idle // 2)


def keep_session_alive(request: HttpRequest) -> None:
    """Restart the idle timeout of a signed-in session, on a coarse tick rather than on every request.

    The database session's ``expire_date`` is the idle timeout: each save sets it to now plus
    ``SESSION_COOKIE_AGE``, and an expired row is never loaded (the user is signed out). Saving on
    every request would cost a write per page, so the session is saved only when something in it
    changed, or when the last save is more than ``session_tick_seconds()`` old. A user idle longer
    than the timeout is therefore always signed out, and one who keeps working is signed out after
    at least the timeout minus one tick of inactivity. Called on the way out, after the view: a
    session the view changed is saved anyway, and only records when.
    """
    if not request.user.is_authenticated:  # signed out during this request, or never signed in
        return
    session = request.session
    now = timezone.now().timestamp()
    # Until the first tick, the sign-in's own save is the last one (it is also what sessions written
    # before this marker existed go by).
    since = now - (session.get(SESSION_EXTENDED_AT) or session.get(SESSION_SIGNED_IN_AT, 0))
    # A clock that went backwards counts as due, so a session can never stay unextended for long.
    if session.modified or not 0 <= since < session_tick_seconds():
        session[SESSION_EXTENDED_AT] = now  # marks the session modified: SessionMiddleware saves it
