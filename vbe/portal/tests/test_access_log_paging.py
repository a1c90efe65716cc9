"""The auditor's access log, a page at a time: keyset pages by id, local dates as UTC ranges."""

from __future__ import annotations

import datetime
import itertools
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from vbe.audit.log import verify_log
from vbe.audit.models import AccessLogEntry, Outcome
from vbe.portal import access_log
from vbe.portal.access_log import local_days, read_page
from vbe.portal.tests.log_rows import append_rows, at

URL = "/loggkontroll/"
D = datetime.date


def _ids(response) -> list[int]:
    return [entry.id for entry in response.context["page"].rows]


def _every_page(client, link: str, direction: str) -> list[list[int]]:
    """Follows the "Äldre" (older_link) or "Nyare" (newer_link) links from ``link`` to the end."""
    pages = []
    while link:
        response = client.get(URL + link)
        assert response.status_code == 200
        pages.append(_ids(response))
        link = response.context.get(direction, "")
    return pages


@pytest.fixture
def auditor(cast):
    return cast.client("auditor")


def test_pages_follow_the_id_order_across_boundaries_and_keep_the_filters(auditor, settings):
    actions = itertools.cycle(["sign_in", "concern_viewed", "sign_in", "plan_viewed"])
    start = at(2025, 1, 1)
    append_rows([{"created_at": start + datetime.timedelta(minutes=n), "action": next(actions)} for n in range(240)])
    expected = list(AccessLogEntry.objects.filter(action="sign_in").order_by("-id").values_list("id", flat=True))
    assert len(expected) == 120  # pages of 50, 50 and 20

    older = _every_page(auditor, "?action=sign_in", "older_link")
    assert [len(page) for page in older] == [50, 50, 20]
    assert [row for page in older for row in page] == expected

    newest = auditor.get(URL, {"action": "sign_in"})
    assert newest.context["newer_link"] == ""  # the newest page has nothing newer
    link = newest.context["older_link"]
    assert parse_qs(link[1:]) == {"action": ["sign_in"], "aldre": [str(expected[49])]}

    # From the oldest page back up: the same pages, in reverse.
    oldest = auditor.get(URL, {"action": "sign_in", "aldsta": "1"})
    assert _ids(oldest) == expected[-50:]
    assert oldest.context["older_link"] == "" and oldest.context["oldest_link"] == ""
    newer = _every_page(auditor, oldest.context["newer_link"], "newer_link")
    assert [len(page) for page in newer] == [50, 20]  # cut from the other end: the short page is on top
    assert [row for page in reversed(newer) for row in page] == expected[:-50]


def test_the_viewing_is_logged_with_its_position_and_searched_subject(auditor, cast):
    append_rows([{"created_at": at(2025, 5, 1), "subject_ref": "ORO-2025-00007"}])
    auditor.get(URL, {"subject_ref": "ORO-2025-00007", "aldsta": "1"})
    viewing = AccessLogEntry.objects.filter(action="access_log_viewed").latest("id")
    assert (viewing.actor_id, viewing.subject_ref, viewing.detail) == (
        cast["auditor"].pk,
        "ORO-2025-00007",
        "äldsta sidan",
    )


def test_every_filter_narrows_the_page(auditor):
    # Actor ids no account of the test has: the page's own reading rows never match.
    one, two, three, four = append_rows(
        [
            {"created_at": at(2025, 4, 1, 8), "action": "sign_in", "actor_id": 900007},
            {"created_at": at(2025, 4, 1, 9), "action": "sign_in", "outcome": Outcome.DENIED, "actor_id": 900008},
            {"created_at": at(2025, 4, 2, 9), "action": "concern_viewed", "subject_ref": "ORO-2025-00001"},
            {"created_at": at(2025, 4, 3, 9), "action": "concern_viewed", "actor_id": 900007},
        ]
    )
    april = {"date_from": "2025-04-01", "date_to": "2025-04-30"}
    cases = [
        ({"action": "sign_in"}, [two, one]),
        ({"outcome": "denied", **april}, [two]),
        ({"actor_id": "900007"}, [four, one]),
        ({"subject_ref": "ORO-2025-00001"}, [three]),
        ({"date_from": "2025-04-02", "date_to": "2025-04-03"}, [four, three]),
        ({"date_from": "2025-03-01", "date_to": "2025-04-02"}, [three, two, one]),
        ({"action": "concern_viewed", "date_from": "2025-04-02", "date_to": "2025-04-02"}, [three]),
        ({"actor_id": "900007", "date_to": "2025-04-01"}, [one]),
        ({"action": "sign_in", "outcome": "allowed", "actor_id": "900007"}, [one]),
    ]
    for params, rows in cases:
        assert _ids(auditor.get(URL, params)) == [row.id for row in rows], params


