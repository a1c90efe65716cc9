"""The opt-out page: who changes an organisation's choice, who only reads it, the version that keeps
two saves from undoing each other, and the access-log row of each change."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.audit.models import AccessLogEntry
from vbe.competence import reminders
from vbe.competence.models import ReminderSetting
from vbe.organisations.models import Organisation

URL = "/utbildning/jarva/paminnelser/"


@pytest.fixture
def jarva(db):
    return Organisation.objects.get(slug="jarva")


def _post(client, **data):
    return client.post(URL, data)


def test_a_coordinator_opts_out_and_in_again(cast, jarva):
    client = cast.client("coordinator")
    page = client.get(URL)
    assert page.status_code == 200 and b'name="staff_reminders"' in page.content and b"checked" in page.content
    response = client.post(URL, {"version": ""})  # unticked: no more reminders
    assert response.status_code == 302 and response["Location"] == URL
    setting = ReminderSetting.objects.get(organisation=jarva)
    assert setting.staff_reminders is False and setting.updated_by == cast["coordinator"]
    entry = AccessLogEntry.objects.filter(action="training_reminders_changed").get()
    assert entry.object_id == str(jarva.pk) and entry.detail == "staff_reminders=off"

    page = client.get(URL)
    assert b"checked" not in page.content.split(b'name="staff_reminders"')[1].split(b">")[0]
    version = reminders.setting_version(setting)
    assert client.post(URL, {"staff_reminders": "on", "version": version}).status_code == 302
    assert ReminderSetting.objects.get(organisation=jarva).staff_reminders is True
    assert AccessLogEntry.objects.filter(action="training_reminders_changed").count() == 2


def test_a_stale_form_changes_nothing_and_says_why(cast, jarva):
    client = cast.client("coordinator")
    assert client.post(URL, {"version": ""}).status_code == 302  # the first save
    response = client.post(URL, {"staff_reminders": "on", "version": ""})  # a form shown before it
    assert response.status_code == 400
    assert "Någon annan har ändrat inställningen".encode() in response.content
    assert b"govuk-error-summary" in response.content
    assert ReminderSetting.objects.get(organisation=jarva).staff_reminders is False
    assert AccessLogEntry.objects.filter(action="training_reminders_changed").count() == 1


def test_the_central_coordinator_changes_any_organisations_choice(cast, jarva):
    assert cast.client("central_coordinator").post(URL, {"version": ""}).status_code == 302
    assert ReminderSetting.objects.get(organisation=jarva).updated_by == cast["central_coordinator"]


def test_a_unit_manager_reads_the_choice_and_cannot_change_it(cast, jarva):
    client = cast.client("unit_manager")
    page = client.get(URL)
    assert page.status_code == 200
    assert b'name="staff_reminders"' not in page.content
    assert "Medarbetarna får påminnelser.".encode() in page.content
    assert client.post(URL, {"version": ""}).status_code == 403
    assert not ReminderSetting.objects.exists()
    with pytest.raises(PermissionDenied):
        reminders.set_staff_reminders(actor=cast["unit_manager"], organisation=jarva, enabled=False, version="")


@pytest.mark.parametrize("name", ["coordinator_other", "staff", "board_reader", "admin"])
def test_others_may_not_see_it(cast, name):
    client = cast.client(name)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"version": ""}).status_code == 403
    assert not ReminderSetting.objects.exists()


def test_the_service_refuses_a_stale_version(cast, jarva):
    reminders.set_staff_reminders(actor=cast["coordinator"], organisation=jarva, enabled=False, version="")
    with pytest.raises(ValidationError):
        reminders.set_staff_reminders(actor=cast["coordinator"], organisation=jarva, enabled=True, version="")


def test_the_page_reads_a_bounded_number_of_queries(cast, jarva, django_assert_max_num_queries):
    client = cast.client("coordinator")
    client.post(URL, {"version": ""})
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200
