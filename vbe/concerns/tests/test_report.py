"""The staff member's side: guide, report, receipt, status."""

from __future__ import annotations

from django.core import mail
from django.db import connection
from django.test import Client

from vbe.audit.models import AccessLogEntry
from vbe.concerns.models import Concern, State
from vbe.concerns.tests.conftest import TEST_PNR
from vbe.organisations.models import Organisation


def test_guide_is_readable_without_signing_in_and_starts_with_112(db):
    page = Client().get("/oro/").content.decode()
    assert "Ring 112 först" in page
    assert "Tro och åsikter är inte tecken i sig" in page


def test_guide_explains_the_duty_to_report_for_a_child_and_where(db):
    page = Client().get("/oro/", {"barn": "ja", "omrade": "80132"}).content.decode()
    assert "skyldig att genast göra en orosanmälan" in page
    assert "inte på att samordnaren" in page  # the duty never waits for anyone's approval
    assert "Järva stadsdelsnämnd" in page and "Socialtjänstens mottagning för barn och unga, Järva" in page


def test_staff_reports_a_concern_and_gets_a_receipt(cast, report_data):
    client = cast.client("staff")
    response = client.post("/oro/rapportera/", report_data)
    concern = Concern.objects.get()
    assert response["Location"] == f"/oro/kvitto/{concern.reference}/"
    assert concern.reference.startswith("ORO-") and concern.state == State.RECEIVED
    assert concern.organisation.slug == "jarva" and concern.reporter == cast["staff"]
    assert concern.person_pnr == TEST_PNR and concern.person_pnr_index
    receipt = client.get(response["Location"]).content.decode()
    assert concern.reference in receipt and "Mottagen" in receipt
    assert "Glöm inte din egen orosanmälan" in receipt
    assert "Testperson" not in receipt  # the receipt shows status, not content
    assert AccessLogEntry.objects.filter(action="concern_submitted", subject_ref=concern.reference).exists()


def test_coordinators_are_notified_without_personal_data(cast, report_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("staff").post("/oro/rapportera/", report_data)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coordinator@test.example"]
    body = message.subject + message.body
    for secret in ("Testperson", "1990", "attentat", "Testgatan"):
        assert secret not in body


def test_reporter_may_route_to_another_organisation(cast, report_data, django_capture_on_commit_callbacks):
    report_data["organisation"] = str(Organisation.objects.get(slug="sodermalm").pk)
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("staff").post("/oro/rapportera/", report_data)
    assert Concern.objects.get().organisation.slug == "sodermalm"
    assert mail.outbox[0].to == ["coordinator_other@test.example"]


def test_bad_input_keeps_what_was_typed_and_creates_nothing(cast, report_data):
    report_data.update(person_pnr="19900225-2387", observed_on="2999-01-01", concerns_child="")
    page = cast.client("staff").post("/oro/rapportera/", report_data).content.decode()
    assert "kontrollsiffran är fel" in page
    assert "Datumet kan inte ligga i framtiden" in page
    assert "Svara på om oron gäller ett barn" in page
    assert "Eleven visade en film" in page and "Testgatan 1" in page and "19900225-2387" in page
    assert 'href="#id_person_pnr"' in page  # the error summary links to the field
    assert not Concern.objects.exists()


def test_child_concern_needs_an_answer_about_the_report(cast, report_data):
    report_data["child_report_made"] = ""
    page = cast.client("staff").post("/oro/rapportera/", report_data).content.decode()
    assert "Svara på om en orosanmälan redan har gjorts" in page


def test_a_double_submit_creates_one_concern(cast, report_data):
    client = cast.client("staff")
    first = client.post("/oro/rapportera/", report_data)
    second = client.post("/oro/rapportera/", report_data)
    assert Concern.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_person_details_are_optional(cast, report_data):
    for key in ("person_name", "person_pnr", "person_contact"):
        report_data[key] = ""
    cast.client("staff").post("/oro/rapportera/", report_data)
    concern = Concern.objects.get()
    assert (concern.person_name, concern.person_pnr, concern.person_pnr_index) == ("", "", "")


def test_identifiers_and_free_text_are_encrypted_at_rest(make_concern):
    concern = make_concern()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT observation, person_name, person_pnr, person_pnr_index FROM concerns_concern WHERE id = %s",
            [concern.pk],
        )
        observation, name, pnr, index = cursor.fetchone()
    for raw in (observation, name, pnr):
        assert raw.startswith("v1:")
    assert "Observerat" not in observation and "Testperson" not in name and TEST_PNR not in pnr
    assert TEST_PNR not in index


def test_reporter_sees_only_the_status_of_own_reports(cast, make_concern):
    concern = make_concern()
    client = cast.client("staff")
    mine = client.get("/oro/mina/").content.decode()
    assert concern.reference in mine and "Mottagen" in mine
    assert "Observerat beteende" not in mine
    assert client.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    assert cast.client("unit_manager").get(f"/oro/kvitto/{concern.reference}/").status_code == 404


def test_report_form_is_one_screen_without_javascript(cast):
    page = cast.client("staff").get("/oro/rapportera/").content.decode()
    assert page.count("<form") == 2  # the report, and sign-out in the header
    assert 'name="idempotency_key"' in page


def _checked_child_answers(page: str) -> list[str]:
    """The values of the checked "Gäller oron ett barn?" radios on the report form."""
    import re

    return re.findall(r'<input[^>]*name="concerns_child"[^>]*value="(\w+)"[^>]*checked', page)


def test_the_guide_carries_the_child_answer_to_the_report_form(cast):
    """The guide asks first; its answer goes with the button, and the form starts from it."""
    yes = Client().get("/oro/", {"barn": "ja"}).content.decode()
    assert 'href="/oro/rapportera/?barn=ja"' in yes
    no = Client().get("/oro/", {"barn": "nej"}).content.decode()
    assert 'href="/oro/rapportera/?barn=nej"' in no
    unanswered = Client().get("/oro/").content.decode()
    assert 'href="/oro/rapportera/"' in unanswered

    client = cast.client("staff")
    assert _checked_child_answers(client.get("/oro/rapportera/", {"barn": "ja"}).content.decode()) == ["yes"]
    # "Nej eller vet inte" is not the form's "Nej": the form leaves the question for the reporter.
    assert _checked_child_answers(client.get("/oro/rapportera/", {"barn": "nej"}).content.decode()) == []
    assert _checked_child_answers(client.get("/oro/rapportera/", {"barn": "något annat"}).content.decode()) == []
    assert _checked_child_answers(client.get("/oro/rapportera/").content.decode()) == []


def test_signing_in_from_the_guide_keeps_the_child_answer(db):
    """Signed out, the button leads through the sign-in page and back to the form with its answer."""
    response = Client().get("/oro/rapportera/", {"barn": "ja"})
    assert response.status_code == 302
    assert "next=/oro/rapportera/%3Fbarn%3Dja" in response["Location"]


def test_the_report_form_asks_no_question_about_ideology(cast, report_data):
    """The reporter is not asked to classify a person's environment: the form has no such question,
    and a value posted anyway is ignored; the concern waits for the coordinator's assessment."""
    page = cast.client("staff").get("/oro/rapportera/").content.decode()
    assert 'name="environment"' not in page
    assert "Vilken miljö" not in page
    for label in ("högerextrem", "vänsterextrem", "islamis"):
        assert label not in page.lower()
    report_data["environment"] = "right_wing"
    cast.client("staff").post("/oro/rapportera/", report_data)
    assert Concern.objects.get().environment == "unknown"
