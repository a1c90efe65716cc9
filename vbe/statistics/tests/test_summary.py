"""The summary tables equal a fresh count of the records after every kind of write: reporting, handling,
re-routing, a district merge, intake, hand-over, closing, purging, saves and deletes of any kind, the
demo city and the synthetic city at scale; a write that goes round them is caught here, and
``rebuild_statistics`` puts it right. Concurrent writers leave them right too (PostgreSQL)."""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from threading import Barrier, Thread

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.concerns import closure, sharing
from vbe.concerns.models import Concern, Outcome
from vbe.concerns.retention import purge_expired
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.incidents import services
from vbe.incidents.models import Category, Incident
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.incidents.tests.test_report import report
from vbe.incidents.tests.test_routing import _flagged
from vbe.organisations.models import District, Neighbourhood, Organisation
from vbe.organisations.services import merge_districts
from vbe.statistics import city, dating
from vbe.statistics.models import ConcernCount, IncidentCount, SummaryStamp

BROMMA = "80106"
RACE = pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")


def fresh() -> tuple[dict, dict]:
    """The summary as it should be, counted here record by record (not by the code under test)."""
    incidents: dict[tuple, int] = defaultdict(int)
    for i in Incident.objects.all():
        month = i.occurred_on.replace(day=1)
        neighbourhood = str(i.neighbourhood_id) if i.neighbourhood_id else ""
        for dimension, value in (
            ("month", ""),
            ("category", i.category),
            ("environment", i.environment),
            ("neighbourhood", neighbourhood),
        ):
            incidents[(month, i.district_id, dimension, value)] += 1
    concerns: dict[tuple, int] = defaultdict(int)
    for c in Concern.objects.all():
        month = timezone.localtime(c.created_at).date().replace(day=1)  # the Swedish day of receipt
        place = (c.district_id, None) if c.district_id else (None, c.organisation_id)
        for dimension, value in (("month", ""), ("environment", c.environment)):
            concerns[(month, *place, dimension, value)] += 1
    return dict(incidents), dict(concerns)


def stored() -> tuple[dict, dict]:
    incidents = {(r.month, r.district_id, r.dimension, r.value): r.n for r in IncidentCount.objects.all()}
    concerns = {
        (r.month, r.district_id, r.organisation_id, r.dimension, r.value): r.n for r in ConcernCount.objects.all()
    }
    return incidents, concerns


def assert_fresh() -> None:
    expected = fresh()
    assert any(expected), "nothing counted: the check would pass on anything"
    assert stored() == expected


def _stamp() -> int | None:
    return SummaryStamp.objects.filter(pk=1).values_list("stamp", flat=True).first()


def _district(code: str) -> District:
    return District.objects.get(code=code)


def _total(place: int, counts: city.Counts) -> int:
    return sum(n for (p, dimension, _value), n in counts.cells if p == place and dimension == city.MONTH)


def _this_year() -> tuple[city.Counts, city.Counts]:
    period = dating.calendar_year(timezone.localdate().year)
    [incidents] = city.incident_counts(period)
    [concerns] = city.concern_counts(period)
    return incidents, concerns


# --- The event track ------------------------------------------------------------------------------------


def test_reporting_an_incident_through_the_form(cast):
    client = cast.client("staff")
    neighbourhood = Neighbourhood.objects.filter(district__code=JARVA).first()
    assert report(client, neighbourhood=neighbourhood.pk).status_code == 302
    assert report(client, category=Category.THREAT, environment="islamist").status_code == 302
    assert_fresh()
    assert IncidentCount.objects.get(dimension="neighbourhood", value=str(neighbourhood.pk)).n == 1


def test_handling_and_rerouting_change_nothing_counted(cast):
    incident = _flagged(cast)  # waiting in the central queue: the central coordinator sends it on
    stamp = _stamp()
    with CaptureQueriesContext(connection) as ctx:
        services.reroute_incident(
            incident_id=incident.pk,
            actor=cast["central_coordinator"],
            lock_version=1,
            to_organisation=Organisation.objects.get(slug="sodermalm"),
        )
        services.acknowledge_incident(incident_id=incident.pk, actor=cast["coordinator_other"], lock_version=2)
    assert not [q for q in ctx.captured_queries if "statistics_" in q["sql"]]  # nothing counted was written
    assert _stamp() == stamp
    assert_fresh()


def test_saving_and_deleting_incidents_directly(cast):
    """Any save or delete, not only the services': what an incident counted as before is read from the row."""
    one, two = make_incident(reporter=cast["staff"]), make_incident(reporter=cast["staff"])
    one.category = Category.THREAT
    one.save(update_fields=["category"])
    assert_fresh()
    stale = Incident.objects.get(pk=two.pk)  # read before the other change below
    Incident.objects.filter(pk=two.pk).update(status="closed")  # nothing counted: no need to tell anyone
    stale.district = _district(SODERMALM)
    stale.occurred_on = datetime.date(2024, 2, 29)
    stale.save()  # moved in place and in time
    assert_fresh()
    Incident.objects.filter(pk=one.pk).delete()
    assert_fresh()
    two.delete()  # this instance still holds where it was before the move: the row says where it is counted
    assert stored() == fresh() == ({}, {})


