"""The benchmark's work inside Django, run with the same settings as the server (production):
signed-in sessions for the demo accounts, and the addresses of the pages to measure.

``python -m tools.bench.django_side --sessions N [--action A]`` prints one JSON object on stdout.

Sessions are written straight into the session table, as a completed sign-in leaves them
(vbe.accounts.services.complete_sign_in: the auth keys, signed in now, second factor verified), so the
second factor stays required in the settings and no code is typed. Nothing else is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from datetime import timedelta


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def sessions(emails: list[str], per_account: int) -> dict[str, list[str]]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from vbe.accounts import services
    from vbe.accounts.models import User

    now = timezone.now().timestamp()
    keys: dict[str, list[str]] = {}
    for email in emails:
        user = User.objects.get(email=email, is_active=True)
        keys[email] = []
        for _n in range(per_account):
            store = SessionStore()
            store[SESSION_KEY] = user._meta.pk.value_to_string(user)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store[services.SESSION_SIGNED_IN_AT] = now
            store[services.SESSION_MFA_VERIFIED] = True
            if hasattr(services, "SESSION_EXTENDED_AT"):  # the idle tick, when the portal has one
                store[services.SESSION_EXTENDED_AT] = now
            store.create()
            keys[email].append(store.session_key)
    return keys


def _access_log(action: str | None) -> dict:
    """First page, the oldest page, and a filter by action and the last 30 days (local dates)."""
    from django.utils import timezone

    from vbe.audit.models import AccessLogEntry

    if action is None:  # the most common action among recent rows: a filter that finds something
        recent = AccessLogEntry.objects.order_by("-id").values_list("action", flat=True)[:5000]
        common = Counter(recent).most_common(1)
        action = common[0][0] if common else "sign_in"
    today = timezone.localdate()
    return {
        "oldest_path": "/loggkontroll/?aldsta=1",
        "filtered_path": (
            f"/loggkontroll/?action={action}&date_from={(today - timedelta(days=30)).isoformat()}"
            f"&date_to={today.isoformat()}"
        ),
        "action": action,
    }


def targets(coordinator_email: str, action: str | None) -> dict:
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from vbe.accounts import permissions
    from vbe.accounts.models import User
    from vbe.concerns.models import Concern
    from vbe.demo.scale import collaboration, knowledge
    from vbe.incidents.models import Incident
    from vbe.plans.models import Plan
    from vbe.reports.cycle import status_report_cycle
    from vbe.reports.models import StatusReport

    coordinator = User.objects.get(email=coordinator_email)
    home = permissions.primary_membership(coordinator).organisation
    concern = permissions.concerns_visible_to(coordinator, Concern.objects.all()).order_by("-id").first()
    incident = permissions.incidents_visible_to(coordinator, Incident.objects.all()).order_by("-id").first()
    plan = (
        permissions.plans_visible_to(coordinator, Plan.objects.filter(organisation=home))
        .annotate(n=Count("measures"))
        .order_by("-is_current", "-year", "-n", "-id")
        .first()
    )
    district = getattr(home, "district", None)
    return {
        "status_report_years": sorted(StatusReport.objects.values_list("year", flat=True)),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "concern_reference": concern.reference if concern else None,
        "incident_pk": incident.pk if incident else None,
        "plan_pk": plan.pk if plan else None,
        "district_code": district.code if district else None,
        "status_report_year": status_report_cycle().first_year_covering(timezone.localdate().year),
        "access_log": _access_log(action),
        **knowledge.bench_targets(),
        **collaboration.bench_targets(home),
    }


def counts() -> dict[str, int]:
    """Rows of the larger tables, so a run's data can be told apart from another's."""
    from django.apps import apps

    wanted = [
        "accounts.User",
        "organisations.Unit",
        "concerns.Concern",
        "incidents.Incident",
        "plans.Plan",
        "plans.Measure",
        "audit.AccessLogEntry",
    ]
    result = {}
    for label in wanted:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        result[label] = model.objects.count()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1, help="sessions per demo account")
    parser.add_argument("--action", default=None, help="the access-log filter's action (default: most common)")
    parser.add_argument("--fresh-session", metavar="ROLE", help="only: one new session of the role's demo account")
    parser.add_argument("--sessions-only", action="store_true", help="only: the accounts and their new sessions")
    args = parser.parse_args(argv)
    _setup()
    from vbe.demo.city import ACCOUNTS

    accounts = [{"email": a.email, "role": str(a.role), "organisation": a.organisation_slug} for a in ACCOUNTS]
    if args.fresh_session:
        email = next(a["email"] for a in accounts if a["role"] == args.fresh_session)
        json.dump({"session": sessions([email], 1)[email][0]}, sys.stdout)
        return 0
    if args.sessions_only:
        json.dump(
            {"accounts": accounts, "sessions": sessions([a["email"] for a in accounts], args.sessions)}, sys.stdout
        )
        return 0
    coordinator = next(a["email"] for a in accounts if a["role"] == "coordinator")
    result = {
        "accounts": accounts,
        "sessions": sessions([a["email"] for a in accounts], args.sessions),
        "targets": targets(coordinator, args.action),
        "counts": counts(),
    }
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
