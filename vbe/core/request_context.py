"""The id of the request being answered, for whatever writes the access log below the views.

Services take the acting user, never the request (docs/architecture.md, "One write path"); the access
log still ties each row to the request that caused it through this id, set by RequestIdMiddleware for
the request's lifetime. Outside a request (a management command, a test calling a service) it is "".
"""

from __future__ import annotations

from contextvars import ContextVar, Token

_request_id: ContextVar[str] = ContextVar("vbe_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def begin(request_id: str) -> Token[str]:
    """Set the id; returns the token that ``end`` takes."""
    return _request_id.set(request_id)


def end(token: Token[str]) -> None:
    _request_id.reset(token)
