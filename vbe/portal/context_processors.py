from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action


class Item(NamedTuple):
    label: str | Promise
    url_name: str
    action: Action | None  # needed to see the item; None: every signed-in user
    prefixes: tuple[str, ...]  # url names (or their beginnings) of the pages that belong to it


class Group(NamedTuple):
    label: str | Promise
    items: tuple[Item, ...]


# The header's menu: a few headings, so it fits one line at 1280 px for every role. A heading links to
# the first of its items the user may reach; where it holds more than one, the pages under it show
# them as a second row (the heading alone would hide them). A heading with one reachable item takes
# that item's own name, so nobody is shown a heading that promises more than they can open.
NAVIGATION: tuple[Group, ...] = (
    Group(_("Start"), (Item(_("Start"), "portal:home", None, ("portal:home",)),)),
    Group(
        _("Vid oro"),
        (
            Item(
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
        ),
    ),
    Group(
        _("Ärenden"),
        (
            Item(
                _("Ärenden"),
                "concerns:case_list",
                Action.LIST_CONCERNS,
                (
                    "concerns:case_list",
                    "concerns:detail",
                    "concerns:reveal",
                    "concerns:awaiting_hand_over",
                    "concerns:advance",
                    "concerns:assess",
                    "concerns:add_",
                    "concerns:withdraw_",
                    "concerns:close",
                    "concerns:assign",
                    "concerns:transfer",
                    "concerns:disclose",
                    "concerns:legal_hold",
                ),
            ),
        ),
    ),
    Group(
        _("Händelser"),
        (
            Item(
                _("Händelser"),
                "incidents:list",
                Action.LIST_INCIDENTS,
                (
                    "incidents:list",
                    "incidents:detail",
                    "incidents:change_status",
                    "incidents:reroute",
                    "incidents:photo",
                ),
            ),
        ),
    ),
    Group(
        _("Planer och lägesbild"),
        (
            Item(_("Planer"), "plans:list", Action.LIST_PLANS, ("plans:",)),
            Item(_("Uppföljning"), "reports:index", Action.READ_STATUS_REPORT, ("reports:",)),
            Item(_("Lägesbild"), "statistics:city", Action.VIEW_STATISTICS, ("statistics:",)),
        ),
    ),
    Group(
        _("Riktlinjer och stöd"),
        (
            Item(
                _("Riktlinjerna"),
                "guidelines:overview",
                Action.VIEW_GUIDELINE,
                ("guidelines:overview", "guidelines:focus"),
            ),
            Item(
                _("Mitt uppdrag"),
                "guidelines:my_mission",
                Action.VIEW_OWN_MISSION,
                ("guidelines:my_mission", "guidelines:calendar"),
            ),
            # The competence start page links on to the catalogue, one's own trainings, each
            # organisation's records and figures, the imports and their progress pages.
            Item(_("Utbildning"), "competence:home", Action.VIEW_TRAINING_CATALOGUE, ("competence:", "jobs:")),
            # Resources and their search, review overview and files; the symbol guide; whom to call.
            Item(
                _("Stödmaterial"),
                "knowledge:index",
                Action.VIEW_SUPPORT,
                (
                    "knowledge:index",
                    "knowledge:resource",
                    "knowledge:by_key",
                    "knowledge:attachment",
                    "knowledge:review",
                ),
            ),
            Item(_("Symbolguide"), "knowledge:symbols", Action.VIEW_SUPPORT, ("knowledge:symbol",)),
            Item(
                _("Kontakter"), "knowledge:contacts", Action.VIEW_SUPPORT, ("knowledge:contacts", "knowledge:partner")
            ),
            # The democracy condition (actors, assessments, criteria) and the collaboration forums (forums,
            # meetings, follow-up actions); raising a concern in a forum is reached from the case page.
            # Here rather than under a heading of their own: the central coordinator's headings must fit
            # one line at 1280 px.
            Item(
                _("Demokrativillkor"),
                "collaboration:actors",
                Action.VIEW_ACTOR_REGISTER,
                ("collaboration:actor", "collaboration:assessment", "collaboration:criteri"),
            ),
            Item(
                _("Samverkansforum"),
                "collaboration:forums",
                Action.VIEW_FORUMS,
                ("collaboration:forum", "collaboration:meeting", "collaboration:action"),
            ),
            Item(_("Organisationer"), "organisations:list", Action.VIEW_ORGANISATIONS, ("organisations:",)),
        ),
    ),
    Group(
        _("Administration"),
        (
            Item(_("Administration"), "admin:index", Action.USE_ADMIN_SITE, ("admin:",)),
            Item(
                _("Behörighetsförslag"),
                "accounts:access_changes",
                Action.DECIDE_ACCESS_CHANGE,
                ("accounts:access_change",),
            ),
            Item(_("Loggkontroll"), "audit:access_log", Action.VIEW_ACCESS_LOG, ("audit:",)),
        ),
    ),
)


def _navigation(request: HttpRequest, user: User | AnonymousUser) -> tuple[list[dict], list[dict]]:
    """The menu's headings, and the items of the current heading when it holds more than one."""
    if not user.is_authenticated:
        return [], []
    current = request.resolver_match.view_name if request.resolver_match else ""
    headings, section = [], []
    for group in NAVIGATION:
        items = [
            {"label": item.label, "url": reverse(item.url_name), "active": current.startswith(item.prefixes)}
            for item in group.items
            if item.action is None or permissions.can(user, item.action)
        ]
        if not items:
            continue
        active = any(item["active"] for item in items)
        label = group.label if len(items) > 1 else items[0]["label"]
        headings.append({"label": label, "url": items[0]["url"], "active": active})
        if active and len(items) > 1:
            section = items
    return headings, section


def portal(request: HttpRequest) -> dict:
    # A request refused before the authentication middleware ran (a bad Host header, say) has no user,
    # and its 400 page is rendered with this context all the same.
    user = getattr(request, "user", None) or AnonymousUser()
    headings, section = _navigation(request, user)
    return {
        "service_name": settings.SERVICE_NAME,
        "municipality_name": settings.MUNICIPALITY_NAME,
        "demo_mode": settings.DEMO_MODE,
        "current_membership": permissions.primary_membership(user),
        "nav_items": headings,
        "nav_section": section,
    }
