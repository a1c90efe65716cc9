from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from vbe.portal.start import start_page_for


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", start_page_for(request.user))


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


@require_safe
def floor(request: HttpRequest) -> HttpResponse:
    """The base layout and nothing else: what every page costs before its own work. The benchmark
    (tools/bench) measures each page as a multiple of this one; anonymous, it reads no database."""
    return render(request, "portal/floor.html")


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: answers 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse(_("databasen svarar inte") + "\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Most often a form left open past the session's lifetime: say so, and how to go on."""
    return render(request, "portal/csrf_failure.html", status=403)