# Local days across the switches of 2025 in Europe/Stockholm: 30 March has 23 hours, 26 October 25.
MARCH = [
    (at(2025, 3, 29, 22, 59, 59), False),  # 29 March 23:59:59 CET
    (at(2025, 3, 29, 23), True),  # 30 March 00:00 CET
    (at(2025, 3, 30, 0, 59, 59), True),  # 01:59:59 CET, just before the clocks jump
    (at(2025, 3, 30, 1), True),  # 03:00 CEST
    (at(2025, 3, 30, 21, 59, 59), True),  # 23:59:59 CEST
    (at(2025, 3, 30, 22), False),  # 31 March 00:00 CEST
]
OCTOBER = [
    (at(2025, 10, 25, 21, 59, 59), False),  # 25 October 23:59:59 CEST
    (at(2025, 10, 25, 22), True),  # 26 October 00:00 CEST
    (at(2025, 10, 26, 0, 30), True),  # 02:30 CEST, the first time round
    (at(2025, 10, 26, 1, 30), True),  # 02:30 CET, the second
    (at(2025, 10, 26, 22, 59, 59), True),  # 23:59:59 CET
    (at(2025, 10, 26, 23), False),  # 27 October 00:00 CET
]


@pytest.mark.parametrize(("day", "moments"), [("2025-03-30", MARCH), ("2025-10-26", OCTOBER)], ids=["march", "october"])
def test_a_local_day_is_exactly_that_day_across_summer_time(auditor, day, moments):
    rows = append_rows([{"created_at": moment, "action": "dst_test"} for moment, _ in moments])
    inside = [row.id for row, (_, included) in zip(rows, moments, strict=True) if included][::-1]
    before, after = [row.id for row in rows if row.id not in inside]
    assert _ids(auditor.get(URL, {"action": "dst_test", "date_from": day, "date_to": day})) == inside
    assert _ids(auditor.get(URL, {"action": "dst_test", "date_to": day})) == [*inside, before]
    assert _ids(auditor.get(URL, {"action": "dst_test", "date_from": day})) == [after, *inside]


def test_local_days_are_23_and_25_hours_at_the_switches(settings):
    assert settings.TIME_ZONE == "Europe/Stockholm"
    march, october = local_days(D(2025, 3, 30), D(2025, 3, 30)), local_days(D(2025, 10, 26), D(2025, 10, 26))
    assert (march.start, march.end) == (at(2025, 3, 29, 23), at(2025, 3, 30, 22))
    assert (october.start, october.end) == (at(2025, 10, 25, 22), at(2025, 10, 26, 23))
    assert local_days(None, None) is None
    assert local_days(D(2025, 1, 1), None).end is None


