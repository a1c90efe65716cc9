from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vbe.audit.log import record
from vbe.audit.models import Outcome


class DeniedRequestLogMiddleware:
    """Logs every refused request (403), whichever check refused it (permission rule, CSRF …).

    Only the path's route name goes in the log, never the query string: URLs carry no personal data
    by design, and query strings are where that design would slip.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            match = getattr(request, "resolver_match", None)
            record(
                action="request_denied",
                request=request,
                outcome=Outcome.DENIED,
                detail=f"{request.method} {match.view_name if match else request.path}",
            )
        return response
