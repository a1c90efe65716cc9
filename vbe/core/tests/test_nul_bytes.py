"""A NUL byte anywhere in a request is a 400 with the portal's Swedish page, never a 500 (issue 7,
item 14). PostgreSQL refuses NUL in any string, so without the check a NUL that reaches a query is a
server error; run this file on both databases (DATABASE_URL=postgres://… for PostgreSQL)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from vbe.concerns.models import Concern
from vbe.incidents.models import Incident

BAD_REQUEST_PAGE = "Felaktig begäran"

# (who, URL): at least one per app, in the path and in the query string.
GET_CASES = [
    (None, "/%00"),
    (None, "/?q=%00"),
    (None, "/logga-in/?next=%00"),
    ("staff", "/konto/?%00=1"),
    ("auditor", "/loggkontroll/?anvandare=%00"),
    ("coordinator", "/oro/?omrade=%00"),
    ("staff", "/oro/?barn=ja&omrade=80132%00"),
    ("coordinator", "/oro/arenden/%00/"),
    ("coordinator", "/oro/arenden/ORO-2026-%0000001/"),
    ("staff", "/oro/kvitto/%00/"),
    ("coordinator", "/oro/arenden/?status=%00"),
    ("staff", "/riktlinjer/omraden/%00/"),
    ("staff", "/riktlinjer/kalender/%00.ics"),
    ("coordinator", "/handelser/?status=%00&month=%00"),
    ("staff", "/handelser/kvitto/%00/"),
    ("staff", "/organisationer/%00/"),
    ("staff", "/organisationer/?q=%00"),
    ("coordinator", "/planer/?ar=%00&organisation=1"),
    ("coordinator", "/planer/samordnaruppdrag/%00/2026/"),
    ("central_coordinator", "/rapporter/efterlevnad/?ar=%00"),
    ("central_coordinator", "/rapporter/efterlevnad/2026/%00/"),
    ("admin", "/admin/accounts/user/?q=%00"),
    ("admin", "/admin/accounts/user/%00/change/"),
]


def _assert_bad_request(response) -> None:
    assert response.status_code == 400
    assert BAD_REQUEST_PAGE in response.content.decode()
    assert "Content-Security-Policy" in response  # still one of the portal's pages, with its headers


@pytest.mark.parametrize(("who", "url"), GET_CASES)
def test_nul_in_path_or_query_is_a_bad_request(cast, who, url):
    client = cast.client(who) if who else Client()
    _assert_bad_request(client.get(url, raise_request_exception=False))


def test_a_nul_in_a_form_field_is_a_bad_request_and_nothing_is_saved(cast):
    client = cast.client("staff")
    data = {
        "idempotency_key": "nul-1",
        "observation": "Eleven visade\x00 en film.",
        "observed_on": "2026-11-20",
        "environment": "unknown",
        "concerns_child": "no",
        "organisation": "1",
    }
    _assert_bad_request(client.post("/oro/rapportera/", data, raise_request_exception=False))
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/logga-in/", {"email": "staff@test.example\x00", "password": "x"}),
        ("/logga-in/", {"email\x00": "staff@test.example", "password": "x"}),
        ("/oro/arenden/", {"pnr": "19900225\x002386"}),
    ],
)
def test_a_nul_in_a_posted_field_or_its_name_is_a_bad_request(cast, url, data):
    _assert_bad_request(cast.client("coordinator").post(url, data, raise_request_exception=False))


def test_a_nul_in_a_multipart_form_with_a_photo_is_a_bad_request_and_nothing_is_stored(cast, settings, tmp_path):
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    photo = SimpleUploadedFile("bild.png", buffer.getvalue(), content_type="image/png")
    response = cast.client("staff").post(
        "/handelser/rapportera/", {"description": "Klotter\x00", "photos": photo}, raise_request_exception=False
    )
    _assert_bad_request(response)
    assert not Incident.objects.exists() and not any(tmp_path.iterdir())


def test_a_nul_in_a_cookie_is_a_bad_request(db):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    _assert_bad_request(client.get("/", raise_request_exception=False))


def test_ordinary_requests_pass_untouched(cast):
    """An encoded percent sign is not a NUL: "%2500" is the text "%00"."""
    client = cast.client("coordinator")
    assert client.get("/planer/?ar=%2500").status_code == 200
    assert client.get("/oro/", {"omrade": "80132"}).status_code == 200
