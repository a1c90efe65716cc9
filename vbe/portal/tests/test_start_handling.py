"""The coordinator's inbox and the caseworker's start page, against a city built by hand: every figure
and every order below is counted from the fixture, and every count's link lists exactly those rows.

Järva (the coordinator's organisation), ages in days before today:

    ref  step                   received  last write  child    orosanmälan          assigned
    A    received               6         6           no       –                    caseworker
    B    received               2         2           yes      none                 –
    C    received               0         0           no       –                    –
    D    initial assessment     30        3           yes      recorded (by whom)   –
    E    gathering information  40        20          no       –                    caseworker
    F    assessment             50        15          unknown  reason why none      –
    G    closed                 60        30          yes      none                 caseworker

Södermalm: H (received 10 days ago, about a child, no orosanmälan) and I (received 45 days ago, no
write for 25 days, disclosed to Järva: Järva reads it but does not handle it).

So with the default 14 days: new = A, B, C (oldest first); child without orosanmälan = B; inactive = E,
F (longest still first); the caseworker's open cases = E, A.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.concerns import services, sharing
from vbe.concerns.lists import needs_child_report_q
from vbe.concerns.models import ActionKind, Concern, State
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.guidelines.duties import next_due
from vbe.incidents.models import Incident, Status
from vbe.incidents.tests.factories import SODERMALM, make_incident
from vbe.organisations.models import District, Organisation

MAX_QUERIES = 20


def _days_ago(days: int) -> datetime.datetime:
    """Noon, Stockholm time, ``days`` calendar days before today (0: now, never in the future)."""
    if days == 0:
        return timezone.now()
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _concern(cast, key: str, *, organisation: str = "jarva", child: str = "no", **extra) -> Concern:
    concern = submit_test_concern(cast, key, organisation, concerns_child=child, **extra)
    return Concern.objects.get(pk=concern.pk)


def _date(concern: Concern, *, received: int, written: int) -> None:
    """Back-dates a concern after all its writes (the services stamp ``updated_at`` on every write)."""
    Concern.objects.filter(pk=concern.pk).update(created_at=_days_ago(received), updated_at=_days_ago(written))


@pytest.fixture
def city(cast):
    coordinator, caseworker = cast["coordinator"], cast["caseworker"]
    children = ["no", "yes", "no", "yes", "no", "unknown", "yes"]
    c = {key: _concern(cast, key, child=child) for key, child in zip("ABCDEFG", children, strict=True)}
    jarva = Organisation.objects.get(slug="jarva")
    district = District.objects.get(code="80132")

    def fresh(key: str) -> Concern:
        c[key] = Concern.objects.get(pk=c[key].pk)
        return c[key]

    services.record_action(
        actor=coordinator,
        concern_id=c["D"].pk,
        lock_version=fresh("D").lock_version,
        kind=ActionKind.CHILD_WELFARE_REPORT,
        done_on=timezone.localdate(),
        district_id=district.pk,
        made_by="Rektor",
    )
    Concern.objects.filter(pk=c["D"].pk).update(state=State.INITIAL_ASSESSMENT)
    Concern.objects.filter(pk=c["E"].pk).update(state=State.GATHERING_INFORMATION)
    Concern.objects.filter(pk=c["F"].pk).update(state=State.ASSESSMENT, child_report_not_made_reason="Vuxen person")
    for key in "AEG":
        services.assign(
            actor=coordinator, concern_id=c[key].pk, lock_version=fresh(key).lock_version, caseworker=caseworker
        )
    Concern.objects.filter(pk=c["G"].pk).update(state=State.CLOSED, closed_at=_days_ago(30))
    c["H"] = _concern(cast, "H", organisation="sodermalm", child="yes")
    c["I"] = _concern(cast, "I", organisation="sodermalm")
    sharing.disclose(
        actor=cast["coordinator_other"],
        concern_id=c["I"].pk,
        to_organisation=jarva,
        legal_ground="OSL 10 kap. 2 §",
        decided_by="Enhetschef",
    )
    ages = {"A": (6, 6), "B": (2, 2), "C": (0, 0), "D": (30, 3), "E": (40, 20), "F": (50, 15), "G": (60, 30)}
    ages |= {"H": (10, 10), "I": (45, 25)}
    for key, (received, written) in ages.items():
        _date(c[key], received=received, written=written)
    # Incidents: two new at Järva (5 days and 1 day old), one acknowledged, one closed; one new at
    # Södermalm reported by Järva's staff (in Järva's list, not Järva's to receive).
    staff = cast["staff"]
    incidents = {
        "new_old": make_incident(reporter=staff, created_at=_days_ago(5)),
        "new_young": make_incident(reporter=staff, created_at=_days_ago(1)),
        "acknowledged": make_incident(reporter=staff, status=Status.ACKNOWLEDGED, created_at=_days_ago(8)),
        "closed": make_incident(reporter=staff, status=Status.CLOSED, created_at=_days_ago(9)),
        "elsewhere": make_incident(reporter=staff, district_code=SODERMALM, created_at=_days_ago(7)),
    }
    return {key: Concern.objects.get(pk=concern.pk) for key, concern in c.items()}, incidents


def _refs(rows) -> list[str]:
    return [row.item.reference for row in rows]


def _listed(response) -> set[str]:
    return {row["concern"].reference for row in response.context["rows"]}


def test_the_inbox_counts_and_orders_what_waits(cast, city):
    c, incidents = city
    response = cast.client("coordinator").get("/")
    assert response.status_code == 200
    ctx = response.context
    assert (ctx["received_count"], ctx["child_count"], ctx["inactive_count"], ctx["incident_count"]) == (3, 1, 2, 2)
    assert _refs(ctx["received_rows"]) == [c["A"].reference, c["B"].reference, c["C"].reference]
    assert [row.waited for row in ctx["received_rows"]] == [
        "mottagen för 6 dagar sedan",
        "mottagen för 2 dagar sedan",
        "mottagen i dag",
    ]
    assert _refs(ctx["child_rows"]) == [c["B"].reference]
    assert _refs(ctx["inactive_rows"]) == [c["E"].reference, c["F"].reference]
    assert [row.waited for row in ctx["inactive_rows"]] == [
        "ingen aktivitet på 20 dagar",
        "ingen aktivitet på 15 dagar",
    ]
    assert _refs(ctx["incident_rows"]) == [incidents["new_old"].reference, incidents["new_young"].reference]
    assert [row.waited for row in ctx["incident_rows"]] == ["mottagen för 5 dagar sedan", "mottagen i går"]
    html = response.content.decode()
    # The child without an orosanmälan comes first of all the tables.
    assert html.index(c["B"].reference) < html.index(c["A"].reference)
    for other in ("H", "I", "G"):
        assert c[other].reference not in html


def test_each_count_links_to_exactly_its_rows(cast, city):
    c, incidents = city
    client = cast.client("coordinator")
    ctx = client.get("/").context
    expected = {
        "received_url": {"A", "B", "C"},
        "child_url": {"B"},
        "inactive_url": {"E", "F"},
    }
    for key, refs in expected.items():
        response = client.get(ctx[key])
        assert response.status_code == 200
        assert _listed(response) == {c[r].reference for r in refs}, key
        assert response.context["page"].count == ctx[key.replace("_url", "_count")]
        assert "Filtrerat:" in response.content.decode()
    listed = client.get(ctx["incident_url"])
    assert {i.reference for i in listed.context["page"]} == {
        incidents["new_old"].reference,
        incidents["new_young"].reference,
    }
    assert "Skickade till din organisation att hantera" in listed.content.decode()
    # Without "att_hantera" the lists hold more: the disclosed concern, the incident reported elsewhere.
    assert c["I"].reference in _listed(client.get("/oro/arenden/", {"inaktiv": "1"}))
    assert incidents["elsewhere"].reference in {
        i.reference for i in client.get("/handelser/", {"status": "new"}).context["page"]
    }


def test_the_filters_keep_paging_and_scope(cast, city):
    c, _ = city
    client = cast.client("coordinator_other")
    # Södermalm's coordinator: H is theirs to handle and about a child; Järva's B is not theirs.
    assert _listed(client.get("/oro/arenden/", {"att_hantera": "1", "barn_utan_anmalan": "1"})) == {c["H"].reference}
    # Bad values are no filter, never an error.
    client = cast.client("coordinator")
    response = client.get("/oro/arenden/", {"inaktiv": "ja", "steg": "x", "mina": "2", "barn_utan_anmalan": ""})
    assert response.status_code == 200 and "Filtrerat:" not in response.content.decode()
    assert client.get("/oro/arenden/", {"inaktiv": "1\x00"}).status_code < 500
    assert client.get("/handelser/", {"att_hantera": "\x00", "status": "nej"}).status_code < 500


def test_the_filters_stay_in_the_paging_links(cast, city):
    jarva_rows = [_concern(cast, f"p{i}") for i in range(30)]
    Concern.objects.filter(pk__in=[x.pk for x in jarva_rows]).update(updated_at=_days_ago(20))
    client = cast.client("coordinator")
    first = client.get("/oro/arenden/", {"att_hantera": "1", "inaktiv": "1"})
    assert first.context["page"].count == 32  # the 30 and E, F
    following = re.search(r'href="\?([^"]*)" rel="next"', first.content.decode())[1].replace("&amp;", "&")
    assert "att_hantera=1" in following and "inaktiv=1" in following
    second = client.get(f"/oro/arenden/?{following}")
    assert len(_listed(first) | _listed(second)) == 32


def test_the_queryset_agrees_with_the_per_object_rule(cast, city):
    c, _ = city
    flagged = set(Concern.objects.filter(needs_child_report_q()).values_list("pk", flat=True))
    for concern in Concern.objects.all():
        assert (concern.pk in flagged) == services.needs_child_report(concern), concern.reference
    assert flagged == {c["B"].pk, c["G"].pk, c["H"].pk}


def test_the_inactive_days_are_a_setting(cast, city, settings):
    settings.VBE_CONCERN_INACTIVE_DAYS = 5
    ctx = cast.client("coordinator").get("/").context
    c, _ = city
    # Now A (6 days) is inactive too; D (3 days) is not.
    assert _refs(ctx["inactive_rows"]) == [c["E"].reference, c["F"].reference, c["A"].reference]
    assert "minst 5 dagar" in cast.client("coordinator").get("/").content.decode()


def test_the_caseworkers_start_page_lists_their_open_cases_by_waiting(cast, city):
    c, _ = city
    client = cast.client("caseworker")
    ctx = client.get("/").context
    assert _refs(ctx["assigned_rows"]) == [c["E"].reference, c["A"].reference]
    assert [row.waited for row in ctx["assigned_rows"]] == ["ingen aktivitet på 20 dagar", "ingen aktivitet på 6 dagar"]
    assert ctx["assigned_count"] == 2
    listed = client.get(ctx["assigned_url"])
    assert _listed(listed) == {c["E"].reference, c["A"].reference}
    # The unfiltered list says what it holds: assigned to them, and what was disclosed.
    assert "Ärenden som är tilldelade dig" in client.get("/oro/arenden/").content.decode()


def _start_queries(client) -> int:
    client.get("/")  # per-process caches warmed
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["coordinator", "caseworker"])
def test_the_start_page_costs_the_same_for_one_row_as_for_many(cast, name):
    client = cast.client(name)
    one = _concern(cast, "one", child="yes")
    services.assign(
        actor=cast["coordinator"], concern_id=one.pk, lock_version=one.lock_version, caseworker=cast["caseworker"]
    )
    make_incident(reporter=cast["staff"])
    few = _start_queries(client)
    for i in range(12):
        more = _concern(cast, f"m{i}", child="yes")
        services.assign(
            actor=cast["coordinator"], concern_id=more.pk, lock_version=more.lock_version, caseworker=cast["caseworker"]
        )
        make_incident(reporter=cast["staff"])
    Concern.objects.update(updated_at=_days_ago(20))
    many = _start_queries(client)
    assert few == many <= MAX_QUERIES
    assert Incident.objects.filter(status=Status.NEW).count() == 13


def test_the_next_reporting_deadlines_are_the_organisations_own(cast):
    """Järva (a district council) owes the situation picture by 31 March and its plan by 30 April every
    year; the education board its follow-up by 15 December every year and its plan by 30 June in even
    years (data/stockholm/guideline-2024.json)."""
    jarva = [Organisation.objects.get(slug="jarva")]
    board = [Organisation.objects.get(slug="utbildningsnamnden")]
    due = lambda organisations, today: [d.due for d in next_due(organisations, today)[:3]]  # noqa: E731
    day = datetime.date
    assert due(jarva, day(2026, 11, 30)) == [day(2027, 3, 31), day(2027, 4, 30)]
    assert due(jarva, day(2026, 4, 1)) == [day(2026, 4, 30), day(2027, 3, 31), day(2027, 4, 30)]
    assert due(board, day(2026, 1, 10)) == [day(2026, 6, 30), day(2026, 12, 15), day(2027, 12, 15)]
    assert due(jarva + board, day(2026, 11, 30)) == [day(2026, 12, 15), day(2027, 3, 31), day(2027, 4, 30)]


def test_the_plan_tasks_are_those_of_the_task_page_dated_first(cast):
    """Järva has no plan this year and no self-report: two tasks, the plan (due 30 April) first."""
    client = cast.client("coordinator")
    ctx = client.get("/").context
    year = timezone.localdate().year
    listed = [task.text for entry in client.get("/planer/att-gora/").context["entries"] for task in entry.tasks]
    assert ctx["plan_task_count"] == len(listed) == 2
    first, second = ctx["plan_tasks"]
    assert first["task"].text == f"Planen för {year} är inte påbörjad." and first["task"].due == datetime.date(
        year, 4, 30
    )
    assert first["overdue"] == (timezone.localdate() > datetime.date(year, 4, 30))
    assert second["task"].text.startswith("Självskattningen") and not second["overdue"]


@pytest.mark.parametrize("name", ["coordinator", "caseworker"])
def test_a_start_page_that_lists_concerns_is_logged_like_the_case_list(cast, city, name):
    before = AccessLogEntry.objects.filter(action="concern_list_viewed", actor_id=cast[name].pk).count()
    assert cast.client(name).get("/").status_code == 200
    logged = AccessLogEntry.objects.filter(action="concern_list_viewed", actor_id=cast[name].pk)
    assert logged.count() == before + 1
    assert logged.order_by("-id").first().detail == "startsidan"


def test_a_start_page_with_nothing_to_list_logs_nothing(cast):
    assert cast.client("caseworker").get("/").status_code == 200
    assert not AccessLogEntry.objects.filter(action="concern_list_viewed", actor_id=cast["caseworker"].pk).exists()
