"""The status report's services, asked directly: only a central coordinator writes, checked under the
row lock, and every write compares the version the user saw."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.audit.models import AccessLogEntry
from vbe.reports import services
from vbe.reports.models import StatusReport

TEXTS = {"summary": "Kort.", "analysis": "Analys.", "conclusions": "Slutsats."}


@pytest.fixture
def report(cast) -> StatusReport:
    return services.create_draft(actor=cast["central_coordinator"], year=2025)


@pytest.mark.parametrize("role", ["coordinator", "admin", "auditor"])
def test_only_a_central_coordinator_writes_the_report(cast, report, role):
    actor = cast[role]
    with pytest.raises(PermissionDenied):
        services.create_draft(actor=actor, year=2027)
    with pytest.raises(PermissionDenied):
        services.update_narrative(actor=actor, year=2025, lock_version=report.lock_version, sections=TEXTS)
    with pytest.raises(PermissionDenied):
        services.finalise(actor=actor, year=2025, lock_version=report.lock_version)
    fresh = StatusReport.objects.get()
    assert (fresh.year, fresh.lock_version, fresh.summary) == (2025, report.lock_version, "")
    assert AccessLogEntry.objects.filter(action__startswith="status_report_").count() == 1  # the creation


def test_a_stale_version_is_refused_by_every_write(cast, report):
    actor = cast["central_coordinator"]
    stale = report.lock_version
    services.update_narrative(actor=actor, year=2025, lock_version=stale, sections=TEXTS)
    for write in (
        lambda: services.update_narrative(actor=actor, year=2025, lock_version=stale, sections={"summary": "Min"}),
        lambda: services.finalise(actor=actor, year=2025, lock_version=stale),
        lambda: services.reopen(actor=actor, year=2025, lock_version=stale),
    ):
        with pytest.raises(ValidationError) as refused:
            write()
        assert refused.value.messages == [services.STALE]
    fresh = StatusReport.objects.get()
    assert (fresh.lock_version, fresh.summary, fresh.is_final) == (stale + 1, "Kort.", False)
