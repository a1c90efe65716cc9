"""Beyond one machine: two app servers (granian, the production server, as separate processes) against
one PostgreSQL and one upload storage. A sign-in made on one is valid on the other, a sign-out on one
ends it on both, and a photo reported through one is served by the other, byte for byte.

The servers share what README ("Drift", several app servers) says they must: the database (this
test's database, whose rows the test commits), the upload storage (a bucket on a local S3 server, or
one directory as a shared filesystem stands for), and the keys (SECRET_KEY given to both; the other
keys from the same files under var/keys). Nothing ties a client to one server.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyotp
import pytest
from django.db import connection
from urllib3.filepost import encode_multipart_formdata

from conftest import PASSWORD
from vbe.accounts import services
from vbe.audit.models import AccessLogEntry
from vbe.incidents.models import IncidentPhoto
from vbe.incidents.tests import s3
from vbe.incidents.tests.factories import image_bytes
from vbe.incidents.tests.test_report import form_data

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30  # seconds for a server to answer /halsa/

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two server processes need a shared database server (PostgreSQL); SQLite's test database is in memory",
    ),
    # Committed rows, so the servers' own connections see them; the database is emptied afterwards.
    pytest.mark.django_db(transaction=True),
]


# --- A client of the servers: plain HTTP, cookies kept by hand, no redirect followed ---------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Browser:
    """One person's browser: the same cookies go to whichever server the load balancer picks."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, server: str, method: str, path: str, body: bytes = b"", content_type: str = "") -> Response:
        address = urlsplit(server)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=20)
        headers = {"Host": address.netloc}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, server: str, path: str) -> Response:
        return self.request(server, "GET", path)

    def post(self, server: str, path: str, fields: list[tuple[str, object]]) -> Response:
        body, content_type = encode_multipart_formdata(fields)
        return self.request(server, "POST", path, body, content_type)

    def submit(
        self,
        server: str,
        path: str,
        fields: dict[str, str],
        files: list[tuple] = (),
        *,
        form_on: str = "",
        page: Response | None = None,
    ) -> Response:
        """Posts a form with the CSRF token of the page it is on (fetched here unless given), as a browser does."""
        page = page or self.get(server, form_on or path)
        assert page.status == 200, f"{form_on or path} på {server}: {page.status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"ingen CSRF-token i {form_on or path}"
        return self.post(server, path, [("csrfmiddlewaretoken", token.group(1)), *fields.items(), *files])


def sign_in_password(browser: Browser, server: str, email: str) -> None:
    response = browser.submit(server, "/logga-in/", {"email": email, "password": PASSWORD})
    assert response.status == 302 and response.location.startswith("/logga-in/kod/"), response.text[:500]


def sign_in_code(browser: Browser, server: str, secret: str) -> None:
    response = browser.submit(server, "/logga-in/kod/", {"code": pyotp.TOTP(secret).now()})
    assert response.status == 302 and not response.location.startswith("/logga-in/"), response.text[:500]


# --- The servers ---------------------------------------------------------------------------------------


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def granian() -> list[str]:
    script = Path(sys.executable).with_name("granian")
    return [str(script)] if script.exists() else [sys.executable, "-m", "granian"]


