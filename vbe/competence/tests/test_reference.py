"""The training reference data: the guideline's staff groups and named courses, loaded once, never
overwriting what the central coordinator has changed."""

from __future__ import annotations

import pytest

from vbe.competence.models import Course, Level, StaffGroup
from vbe.competence.reference import load_training

GUIDELINE_GROUPS = {
    "socialtjanst",
    "forskola",
    "skola",
    "vuxenutbildning",
    "fritid",
    "faltverksamhet",
    "bibliotek",
    "jobbtorg",
}
BASIC = "Stadens digitala grundutbildning om våldsbejakande extremism"

pytestmark = pytest.mark.django_db


def test_the_guideline_groups_and_a_catch_all_are_loaded(reference_data):
    assert set(StaffGroup.objects.values_list("slug", flat=True)) == GUIDELINE_GROUPS | {"ovriga"}
    assert StaffGroup.objects.get(slug="ovriga").name == "Övriga"
    # Listed in the guideline's order, the catch-all last.
    assert list(StaffGroup.objects.values_list("slug", flat=True))[0] == "socialtjanst"
    assert list(StaffGroup.objects.values_list("slug", flat=True))[-1] == "ovriga"


def test_the_basic_course_is_required_for_every_guideline_group_and_renewed_after_three_years(reference_data):
    course = Course.objects.get(title=BASIC)
    assert course.level == Level.BASIC
    assert course.validity_years == 3
    assert set(course.required_for.values_list("slug", flat=True)) == GUIDELINE_GROUPS
    assert set(course.focus_areas.values_list("number", flat=True)) == {4}
    assert course.url == ""  # no address the guideline does not give


def test_the_named_courses_are_there_with_their_providers(reference_data):
    providers = dict(Course.objects.values_list("title", "provider"))
    assert len(providers) == 7
    assert providers["CVE:s grundutbildning om våldsbejakande extremism"] == "Center mot våldsbejakande extremism (CVE)"
    assert (
        providers["Socialstyrelsens stödmaterial och utbildningspaket om våldsbejakande extremism"] == "Socialstyrelsen"
    )
    assert sum(1 for title in providers if title.startswith("Socialförvaltningens metodstöd")) == 1
    # Only the city's basic course is required of anyone.
    assert Course.objects.filter(required_for__isnull=False).distinct().count() == 1


def test_loading_again_creates_nothing(reference_data):
    groups, courses = StaffGroup.objects.count(), Course.objects.count()
    assert load_training() == {"staff_groups": 0, "courses": 0}
    assert (StaffGroup.objects.count(), Course.objects.count()) == (groups, courses)


def test_loading_again_keeps_the_coordinators_edits(reference_data):
    group = StaffGroup.objects.get(slug="fritid")
    group.name, group.description, group.is_active = "Fritidsgårdar", "Egen text", False
    group.save()
    course = Course.objects.get(title=BASIC)
    course.validity_years, course.description = 2, "Vår egen beskrivning"
    course.save()
    course.required_for.set(StaffGroup.objects.filter(slug="skola"))
    groups, courses = StaffGroup.objects.count(), Course.objects.count()

    assert load_training() == {"staff_groups": 0, "courses": 0}

    group.refresh_from_db()
    course.refresh_from_db()
    assert (group.name, group.description, group.is_active) == ("Fritidsgårdar", "Egen text", False)
    assert (course.validity_years, course.description) == (2, "Vår egen beskrivning")
    assert list(course.required_for.values_list("slug", flat=True)) == ["skola"]
    assert (StaffGroup.objects.count(), Course.objects.count()) == (groups, courses)


def test_a_course_is_recognised_by_its_title_whatever_the_case(reference_data):
    course = Course.objects.get(title=BASIC)
    course.title = BASIC.upper()
    course.save()
    assert load_training()["courses"] == 0


def test_a_missing_group_or_course_is_created_again(reference_data):
    Course.objects.get(title=BASIC).delete()
    assert load_training() == {"staff_groups": 0, "courses": 1}
    assert Course.objects.get(title=BASIC).required_for.count() == len(GUIDELINE_GROUPS)


def test_a_renamed_course_is_not_made_again(reference_data):
    course = Course.objects.get(reference_key="stadens-grundutbildning")
    course.title = "Grundkurs om våldsbejakande extremism"
    course.save(update_fields=["title"])
    assert load_training()["courses"] == 0
    assert Course.objects.get(reference_key="stadens-grundutbildning").title == "Grundkurs om våldsbejakande extremism"


def test_a_course_loaded_before_keys_existed_gets_its_key_and_nothing_else(reference_data):
    course = Course.objects.get(reference_key="cve-grundutbildning")
    Course.objects.filter(pk=course.pk).update(reference_key="", provider="Ändrad anordnare")
    assert load_training()["courses"] == 0
    course.refresh_from_db()
    assert (course.reference_key, course.provider) == ("cve-grundutbildning", "Ändrad anordnare")
