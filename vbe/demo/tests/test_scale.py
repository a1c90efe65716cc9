"""The synthetic city at scale (vbe/demo/scale.py), built with small volumes: the same code as scale 10."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max, Min
from django.test import override_settings
from django.utils import timezone

from vbe.accounts.models import User
from vbe.audit.log import verify_log
from vbe.audit.models import AccessLogEntry
from vbe.concerns import intake as concern_intake
from vbe.concerns.models import Concern, Event
from vbe.core import sequences
from vbe.demo import city, scale
from vbe.incidents.models import Incident, IncidentIntake
from vbe.plans.models import Measure, Plan

SMALL = scale.Volumes(
    units=6,
    users=40,
    concerns=12,
    incidents=30,
    plans=20,
    measures_per_plan=2,
    log_rows=120,
    actors=10,
    meetings_per_forum=1,
)


def _fingerprint() -> dict[str, object]:
    """What a city-year consists of, independent of ids."""
    scaled = Concern.objects.filter(idempotency_key__startswith="scale-")
    return {
        "users": sorted(
            User.objects.filter(email__endswith=f"@{scale.SCALE_DOMAIN}").values_list("email", "full_name")
        ),
        "concerns": sorted((c.idempotency_key, c.state, c.observation, c.organisation_id) for c in scaled),
        "incidents": sorted(
            Incident.objects.filter(submission_token__startswith="scale-").values_list(
                "submission_token", "district_id", "category", "status"
            )
        ),
        "log_actions": sorted(AccessLogEntry.objects.values_list("action", "actor_email")),
    }


@pytest.fixture
def demo_city(reference_data):
    city.seed()


def _each_year_adds_its_volumes_and_every_concern_has_its_chronology(before):
    assert User.objects.count() - before["users"] == 2 * SMALL.users
    assert Concern.objects.count() - before["concerns"] == 2 * SMALL.concerns
    assert Incident.objects.filter(submission_token__startswith="scale-").count() == 2 * SMALL.incidents
    assert AccessLogEntry.objects.count() - before["log"] == 2 * SMALL.log_rows
    # Every synthetic account has a membership, and none can sign in.
    synthetic = User.objects.filter(email__endswith=f"@{scale.SCALE_DOMAIN}")
    assert not synthetic.exclude(memberships__isnull=False).exists()
    assert not any(user.has_usable_password() for user in synthetic)
    # What the services would have written beside each row.
    scaled = Concern.objects.filter(idempotency_key__startswith="scale-")
    assert Event.objects.filter(concern__in=scaled, kind="submitted").count() == scaled.count()
    assert IncidentIntake.objects.filter(incident__submission_token__startswith="scale-").count() == 2 * SMALL.incidents
    assert Measure.objects.filter(plan__in=Plan.objects.filter(minute_reference__startswith="§")).exists()


def _rows_carry_the_dates_of_their_year(before):
    now, slack = timezone.now(), datetime.timedelta(minutes=5)  # the run's own "now" came a moment earlier
    for number in (1, 2):
        year = scale.Year.of(number, now)
        for rows in (
            Concern.objects.filter(idempotency_key__startswith=f"scale-{number}-"),
            Incident.objects.filter(submission_token__startswith=f"scale-{number}-"),
        ):
            span = rows.aggregate(first=Min("created_at"), last=Max("created_at"))
            assert year.start - slack <= span["first"] <= span["last"] <= year.end, (number, span)


def _the_access_log_continues_the_real_chain(before):
    verification = verify_log(anchors=[])
    assert verification.broken is None
    assert verification.checked == AccessLogEntry.objects.count()


def _a_second_run_adds_nothing(before):
    counts = (User.objects.count(), Concern.objects.count(), Incident.objects.count(), AccessLogEntry.objects.count())
    added = scale.generate(scale=2, volumes=SMALL)
    assert added["years"] == 0
    assert (
        User.objects.count(),
        Concern.objects.count(),
        Incident.objects.count(),
        AccessLogEntry.objects.count(),
    ) == counts


def _reference_numbers_come_from_the_portals_counters(before):
    year = timezone.localdate().year
    references = set(Concern.objects.values_list("reference", flat=True))
    assert len(references) == Concern.objects.count()
    # The next real report gets a number nobody has.
    following = sequences.allocate(prefix=concern_intake.REFERENCE_PREFIX, year=year)[0]
    assert following not in references


def _personnummer_come_only_from_the_test_list(before):
    allowed = set(
        (Path(settings.BASE_DIR) / "data" / "stockholm" / "skatteverket-testpersonnummer.csv").read_text().split()
    )
    numbers = {
        c.person_pnr for c in Concern.objects.filter(idempotency_key__startswith="scale-").exclude(person_pnr="")
    }
    assert numbers and numbers <= allowed


class _Undo(Exception):
    pass


def _the_logs_ids_follow_time_in_a_city_built_at_once(before):
    added = AccessLogEntry.objects.filter(id__gt=before["log_last_id"]).order_by("id")
    times = list(added.values_list("created_at", flat=True))
    assert len(times) == 2 * SMALL.log_rows
    assert times == sorted(times)


CHECKS = [
    _the_logs_ids_follow_time_in_a_city_built_at_once,
    _each_year_adds_its_volumes_and_every_concern_has_its_chronology,
    _rows_carry_the_dates_of_their_year,
    _the_access_log_continues_the_real_chain,
    _reference_numbers_come_from_the_portals_counters,
    _personnummer_come_only_from_the_test_list,
    _a_second_run_adds_nothing,  # last: it generates again
]


def test_a_city_of_two_years_grown_or_built_at_once(demo_city):
    """One city (building takes a while), checked from every side. Grown from one year to two inside a
    savepoint, then rolled back and built at once: both give the same rows."""
    before = {"users": User.objects.count(), "concerns": Concern.objects.count(), "log": AccessLogEntry.objects.count()}
    before["log_last_id"] = AccessLogEntry.objects.aggregate(m=Max("id"))["m"] or 0
    try:
        with transaction.atomic():
            assert scale.generate(scale=1, volumes=SMALL)["years"] == 1
            assert scale.generate(scale=2, volumes=SMALL)["years"] == 1
            grown = _fingerprint()
            raise _Undo
    except _Undo:
        pass
    assert scale.years_present() == set()
    added = scale.generate(scale=2, volumes=SMALL)
    assert added["years"] == 2 and added["users"] == 2 * SMALL.users
    assert _fingerprint() == grown
    assert scale.years_present() == {1, 2}
    for check in CHECKS:
        check(before)


@override_settings(VBE_ENV="production")
def test_refused_outside_demo_and_test(reference_data):
    users = User.objects.count()
    with pytest.raises(CommandError, match="demo- eller testläge"):
        call_command("generate_scale", "--scale", "1")
    assert User.objects.count() == users


@pytest.mark.parametrize("arguments", [["--scale", "0"], ["--scale", "51"], ["--scale", "1", "--log-rows", "-1"]])
def test_bad_arguments_change_nothing(reference_data, arguments):
    users = User.objects.count()
    with pytest.raises(CommandError, match="Inget har ändrats"):
        call_command("generate_scale", *arguments)
    assert User.objects.count() == users
