"""Every page the benchmark measures (tools/bench/pages.py) makes at most 20 queries, and the same
number when the city grows by a year (vbe/demo/scale/ with small volumes: the same code as scale 10).

A page whose queries grow with the data is the first thing that breaks at scale; this finds it in the
suite, where `make bench` would find it only in a long run. Timings are the benchmark's business.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from conftest import sign_in_client
from tools.bench import django_side
from tools.bench.pages import Page, key_pages
from vbe.accounts.models import User
from vbe.demo import city, scale
from vbe.demo.city import ACCOUNTS

MAX_QUERIES = 20  # docs/quality.md
YEAR = scale.Volumes(units=8, users=60, concerns=30, incidents=80, plans=10, measures_per_plan=3, log_rows=300)


def _signed_in(email: str) -> Client:
    client = Client()
    sign_in_client(client, User.objects.get(email=email))
    return client


def _roles() -> dict[str, str]:
    """role -> its first demo account, as the benchmark signs in."""
    roles: dict[str, str] = {}
    for account in ACCOUNTS:
        roles.setdefault(account.role, account.email)
    return roles


def _query_counts(pages: list[Page], roles: dict[str, str]) -> dict[str, int]:
    """GET of each measured page (a write's form included), as the page's role, after one warm-up."""
    clients = {role: _signed_in(email) for role, email in roles.items()}
    clients[None] = Client()
    counts = {}
    for page in pages:
        client = clients[page.role]
        assert client.get(page.path).status_code == 200, page.key  # warm-up: per-process caches filled
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        assert response.status_code == 200, page.key
        counts[page.key] = len(queries)
    return counts


@override_settings(MFA_REQUIRED=False)
def test_every_measured_page_makes_few_queries_and_no_more_when_the_city_grows(reference_data):
    city.seed()
    scale.generate(scale=1, volumes=YEAR)
    roles = _roles()
    # The same concern, incident and plan at both sizes: the newest ones change when a year is added.
    # The /stod/ pages' resource and symbol entry: those the benchmark opens (scale/knowledge.py).
    targets = django_side.targets(roles["coordinator"], None)
    pages = key_pages(targets)
    one_year = _query_counts(pages, roles)
    scale.generate(scale=2, volumes=YEAR)
    two_years = _query_counts(pages, roles)
    over = {key: n for key, n in two_years.items() if n > MAX_QUERIES}
    assert not over, f"over {MAX_QUERIES} queries: {over}"
    grown = {key: (one_year[key], n) for key, n in two_years.items() if n != one_year[key]}
    assert not grown, f"queries grew with the data (one year, two years): {grown}"
    assert len(two_years) >= 25  # every role's start page, the lists, case views, statistics, log, forms
    assert {"knowledge.resource", "knowledge.history", "knowledge.symbol", "knowledge.search"} <= set(two_years)