def database_url() -> str:
    """This test's database (the one pytest-django made), for the servers' own connections."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def wait_until_healthy(server: AppServer, deadline: float) -> None:
    address = urlsplit(server.url)
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"{server.url} stannade vid start:\n{server.output()}")
        try:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=2)
            connection.request("GET", "/halsa/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail(f"{server.url} svarade inte på /halsa/ inom {START_TIMEOUT} s:\n{server.output()}")


@pytest.fixture
def start_servers(tmp_path) -> Iterator:
    """Starts app servers with the given environment; every one is stopped when the test ends."""
    started: list[AppServer] = []

    def start(count: int, env: dict[str, str]) -> list[AppServer]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "UPLOAD_", "S3_"))}
        common = {
            **base,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": database_url(),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        servers = []
        for index in range(count):
            port = free_port()
            log = tmp_path / f"server-{index}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(  # noqa: S603 (a fixed command line)
                    [
                        *granian(),
                        "--interface",
                        "wsgi",
                        "--host",
                        "127.0.0.1",  # loopback only
                        "--port",
                        str(port),
                        "--workers",
                        "1",
                        "--blocking-threads",
                        "1",
                        "config.wsgi:application",
                    ],
                    cwd=ROOT,
                    env=common,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            server = AppServer(f"http://127.0.0.1:{port}", process, log)
            started.append(server)
            servers.append(server)
        deadline = time.monotonic() + START_TIMEOUT
        for server in servers:
            wait_until_healthy(server, deadline)
        return servers

    yield start
    for server in started:
        server.process.terminate()
    for server in started:
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # its workers too: the server leads a process group of its own
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3.local_s3() as endpoint:
        yield endpoint


@dataclass
class SharedStorage:
    env: dict[str, str]
    read: Callable[[str], bytes]  # a photo's stored name -> its bytes in the shared storage


@pytest.fixture(params=["s3", "filesystem"])
def shared_storage(request, tmp_path) -> SharedStorage:
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = s3.new_bucket(endpoint)

        def read_object(name: str) -> bytes:
            return s3.client(endpoint).get_object(Bucket=bucket, Key=f"incidents/{name}")["Body"].read()

        return SharedStorage(s3.s3_env(endpoint, bucket), read_object)
    shared = tmp_path / "shared-uploads"  # what an NFS mount is to servers on several machines
    return SharedStorage(
        {"UPLOAD_STORAGE": "filesystem", "UPLOAD_ROOT": str(shared)},
        lambda name: (shared / "incidents" / name).read_bytes(),
    )


def enrol(user) -> str:
    secret = services.new_totp_secret(user=user)
    user.totp_confirmed_at = user.date_joined
    user.save(update_fields=["totp_confirmed_at"])
    return secret


def test_a_session_and_a_photo_made_on_one_server_are_served_by_the_other(cast, shared_storage, start_servers):
    secret_key = secrets.token_urlsafe(50)  # the same on every server, as README says
    a, b = (s.url for s in start_servers(2, {**shared_storage.env, "SECRET_KEY": secret_key}))
    coordinator_secret, staff_secret = enrol(cast["coordinator"]), enrol(cast["staff"])

    # Signed in on A; B knows the session (it is a row in the shared database, not a server's memory).
    coordinator = Browser()
    sign_in_password(coordinator, a, cast["coordinator"].email)
    sign_in_code(coordinator, a, coordinator_secret)
    home_on_b = coordinator.get(b, "/")
    assert home_on_b.status == 200, home_on_b.text[:500]
    assert cast["coordinator"].full_name in home_on_b.text
    anonymous = Browser()
    assert anonymous.get(b, "/").status == 302  # B does not simply let everyone in

    # A sign-in begun on A (password) is finished on B (code), and the report sent through A.
    staff = Browser()
    sign_in_password(staff, a, cast["staff"].email)
    sign_in_code(staff, b, staff_secret)
    form = staff.get(a, "/handelser/rapportera/")
    token = re.search(r'name="token" value="([0-9a-f]+)"', form.text)
    assert form.status == 200 and token, form.text[:500]
    sent = image_bytes("JPEG", size=(64, 48))
    report = form_data(token=token.group(1))
    photos = [("photos", ("bild.jpg", sent, "image/jpeg"))]
    response = staff.submit(a, "/handelser/rapportera/", report, photos, page=form)
    assert response.status == 302, response.text[:2000]

    # The photo, stored by A, is served by B to the council's coordinator: the bytes in the storage.
    photo = IncidentPhoto.objects.get()
    url = f"/handelser/{photo.incident_id}/bild/{photo.pk}/"
    on_b = coordinator.get(b, url)
    assert on_b.status == 200, on_b.text[:500]
    assert on_b.headers["Content-Disposition"].startswith("attachment;")
    stored = shared_storage.read(photo.stored_name)
    assert on_b.body == stored and len(stored) == photo.size
    assert coordinator.get(a, url).body == stored
    assert (
        AccessLogEntry.objects.filter(action="incident_photo_downloaded", actor_id=cast["coordinator"].pk).count() == 2
    )
    assert anonymous.get(b, url).status == 302

    # Signed out on B (the header's form): the session is gone on A too, even for a kept copy of the cookie.
    kept = Browser(dict(coordinator.cookies))
    assert coordinator.submit(b, "/logga-ut/", {}, form_on="/").status == 302
    assert kept.get(a, "/").status == 302 and kept.get(a, url).status == 302
    assert coordinator.get(a, "/").status == 302
