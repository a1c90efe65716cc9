"""Start-up settings, security headers and error pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "VBE_ENV": "production",
    "SECRET_KEY": "test-only-8f3k2LmQ9xZ7vB1nR4tY6uW0eA5sD3gH2jK8lP0oI9uY7tR",
    "ALLOWED_HOSTS": "vbe.example",
    "DATABASE_URL": "sqlite:////tmp/vbe-production-check.sqlite3",
    "AUDIT_HMAC_KEYS": "a1=" + "ab" * 32,
    "FIELD_ENCRYPTION_KEYS": "f1=" + "cd" * 32,
    "BLIND_INDEX_KEY": "ef" * 32,
    "EMAIL_HOST": "smtp.vbe.example",
    "SITE_URL": "https://vbe.example",
    "AUDIT_CHECKPOINT_PATH": "/var/lib/vbe/audit-checkpoints.log",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VBE_", "DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "AUDIT_HMAC_KEYS",
        "FIELD_ENCRYPTION_KEYS",
        "SITE_URL",
        "AUDIT_CHECKPOINT_PATH",
    ],
)
def test_production_refuses_to_start_without_a_required_setting(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"Inställningen {missing} saknas" in result.stderr


def test_production_refuses_a_site_url_without_https():
    """E-mails link to SITE_URL: in production it is the portal's HTTPS address, nothing else."""
    for bad in ("http://vbe.example", "vbe.example", "https://vbe.example/oro/"):
        result = _manage("check", env={**PRODUCTION_ENV, "SITE_URL": bad})
        assert result.returncode != 0 and "SITE_URL" in result.stderr, bad


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "kort"})
    assert result.returncode != 0 and "minst 50 tecken" in result.stderr


def test_production_refuses_to_switch_off_the_second_factor():
    result = _manage("check", env={**PRODUCTION_ENV, "MFA_REQUIRED": "0"})
    assert result.returncode != 0 and "MFA_REQUIRED" in result.stderr


def test_check_deploy_with_production_settings_is_silent():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s" * 64)
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"} | {"SECRET_KEY_FILE": str(secret_file)}
    assert _manage("check", env=env).returncode == 0


def test_security_headers(cast):
    response = cast.client("staff").get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_script_or_style_and_no_other_origin(cast):
    page = cast.client("coordinator").get("/konto/tvastegsverifiering/").content.decode()
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


def test_swedish_language_and_demo_banner(cast, settings):
    client = cast.client("staff")
    assert '<html lang="sv"' in client.get("/").content.decode()
    assert "Demoläge" not in client.get("/").content.decode()
    settings.DEMO_MODE = True
    assert "Demoläge" in client.get("/").content.decode()
    assert "Demoläge" in Client().get("/logga-in/").content.decode()


def test_not_found_page_is_in_swedish(db):
    response = Client().get("/finns-inte/")
    assert response.status_code == 404 and "Sidan finns inte" in response.content.decode()


def test_forbidden_page_is_in_swedish(cast):
    response = cast.client("staff").get("/loggkontroll/")
    assert response.status_code == 403 and "Du har inte behörighet" in response.content.decode()


def test_server_error_page_renders_without_database_or_context(rf):
    response = server_error(rf.get("/"))
    assert response.status_code == 500 and "Något gick fel hos oss" in response.content.decode()


def test_health_answers(db):
    assert Client().get("/halsa/").content == b"ok\n"


def test_expired_form_gets_a_swedish_explanation_and_is_logged(db):
    from vbe.audit.models import AccessLogEntry

    client = Client(enforce_csrf_checks=True)
    response = client.post("/logga-in/", {"email": "a@test.example", "password": "x"})
    assert response.status_code == 403
    assert "Formuläret kunde inte skickas" in response.content.decode()
    assert AccessLogEntry.objects.filter(action="request_denied", detail="POST accounts:sign_in").exists()


@pytest.mark.parametrize(
    "role, present, absent",
    [
        # Headings that hold several pages (vbe/portal/context_processors.py); one reachable page: its name.
        (
            "staff",
            ["Vid oro", "Lägesbild", "Riktlinjer och stöd"],
            ["Ärenden", "Planer", "Uppföljning", "Loggkontroll"],
        ),
        ("coordinator", ["Ärenden", "Händelser", "Planer och lägesbild"], ["Uppföljning", "Administration"]),
        # The central coordinator's incident list holds those whose council has no coordinator.
        ("central_coordinator", ["Planer och lägesbild", "Administration", "Händelser"], ["Loggkontroll"]),
        ("auditor", ["Loggkontroll"], ["Ärenden", "Planer", "Administration"]),
    ],
)
def test_navigation_follows_the_permission_rules(cast, role, present, absent):
    page = cast.client(role).get("/").content.decode()
    nav = page.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    for label in present:
        assert f">{label}<" in nav, label
    for label in absent:
        assert f">{label}<" not in nav, label