# Times that do not follow the ids: the generator appends the newest city-year first and older ones
# after it, and a row may be stamped a little before the one appended before it (clocks of several
# servers). Block by block: 60 rows in December, then November, then October 2024.
def _generated_history() -> None:
    specs = []
    for month in (12, 11, 10):
        for n in range(60):
            stamp = at(2024, month, 1 + n // 2, 6 + 9 * (n % 2))
            if n % 17 == 5:
                stamp -= datetime.timedelta(days=1)  # out of order within the block too
            specs.append(
                {
                    "created_at": stamp,
                    "action": ("sign_in", "concern_viewed", "plan_viewed")[n % 3],
                    "outcome": Outcome.DENIED if n % 7 == 0 else Outcome.ALLOWED,
                    "actor_id": 3 if n % 5 == 0 else 4,
                }
            )
    append_rows(specs)


SPANS = [
    None,
    (D(2024, 12, 5), D(2024, 12, 10)),  # the first ids, far below the newest
    (D(2024, 10, 10), D(2024, 10, 25)),  # the last ids, near the newest
    (D(2024, 11, 1), D(2024, 12, 31)),  # two blocks
    (None, D(2024, 11, 15)),
    (D(2024, 11, 20), None),
    (D(2024, 11, 3), D(2024, 11, 3)),
    (D(2023, 1, 1), D(2023, 12, 31)),  # nothing
]
EQUALS = [{}, {"action": "sign_in"}, {"outcome": Outcome.DENIED}, {"actor_id": 3}]


def test_pages_are_exact_whatever_the_order_of_time_and_id(db, monkeypatch):
    """Every way of reading a date range (the probe by the edge, the walk in id order, the range's own
    ids, given up when wide) gives exactly the filtered rows in id order, page after page, both ways."""
    _generated_history()
    for name, value in {"ROWS_PER_PAGE": 10, "PROBE_ROWS": 7, "WALK_ROWS": 15, "SPAN_ROWS": 25}.items():
        monkeypatch.setattr(access_log, name, value)
    outcomes = []
    spy = access_log._ids_in_span

    def spied(*args, **kwargs):
        ids = spy(*args, **kwargs)
        outcomes.append(ids is not None)
        return ids

    monkeypatch.setattr(access_log, "_ids_in_span", spied)
    for equal, days in itertools.product(EQUALS, SPANS):
        span = local_days(*days) if days else None
        entries = AccessLogEntry.objects.filter(**equal)
        expected = list(entries.filter(span.q() if span else Q()).order_by("-id").values_list("id", flat=True))
        down, page = [], read_page(entries, span, older_than=None, newer_than=None, oldest=False)
        while True:
            down.append([row.id for row in page.rows])
            if not page.has_older:
                break
            page = read_page(entries, span, older_than=page.rows[-1].id, newer_than=None, oldest=False)
        assert [row for rows in down for row in rows] == expected, (equal, days)
        assert all(len(rows) == 10 for rows in down[:-1]), (equal, days)
        up, page = [], read_page(entries, span, older_than=None, newer_than=None, oldest=True)
        while True:
            up.append([row.id for row in page.rows])
            if not page.has_newer:
                break
            page = read_page(entries, span, older_than=None, newer_than=page.rows[0].id, oldest=False)
        assert [row for rows in reversed(up) for row in rows] == expected, (equal, days)
    assert True in outcomes and False in outcomes  # the range's own ids were read, and given up on


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"action": "test_read"},
        {"outcome": "allowed", "actor_id": "5"},
        {"date_from": "2025-02-01", "date_to": "2025-02-28"},
        {"action": "test_read", "date_from": "2025-02-10"},
        {"aldsta": "1", "date_to": "2025-02-20"},
    ],
    ids=["newest", "action", "outcome-actor", "dates", "action-date", "oldest-dates"],
)
def test_queries_per_page_do_not_grow_with_the_log(auditor, params):
    def rows(count: int) -> None:
        start = at(2025, 2, 1)
        append_rows([{"created_at": start + datetime.timedelta(hours=3 * n), "actor_id": 5} for n in range(count)])

    rows(5)
    auditor.get(URL, params)  # the session's first request out of the way
    with CaptureQueriesContext(connection) as few:
        assert auditor.get(URL, params).status_code == 200
    rows(195)
    with CaptureQueriesContext(connection) as many:
        response = auditor.get(URL, params)
    assert len(_ids(response)) == 50
    assert len(few) == len(many) <= 20


def test_the_longest_way_through_a_date_range_is_bounded(auditor, monkeypatch):
    """A range far from the page's edge, wider than the rows the id order passes: every step runs."""
    monkeypatch.setattr(access_log, "PROBE_ROWS", 5)
    monkeypatch.setattr(access_log, "WALK_ROWS", 2)
    start = at(2025, 2, 1)
    append_rows([{"created_at": start + datetime.timedelta(hours=n)} for n in range(300)])
    with CaptureQueriesContext(connection) as queries:
        response = auditor.get(URL, {"date_to": "2025-02-11"})
    span = local_days(None, D(2025, 2, 11))
    assert _ids(response) == list(
        AccessLogEntry.objects.filter(span.q()).order_by("-id").values_list("id", flat=True)[:50]
    )
    assert len(queries) <= 20


