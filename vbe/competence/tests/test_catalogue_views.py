"""The catalogue's pages per role: reading, filtering without JavaScript, and the forms of the central
coordinator (error summary, what was typed kept, 400 on bad input, refusals of old pages)."""

from __future__ import annotations

import pytest

from vbe.competence.models import Course, CoverageTarget, Level, StaffGroup
from vbe.competence.views_catalogue import home_sections

pytestmark = pytest.mark.django_db

BASIC = "Stadens digitala grundutbildning om våldsbejakande extremism"
ADVANCED = "Stadens digitala fördjupningsutbildning om våldsbejakande extremism"


def _course_post(course: Course | None = None, **changes) -> dict:
    data = {
        "lock_version": course.lock_version if course else 0,
        "title": "Samtal vid oro",
        "provider": "Stockholms stad",
        "code": "",
        "level": Level.ADVANCED,
        "course_format": "larledd",
        "length_minutes": "120",
        "validity_years": "3",
        "url": "",
        "description": "Övning i samtal.",
        "required_for": [StaffGroup.objects.get(slug="fritid").pk],
        "focus_areas": [],
    }
    data.update(changes)
    return data


# --- Reading ---------------------------------------------------------------------------------------


def test_everyone_signed_in_reads_the_active_catalogue(cast):
    Course.objects.filter(title=ADVANCED).update(is_active=False)
    page = cast.client("staff").get("/utbildning/katalog/")
    assert page.status_code == 200
    text = page.content.decode()
    assert BASIC in text
    assert ADVANCED not in text
    assert "Ny utbildning" not in text  # no keeper's buttons
    assert 'class="app-table-scroll"' in text
    with_inactive = cast.client("staff").get("/utbildning/katalog/?inaktiva=1").content.decode()
    assert ADVANCED in with_inactive and "Inaktiv" in with_inactive


def test_the_filters_work_as_a_plain_get_form(cast):
    client = cast.client("coordinator")
    advanced = client.get("/utbildning/katalog/?niva=fordjupning").context["courses"]
    assert {c.level for c in advanced} == {Level.ADVANCED} and len(advanced) == 4
    social = client.get("/utbildning/katalog/?grupp=socialtjanst").context["courses"]
    assert len(social) == 7  # every named course is meant for social services
    library = {c.title for c in client.get("/utbildning/katalog/?grupp=bibliotek&niva=grund").context["courses"]}
    assert library == {BASIC, "CVE:s grundutbildning om våldsbejakande extremism"}
    assert len(client.get("/utbildning/katalog/?omrade=4").context["courses"]) == 7
    assert client.get("/utbildning/katalog/?omrade=1").context["courses"] == []


def test_a_bad_filter_is_answered_400_with_the_error(cast):
    page = cast.client("staff").get("/utbildning/katalog/?niva=expert")
    assert page.status_code == 400
    text = page.content.decode()
    assert "Det finns ett problem" in text and "Välj en av nivåerna i listan." in text
    assert BASIC in text  # the catalogue still shows


def test_the_detail_page_says_who_must_take_it_and_when_to_renew(cast):
    course = Course.objects.get(title=BASIC)
    course.url = "https://start.stockholm/"
    course.save()
    text = cast.client("staff").get(f"/utbildning/katalog/{course.pk}/").content.decode()
    assert "Utbildningen förnyas efter 3 år." in text
    for group in StaffGroup.objects.exclude(slug="ovriga"):
        assert group.name in text
    assert 'href="https://start.stockholm/"' in text
    assert "target=" not in text.split('href="https://start.stockholm/"')[1].split(">")[0]  # opens normally


def test_the_detail_page_of_a_missing_course_is_404(cast):
    assert cast.client("staff").get("/utbildning/katalog/999999/").status_code == 404


# --- Writing the catalogue ---------------------------------------------------------------------------


def test_the_central_coordinator_adds_a_course(cast):
    response = cast.client("central_coordinator").post("/utbildning/katalog/ny/", _course_post())
    course = Course.objects.get(title="Samtal vid oro")
    assert response.status_code == 302 and response["Location"] == f"/utbildning/katalog/{course.pk}/"
    assert (course.length_minutes, course.validity_years, course.format) == (120, 3, "larledd")
    assert list(course.required_for.values_list("slug", flat=True)) == ["fritid"]


