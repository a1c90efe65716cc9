"""The fixed test cast: one named user per role, on top of Stockholm's reference data.

Reference data is loaded once into the test database. Transactional tests (the browser tests) get a
flushed database, so they load it again through ``reference_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from vbe.accounts import services
from vbe.accounts.models import Membership, Role, User
from vbe.organisations.models import Organisation, Unit, UnitKind

PASSWORD = "test-losenord-123"


@dataclass(frozen=True)
class Member:
    role: str
    organisation: str  # slug
    unit: str = ""


# name -> (role, organisation slug, unit). The matrix test and the browser tests iterate this.
CAST: dict[str, Member] = {
    "staff": Member(Role.STAFF, "jarva", "Testfritidsgården"),
    "unit_manager": Member(Role.UNIT_MANAGER, "jarva", "Testfritidsgården"),
    "coordinator": Member(Role.COORDINATOR, "jarva"),
    "coordinator_other": Member(Role.COORDINATOR, "sodermalm"),
    "coordinator_board": Member(Role.COORDINATOR, "utbildningsnamnden"),
    "caseworker": Member(Role.CASEWORKER, "jarva"),
    "central_coordinator": Member(Role.CENTRAL_COORDINATOR, "ks"),
    "board_reader": Member(Role.BOARD_READER, "utbildningsnamnden"),
    "auditor": Member(Role.AUDITOR, "ks"),
    "admin": Member(Role.ADMIN, "ks"),
}


class Cast(dict):
    """cast["coordinator"] is a User; cast.client("coordinator") a signed-in test client."""

    def client(self, name: str | None) -> Client:
        client = Client()
        if name is not None:
            sign_in_client(client, self[name])
        return client


def sign_in_client(client: Client, user: User) -> None:
    """Signs in as a fully authenticated session (password and, where required, second factor)."""
    client.force_login(user)
    session = client.session
    session[services.SESSION_MFA_VERIFIED] = True
    session[services.SESSION_SIGNED_IN_AT] = timezone.now().timestamp()
    session.save()


def make_cast() -> Cast:
    cast = Cast()
    for name, member in CAST.items():
        organisation = Organisation.objects.get(slug=member.organisation)
        unit = None
        if member.unit:
            unit, _ = Unit.objects.get_or_create(
                organisation=organisation, name=member.unit, defaults={"kind": UnitKind.YOUTH_CENTRE}
            )
        user = User.objects.filter(email=f"{name}@test.example").first() or User.objects.create_user(
            email=f"{name}@test.example", password=PASSWORD, full_name=f"Test {name.replace('_', ' ').title()}"
        )
        Membership.objects.get_or_create(
            user=user, organisation=organisation, role=member.role, defaults={"unit": unit}
        )
        cast[name] = user
    return cast


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def reference_data(db):
    """Loaded once per database; reloaded only after a transactional test has flushed it."""
    from vbe.competence.models import StaffGroup
    from vbe.guidelines.models import Guideline

    # The loader's last two steps: present means all of it is.
    if not (Guideline.objects.exists() and StaffGroup.objects.exists()):
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def cast(reference_data) -> Cast:
    return make_cast()
