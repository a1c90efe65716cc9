"""The number of database queries of each request, as a response header, for the benchmark only.

``make bench`` (tools/bench) starts the server with ``VBE_BENCH_QUERIES=<a random key>`` and sends the
key in ``X-VBE-Bench`` with each request; only such a request gets the header, so a server started
this way by mistake still tells nobody else how much work a page took (a side channel on what exists).
Off unless that variable is set: the middleware then removes itself when the server starts
(MiddlewareNotUsed), so a normal installation pays nothing and reveals nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest, HttpResponse

HEADER = "X-VBE-Queries"
KEY_HEADER = "X-VBE-Bench"


class QueryCountHeaderMiddleware:
    """First in the chain, so the session and authentication queries (and the session save) count too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.key = getattr(settings, "BENCH_QUERY_HEADER", "")
        if not self.key:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not hmac.compare_digest(request.headers.get(KEY_HEADER, ""), self.key):
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        # execute_wrapper works with DEBUG off (no connection.queries needed); every configured database.
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
