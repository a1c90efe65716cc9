from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts import services, session_lifetime
from vbe.accounts.policy import second_factor_required

# Reachable while a required second factor is still missing.
OPEN_WHILE_ENROLLING = ("accounts:mfa_setup", "accounts:sign_out", "portal:accessibility", "portal:health")


class SessionPolicyMiddleware:
    """Absolute session lifetime, the idle timeout restarted on a coarse tick (not a write per request),
    and a required second factor before anything else is shown."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(services.SESSION_SIGNED_IN_AT, 0)
            if timezone.now().timestamp() - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                messages.info(request, _("Din session har varat för länge. Logga in igen."))
                return redirect(f"{reverse('accounts:sign_in')}?next={request.path}")
        response = self.get_response(request)
        session_lifetime.keep_session_alive(request)  # before SessionMiddleware, further out, saves the session
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not request.user.is_authenticated or request.session.get(services.SESSION_MFA_VERIFIED):
            return None
        if request.path.startswith(settings.STATIC_URL) or request.resolver_match.view_name in OPEN_WHILE_ENROLLING:
            return None
        if second_factor_required(request.user):
            return redirect("accounts:mfa_setup")
        return None
