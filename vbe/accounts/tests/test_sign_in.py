from __future__ import annotations

import datetime

import pyotp
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from conftest import PASSWORD, sign_in_client
from vbe.accounts import services
from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry


def _sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/logga-in/", {"email": email, "password": password})


def _totp_now(user: User, offset_steps: int = 0) -> str:
    user.refresh_from_db()
    totp = pyotp.TOTP(user.totp_secret)
    return totp.at(timezone.now() + datetime.timedelta(seconds=30 * offset_steps))


def test_staff_signs_in_with_password_and_lands_on_start_page(cast):
    client = Client()
    response = _sign_in(client, "STAFF@test.example ")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AccessLogEntry.objects.filter(action="sign_in", actor_id=cast["staff"].pk).exists()


def test_wrong_password_keeps_the_email_and_says_what_to_do(cast):
    response = _sign_in(Client(), "staff@test.example", "fel-lösenord")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord" in page
    assert 'value="staff@test.example"' in page
    assert "govuk-error-summary" in page
    cast["staff"].refresh_from_db()
    assert cast["staff"].failed_sign_ins == 1
    assert AccessLogEntry.objects.filter(action="sign_in_failed", actor_id=cast["staff"].pk).count() == 1


def test_empty_form_gets_an_error_per_field(db):
    page = Client().post("/logga-in/", {}).content.decode()
    assert "Skriv din e-postadress." in page and "Skriv ditt lösenord." in page


def test_unknown_account_gets_the_same_message(db):
    page = _sign_in(Client(), "nobody@test.example").content.decode()
    assert "Fel e-postadress eller lösenord" in page
    assert AccessLogEntry.objects.filter(action="sign_in_failed", actor_id=None).count() == 1


@override_settings(SIGN_IN_MAX_FAILURES=3, SIGN_IN_LOCKOUT_MINUTES=15)
def test_lock_out_after_repeated_failures_even_with_the_right_password(cast):
    client = Client()
    for _ in range(3):
        _sign_in(client, "staff@test.example", "fel")
    user = User.objects.get(pk=cast["staff"].pk)
    assert user.locked_until > timezone.now()
    response = _sign_in(client, "staff@test.example")
    assert "tillfälligt låst" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessLogEntry.objects.filter(action="account_locked").count() == 1
    assert AccessLogEntry.objects.filter(action="sign_in_refused_locked").count() == 1
    # When the lock-out has passed, the right password works again and resets the counter.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert _sign_in(client, "staff@test.example").status_code == 302
    user.refresh_from_db()
    assert (user.failed_sign_ins, user.locked_until) == (0, None)


def test_sign_in_rotates_the_session_id(cast):
    client = Client()
    client.get("/logga-in/")
    client.session.save()
    before = client.session.session_key
    _sign_in(client, "staff@test.example")
    assert client.session.session_key != before