@pytest.mark.parametrize(
    "query",
    [
        "aldre=abc",
        "aldre=-1",
        "aldre=0",
        "nyare=-5",
        "aldre=1.5",
        "aldre=99999999999999999999",
        "nyare=9223372036854775808",
        "aldre=1&nyare=2",
        "aldre=3&aldsta=1",
        "aldsta=ja",
    ],
)
def test_a_bad_position_is_a_400_that_reads_nothing(auditor, query):
    append_rows([{"created_at": at(2025, 1, 1)}])
    response = auditor.get(f"{URL}?action=x&{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Adressen pekar inte ut någon sida i loggen." in page
    assert 'href="?action=x"' in page  # back to the newest rows, with the filter kept
    assert not AccessLogEntry.objects.filter(action="access_log_viewed").exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "0001-01-01"}, "Skriv ett datum mellan 1900-01-01 och 9998-12-31."),
        ({"date_to": "9999-12-31"}, "Skriv ett datum mellan 1900-01-01 och 9998-12-31."),
        (
            {"date_from": "2025-03-02", "date_to": "2025-03-01"},
            "Till och med-datumet ligger före från och med-datumet.",
        ),
        (
            {"actor_id": "99999999999999999999"},
            "Kontrollera att detta värde är mindre än eller lika med 9223372036854775807.",
        ),
        ({"subject_ref": "x" * 129}, "Säkerställ att detta värde har som mest 128 tecken (den har 129)."),
    ],
)
def test_a_bad_filter_says_what_to_fix_and_shows_no_rows(auditor, params, message):
    append_rows([{"created_at": at(2025, 3, 1)}])
    response = auditor.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "page" not in response.context  # no unfiltered rows under a filter that did not apply
    assert not AccessLogEntry.objects.filter(action="access_log_viewed").exists()


def test_a_hand_made_position_past_either_end_shows_an_empty_page(auditor):
    rows = append_rows([{"created_at": at(2025, 1, 1), "action": "sign_in"} for _ in range(3)])
    response = auditor.get(URL, {"action": "sign_in", "aldre": rows[0].id})
    assert response.status_code == 200
    assert _ids(response) == []
    assert "Inga rader matchar." in response.content.decode()
    assert _ids(auditor.get(URL, {"action": "sign_in", "nyare": rows[-1].id})) == []


def test_the_chain_still_verifies_after_the_pages_are_read(auditor):
    append_rows([{"created_at": at(2025, 1, 1) + datetime.timedelta(minutes=n)} for n in range(120)])
    for params in ({}, {"aldsta": "1"}, {"date_from": "2025-01-01", "aldre": "60"}):
        assert auditor.get(URL, params).status_code == 200
    verification = verify_log(anchors=[])
    assert verification.broken is None
    assert verification.last_id == AccessLogEntry.objects.order_by("-id").first().id


def test_the_auditors_start_page_shows_the_newest_denials(auditor):
    append_rows(
        [
            {"created_at": at(2025, 1, 1) + datetime.timedelta(minutes=n), "outcome": outcome, "detail": f"rad {n}"}
            for n, outcome in enumerate([Outcome.DENIED, Outcome.ALLOWED] * 6 + [Outcome.FAILED])
        ]
    )
    expected = list(AccessLogEntry.objects.filter(outcome=Outcome.DENIED).order_by("-id")[:5])
    response = auditor.get("/")
    assert list(response.context["recent_denials"]) == expected
    assert [entry.detail for entry in expected] == ["rad 10", "rad 8", "rad 6", "rad 4", "rad 2"]


def test_no_estimate_of_the_length_without_postgresql_or_with_filters(auditor):
    append_rows([{"created_at": at(2025, 1, 1)}])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_accesslogentry")
    unfiltered = auditor.get(URL).content.decode()
    assert ("Loggen har ungefär" in unfiltered) == (connection.vendor == "postgresql")
    assert "Loggen har ungefär" not in auditor.get(URL, {"action": "test_read"}).content.decode()
