"""Every URL pattern × every role of the test cast, with the status each must get.

A URL pattern without an entry in MATRIX fails ``test_every_route_has_an_entry``: adding a route
means deciding, here, who may reach it. Requests are GETs by a fully signed-in user of each role
(second factor done); "anonymous" is a visitor who is not signed in.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from fnmatch import fnmatchcase

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

import vbe
from tests.matrix import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, REDIRECT, ROLES, Entry, expect, only
from vbe.concerns.models import RetentionPeriod
from vbe.guidelines.calendar import feed_token
from vbe.guidelines.models import FocusArea, Guideline, InterventionArea, Method, ReportingDuty
from vbe.organisations.models import District, Neighbourhood, Organisation, Partner, Unit


def _admin_model_entries(app_model: str, model, roles: tuple[str, ...]) -> dict[str, Entry]:
    """The six admin routes of one model, reachable by ``roles`` only."""
    base = f"/admin/{app_model}/"

    def obj_path(suffix: str) -> Callable[[dict], str]:
        return lambda ctx: f"{base}{ctx['pk'](model)}/{suffix}"

    return {
        f"admin:{app_model.replace('/', '_')}_changelist": Entry(lambda ctx: base, only(*roles)),
        f"admin:{app_model.replace('/', '_')}_add": Entry(lambda ctx: f"{base}add/", only(*roles)),
        f"admin:{app_model.replace('/', '_')}_change": Entry(obj_path("change/"), only(*roles)),
        f"admin:{app_model.replace('/', '_')}_history": Entry(obj_path("history/"), only(*roles)),
        f"admin:{app_model.replace('/', '_')}_delete": Entry(obj_path("delete/"), only(*roles)),
        # Django redirects "<id>/" to the change page for any admin-site user; that page decides.
        f"admin/{app_model}/<path:object_id>/": Entry(obj_path(""), only(*GUIDELINE_KEEPERS, status=REDIRECT)),
    }


ADMINS = ("admin",)
GUIDELINE_KEEPERS = ("admin", "central_coordinator")

CORE_MATRIX: dict[str, Entry] = {
    # The portal's own pages.
    "portal:home": Entry(lambda ctx: "/", expect(OK)),
    "portal:accessibility": Entry(lambda ctx: "/tillganglighet/", expect(OK, anonymous=OK)),
    "portal:health": Entry(lambda ctx: "/halsa/", expect(OK, anonymous=OK)),
    "portal:floor": Entry(lambda ctx: "/golv/", expect(OK, anonymous=OK)),
    "accounts:sign_in": Entry(lambda ctx: "/logga-in/", expect(REDIRECT, anonymous=OK)),
    "accounts:sign_in_code": Entry(lambda ctx: "/logga-in/kod/", expect(REDIRECT, anonymous=REDIRECT)),
    "accounts:sign_out": Entry(lambda ctx: "/logga-ut/", expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    "accounts:account": Entry(lambda ctx: "/konto/", expect(OK)),
    "accounts:mfa_setup": Entry(lambda ctx: "/konto/tvastegsverifiering/", expect(OK)),
    "accounts:end_sessions": Entry(lambda ctx: "/konto/avsluta-sessioner/", expect(NOT_ALLOWED)),
    "organisations:list": Entry(lambda ctx: "/organisationer/", expect(OK)),
    "organisations:coordinators": Entry(lambda ctx: "/organisationer/samordnare/", expect(OK)),
    "organisations:detail": Entry(lambda ctx: "/organisationer/jarva/", expect(OK)),
    "guidelines:overview": Entry(lambda ctx: "/riktlinjer/", expect(OK)),
    "guidelines:my_mission": Entry(lambda ctx: "/riktlinjer/mitt-uppdrag/", expect(OK)),
    "guidelines:focus_area": Entry(lambda ctx: "/riktlinjer/omraden/anhorigstod/", expect(OK)),
    "guidelines:calendar": Entry(lambda ctx: "/riktlinjer/kalender/", expect(OK)),
    # The feed is read by calendar programs: the signed token is the key, not the session.
    "guidelines:calendar_feed": Entry(
        lambda ctx: f"/riktlinjer/kalender/{feed_token(ctx['cast']['coordinator'])}.ics", expect(OK, anonymous=OK)
    ),
    "audit:access_log": Entry(lambda ctx: "/loggkontroll/", only("auditor")),
    # The admin site: users and the organisation tree for the administrator, the guideline
    # catalogue also for the central coordinator. Its own sign-in page sends to the portal's.
    "admin:index": Entry(lambda ctx: "/admin/", only(*GUIDELINE_KEEPERS)),
    "admin:login": Entry(lambda ctx: "/admin/login/", expect(REDIRECT, anonymous=REDIRECT)),
    "admin:logout": Entry(lambda ctx: "/admin/logout/", only(*GUIDELINE_KEEPERS, status=NOT_ALLOWED)),
    "admin:password_change": Entry(lambda ctx: "/admin/password_change/", only(*GUIDELINE_KEEPERS)),
    "admin:password_change_done": Entry(lambda ctx: "/admin/password_change/done/", only(*GUIDELINE_KEEPERS)),
    # Without its query parameters the autocomplete refuses everyone; the point is who gets past sign-in.
    "admin:autocomplete": Entry(lambda ctx: "/admin/autocomplete/", only(status=FORBIDDEN)),
    "admin:jsi18n": Entry(lambda ctx: "/admin/jsi18n/", only(*GUIDELINE_KEEPERS)),
    "admin:view_on_site": Entry(
        lambda ctx: f"/admin/r/{ContentType.objects.get_for_model(Organisation).pk}/{ctx['pk'](Organisation)}/",
        only(*GUIDELINE_KEEPERS, status=REDIRECT),
    ),
    "admin:app_list": Entry(lambda ctx: "/admin/guidelines/", only(*GUIDELINE_KEEPERS)),
    "admin/(?P<url>.*)$": Entry(lambda ctx: "/admin/finns-inte/", only(*GUIDELINE_KEEPERS, status=NOT_FOUND)),
    **_admin_model_entries("accounts/user", "user", ADMINS),
    **_admin_model_entries("organisations/organisation", Organisation, ADMINS),
    **_admin_model_entries("organisations/district", District, ADMINS),
    **_admin_model_entries("organisations/neighbourhood", Neighbourhood, ADMINS),
    **_admin_model_entries("organisations/unit", Unit, ADMINS),
    **_admin_model_entries("organisations/partner", Partner, ADMINS),
    **_admin_model_entries("guidelines/guideline", Guideline, GUIDELINE_KEEPERS),
    **_admin_model_entries("guidelines/interventionarea", InterventionArea, GUIDELINE_KEEPERS),
    **_admin_model_entries("guidelines/focusarea", FocusArea, GUIDELINE_KEEPERS),
    **_admin_model_entries("guidelines/method", Method, GUIDELINE_KEEPERS),
    **_admin_model_entries("guidelines/reportingduty", ReportingDuty, GUIDELINE_KEEPERS),
    **_admin_model_entries("concerns/retentionperiod", RetentionPeriod, ADMINS),
}


def _app_matrices() -> dict[str, Entry]:
    """Each app may keep the entries for its own routes in vbe/<app>/tests/matrix.py (MATRIX)."""
    entries: dict[str, Entry] = {}
    for app in pkgutil.iter_modules(vbe.__path__):
        try:
            module = importlib.import_module(f"vbe.{app.name}.tests.matrix")
        except ModuleNotFoundError:
            continue
        entries.update(module.MATRIX)
    return entries


MATRIX: dict[str, Entry] = {**CORE_MATRIX, **_app_matrices()}


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(name, full route) of every pattern; unnamed patterns are known by their route."""
    routes = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            routes += _routes(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            routes.append((f"{namespace}{pattern.name}" if pattern.name else route, route))
    return routes


ROUTES = _routes(get_resolver())


def _entry_for(name: str, route: str) -> Entry | None:
    if name in MATRIX:
        return MATRIX[name]
    for key, entry in MATRIX.items():
        if "*" in key and fnmatchcase(name, key):
            return entry
    # Unnamed admin routes: "<object_id>/" of any model, matched by the model's route.
    for key, entry in MATRIX.items():
        if key.startswith("admin/") and route.endswith(key.removeprefix("admin/")) and route == key:
            return entry
    return None


def test_every_route_has_an_entry():
    missing = [name for name, route in ROUTES if _entry_for(name, route) is None]
    assert not missing, f"Routes without a permission entry in MATRIX: {missing}"


def test_every_entry_names_a_route():
    names = {name for name, _ in ROUTES}
    stale = [key for key in MATRIX if key not in names]
    assert not stale, f"MATRIX entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize("name", [name for name, route in ROUTES])
def test_route_status_per_role(name, cast, django_user_model):
    entry = MATRIX[name]

    def first_pk(model) -> int:
        if model == "user":
            return cast["staff"].pk
        return model.objects.order_by("pk").values_list("pk", flat=True).first()

    path = entry.path({"pk": first_pk, "cast": cast})
    got = {}
    for role in ROLES:
        client = cast.client(None if role == "anonymous" else role)
        got[role] = client.get(path).status_code
    mismatches = {role: (got[role], entry.expected[role]) for role in ROLES if got[role] != entry.expected[role]}
    assert not mismatches, f"{path}: role -> (got, expected) {mismatches}"