def test_next_is_followed_only_within_the_portal(cast):
    response = Client().post(
        "/logga-in/", {"email": "staff@test.example", "password": PASSWORD, "next": "/riktlinjer/"}
    )
    assert response["Location"] == "/riktlinjer/"
    response = Client().post(
        "/logga-in/", {"email": "staff@test.example", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_coordinator_must_enrol_a_second_factor_before_anything_else(cast):
    client = Client()
    response = _sign_in(client, "coordinator@test.example")
    assert response["Location"] == "/konto/tvastegsverifiering/"
    assert client.get("/riktlinjer/")["Location"] == "/konto/tvastegsverifiering/"
    page = client.get("/konto/tvastegsverifiering/").content.decode()
    assert "<svg" in page and "app-secret" in page
    # A wrong code is refused with a message and changes nothing.
    page = client.post("/konto/tvastegsverifiering/", {"code": "000000"}).content.decode()
    assert "Koden stämmer inte" in page
    assert not User.objects.get(pk=cast["coordinator"].pk).has_totp
    response = client.post("/konto/tvastegsverifiering/", {"code": _totp_now(cast["coordinator"])})
    assert response["Location"] == "/"
    assert client.get("/riktlinjer/").status_code == 200
    assert User.objects.get(pk=cast["coordinator"].pk).has_totp
    assert AccessLogEntry.objects.filter(action="mfa_enrolled").count() == 1
    assert AccessLogEntry.objects.filter(action="mfa_failed").count() == 1


def test_enrolled_user_signs_in_with_a_code_and_a_code_works_once(cast):
    user = cast["coordinator"]
    services.new_totp_secret(user=user)
    code = _totp_now(user)
    services._accept_totp(request=None, user_id=user.pk, code=code)  # confirms enrolment
    client = Client()
    response = _sign_in(client, "coordinator@test.example")
    assert response["Location"].startswith("/logga-in/kod/")
    assert "_auth_user_id" not in client.session  # the password alone does not sign in
    page = client.post("/logga-in/kod/", {"code": code}).content.decode()
    assert "Koden stämmer inte" in page  # the step already used is refused (no replay)
    response = client.post("/logga-in/kod/", {"code": _totp_now(user, offset_steps=1), "next": "/konto/"})
    assert response["Location"] == "/konto/"
    assert client.get("/riktlinjer/").status_code == 200


def test_code_page_without_a_pending_sign_in_sends_back(db):
    assert Client().get("/logga-in/kod/")["Location"] == "/logga-in/"


@override_settings(MFA_REQUIRED=False)
def test_demo_mode_may_switch_the_second_factor_off(cast):
    client = Client()
    assert _sign_in(client, "coordinator@test.example")["Location"] == "/"
    assert client.get("/riktlinjer/").status_code == 200


def test_staff_and_board_reader_need_no_second_factor(cast):
    for name in ("staff", "board_reader"):
        assert _sign_in(Client(), f"{name}@test.example")["Location"] == "/"


def test_sign_out_needs_post_and_ends_the_session(cast):
    client = cast.client("staff")
    assert client.get("/logga-ut/").status_code == 405
    response = client.post("/logga-ut/")
    assert response["Location"] == "/logga-in/"
    assert client.get("/").status_code == 302
    assert AccessLogEntry.objects.filter(action="sign_out").count() == 1


def test_deactivation_ends_open_sessions_at_once(cast):
    client = cast.client("coordinator")
    assert client.get("/").status_code == 200
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    assert client.get("/").status_code == 302


def test_role_change_takes_effect_in_an_open_session(cast):
    client = cast.client("auditor")
    assert client.get("/loggkontroll/").status_code == 200
    cast["auditor"].memberships.all().delete()
    assert client.get("/loggkontroll/").status_code == 403


def test_end_all_sessions_signs_out_every_device(cast):
    laptop, phone = cast.client("staff"), cast.client("staff")
    assert laptop.post("/konto/avsluta-sessioner/")["Location"] == "/logga-in/"
    assert phone.get("/").status_code == 302
    assert AccessLogEntry.objects.filter(action="sessions_ended").count() == 1


def test_session_has_an_absolute_lifetime(cast, settings):
    client = cast.client("staff")
    session = client.session
    session[services.SESSION_SIGNED_IN_AT] = (
        timezone.now() - datetime.timedelta(hours=settings.SESSION_ABSOLUTE_HOURS, minutes=1)
    ).timestamp()
    session.save()
    assert client.get("/organisationer/")["Location"].startswith("/logga-in/")
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user(email="argon@test.example", password="ett-langt-losenord", full_name="A")
    assert user.password.startswith("argon2$argon2id$")


def test_totp_secret_is_encrypted_at_rest(cast):
    secret = services.new_totp_secret(user=cast["staff"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [cast["staff"].pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("v1:")


@pytest.mark.parametrize("name", ["staff", "coordinator", "auditor"])
def test_signed_in_pages_are_not_cached(cast, name):
    client = Client()
    sign_in_client(client, cast[name])
    assert client.get("/")["Cache-Control"] == "no-store"
