from __future__ import annotations

import datetime

import pytest

from vbe.concerns import intake
from vbe.organisations.models import Organisation

TEST_PNR = "199002252386"  # from data/stockholm/skatteverket-testpersonnummer.csv


@pytest.fixture
def report_data():
    return {
        "idempotency_key": "form-1",
        "observation": "Eleven visade en film som hyllar ett attentat och sa att fler borde göra så.",
        "observed_on": "2026-11-20",
        "district": "",
        "unit": "",
        "concerns_child": "yes",
        "child_report_made": "no",
        "organisation": str(Organisation.objects.get(slug="jarva").pk),
        "person_name": "Testperson Testsson",
        "person_pnr": "19900225-2386",
        "person_contact": "Testgatan 1, 123 45 Stockholm",
    }


def submit_test_concern(cast, key: str = "k1", organisation: str = "jarva", **extra):
    """A concern from Järva's staff member, through the service (as the view does)."""
    jarva = Organisation.objects.get(slug="jarva")
    return intake.submit_concern(
        reporter=cast["staff"],
        reporter_organisation=jarva,
        organisation=Organisation.objects.get(slug=organisation),
        idempotency_key=key,
        observation="Observerat beteende",
        observed_on=datetime.date(2026, 11, 1),
        person_name="Testperson Testsson",
        person_pnr=TEST_PNR,
        **{"concerns_child": "no", "child_report_made": "unknown", **extra},
    )


@pytest.fixture
def make_concern(cast):
    return lambda key="k1", organisation="jarva", **extra: submit_test_concern(cast, key, organisation, **extra)
