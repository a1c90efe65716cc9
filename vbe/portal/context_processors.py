from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vbe.accounts import permissions
from vbe.accounts.permissions import Action

# (label, url name, action needed or None, url-name prefixes that mark the item as current)
NAVIGATION = [
    (_("Start"), "portal:home", None, ("portal:home",)),
    (
        _("Vid oro"),
        "concerns:guide",
        Action.REPORT_CONCERN,
        (
            "concerns:guide",
            "concerns:report",
            "concerns:receipt",
            "concerns:mine",
            "incidents:report",
            "incidents:receipt",
            "incidents:mine",
        ),
    ),
    (
        _("Ärenden"),
        "concerns:case_list",
        Action.LIST_CONCERNS,
        ("concerns:case_list", "concerns:detail", "concerns:reveal"),
    ),
    (_("Händelser"), "incidents:list", Action.LIST_INCIDENTS, ("incidents:list", "incidents:detail")),
    (
        _("Lägesbild"),
        "statistics:city",
        Action.VIEW_STATISTICS,
        ("statistics:",),
    ),
    (_("Planer"), "plans:list", Action.LIST_PLANS, ("plans:",)),
    (_("Uppföljning"), "reports:index", Action.VIEW_COMPLIANCE, ("reports:",)),
    (
        _("Mitt uppdrag"),
        "guidelines:my_mission",
        Action.VIEW_OWN_MISSION,
        ("guidelines:my_mission", "guidelines:calendar"),
    ),
    (_("Riktlinjerna"), "guidelines:overview", Action.VIEW_GUIDELINE, ("guidelines:overview", "guidelines:focus")),
    (_("Organisationer"), "organisations:list", Action.VIEW_ORGANISATIONS, ("organisations:",)),
    (_("Loggkontroll"), "audit:access_log", Action.VIEW_ACCESS_LOG, ("audit:",)),
    (_("Administration"), "admin:index", Action.USE_ADMIN_SITE, ("admin:",)),
]


def _navigation(request: HttpRequest, user) -> list[dict]:
    if not user.is_authenticated:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {"label": label, "url": reverse(name), "active": current.startswith(prefixes)}
        for label, name, action, prefixes in NAVIGATION
        if action is None or permissions.can(user, action)
    ]


def portal(request: HttpRequest) -> dict:
    # A request refused before the authentication middleware ran (a bad Host header, say) has no user,
    # and its 400 page is rendered with this context all the same.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "service_name": settings.SERVICE_NAME,
        "municipality_name": settings.MUNICIPALITY_NAME,
        "demo_mode": settings.DEMO_MODE,
        "current_membership": permissions.primary_membership(user),
        "nav_items": _navigation(request, user),
    }
