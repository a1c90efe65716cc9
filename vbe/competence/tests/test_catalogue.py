"""The catalogue's services: courses, staff groups and coverage targets (the central coordinator's)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from vbe.audit.models import AccessLogEntry
from vbe.competence import catalogue
from vbe.competence.models import (
    Completion,
    CompletionSource,
    Course,
    CourseFormat,
    CoverageTarget,
    Learner,
    Level,
    StaffGroup,
)

pytestmark = pytest.mark.django_db


def _new_course(actor, **changes) -> Course:
    fields = {
        "title": "Samtal vid oro",
        "provider": "Stockholms stad",
        "level": Level.ADVANCED,
        "course_format": CourseFormat.CLASSROOM,
        "validity_years": 3,
    }
    fields.update(changes)
    return catalogue.save_course(actor=actor, course_id=None, lock_version=0, **fields)


def _log(action: str) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(action=action).order_by("id"))


# --- Courses -------------------------------------------------------------------------------------


def test_a_new_course_is_saved_and_logged(cast):
    school, library = StaffGroup.objects.get(slug="skola"), StaffGroup.objects.get(slug="bibliotek")
    course = _new_course(
        cast["central_coordinator"], code=" VBE-2 ", target_groups=[library], required_for=[school], length_minutes=90
    )
    assert (course.title, course.code, course.lock_version, course.length_minutes) == ("Samtal vid oro", "VBE-2", 0, 90)
    # Required for a group means meant for it too.
    assert set(course.target_groups.values_list("slug", flat=True)) == {"skola", "bibliotek"}
    assert list(course.required_for.values_list("slug", flat=True)) == ["skola"]
    [entry] = _log("course_created")
    assert (entry.object_id, entry.actor_email) == (str(course.pk), "central_coordinator@test.example")


def test_a_title_is_unique_whatever_the_case(cast):
    actor = cast["central_coordinator"]
    _new_course(actor)
    with pytest.raises(ValidationError) as refused:
        _new_course(actor, title="SAMTAL VID ORO")
    assert refused.value.messages == ["Det finns redan en utbildning som heter SAMTAL VID ORO."]
    assert Course.objects.filter(title__iexact="samtal vid oro").count() == 1


def test_a_code_is_unique(cast):
    actor = cast["central_coordinator"]
    _new_course(actor, code="K1")
    with pytest.raises(ValidationError, match="kurskoden k1"):
        _new_course(actor, title="Annan kurs", code="k1")


def test_an_edit_from_an_old_page_is_refused_and_changes_nothing(cast):
    actor = cast["central_coordinator"]
    course = _new_course(actor)
    fields = {"title": "Nytt namn", "provider": "P", "level": Level.BASIC, "course_format": CourseFormat.DIGITAL}
    catalogue.save_course(actor=actor, course_id=course.pk, lock_version=0, **fields)  # the first edit wins
    with pytest.raises(ValidationError) as refused:
        catalogue.save_course(actor=actor, course_id=course.pk, lock_version=0, **{**fields, "title": "Tredje"})
    assert "ändrats av någon annan" in refused.value.messages[0]
    assert "Ladda om sidan" in refused.value.messages[0]
    course.refresh_from_db()
    assert (course.title, course.lock_version) == ("Nytt namn", 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Skriv vad utbildningen heter."),
        ({"level": "expert"}, "Välj nivå."),
        ({"validity_years": 0}, "Giltighetstiden ska vara mellan 1 och 20 år."),
        ({"url": "javascript:alert(1)"}, "Länken ska börja med https://."),
    ],
)
def test_bad_course_data_is_refused(cast, changes, message):
    with pytest.raises(ValidationError) as refused:
        _new_course(cast["central_coordinator"], **changes)
    assert refused.value.messages == [message]


def test_only_the_central_coordinator_keeps_the_catalogue(cast):
    for role in ("coordinator", "unit_manager", "admin", "staff"):
        with pytest.raises(PermissionDenied):
            _new_course(cast[role])
    assert not Course.objects.filter(title="Samtal vid oro").exists()


def test_a_course_with_completions_is_deactivated_not_deleted(cast):
    actor = cast["central_coordinator"]
    course = _new_course(actor)
    learner = Learner.objects.create(email="anna@test.example")
    Completion.objects.create(
        learner=learner, course=course, completed_on=datetime.date(2025, 3, 3), source=CompletionSource.SELF
    )
    with pytest.raises(ProtectedError):
        course.delete()
    course = catalogue.set_course_active(actor=actor, course_id=course.pk, lock_version=0, active=False)
    assert (course.is_active, course.lock_version) == (False, 1)
    assert Completion.objects.filter(course=course).count() == 1
    assert len(_log("course_deactivated")) == 1
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        catalogue.set_course_active(actor=actor, course_id=course.pk, lock_version=0, active=True)


def test_validity_in_words():
    assert catalogue.validity_text(3) == "förnyas efter 3 år"
    assert catalogue.validity_text(None) == "gäller tills vidare"


# --- Staff groups ----------------------------------------------------------------------------------


def test_a_new_staff_group_gets_a_slug_that_never_changes(cast):
    actor = cast["central_coordinator"]
    group = catalogue.save_staff_group(actor=actor, group_id=None, lock_version=0, name="Hälso- och sjukvård")
    assert group.slug == "halso-och-sjukvard"
    assert group.position > StaffGroup.objects.get(slug="ovriga").position  # last in lists
    group = catalogue.save_staff_group(actor=actor, group_id=group.pk, lock_version=0, name="Elevhälsa")
    assert (group.name, group.slug, group.lock_version) == ("Elevhälsa", "halso-och-sjukvard", 1)
    assert len(_log("staff_group_created")) == len(_log("staff_group_changed")) == 1


def test_a_staff_group_name_is_unique_and_edits_are_versioned(cast):
    actor = cast["central_coordinator"]
    with pytest.raises(ValidationError, match="Det finns redan en personalgrupp som heter bibliotek."):
        catalogue.save_staff_group(actor=actor, group_id=None, lock_version=0, name="bibliotek")
    with pytest.raises(ValidationError, match="heter ÖVRIGA"):  # not only ASCII folds (SQLite's lower() would not)
        catalogue.save_staff_group(actor=actor, group_id=None, lock_version=0, name="ÖVRIGA")
    school = StaffGroup.objects.get(slug="skola")
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        catalogue.save_staff_group(actor=actor, group_id=school.pk, lock_version=5, name="Skolor")
    school.refresh_from_db()
    assert school.name == "Skola"


# --- Coverage targets ------------------------------------------------------------------------------


def test_targets_are_set_changed_and_removed(cast):
    actor = cast["central_coordinator"]
    absent = {Level.BASIC: catalogue.ABSENT, Level.ADVANCED: catalogue.ABSENT}
    assert catalogue.target_versions() == absent
    catalogue.set_targets(actor=actor, percents={Level.BASIC: 90, Level.ADVANCED: 25}, versions=absent)
    assert dict(CoverageTarget.objects.values_list("level", "percent")) == {Level.BASIC: 90, Level.ADVANCED: 25}
    versions = catalogue.target_versions()
    assert versions == {Level.BASIC: 0, Level.ADVANCED: 0}
    catalogue.set_targets(actor=actor, percents={Level.BASIC: 95, Level.ADVANCED: None}, versions=versions)
    assert dict(CoverageTarget.objects.values_list("level", "percent")) == {Level.BASIC: 95}
    assert CoverageTarget.objects.get(level=Level.BASIC).lock_version == 1
    assert [e.detail for e in _log("coverage_targets_changed")] == [
        "grund: 90, fordjupning: 25",
        "grund: 95, fordjupning: –",
    ]


@pytest.mark.parametrize("percent", [101, -1])
def test_a_target_outside_0_to_100_is_refused(cast, percent):
    versions = catalogue.target_versions()
    with pytest.raises(ValidationError) as refused:
        catalogue.set_targets(actor=cast["central_coordinator"], percents={Level.BASIC: percent}, versions=versions)
    assert refused.value.messages == ["Målet för grundläggande ska vara mellan 0 och 100 procent."]
    assert not CoverageTarget.objects.exists()


def test_targets_from_an_old_page_are_refused(cast):
    actor = cast["central_coordinator"]
    shown = catalogue.target_versions()
    catalogue.set_targets(actor=actor, percents={Level.BASIC: 80, Level.ADVANCED: 20}, versions=shown)
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        catalogue.set_targets(actor=actor, percents={Level.BASIC: 50, Level.ADVANCED: 20}, versions=shown)
    assert CoverageTarget.objects.get(level=Level.BASIC).percent == 80


def test_only_the_central_coordinator_sets_targets(cast):
    with pytest.raises(PermissionDenied):
        catalogue.set_targets(
            actor=cast["coordinator"], percents={Level.BASIC: 50}, versions=catalogue.target_versions()
        )
