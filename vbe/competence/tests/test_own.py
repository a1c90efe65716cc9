"""One's own trainings: registering (idempotent, dates checked), the own record with its states and the
required courses one lacks, the link to an imported learner by e-mail, and removing."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.competence import own
from vbe.competence.models import Completion, CompletionSource, Course, Learner, Placement, StaffGroup
from vbe.organisations.models import Organisation, Unit


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Certificates go to a fresh directory per test, never into the project's var/."""
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads" / "certificates"


def make_group(slug: str = "fritid", name: str = "Fritid") -> StaffGroup:
    return StaffGroup.objects.get_or_create(slug=f"test-{slug}", defaults={"name": f"Test {name}"})[0]


def make_course(title: str = "Testkurs grund", level: str = "grund", validity_years: int | None = 3, **extra) -> Course:
    return Course.objects.create(
        title=title, provider="Testanordnare", level=level, format="digital", validity_years=validity_years, **extra
    )


def unit(name: str = "Testfritidsgården", organisation: str = "jarva") -> Unit:
    return Unit.objects.get_or_create(
        organisation=Organisation.objects.get(slug=organisation), name=name, defaults={"kind": "youth_centre"}
    )[0]


def date_fields(day: datetime.date | tuple[str, str, str], name: str = "completed_on") -> dict[str, str]:
    parts = (str(day.day), str(day.month), str(day.year)) if isinstance(day, datetime.date) else day
    return dict(zip((f"{name}-day", f"{name}-month", f"{name}-year"), parts, strict=True))


def today() -> datetime.date:
    return timezone.localdate()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The rules of validity, by hand ----------------------------------------------------------------


def test_standing_counts_to_the_day_before_the_anniversary_and_warns_in_the_last_60_days():
    course = Course(validity_years=3)
    taken = datetime.date(2023, 3, 1)  # valid until 2026-02-28
    assert course.valid_until(taken) == datetime.date(2026, 2, 28)
    assert own.standing(course, taken, datetime.date(2025, 12, 29)) is own.Standing.VALID  # 61 days left
    assert own.standing(course, taken, datetime.date(2025, 12, 30)) is own.Standing.EXPIRING  # 60 days left
    assert own.standing(course, taken, datetime.date(2026, 2, 28)) is own.Standing.EXPIRING
    assert own.standing(course, taken, datetime.date(2026, 3, 1)) is own.Standing.EXPIRED
    assert own.standing(Course(validity_years=None), datetime.date(2001, 1, 1), datetime.date(2026, 1, 1)) == "giltig"


def test_earliest_valid_day_is_the_first_completion_that_still_counts():
    course = Course(validity_years=3)
    assert course.earliest_valid(datetime.date(2026, 3, 1)) == datetime.date(2023, 3, 2)
    assert course.earliest_valid(datetime.date(2026, 2, 28)) == datetime.date(2023, 3, 1)
    leap = Course(validity_years=1)
    # 29 February 2024 + 1 year is 28 February 2025, so it counts until 27 February 2025.
    assert leap.valid_until(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 27)
    assert leap.earliest_valid(datetime.date(2025, 2, 27)) == datetime.date(2024, 2, 28)
    assert Course(validity_years=None).earliest_valid(datetime.date(2026, 1, 1)) is None


# --- Registering ---------------------------------------------------------------------------------------


