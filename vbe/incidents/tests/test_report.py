"""Reporting an incident: the form, routing to the district's council, the e-mail, idempotency."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from threading import Barrier, Thread

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.incidents import services
from vbe.incidents.forms import new_token
from vbe.incidents.models import Incident, Status
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit, UnitKind

DESCRIPTION = "Tjugo klistermärken med en extremistisk symbol på busskuren vid torget."
PLACE = "Busskuren vid torget"


def skatteverket_numbers() -> list[str]:
    """Skatteverket's test personnummer (the only ones allowed in this project), a few of them."""
    path = Path(settings.BASE_DIR) / "data" / "stockholm" / "skatteverket-testpersonnummer.csv"
    return [line.strip() for line in path.read_text().splitlines()[:3]]


def form_data(**overrides) -> dict:
    data = {
        "district": JARVA,
        "neighbourhood": "",
        "place_description": PLACE,
        "category": "propaganda",
        "environment": "right_wing",
        "occurred_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "occurred_at": "14:30",
        "description": DESCRIPTION,
        "token": new_token(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def report(client, **overrides):
    return client.post("/handelser/rapportera/", form_data(**overrides))


# --- The form -----------------------------------------------------------------------------------


def test_form_has_a_map_of_every_district_and_a_one_time_token(cast):
    page = cast.client("staff").get("/handelser/rapportera/").content.decode()
    links = re.findall(r'<a class="app-map__link" href="/handelser/rapportera/\?omrade=(\d+)#plats"', page)
    assert sorted(links) == sorted(District.objects.filter(is_active=True).values_list("code", flat=True))
    assert len(links) == 11
    assert re.search(r'<input type="hidden" name="token" value="[0-9a-f]{32}"', page)
    assert 'role="group"' in page and "<title" in page


def test_map_link_preselects_the_district(cast):
    page = cast.client("staff").get(f"/handelser/rapportera/?omrade={SODERMALM}").content.decode()
    assert f'<option value="{SODERMALM}" selected>Södermalm</option>' in page
    assert "app-map__area--selected" in page
    assert 'aria-label="Välj Södermalm (valt)"' in page


def test_unknown_district_in_the_link_is_ignored(cast):
    response = cast.client("staff").get("/handelser/rapportera/?omrade=<script>")
    assert response.status_code == 200
    assert "app-map__area--selected" not in response.content.decode()


# --- Happy path: routing and notification ----------------------------------------------------------


def test_report_is_routed_to_the_district_council_and_notifies_its_coordinators(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = report(cast.client("staff"))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == incident.get_receipt_url()
    assert incident.organisation == Organisation.objects.get(slug="jarva")
    assert incident.district.code == JARVA
    assert incident.reporter == cast["staff"]
    assert incident.reporter_organisation.slug == "jarva"
    assert incident.status == Status.NEW
    assert re.fullmatch(rf"HÄN-{timezone.localdate().year}-\d{{5}}", incident.reference)
    assert incident.description == DESCRIPTION and incident.place_description == PLACE
    assert incident.occurred_at.strftime("%H:%M") == "14:30"

    assert [m.to for m in mail.outbox] == [["coordinator@test.example"]]
    message = mail.outbox[0]
    body = message.body + message.alternatives[0][0]
    assert incident.reference in message.subject and "Järva" in message.subject
    assert f"{settings.SITE_URL}/handelser/{incident.pk}/" in body  # absolute, from SITE_URL
    # Nothing from the report and nothing about anyone: only the reference, the district and a link.
    for secret in (DESCRIPTION, PLACE, "klistermärken", cast["staff"].full_name, cast["staff"].email, "Propaganda"):
        assert secret.lower() not in (message.subject + body).lower()

    entry = AccessLogEntry.objects.get(action="incident_reported")
    assert entry.object_id == str(incident.pk) and entry.actor_id == cast["staff"].pk
    assert DESCRIPTION not in entry.detail and PLACE not in entry.detail


def test_report_in_another_district_goes_to_that_council(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(cast.client("staff"), district=SODERMALM)
    incident = Incident.objects.get()
    assert incident.organisation.slug == "sodermalm"
    assert [m.to for m in mail.outbox] == [["coordinator_other@test.example"]]
    # Still visible to the reporting organisation's coordinator (Järva), not handled by them.
    assert cast.client("coordinator").get(f"/handelser/{incident.pk}/").status_code == 200


def test_neighbourhood_alone_decides_the_district(cast):
    rinkeby = Neighbourhood.objects.get(name="Rinkeby")
    report(cast.client("staff"), district="", neighbourhood=str(rinkeby.pk), place_description="")
    incident = Incident.objects.get()
    assert (incident.district, incident.neighbourhood) == (rinkeby.district, rinkeby)
    assert incident.organisation.slug == "jarva"


def test_a_unit_gives_its_neighbourhood_and_district(cast):
    jarva = Organisation.objects.get(slug="jarva")
    tensta = Neighbourhood.objects.get(name="Tensta")
    unit = Unit.objects.create(
        organisation=jarva, name="Tensta testträff", kind=UnitKind.YOUTH_CENTRE, neighbourhood=tensta
    )
    report(cast.client("staff"), district="", unit=str(unit.pk))
    incident = Incident.objects.get()
    assert (incident.unit, incident.neighbourhood, incident.district.code) == (unit, tensta, JARVA)
    # The unit's manager may now see it (by the VIEW_INCIDENT rule), once they manage that unit.


def test_units_offered_are_only_those_of_ones_own_organisations(cast):
    other = Unit.objects.create(
        organisation=Organisation.objects.get(slug="sodermalm"), name="Annan fritidsgård", kind=UnitKind.YOUTH_CENTRE
    )
    client = cast.client("staff")
    assert "Annan fritidsgård" not in client.get("/handelser/rapportera/").content.decode()
    response = report(client, unit=str(other.pk))
    assert response.status_code == 400  # refused: the page again, with what was typed
    assert "Välj en av verksamheterna i listan." in response.content.decode()
    assert not Incident.objects.exists()


# --- Bad input: refused, nothing created, every typed value kept --------------------------------------


def _assert_refused_and_kept(response, message: str) -> str:
    page = response.content.decode()
    assert response.status_code == 400
    assert not Incident.objects.exists()
    assert "govuk-error-summary" in page and message in page
    assert page.count(message) >= 2  # in the summary and at the field
    assert "<title>Fel: " in page
    assert 'value="propaganda" checked' in page and 'value="right_wing" checked' in page
    assert 'value="14:30"' in page
    return page


def test_future_date_is_refused_and_values_kept(cast):
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = _assert_refused_and_kept(
        report(cast.client("staff"), occurred_on=future), "Datumet kan inte vara i framtiden."
    )
    assert DESCRIPTION in page and PLACE in page and f'value="{future}"' in page
    assert f'<option value="{JARVA}" selected>' in page


def test_missing_district_is_refused(cast):
    page = _assert_refused_and_kept(report(cast.client("staff"), district=""), "Välj stadsdelsområdet där det hände")
    assert DESCRIPTION in page
    assert 'href="#id_district"' in page


@pytest.mark.parametrize("form", ["plain", "hyphen", "short", "short-hyphen"])
def test_personnummer_like_text_is_refused(cast, form):
    number = skatteverket_numbers()[0]  # YYYYMMDDNNNN
    written = {
        "plain": number,
        "hyphen": f"{number[:8]}-{number[8:]}",
        "short": number[2:],
        "short-hyphen": f"{number[2:8]}-{number[8:]}",
    }[form]
    text = f"Lapp med namn och {written} på anslagstavlan."
    response = report(cast.client("staff"), description=text)
    page = _assert_refused_and_kept(response, "Texten innehåller något som liknar ett personnummer")
    assert "skriv inte personnummer" in page
    assert not mail.outbox


def test_personnummer_in_the_place_is_refused_too(cast):
    number = skatteverket_numbers()[1]
    response = report(cast.client("staff"), place_description=f"Utanför porten, {number}")
    _assert_refused_and_kept(response, "Texten innehåller något som liknar ett personnummer")


def test_ordinary_numbers_are_not_mistaken_for_personnummer(cast):
    text = "Tolv affischer, uppsatta 2024-05-01 vid hållplats 1234, ungefär 3000 kronor i sanering."
    assert report(cast.client("staff"), description=text).status_code == 302
    assert Incident.objects.get().description == text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_on": "igår"}, "Skriv datumet som ÅÅÅÅ-MM-DD."),
        ({"occurred_on": "1999-12-31"}, "Datumet kan inte vara före år 2000."),
        ({"occurred_at": "25:99"}, "Skriv klockslaget som TT:MM"),
        ({"category": "bomb"}, "Välj en av typerna i listan."),
        ({"category": None}, "Välj vilken sorts händelse det var."),
        ({"environment": ""}, "Välj miljö"),
        ({"district": "99999"}, "Välj ett av stadsdelsområdena i listan."),
        ({"neighbourhood": "abc"}, "Välj en av stadsdelarna i listan."),
        ({"description": ""}, "Beskriv vad som hände."),
        ({"description": "x" * 4001}, "Beskrivningen får vara högst 4000 tecken."),
    ],
)
def test_bad_input_gives_a_swedish_error_and_no_incident(cast, overrides, message):
    response = report(cast.client("staff"), **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Incident.objects.exists()


def test_a_time_later_today_is_refused(cast):
    now = timezone.localtime()
    if now.hour == 23:
        pytest.skip("no later time today to try")
    later = f"{now.hour + 1:02d}:00"
    response = report(cast.client("staff"), occurred_on=now.date().isoformat(), occurred_at=later)
    assert "Klockslaget kan inte vara i framtiden." in response.content.decode()
    assert not Incident.objects.exists()


def test_neighbourhood_in_another_district_is_refused(cast):
    rinkeby = Neighbourhood.objects.get(name="Rinkeby")
    response = report(cast.client("staff"), district=SODERMALM, neighbourhood=str(rinkeby.pk))
    assert "Rinkeby ligger i Järva, inte i Södermalm." in response.content.decode()
    assert not Incident.objects.exists()


def test_missing_token_is_refused_with_a_new_one(cast):
    response = report(cast.client("staff"), token="")
    page = response.content.decode()
    assert "Formuläret kunde inte skickas" in page
    assert re.search(r'name="token" value="[0-9a-f]{32}"', page)
    assert not Incident.objects.exists()


# --- Idempotency -----------------------------------------------------------------------------------


def test_double_submit_creates_one_incident(cast, django_capture_on_commit_callbacks):
    client = cast.client("staff")
    data = form_data()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/handelser/rapportera/", data)
        second = client.post("/handelser/rapportera/", data)
    assert Incident.objects.count() == 1
    assert first["Location"] == second["Location"] == Incident.objects.get().get_receipt_url()
    assert len(mail.outbox) == 1
    assert AccessLogEntry.objects.filter(action="incident_reported").count() == 1


def test_the_same_token_from_another_reporter_is_another_incident(cast):
    data = form_data()
    cast.client("staff").post("/handelser/rapportera/", data)
    cast.client("unit_manager").post("/handelser/rapportera/", data)
    assert Incident.objects.count() == 2


# --- Receipt and own list ------------------------------------------------------------------------------


def test_receipt_shows_reference_and_status_to_the_reporter_only(cast):
    report(cast.client("staff"))
    incident = Incident.objects.get()
    page = cast.client("staff").get(incident.get_receipt_url()).content.decode()
    assert incident.reference in page and "Järva stadsdelsnämnd" in page and "Ny" in page
    assert DESCRIPTION not in page
    for name in ("coordinator", "unit_manager", "coordinator_other", "admin", "central_coordinator"):
        assert cast.client(name).get(incident.get_receipt_url()).status_code == 404, name


def test_unknown_receipt_is_404(cast):
    assert cast.client("staff").get("/handelser/kvitto/HÄN-1999-00001/").status_code == 404


def test_own_list_shows_reference_date_and_status_only(cast):
    own = make_incident(reporter=cast["staff"], place_description=PLACE)
    make_incident(reporter=cast["unit_manager"])
    page = cast.client("staff").get("/handelser/mina/").content.decode()
    assert own.reference in page and "1 rapporter" in page
    assert "Propaganda" not in page and PLACE not in page and own.description not in page
    assert own.get_receipt_url().replace("Ä", "%C3%84") in page or own.get_receipt_url() in page


def test_reporter_without_membership_can_report(cast, django_user_model):
    from django.test import Client

    from conftest import sign_in_client

    loner = django_user_model.objects.create_user(email="ensam@test.example", password="x", full_name="Ensam")
    client = Client()
    sign_in_client(client, loner)
    assert report(client).status_code == 302
    incident = Incident.objects.get()
    assert incident.reporter_organisation is None and incident.organisation.slug == "jarva"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)")
def test_two_simultaneous_submits_of_one_form_create_one_incident(cast):
    """Both pass the "already sent?" check; the loser meets the unique constraint and gets the winner."""
    barrier, results, errors = Barrier(2), [], []
    jarva = District.objects.get(code=JARVA)
    council = Organisation.objects.get(slug="jarva")
    token = new_token()

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            incident, created = services.report_incident(
                reporter=User.objects.get(pk=cast["staff"].pk),
                reporter_organisation=council,
                district=jarva,
                category="propaganda",
                environment="right_wing",
                occurred_on=timezone.localdate(),
                description=DESCRIPTION,
                submission_token=token,
            )
            results.append((incident.pk, created))
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert Incident.objects.count() == 1
    assert sorted(created for _, created in results) == [False, True]
    assert {pk for pk, _ in results} == {Incident.objects.get().pk}


def test_error_summary_follows_the_page_order(cast):
    page = report(cast.client("staff"), district="", category=None, description="").content.decode()
    summary = page.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert summary.index("#id_district") < summary.index("#id_category") < summary.index("#id_description")
