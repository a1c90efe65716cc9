"""Re-authentication before the most sensitive steps: revealing a personnummer, exporting, replacing a
second factor and deciding four-eyes proposals.

The session must have proved the password (and a current code, when the user has a second factor)
within ``settings.REAUTH_MINUTES`` (5 by default). The sign-in itself counts, so a fresh session goes
straight through. Otherwise the user is sent to the re-authentication page, which returns to ``next``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from vbe.accounts.services import recently_authenticated


def reauth_redirect(request: HttpRequest, *, back: str | None = None) -> HttpResponse | None:
    """None when the session authenticated recently enough; otherwise the redirect to re-authenticate.

    ``back`` is where the user returns afterwards. A POST must name it (the page its form was on):
    the POST itself cannot be replayed, and its URL is never put in ``next``. Call this after the
    permission checks, so that nobody is sent to re-authenticate for something they may not do.
    """
    if recently_authenticated(request):
        return None
    if back is None:
        back = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("portal:home")
    return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': back})}")


def recent_authentication_required(back: Callable[..., str] | None = None) -> Callable:
    """Decorator form of ``reauth_redirect``; ``back(request, *args, **kwargs)`` names the return page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            target = back(request, *args, **kwargs) if back is not None else None
            return reauth_redirect(request, back=target) or view(request, *args, **kwargs)

        return wrapped

    return decorator