def test_first_registration_creates_the_learner_placement_and_completion(cast):
    course, group = make_course(), make_group()
    client = cast.client("staff")
    page = client.get("/utbildning/mina/ny/")
    assert page.status_code == 200
    home = unit()
    assert f'<option value="{home.pk}" selected>' in page.content.decode()  # the membership's unit
    day = datetime.date(2025, 3, 27)
    response = client.post(
        "/utbildning/mina/ny/",
        {"course": course.pk, **date_fields(day), "unit": home.pk, "staff_group": group.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == "/utbildning/mina/"
    learner = Learner.objects.get(user=cast["staff"])
    assert learner.email == "staff@test.example"
    assert learner.name == cast["staff"].full_name
    assert list(Placement.objects.filter(learner=learner).values_list("unit_id", "staff_group_id")) == [
        (home.pk, group.pk)
    ]
    completion = Completion.objects.get(learner=learner)
    assert (completion.course, completion.completed_on, completion.source) == (course, day, CompletionSource.SELF)
    assert completion.registered_by == cast["staff"]
    assert messages_of(response) == ["Testkurs grund den 27 mars 2025 är registrerad."]
    rows = AccessLogEntry.objects.filter(action="training_completion_registered")
    assert [(r.object_id, r.subject_ref) for r in rows] == [(str(completion.pk), f"learner:{learner.pk}")]


def test_registering_the_same_course_and_day_again_changes_nothing_and_says_so(cast):
    course, group = make_course(), make_group()
    client = cast.client("staff")
    data = {"course": course.pk, **date_fields(datetime.date(2025, 3, 27)), "unit": unit().pk, "staff_group": group.pk}
    client.post("/utbildning/mina/ny/", data)
    page = client.get("/utbildning/mina/ny/")
    assert 'name="unit"' not in page.content.decode()  # placed now: not asked again
    again = client.post("/utbildning/mina/ny/", {"course": course.pk, **date_fields(datetime.date(2025, 3, 27))})
    assert again.status_code == 302
    assert messages_of(again) == ["Testkurs grund den 27 mars 2025 finns redan i din registrering. Inget ändrades."]
    assert Completion.objects.count() == 1
    assert Placement.objects.count() == 1
    assert AccessLogEntry.objects.filter(action="training_completion_registered").count() == 1


def test_a_future_date_is_refused_with_what_was_typed_kept(cast):
    course, group = make_course(), make_group()
    tomorrow = today() + datetime.timedelta(days=1)
    response = cast.client("staff").post(
        "/utbildning/mina/ny/",
        {"course": course.pk, **date_fields(tomorrow), "unit": unit().pk, "staff_group": group.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Datumet kan inte ligga i framtiden." in html
    assert 'class="govuk-error-summary"' in html and 'href="#id_completed_on"' in html
    assert f'name="completed_on-day" type="text" inputmode="numeric" value="{tomorrow.day}"' in html
    assert f'name="completed_on-year" type="text" inputmode="numeric" value="{tomorrow.year}"' in html
    assert f'<option value="{course.pk}" selected>' in html
    assert not Completion.objects.exists() and not Learner.objects.exists()


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("31", "12", "1999"), "Datumet kan inte vara före år 2000."),
        (("30", "2", "2024"), "Ange ett riktigt datum"),
        (("", "3", "2024"), "Datumet måste innehålla dag, månad och år."),
        (("", "", ""), "Ange dag, månad och år."),
        (("1", "mars", "2024"), "Ange ett riktigt datum"),
    ],
)
def test_bad_dates_are_refused(cast, parts, message):
    course, group = make_course(), make_group()
    response = cast.client("staff").post(
        "/utbildning/mina/ny/", {"course": course.pk, **date_fields(parts), "unit": unit().pk, "staff_group": group.pk}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Completion.objects.exists()


def test_an_inactive_course_or_a_unit_of_another_organisation_is_refused(cast):
    course, group = make_course(), make_group()
    retired = make_course("Gammal kurs", is_active=False)
    other = unit("Testskolan", "sodermalm")
    client = cast.client("staff")
    day = date_fields(datetime.date(2025, 1, 10))
    response = client.post(
        "/utbildning/mina/ny/", {"course": retired.pk, **day, "unit": unit().pk, "staff_group": group.pk}
    )
    assert response.status_code == 400
    response = client.post(
        "/utbildning/mina/ny/", {"course": course.pk, **day, "unit": other.pk, "staff_group": group.pk}
    )
    assert response.status_code == 400
    assert "Välj en av verksamheterna i listan." in response.content.decode()
    assert not Completion.objects.exists()


# --- The own record --------------------------------------------------------------------------------


def test_an_imported_learner_with_my_email_is_me(cast):
    course = make_course()
    imported = Learner.objects.create(email="staff@test.example", employee_number="A-1")
    Completion.objects.create(
        learner=imported, course=course, completed_on=datetime.date(2025, 1, 15), source=CompletionSource.IMPORT
    )
    client = cast.client("staff")
    page = client.get("/utbildning/mina/").content.decode()
    assert "Testkurs grund" in page and "2025-01-15" in page
    assert Learner.objects.get(pk=imported.pk).user is None  # reading links nothing
    other = make_course("Annan kurs")
    client.post(
        "/utbildning/mina/ny/",
        {
            "course": other.pk,
            **date_fields(datetime.date(2025, 2, 1)),
            "unit": unit().pk,
            "staff_group": make_group().pk,
        },
    )
    imported.refresh_from_db()
    assert imported.user == cast["staff"]
    assert imported.name == cast["staff"].full_name
    assert Learner.objects.count() == 1
    assert imported.completions.count() == 2


def test_a_learner_linked_to_another_account_is_not_taken_over(cast):
    Learner.objects.create(email="staff@test.example", user=cast["caseworker"])
    response = cast.client("staff").post(
        "/utbildning/mina/ny/",
        {
            "course": make_course().pk,
            **date_fields(datetime.date(2025, 2, 1)),
            "unit": unit().pk,
            "staff_group": make_group().pk,
        },
    )
    assert response.status_code == 400
    assert "hör till en annan deltagare" in response.content.decode()
    assert not Completion.objects.exists()


def test_own_list_shows_states_valid_until_and_the_required_courses_lacking(cast):
    group = make_group()
    now = today()
    basic = make_course("Grundkurs", validity_years=3)
    advanced = make_course("Fördjupningskurs", level="fordjupning", validity_years=None)
    renewed = make_course("Förnyas snart", validity_years=3)
    lapsed = make_course("Har gått ut", validity_years=1)
    never = make_course("Aldrig gått", validity_years=2)
    for required in (basic, renewed, lapsed, never):
        required.required_for.add(group)
    learner = Learner.objects.create(email="staff@test.example", user=cast["staff"])
    Placement.objects.create(learner=learner, unit=unit(), staff_group=group)

    def years_ago(n: int, plus_days: int = 0) -> datetime.date:
        return (now.replace(day=1) if now.month == 2 and now.day == 29 else now).replace(
            year=now.year - n
        ) + datetime.timedelta(days=plus_days)

    done = {
        basic: years_ago(1),  # valid two more years
        advanced: years_ago(10),  # never expires
        renewed: years_ago(3, 30),  # valid until 29 days from now
        lapsed: years_ago(2),  # expired a year ago
    }
    for course, day in done.items():
        Completion.objects.create(learner=learner, course=course, completed_on=day, source=CompletionSource.SELF)
    record = own.own_record(cast["staff"], now)
    states = {row.completion.course.title: row.standing for row in record.rows}
    assert states == {
        "Grundkurs": own.Standing.VALID,
        "Fördjupningskurs": own.Standing.VALID,
        "Förnyas snart": own.Standing.EXPIRING,
        "Har gått ut": own.Standing.EXPIRED,
    }
    assert [(m.course.title, m.expired_on) for m in record.missing] == [
        ("Aldrig gått", None),
        ("Har gått ut", lapsed.valid_until(done[lapsed])),
    ]
    html = cast.client("staff").get("/utbildning/mina/").content.decode()
    assert "gäller tills vidare" in html
    until = renewed.valid_until(done[renewed])
    assert f"{until.day} " in html and "går ut inom 60 dagar" in html and "har gått ut" in html
    assert "Test Fritid" in html and "Testfritidsgården" in html  # the placement


# --- Removing ------------------------------------------------------------------------------------------


def test_remove_own_self_registered_completion_but_not_an_imported_one(cast):
    learner = Learner.objects.create(email="staff@test.example", user=cast["staff"])
    mine = Completion.objects.create(
        learner=learner, course=make_course(), completed_on=datetime.date(2025, 1, 1), source=CompletionSource.SELF
    )
    imported = Completion.objects.create(
        learner=learner, course=make_course("Importerad"), completed_on=datetime.date(2025, 1, 1), source="import"
    )
    client = cast.client("staff")
    refused = client.post(f"/utbildning/mina/{imported.pk}/ta-bort/")
    assert refused.status_code == 302
    assert "Importerad kan inte tas bort här" in messages_of(refused)[0]
    assert Completion.objects.filter(pk=imported.pk).exists()
    removed = client.post(f"/utbildning/mina/{mine.pk}/ta-bort/")
    assert messages_of(removed)[-1] == "Testkurs grund den 1 januari 2025 är borttagen."
    assert not Completion.objects.filter(pk=mine.pk).exists()
    assert AccessLogEntry.objects.filter(action="training_completion_removed", object_id=str(mine.pk)).count() == 1


def test_nobody_removes_another_persons_completion(cast):
    learner = Learner.objects.create(email="someone@test.example")
    theirs = Completion.objects.create(
        learner=learner, course=make_course(), completed_on=datetime.date(2025, 1, 1), source=CompletionSource.SELF
    )
    for role in ("staff", "coordinator", "central_coordinator"):
        assert cast.client(role).post(f"/utbildning/mina/{theirs.pk}/ta-bort/").status_code == 404
    assert cast.client("staff").get(f"/utbildning/mina/{theirs.pk}/ta-bort/").status_code == 405
    assert Completion.objects.filter(pk=theirs.pk).exists()
