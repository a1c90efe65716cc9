from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vbe.core.personnummer import contains_personnummer
from vbe.incidents.demo import DEMO_TOKEN_PREFIX, seed_incidents
from vbe.incidents.models import Incident, Status, StatusChange
from vbe.organisations.models import District


def test_demo_incidents_cover_every_district_and_three_years(cast):
    assert seed_incidents(count=120, seed=7) == 120
    incidents = Incident.objects.all()
    assert incidents.count() == 120
    assert set(incidents.values_list("district", flat=True)) == set(District.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    dates = list(incidents.values_list("occurred_on", flat=True))
    assert max(dates) <= today and min(dates) >= today - timedelta(days=3 * 365)
    assert min(dates) < today - timedelta(days=365)  # more than one year of history
    assert len(set(incidents.values_list("category", flat=True))) >= 5
    assert all(i.organisation.district_id == i.district_id for i in incidents.select_related("organisation"))
    assert all(i.created_at <= timezone.now() for i in incidents)
    assert incidents.filter(status=Status.CLOSED).exists() and incidents.filter(status=Status.NEW).exists()
    assert (
        StatusChange.objects.filter(to_status=Status.CLOSED).count() == incidents.filter(status=Status.CLOSED).count()
    )
    references = list(incidents.values_list("reference", flat=True))
    assert len(set(references)) == 120 and all(r.startswith("HÄN-") for r in references)


def test_demo_incidents_hold_no_personal_data(cast):
    seed_incidents(count=60)
    for incident in Incident.objects.all():
        assert not contains_personnummer(incident.description + " " + incident.place_description)
        assert not any(ch.isdigit() for ch in incident.description + incident.place_description)
    assert not any(c for c in StatusChange.objects.values_list("comment", flat=True) if contains_personnummer(c))


def test_seeding_is_idempotent(cast):
    assert seed_incidents(count=30) == 30
    assert seed_incidents(count=30) == 0
    assert Incident.objects.filter(submission_token__startswith=DEMO_TOKEN_PREFIX).count() == 30


def test_new_reports_after_the_demo_continue_the_numbering(cast):
    seed_incidents(count=30)
    from vbe.incidents.tests.factories import make_incident

    incident = make_incident(reporter=cast["staff"])
    this_year = [r for r in Incident.objects.values_list("reference", flat=True) if r != incident.reference]
    assert incident.reference not in this_year
    assert incident.reference > max((r for r in this_year if r[4:8] == incident.reference[4:8]), default="")
