"""The keepers' list of learners: who sees whom (a unit manager their units, a coordinator the whole
organisation), filters and search, alphabetical keyset paging, one access-log row per page view, and a
bounded number of queries however many learners there are."""

from __future__ import annotations

import datetime
import re

import pytest

from vbe.audit.models import AccessLogEntry
from vbe.competence import learners
from vbe.competence.models import Completion, CompletionSource, Learner, Placement
from vbe.competence.tests.test_own import make_course, make_group, today, unit
from vbe.competence.tests.test_own import upload_dir as upload_dir  # noqa: F401 (autouse fixture)

PEOPLE = "/utbildning/jarva/deltagare/"


def place(name: str, email: str, where, group, **learner) -> Learner:
    person = Learner.objects.create(name=name, email=email, **learner)
    Placement.objects.create(learner=person, unit=where, staff_group=group)
    return person


def complete(person: Learner, course, day: datetime.date) -> Completion:
    return Completion.objects.create(learner=person, course=course, completed_on=day, source=CompletionSource.IMPORT)


def names_in(response) -> list[str]:
    return re.findall(r'href="/utbildning/jarva/deltagare/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def jarva_people(cast):
    group, other_group = make_group(), make_group("skola", "Skola")
    youth, library = unit(), unit("Testbiblioteket")
    elsewhere = unit("Testskolan", "sodermalm")
    return {
        "anna": place("Anna Andersson", "anna@test.example", youth, group),
        "bertil": place("Bertil Berg", "bertil@test.example", library, other_group),
        "cecilia": place("Cecilia Cedergren", "cecilia@test.example", elsewhere, group),
        "group": group,
        "other_group": other_group,
        "youth": youth,
        "library": library,
    }


def test_a_unit_manager_sees_their_units_and_a_coordinator_the_organisation(cast, jarva_people):
    assert names_in(cast.client("unit_manager").get(PEOPLE)) == ["Anna Andersson"]
    assert names_in(cast.client("coordinator").get(PEOPLE)) == ["Anna Andersson", "Bertil Berg"]
    assert names_in(cast.client("central_coordinator").get(PEOPLE)) == ["Anna Andersson", "Bertil Berg"]
    for role in ("staff", "caseworker", "coordinator_other", "board_reader", "auditor", "admin"):
        assert cast.client(role).get(PEOPLE).status_code == 403, role
    bertil = jarva_people["bertil"]
    assert cast.client("unit_manager").get(f"{PEOPLE}{bertil.pk}/").status_code == 404
    page = cast.client("coordinator").get(f"{PEOPLE}{bertil.pk}/")
    assert page.status_code == 200 and "bertil@test.example" in page.content.decode()
    # Cecilia works in Södermalm: not Järva's to show, whoever asks there.
    assert cast.client("coordinator").get(f"{PEOPLE}{jarva_people['cecilia'].pk}/").status_code == 404
    rows = AccessLogEntry.objects.filter(action="training_learner_viewed")
    assert [(r.actor_email, r.subject_ref) for r in rows] == [("coordinator@test.example", f"learner:{bertil.pk}")]


def test_each_page_view_is_one_access_log_row(cast, jarva_people):
    client = cast.client("coordinator")
    client.get(PEOPLE)
    client.get(PEOPLE, {"sok": "anna"})
    rows = AccessLogEntry.objects.filter(action="training_people_viewed").order_by("id")
    assert [(r.object_type, r.detail) for r in rows] == [
        ("organisations.organisation", "2 deltagare"),
        ("organisations.organisation", "1 deltagare, filtrerat"),
    ]
    assert "anna" not in "".join(r.detail for r in rows)  # the search term stays out of the log


def test_filters_by_unit_staff_group_and_search(cast, jarva_people):
    client = cast.client("coordinator")
    assert names_in(client.get(PEOPLE, {"enhet": jarva_people["library"].pk})) == ["Bertil Berg"]
    assert names_in(client.get(PEOPLE, {"grupp": jarva_people["group"].pk})) == ["Anna Andersson"]
    assert names_in(client.get(PEOPLE, {"sok": "BERG"})) == ["Bertil Berg"]
    assert names_in(client.get(PEOPLE, {"sok": "Anna@Test"})) == ["Anna Andersson"]
    refused = client.get(PEOPLE, {"enhet": "999999"})
    assert refused.status_code == 400 and "Välj en av verksamheterna i listan." in refused.content.decode()
    # A unit manager cannot filter their way into another unit.
    assert cast.client("unit_manager").get(PEOPLE, {"enhet": jarva_people["library"].pk}).status_code == 400


def test_lacking_required_training_counts_only_valid_completions_of_required_courses(cast, jarva_people):
    group, youth = jarva_people["group"], jarva_people["youth"]
    required = make_course("Obligatorisk", validity_years=2)
    required.required_for.add(group)
    make_course("Frivillig").target_groups.add(group)
    now = today()
    valid = place("Valid Vera", "vera@test.example", youth, group)
    complete(valid, required, now - datetime.timedelta(days=400))
    expired = place("Expired Erik", "erik@test.example", youth, group)
    complete(expired, required, now - datetime.timedelta(days=800))  # more than two years ago
    # Anna has nothing; Bertil's staff group requires nothing.
    response = cast.client("coordinator").get(PEOPLE, {"saknar": "on"})
    assert names_in(response) == ["Anna Andersson", "Expired Erik"]
    assert names_in(cast.client("unit_manager").get(PEOPLE, {"saknar": "on"})) == ["Anna Andersson", "Expired Erik"]


def test_the_latest_valid_basic_and_advanced_completions_are_shown(cast, jarva_people):
    anna = jarva_people["anna"]
    basic = make_course("Grund A", validity_years=None)
    newer_basic = make_course("Grund B", validity_years=3)
    advanced = make_course("Fördjupning A", level="fordjupning", validity_years=1)
    complete(anna, basic, datetime.date(2020, 5, 4))
    complete(anna, newer_basic, today() - datetime.timedelta(days=10))
    complete(anna, advanced, today() - datetime.timedelta(days=400))  # expired
    html = cast.client("coordinator").get(PEOPLE).content.decode()
    row = html[html.index("Anna Andersson") : html.index("Bertil Berg")]
    assert f"Grund B, {(today() - datetime.timedelta(days=10)).isoformat()}" in row
    assert "Grund A" not in row and "Fördjupning A" not in row


# --- Paging ----------------------------------------------------------------------------------------


@pytest.fixture
def many(cast):
    """130 learners at Testfritidsgården: names that repeat and some without a name, in no order."""
    group, youth = make_group(), unit()
    people = Learner.objects.bulk_create(
        Learner(
            name=["", "Alva", "Bo", "Bo", "Cleo"][i % 5] + (f" {i % 13:02d}" if i % 5 else ""), email=f"p{i:03d}@x.se"
        )
        for i in reversed(range(130))
    )
    Placement.objects.bulk_create(Placement(learner=p, unit=youth, staff_group=group) for p in people)
    return sorted(people, key=lambda p: (p.name, p.email, p.pk))


def test_keyset_pages_walk_every_learner_once_in_alphabetical_order_and_back(many):
    wanted = Learner.objects.all()
    seen, params, pages = [], {}, []
    while True:
        page = learners.people_page(wanted, params, per_page=20)
        pages.append([p.pk for p in page])
        seen += [p.pk for p in page]
        if page.after is None:
            break
        params = {"efter": str(page.after)}
    assert seen == [p.pk for p in many]
    assert len(pages) == 7 and [len(p) for p in pages] == [20] * 6 + [10]
    # Back from the last page: the same pages, in reverse.
    back = []
    page = learners.people_page(wanted, {"fore": str(pages[-1][0])}, per_page=20)
    while True:
        back.append([p.pk for p in page])
        if page.before is None:
            break
        page = learners.people_page(wanted, {"fore": str(page.before)}, per_page=20)
    assert back == pages[-2::-1]
    # A position that does not parse, or names no learner, shows the first page.
    for bad in ({"efter": "x"}, {"efter": "99999999"}, {"fore": "-1"}, {"efter": "9" * 40}):
        assert [p.pk for p in learners.people_page(wanted, bad, per_page=20)] == pages[0]


def test_the_page_links_carry_the_filters_and_a_learner_id_only(cast, many):
    client = cast.client("coordinator")
    first = client.get(PEOPLE, {"sok": "bo"}).content.decode()
    link = re.search(r'href="\?([^"]+)" rel="next"', first)[1].replace("&amp;", "&")
    assert re.fullmatch(r"sok=bo&efter=\d+", link)
    second = client.get(f"{PEOPLE}?{link}")
    expected = [p.name for p in many if "bo" in p.name.lower()]
    assert names_in(client.get(PEOPLE, {"sok": "bo"})) + names_in(second) == expected
    assert len(expected) == 52


def test_the_list_stays_within_the_query_bound_with_many_learners(cast, django_assert_max_num_queries):
    group, youth, library = make_group(), unit(), unit("Testbiblioteket")
    required = make_course("Obligatorisk", validity_years=3)
    required.required_for.add(group)
    advanced = make_course("Fördjupning", level="fordjupning", validity_years=None)
    people = Learner.objects.bulk_create(Learner(name=f"Person {i:04d}", email=f"n{i:04d}@x.se") for i in range(600))
    Placement.objects.bulk_create(
        Placement(learner=p, unit=youth if i % 2 else library, staff_group=group) for i, p in enumerate(people)
    )
    Completion.objects.bulk_create(
        Completion(learner=p, course=c, completed_on=datetime.date(2024, 1, 1 + i % 28), source="import")
        for i, p in enumerate(people)
        for c in (required, advanced)
        if i % 3
    )
    client = cast.client("coordinator")
    client.get(PEOPLE)  # the session's first request settles its own writes
    second = None
    for params in ({}, {"saknar": "on", "grupp": group.pk, "enhet": youth.pk}, {"sok": "person 01"}):
        with django_assert_max_num_queries(20):
            response = client.get(PEOPLE, params)
        assert response.status_code == 200
        assert len(names_in(response)) == 50
        second = second or re.search(r'efter=(\d+)" rel="next"', response.content.decode())[1]
    with django_assert_max_num_queries(20):
        response = client.get(PEOPLE, {"efter": second})
    assert names_in(response)[0] == "Person 0050"
    manager = cast.client("unit_manager")
    manager.get(PEOPLE)
    with django_assert_max_num_queries(20):
        assert len(names_in(manager.get(PEOPLE))) == 50
