from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from vbe.accounts.models import Membership, Role, User
from vbe.demo.city import ACCOUNTS, DEMO_PASSWORD
from vbe.organisations.models import District, Organisation, OrganisationKind, Unit


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def _seed_is_idempotent(demo, capsys):
    counts = (User.objects.count(), Membership.objects.count(), Unit.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Membership.objects.count(), Unit.objects.count()) == counts
    out = capsys.readouterr().out
    assert "units: 0, demo_accounts: 0, colleagues: 0, concerns: 0, incidents: 0, symbols: 0, plans: 0" in out
    assert "training: 0, resources: 0, contacts: 0" in out


def _every_role_has_a_demo_account(demo):
    assert {a.role for a in ACCOUNTS} == set(Role.values)
    demo_coordinators = Membership.objects.filter(role=Role.COORDINATOR, user__email__in=[a.email for a in ACCOUNTS])
    kinds = sorted(demo_coordinators.values_list("organisation__kind", flat=True))
    assert kinds == [OrganisationKind.DISTRICT_COUNCIL] * 2 + [OrganisationKind.SPECIALIST_BOARD]


def _units_in_every_district(demo):
    for district in District.objects.all():
        assert Unit.objects.filter(neighbourhood__district=district).count() >= 3, district.name


def _some_required_organisations_lack_a_coordinator_so_the_gap_shows(demo):
    without = Organisation.objects.filter(requires_coordinator=True).exclude(memberships__role=Role.COORDINATOR)
    assert set(without.values_list("slug", flat=True)) == {"skarholmen", "sisab"}


def _demo_data_holds_no_personnummer(demo):
    pnr = re.compile(r"\d{6,8}[-+]?\d{4}")
    for user in User.objects.all():
        assert not pnr.search(user.full_name + user.email)


def _each_demo_account_signs_in_and_sees_its_start_page(demo):
    for account in ACCOUNTS:
        client = Client()  # demo mode: no second factor
        response = client.post("/logga-in/", {"email": account.email, "password": DEMO_PASSWORD})
        assert response["Location"] == "/", account.email
        assert client.get("/").status_code == 200
        assert client.get("/riktlinjer/mitt-uppdrag/").status_code == 200


def test_demo_refuses_to_run_without_reference_data(transactional_db):
    from django.core.management import CommandError

    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="referensdata"):
        call_command("seed_demo")


def _concerns_in_every_state_for_two_councils_and_a_board(demo):
    from vbe.concerns.models import Concern, State

    for slug in ("jarva", "sodermalm", "utbildningsnamnden"):
        states = set(Concern.objects.filter(organisation__slug=slug).values_list("state", flat=True))
        assert states == set(State.values), slug


def _demo_personnummer_come_from_the_test_list(demo):
    from pathlib import Path

    from django.conf import settings

    from vbe.concerns.models import Concern

    allowed = set(
        (Path(settings.BASE_DIR) / "data" / "stockholm" / "skatteverket-testpersonnummer.csv").read_text().split()
    )
    numbers = [c.person_pnr for c in Concern.objects.exclude(person_pnr_index="")]
    assert numbers and set(numbers) <= allowed


def _plans_in_every_state_with_the_planned_gaps(demo):
    from django.utils import timezone

    from vbe.plans.models import Plan, PlanState

    year = timezone.localdate().year
    assert set(Plan.objects.values_list("state", flat=True)) == set(PlanState.values)
    assert Plan.objects.get(organisation__slug="skarholmen", year=year).state == PlanState.DRAFT
    assert not Plan.objects.filter(organisation__slug="idrottsnamnden", measures__follow_ups__year=year - 1).exists()
    focus_numbers = set(Plan.objects.values_list("measures__focus_area__number", flat=True))
    assert focus_numbers >= {1, 2, 3, 4, 5, 6, 7}


CHECKS = [
    _every_role_has_a_demo_account,
    _units_in_every_district,
    _some_required_organisations_lack_a_coordinator_so_the_gap_shows,
    _demo_data_holds_no_personnummer,
    _concerns_in_every_state_for_two_councils_and_a_board,
    _demo_personnummer_come_from_the_test_list,
    _plans_in_every_state_with_the_planned_gaps,
]


@override_settings(MFA_REQUIRED=False)
def test_demo_city(demo, capsys):
    """One seeding (it takes seconds) checked from every side, then seeded again: nothing changes."""
    for check in CHECKS:
        check(demo)
    _each_demo_account_signs_in_and_sees_its_start_page(demo)
    _seed_is_idempotent(demo, capsys)
