"""The portal's URLs plus two that fail on purpose, so the browser tests can see the 400 and 500 pages."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("avsiktligt fel: test av sidan för felaktig begäran")


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("avsiktligt fel: test av sidan för serverfel")


urlpatterns = [
    path("test/felaktig-begaran/", bad_request),
    path("test/serverfel/", server_error),
    *portal_urlpatterns,
]
