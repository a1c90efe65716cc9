"""The symbol guide's pages keep to the query bound whatever the data: a guide of 200 entries, an entry
named by hundreds of incidents, the report form offering all of them."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident
from vbe.incidents.symbol_models import Symbol, SymbolImage
from vbe.incidents.tests.test_symbols import make_symbol
from vbe.organisations.models import District, Organisation

BOUND = 20


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def many_symbols(n: int) -> None:
    environments = Environment.values
    made = Symbol.objects.bulk_create(
        Symbol(slug=f"symbol-{i:03}", name=f"Symbol {i:03}", environment=environments[i % 6], description="Text.")
        for i in range(n)
    )
    SymbolImage.objects.bulk_create(
        SymbolImage(
            symbol=s,
            stored_name=f"{s.slug}-{k}.png",
            content_type="image/png",
            width=40,
            height=30,
            alt_text="Yta",
            position=k,
        )
        for s in made
        for k in (1, 2)
    )


def many_incidents(symbol: Symbol, reporter, n: int) -> None:
    councils = {o.district_id: o for o in Organisation.objects.filter(district__isnull=False)}
    districts = [d for d in District.objects.filter(is_active=True).order_by("pk") if d.pk in councils]
    today = timezone.localdate()
    Incident.objects.bulk_create(
        Incident(
            reference=f"HÄN-2000-{i:05}",
            reporter=reporter,
            organisation=councils[districts[i % len(districts)].pk],
            district=districts[i % len(districts)],
            category=Category.PROPAGANDA,
            environment=Environment.RIGHT_WING,
            occurred_on=today - timedelta(days=i % 300),
            description="Klistermärken.",
            symbol=symbol,
            submission_token=secrets.token_hex(16),
        )
        for i in range(n)
    )


def test_the_guide_with_200_entries_keeps_to_the_bound(cast):
    make_symbol(cast, "Första")
    for role in ("staff", "central_coordinator"):
        client = cast.client(role)
        queries(client, "/stod/symboler/")  # the first request of a session fills caches
        small = queries(client, "/stod/symboler/")
        if role == "staff":
            many_symbols(200)
        assert queries(client, "/stod/symboler/") == small <= BOUND
        assert queries(client, "/stod/symboler/?miljo=islamist") <= BOUND


def test_an_entry_named_by_many_incidents_keeps_to_the_bound(cast):
    symbol = make_symbol(cast)
    path = symbol.get_absolute_url()
    for role in ("staff", "coordinator", "central_coordinator"):
        client = cast.client(role)
        queries(client, path)
        small = queries(client, path)
        if role == "staff":
            many_incidents(symbol, cast["staff"], 400)
        assert queries(client, path) == small <= BOUND


def test_the_report_form_from_an_entry_keeps_to_the_bound(cast):
    make_symbol(cast)
    client = cast.client("staff")
    path = "/handelser/rapportera/?symbol=tyr-runan"
    queries(client, path)
    small = queries(client, path)
    many_symbols(200)
    assert queries(client, path) == small <= BOUND