def test_a_district_merge_moves_incidents_and_concerns(cast):
    jarva, bromma = _district(JARVA), _district(BROMMA)
    for _ in range(3):
        make_incident(reporter=cast["staff"], district_code=BROMMA)
    make_incident(reporter=cast["staff"])
    submit_test_concern(cast, key="observed-in-bromma", district_id=bromma.pk)
    submit_test_concern(cast, key="bromma-council", organisation="bromma")  # no district: its organisation's
    submit_test_concern(cast, key="jarva")
    incidents, concerns = _this_year()
    assert (_total(jarva.pk, incidents), _total(bromma.pk, incidents)) == (1, 3)
    assert (_total(jarva.pk, concerns), _total(bromma.pk, concerns)) == (1, 2)
    merge_districts(sources=[bromma], target=jarva, actor=None)
    assert_fresh()
    incidents, concerns = _this_year()
    assert (_total(jarva.pk, incidents), _total(bromma.pk, incidents)) == (4, 0)
    assert (_total(jarva.pk, concerns), _total(bromma.pk, concerns)) == (3, 0)


# --- The concern routine ------------------------------------------------------------------------------------


def test_intake_hand_over_closing_and_purging(cast):
    jarva, sodermalm = _district(JARVA), _district(SODERMALM)
    observed = submit_test_concern(cast, key="observed", district_id=sodermalm.pk)
    unplaced = submit_test_concern(cast, key="unplaced")  # counted under its organisation's district
    submit_test_concern(cast, key="board", organisation="utbildningsnamnden")  # a board's: in no district
    assert_fresh()
    _incidents, concerns = _this_year()
    assert (_total(jarva.pk, concerns), _total(sodermalm.pk, concerns), _total(city.NOWHERE, concerns)) == (1, 1, 1)
    stamp = _stamp()
    sharing.transfer(
        concern_id=unplaced.pk,
        actor=cast["coordinator"],
        lock_version=unplaced.lock_version,
        to_organisation=Organisation.objects.get(slug="sodermalm"),
        legal_ground="OSL",
    )
    assert _stamp() != stamp
    assert_fresh()
    _incidents, concerns = _this_year()
    assert (_total(jarva.pk, concerns), _total(sodermalm.pk, concerns), _total(city.NOWHERE, concerns)) == (0, 2, 1)
    stamp = _stamp()
    with CaptureQueriesContext(connection) as ctx:
        closure.close(concern_id=observed.pk, actor=cast["coordinator"], lock_version=1, outcome=Outcome.HANDED_OVER)
    assert not [q for q in ctx.captured_queries if "statistics_" in q["sql"]] and _stamp() == stamp
    Concern.objects.filter(pk=observed.pk).update(retain_until=timezone.localdate() - datetime.timedelta(days=1))
    assert purge_expired().purged == 1  # what statistics need stays: the counts do not change
    assert_fresh()
    Concern.objects.filter(pk=observed.pk).delete()
    assert_fresh()


# --- Writes round the summary, and putting them right ----------------------------------------------------------


def test_a_bulk_write_that_tells_nobody_is_caught_and_rebuilding_puts_it_right(cast):
    make_incident(reporter=cast["staff"])
    submit_test_concern(cast, key="k")
    assert_fresh()
    Incident.objects.update(category=Category.VIOLENCE)  # past post_save, and no signal sent
    Concern.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    assert stored() != fresh()
    call_command("rebuild_statistics", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert_fresh()


def test_the_demo_city_and_the_synthetic_city_at_scale(reference_data):
    from vbe.demo import city as demo_city
    from vbe.demo import scale

    demo_city.seed()  # incidents in bulk (telling the statistics), concerns through intake
    assert_fresh()
    scale.generate(
        scale=1,
        volumes=scale.Volumes(
            units=4,
            users=20,
            concerns=10,
            incidents=25,
            plans=4,
            measures_per_plan=1,
            log_rows=20,
            actors=10,
            meetings_per_forum=1,
        ),
    )
    assert_fresh()


# --- Concurrent writers ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@RACE
def test_reports_at_the_same_moment_are_all_counted(cast):
    """Each recount waits for the one before to commit, then sees its incident: none is lost, though all
    land in the same month and district, and each transaction stays open a moment after its recount."""
    n = 6
    barrier, errors = Barrier(n), []
    council, district = Organisation.objects.get(slug="jarva"), _district(JARVA)

    def report_one(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                Incident.objects.create(
                    reference=f"HÄN-RACE-{i}",
                    organisation=council,
                    district=district,
                    category=Category.PROPAGANDA,
                    environment="right_wing",
                    occurred_on=timezone.localdate(),
                    description="Klistermärken.",
                    submission_token=f"race-{i}",
                )
                time.sleep(0.05)
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=report_one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert_fresh()
    assert IncidentCount.objects.get(dimension="month", district=district).n == n
