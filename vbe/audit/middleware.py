from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vbe.audit import denials
from vbe.audit.log import record
from vbe.audit.models import Outcome


class DeniedRequestLogMiddleware:
    """Logs every refused request (403), whichever check refused it (permission rule, CSRF …).

    Only the path's route name goes in the log, never the query string: URLs carry no personal data
    by design, and query strings are where that design would slip.

    A signed-in user's refusal is one row each. Refusals of anonymous clients are counted per client
    and minute and summarised, and capped for all clients together (vbe.audit.denials), so nobody can
    fill the log without signing in; above either limit the client is answered 429 instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 403:
            return response
        match = getattr(request, "resolver_match", None)
        detail = f"{request.method} {match.view_name if match else request.path}"
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            record(action="request_denied", actor=user, outcome=Outcome.DENIED, detail=detail)
            return response
        if denials.note_anonymous_denial(request, detail=detail):
            return too_many_requests(request)
        return response


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(request, "audit/too_many_requests.html", status=429)
    response["Retry-After"] = str(denials.seconds_left_in_minute())
    return response
