from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader

from vbe.core import request_context

# No inline script or style, no other origin: every asset is the portal's own.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class RequestIdMiddleware:
    """Gives each request an id: it is in the access log and in the response, to tie the two."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = secrets.token_hex(8)
        token = request_context.begin(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_context.end(token)
        response["X-Request-ID"] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: CSP, Permissions-Policy, and no-store.

    Signed-in pages may show personal data, so nothing of them is stored in any cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


NUL = "\x00"


class RejectNulBytesMiddleware:
    """Answers 400 to a request with a NUL character in its path, query, form fields or cookies.

    No text the portal handles can hold NUL, and PostgreSQL refuses it in any string, so one reaching a
    query would be a server error (and an error report holding the request). Checked once, here,
    before the session, CSRF and the views read anything. A form body is parsed once: Django keeps the
    parsed fields and uploaded files on the request, and the view reads that same parse; the files'
    contents are not read here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._holds_nul(request):
            # Rendered without the request: the session and the user are not loaded yet, and a request
            # like this one is not to be read any further.
            return HttpResponseBadRequest(loader.get_template("400.html").render())
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request: HttpRequest) -> bool:
        if NUL in request.path or NUL in request.META.get("QUERY_STRING", ""):
            return True
        if _any_nul(request.GET) or _any_nul(request.COOKIES):
            return True
        # Uploaded files' names need no check: Django drops unprintable characters from them.
        return request.method == "POST" and request.content_type in FORM_CONTENT_TYPES and _any_nul(request.POST)


FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _any_nul(data: Any) -> bool:
    lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    return any(NUL in key or any(NUL in value for value in values if isinstance(value, str)) for key, values in lists)
