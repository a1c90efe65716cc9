"""The answer to a request the portal could not finish (``handler500`` in ``config.urls``).

A lost or refused database connection is a fault the user can do something about: wait and send again.
It is answered 503 with a page that says so; every other fault keeps Django's plain 500 page. Either
way the page shows no detail of the fault (that goes to the server's log).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

# How long a browser or a load balancer is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable(sys.exc_info()[1]):
        # Rendered without the request, as Django's 500 page is: the request's user and session would
        # ask the database again.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


def database_unavailable(exc: BaseException | None) -> bool:
    """The fault, or what caused it, is the database connection failing (Django's wrapped errors).

    The chain is followed as a traceback shows it: what the error was raised from, or else what it was
    raised while handling, unless that was suppressed (``raise … from None``)."""
    for _ in range(5):  # a short chain is enough; a cycle must not loop
        if exc is None:
            return False
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ if exc.__cause__ is not None or exc.__suppress_context__ else exc.__context__
    return False
