"""The incident handling services' guards asked directly (vbe.incidents.services), not through the status
page whose form checks some of the same: a comment is free text that must not carry a personnummer, a
closing needs one, a status goes only where the process allows, and the step names who took it."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import services
from vbe.incidents.models import Category, Incident, Status, StatusChange
from vbe.incidents.tests.factories import JARVA, make_incident
from vbe.incidents.tests.test_report import skatteverket_numbers
from vbe.organisations.models import District, Organisation


@pytest.fixture
def incident(cast) -> Incident:
    return make_incident(reporter=cast["staff"])


def _state(incident: Incident) -> tuple:
    fresh = Incident.objects.get(pk=incident.pk)
    return fresh.status, fresh.lock_version, StatusChange.objects.filter(incident=incident).count()


@pytest.mark.parametrize("step", [services.acknowledge_incident, services.close_incident])
def test_a_comment_carrying_a_personnummer_is_refused_by_the_service(cast, incident, step):
    before = _state(incident)
    with pytest.raises(ValidationError, match="personnummer"):
        step(
            actor=cast["coordinator"],
            incident_id=incident.pk,
            lock_version=1,
            comment=f"Gäller {skatteverket_numbers()[0]}",
        )
    assert _state(incident) == before


def test_closing_without_a_comment_is_refused_with_a_reason(cast, incident):
    with pytest.raises(ValidationError) as refused:
        services.close_incident(actor=cast["coordinator"], incident_id=incident.pk, lock_version=1, comment="  ")
    assert refused.value.messages == ["Skriv en kommentar om varför händelsen avslutas."]
    assert refused.value.code == "comment_required"
    assert Incident.objects.get(pk=incident.pk).status == Status.NEW


def test_a_closed_incident_goes_nowhere(cast, incident):
    services.close_incident(actor=cast["coordinator"], incident_id=incident.pk, lock_version=1, comment="Sanerat.")
    before = _state(incident)
    for step in (services.acknowledge_incident, services.close_incident):
        with pytest.raises(ValidationError) as refused:
            step(actor=cast["coordinator"], incident_id=incident.pk, lock_version=2, comment="Igen")
        assert refused.value.code == "wrong_state"
    assert _state(incident) == before


def test_each_step_names_who_took_it_in_the_history_and_the_log(cast, incident):
    coordinator = cast["coordinator"]
    services.acknowledge_incident(actor=coordinator, incident_id=incident.pk, lock_version=1, comment="Vi tittar.")
    services.close_incident(actor=coordinator, incident_id=incident.pk, lock_version=2, comment="Sanerat.")
    steps = list(StatusChange.objects.filter(incident=incident).order_by("pk"))
    assert [(s.from_status, s.to_status, s.changed_by_id) for s in steps] == [
        (Status.NEW, Status.ACKNOWLEDGED, coordinator.pk),
        (Status.ACKNOWLEDGED, Status.CLOSED, coordinator.pk),
    ]
    assert [s.comment for s in steps] == ["Vi tittar.", "Sanerat."]
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.status, fresh.lock_version) == (Status.CLOSED, 3)
    logged = AccessLogEntry.objects.filter(object_id=str(incident.pk), actor_id=coordinator.pk)
    details = [e.detail for e in logged]
    assert any(f"{Status.NEW} → {Status.ACKNOWLEDGED}" in d for d in details)
    assert any(f"{Status.ACKNOWLEDGED} → {Status.CLOSED}" in d for d in details)


# --- A report is checked by the service whoever calls it ----------------------------------------------


def _report(cast, **overrides):
    values = {
        "reporter": cast["staff"],
        "reporter_organisation": Organisation.objects.get(slug="jarva"),
        "district": District.objects.get(code=JARVA),
        "category": Category.PROPAGANDA,
        "environment": Environment.RIGHT_WING,
        "occurred_on": timezone.localdate(),
        "description": "Klistermärken på en busskur.",
        "submission_token": secrets.token_hex(16),
        **overrides,
    }
    return services.report_incident(**values)


@pytest.mark.parametrize(
    "overrides",
    [
        {"category": "bomb"},  # not in the list, the environment is
        {"environment": "elsewhere"},  # and the other way round
        {"description": f"Gäller {skatteverket_numbers()[1]}"},
        {"place_description": f"Hos {skatteverket_numbers()[2]}"},
        {"occurred_on": timezone.localdate() + datetime.timedelta(days=1)},
        {"reporter_organisation": "sodermalm"},  # not the reporter's own
    ],
)
def test_a_report_is_refused_by_the_service_and_nothing_is_stored(cast, overrides):
    if overrides.get("reporter_organisation") == "sodermalm":
        overrides = {"reporter_organisation": Organisation.objects.get(slug="sodermalm")}
    with pytest.raises(ValidationError):
        _report(cast, **overrides)
    assert not Incident.objects.exists()


def test_the_same_form_token_from_another_reporter_is_another_incident(cast):
    token = secrets.token_hex(16)
    first, created = _report(cast, submission_token=token)
    assert created and _report(cast, submission_token=token) == (first, False)
    other, created = _report(
        cast, reporter=cast["unit_manager"], submission_token=token, description="En annan iakttagelse."
    )
    assert created and other.pk != first.pk and Incident.objects.count() == 2