def test_bad_input_shows_the_form_again_with_what_was_typed(cast):
    data = _course_post(title="", validity_years="noll", description="Min egen text")
    page = cast.client("central_coordinator").post("/utbildning/katalog/ny/", data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "Det finns ett problem" in text
    assert 'href="#id_title"' in text and "Skriv vad utbildningen heter." in text
    assert "Skriv antalet år med siffror" in text
    assert "Min egen text" in text and 'value="noll"' in text
    assert not Course.objects.filter(description="Min egen text").exists()


def test_a_duplicate_title_is_refused_on_the_page(cast):
    page = cast.client("central_coordinator").post("/utbildning/katalog/ny/", _course_post(title=BASIC.lower()))
    assert page.status_code == 400
    assert "Det finns redan en utbildning som heter" in page.content.decode()


def test_an_edit_from_an_old_page_is_refused(cast):
    course = Course.objects.get(title=BASIC)
    client = cast.client("central_coordinator")
    first = client.post(f"/utbildning/katalog/{course.pk}/andra/", _course_post(course, title="Grundkursen"))
    assert first.status_code == 302
    second = client.post(f"/utbildning/katalog/{course.pk}/andra/", _course_post(course, title="Annan"))
    assert second.status_code == 400
    assert "ändrats av någon annan" in second.content.decode()
    course.refresh_from_db()
    assert course.title == "Grundkursen"


def test_the_edit_form_shows_the_course(cast):
    course = Course.objects.get(title=BASIC)
    page = cast.client("central_coordinator").get(f"/utbildning/katalog/{course.pk}/andra/")
    assert page.status_code == 200
    assert page.context["form"]["title"].value() == BASIC
    assert page.context["form"]["lock_version"].value() == course.lock_version


@pytest.mark.parametrize("role", ["coordinator", "staff", "admin"])
def test_others_may_not_change_the_catalogue(cast, role):
    course = Course.objects.get(title=BASIC)
    client = cast.client(role)
    assert client.post("/utbildning/katalog/ny/", _course_post()).status_code == 403
    assert client.post(f"/utbildning/katalog/{course.pk}/andra/", _course_post(course)).status_code == 403
    active = {"lock_version": course.lock_version, "active": "0"}
    assert client.post(f"/utbildning/katalog/{course.pk}/aktiv/", active).status_code == 403
    assert not Course.objects.filter(title="Samtal vid oro").exists()
    assert Course.objects.get(pk=course.pk).is_active


def test_deactivating_and_activating_a_course(cast):
    course = Course.objects.get(title=BASIC)
    client = cast.client("central_coordinator")
    response = client.post(f"/utbildning/katalog/{course.pk}/aktiv/", {"lock_version": 0, "active": "0"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert not course.is_active
    page = client.get(f"/utbildning/katalog/{course.pk}/").content.decode()
    assert "Gör utbildningen aktiv igen" in page
    stale = client.post(f"/utbildning/katalog/{course.pk}/aktiv/", {"lock_version": 0, "active": "1"})
    assert stale.status_code == 400 and "ändrats av någon annan" in stale.content.decode()
    client.post(f"/utbildning/katalog/{course.pk}/aktiv/", {"lock_version": 1, "active": "1"})
    course.refresh_from_db()
    assert course.is_active


# --- Staff groups and targets --------------------------------------------------------------------------


def test_the_central_coordinator_adds_and_renames_a_staff_group(cast):
    client = cast.client("central_coordinator")
    assert "Jobbtorg Stockholm" in client.get("/utbildning/personalgrupper/").content.decode()
    created = client.post(
        "/utbildning/personalgrupper/ny/", {"lock_version": 0, "name": "Idrott", "description": "", "is_active": "1"}
    )
    assert created.status_code == 302
    group = StaffGroup.objects.get(name="Idrott")
    assert (group.slug, group.is_active) == ("idrott", True)
    edited = client.post(
        f"/utbildning/personalgrupper/{group.pk}/andra/",
        {"lock_version": 0, "name": "Idrottsanläggningar", "position": "5"},  # the box left unticked
    )
    assert edited.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.slug, group.position, group.is_active) == ("Idrottsanläggningar", "idrott", 5, False)


def test_a_staff_group_without_a_name_is_400(cast):
    page = cast.client("central_coordinator").post("/utbildning/personalgrupper/ny/", {"lock_version": 0, "name": ""})
    assert page.status_code == 400
    assert "Skriv vad personalgruppen heter." in page.content.decode()


def test_targets_are_set_on_one_form(cast):
    client = cast.client("central_coordinator")
    page = client.get("/utbildning/mal/")
    versions = page.context["form"]["versions"].value()
    assert versions == "grund:-1,fordjupning:-1"
    bad = client.post("/utbildning/mal/", {"versions": versions, "percent_grund": "120", "percent_fordjupning": ""})
    assert bad.status_code == 400
    assert "Målet ska vara mellan 0 och 100 procent." in bad.content.decode()
    assert 'value="120"' in bad.content.decode()
    good = client.post("/utbildning/mal/", {"versions": versions, "percent_grund": "90", "percent_fordjupning": "30"})
    assert good.status_code == 302
    assert dict(CoverageTarget.objects.values_list("level", "percent")) == {"grund": 90, "fordjupning": 30}
    stale = client.post("/utbildning/mal/", {"versions": versions, "percent_grund": "10", "percent_fordjupning": ""})
    assert stale.status_code == 400 and "ändrats av någon annan" in stale.content.decode()
    tampered = client.post("/utbildning/mal/", {"versions": "x", "percent_grund": "10"})
    assert tampered.status_code == 400 and "Ladda om sidan" in tampered.content.decode()


# --- The home page ---------------------------------------------------------------------------------------


def _routes(user) -> dict[str, list[tuple[str, tuple]]]:
    return {s.title: [(link.route, link.args) for link in s.links] for s in home_sections(user)}


def test_the_home_links_follow_the_users_roles(cast):
    from django.utils import timezone

    year = timezone.localdate().year
    staff = _routes(cast["staff"])
    assert staff == {"Utbildningar": [("competence:catalogue", ()), ("competence:own_list", ())]}

    central = _routes(cast["central_coordinator"])["Utbildningar"]
    assert [route for route, _args in central] == [
        "competence:catalogue",
        "competence:own_list",
        "competence:staff_groups",
        "competence:targets",
        "competence:coverage_city",
    ]

    coordinator = _routes(cast["coordinator"])
    assert coordinator["Järva stadsdelsnämnd"] == [
        ("competence:coverage_organisation", ("jarva",)),
        ("competence:people", ("jarva",)),
        ("competence:headcounts", ("jarva", year)),
        ("competence:import_start", ("jarva",)),
        ("competence:reminder_settings", ("jarva",)),
    ]
    manager = _routes(cast["unit_manager"])
    assert [route for route, _args in manager["Järva stadsdelsnämnd"]] == [
        "competence:coverage_organisation",
        "competence:people",
        "competence:headcounts",
        "competence:import_start",
    ]
    reader = _routes(cast["board_reader"])
    assert list(reader.values())[1] == [("competence:coverage_organisation", ("utbildningsnamnden",))]
    assert len(_routes(cast["caseworker"])) == 1  # no organisation of training figures


def test_the_home_links_of_this_part_resolve(cast):
    from django.urls import reverse

    own = {"competence:catalogue", "competence:staff_groups", "competence:targets", "competence:headcounts"}
    for section in home_sections(cast["central_coordinator"]) + home_sections(cast["coordinator"]):
        for link in section.links:
            if link.route in own:
                assert reverse(link.route, args=link.args).startswith("/utbildning/")


@pytest.mark.parametrize("role", ["staff", "coordinator", "central_coordinator"])
def test_the_home_page_lists_the_links(cast, role):
    page = cast.client(role).get("/utbildning/")
    assert page.status_code == 200
    assert 'href="/utbildning/katalog/"' in page.content.decode()


# --- Query bound ---------------------------------------------------------------------------------------


def test_the_catalogue_pages_keep_to_the_query_bound(cast, django_assert_max_num_queries):
    groups = list(StaffGroup.objects.all())
    made = Course.objects.bulk_create(
        Course(title=f"Kurs {i:03}", provider="Stockholms stad", level=Level.BASIC, format="digital")
        for i in range(150)
    )
    for course in made:
        course.target_groups.set(groups)
        course.required_for.set(groups[:3])
    client = cast.client("central_coordinator")
    client.get("/utbildning/")  # warm up: session, content types
    for url in ("/utbildning/", "/utbildning/katalog/", "/utbildning/katalog/?grupp=skola&niva=grund&omrade=4"):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert len(client.get("/utbildning/katalog/").context["courses"]) == 157
    for url in (f"/utbildning/katalog/{made[0].pk}/", f"/utbildning/katalog/{made[0].pk}/andra/", "/utbildning/mal/"):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
