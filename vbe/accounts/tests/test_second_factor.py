"""One-time codes: throttled per user and per client, counted toward lock-out; replacing needs proof."""

from __future__ import annotations

import datetime

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from conftest import PASSWORD
from vbe.accounts import services
from vbe.accounts.models import SignInThrottle, User
from vbe.audit.models import AccessLogEntry


def enrol(user: User) -> pyotp.TOTP:
    secret = services.new_totp_secret(user=user)
    User.objects.filter(pk=user.pk).update(totp_confirmed_at=timezone.now())
    user.refresh_from_db()
    return pyotp.TOTP(secret)


def code(totp: pyotp.TOTP, steps: int = 0) -> str:
    return totp.at(timezone.now() + datetime.timedelta(seconds=30 * steps))


def wrong(totp: pyotp.TOTP) -> str:
    right = {code(totp, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def let_time_pass(seconds: int = 120) -> None:
    """The throttle waits are seconds long: move the last failures back instead of sleeping."""
    for row in SignInThrottle.objects.all():
        row.last_failure_at -= datetime.timedelta(seconds=seconds)
        row.save()


def code_step(client: Client, email: str) -> None:
    response = client.post("/logga-in/", {"email": email, "password": PASSWORD})
    assert response["Location"].startswith("/logga-in/kod/")


@override_settings(SIGN_IN_MAX_FAILURES=3, SIGN_IN_LOCKOUT_MINUTES=15)
def test_wrong_codes_count_toward_lock_out(cast):
    user = cast["coordinator"]
    totp = enrol(user)
    client = Client()
    code_step(client, user.email)
    for _ in range(3):
        page = client.post("/logga-in/kod/", {"code": wrong(totp)}).content.decode()
        assert services.WRONG_CODE.split(".")[0] in page
        let_time_pass()
    user.refresh_from_db()
    assert user.locked_until and user.locked_until > timezone.now()
    assert AccessLogEntry.objects.filter(action="account_locked", actor_id=user.pk).count() == 1
    # Locked: the right code is refused, and so is the password step.
    page = client.post("/logga-in/kod/", {"code": code(totp)}).content.decode()
    assert "tillfälligt låst" in page and "_auth_user_id" not in client.session
    page = Client().post("/logga-in/", {"email": user.email, "password": PASSWORD}).content.decode()
    assert "tillfälligt låst" in page


def test_codes_are_throttled_per_user(cast):
    user = cast["coordinator"]
    totp = enrol(user)
    client = Client()
    code_step(client, user.email)
    client.post("/logga-in/kod/", {"code": wrong(totp)})  # a mistyped code is free
    client.post("/logga-in/kod/", {"code": wrong(totp)})  # the second one starts the waiting
    page = client.post("/logga-in/kod/", {"code": code(totp)}).content.decode()
    assert "Vänta" in page and "_auth_user_id" not in client.session  # not even checked
    assert AccessLogEntry.objects.filter(action="mfa_throttled", actor_id=user.pk).count() == 1
    let_time_pass(5)
    assert client.post("/logga-in/kod/", {"code": code(totp)})["Location"] == "/"
    assert not SignInThrottle.objects.filter(key=services.throttle_key("totp-user", str(user.pk))).exists()


def test_waits_double_with_each_failure(cast):
    user = cast["coordinator"]
    totp = enrol(user)
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1")
    request.user = user
    waits = []
    for _ in range(4):
        with pytest.raises(ValidationError):
            services.verify_totp(request=request, user=user, code=wrong(totp))
        row = SignInThrottle.objects.get(key=services.throttle_key("totp-user", str(user.pk)))
        waits.append(services._throttle_wait(row, services.TOTP_USER_FREE_FAILURES))
        let_time_pass(60)
    assert waits == [0, 1, 2, 4]


@override_settings(SIGN_IN_MAX_FAILURES=100)
def test_codes_are_throttled_per_client_across_accounts(cast, django_user_model):
    factory = RequestFactory()
    users = [
        django_user_model.objects.create_user(email=f"u{i}@test.example", password=PASSWORD, full_name=f"U {i}")
        for i in range(services.TOTP_CLIENT_FREE_FAILURES + 2)
    ]
    totps = [enrol(u) for u in users]
    for user, totp in zip(users[:-1], totps[:-1], strict=True):  # one failure each: none throttled per user
        with pytest.raises(ValidationError, match="stämmer inte"):
            services.verify_totp(request=factory.post("/", REMOTE_ADDR="10.0.0.1"), user=user, code=wrong(totp))
    last, totp = users[-1], totps[-1]
    with pytest.raises(ValidationError, match="Vänta"):
        services.verify_totp(request=factory.post("/", REMOTE_ADDR="10.0.0.1"), user=last, code=code(totp))
    # From another address the same user's right code is accepted.
    services.verify_totp(request=factory.post("/", REMOTE_ADDR="10.0.0.2"), user=last, code=code(totp))
    assert not any("10.0.0.1" in key for key in SignInThrottle.objects.values_list("key", flat=True))


def test_replacing_a_confirmed_factor_needs_a_recent_authentication_and_is_logged(cast):
    user = cast["caseworker"]
    totp = enrol(user)
    secret = user.totp_secret
    client = cast.client("caseworker")
    session = client.session
    session[services.SESSION_SIGNED_IN_AT] = (timezone.now() - datetime.timedelta(minutes=20)).timestamp()
    session.save()
    response = client.post("/konto/tvastegsverifiering/", {"replace": "1"})
    assert response["Location"] == "/konto/bekrafta/?next=%2Fkonto%2Ftvastegsverifiering%2F"
    user.refresh_from_db()
    assert user.has_totp and user.totp_secret == secret and not user.totp_pending_secret
    # Password and a current code, then the replacement starts: the old factor stays in force.
    response = client.post(
        "/konto/bekrafta/", {"password": PASSWORD, "code": code(totp), "next": "/konto/tvastegsverifiering/"}
    )
    assert response["Location"] == "/konto/tvastegsverifiering/"
    assert client.post("/konto/tvastegsverifiering/", {"replace": "1"})["Location"] == "/konto/tvastegsverifiering/"
    user.refresh_from_db()
    assert user.has_totp and user.totp_secret == secret
    new = pyotp.TOTP(user.totp_pending_secret)
    assert user.totp_pending_secret != secret
    # A code of the new app confirms it; only then is the old one gone, and that is logged.
    assert client.post("/konto/tvastegsverifiering/", {"code": new.now()})["Location"] == "/"
    user.refresh_from_db()
    assert user.has_totp and user.totp_secret == new.secret and not user.totp_pending_secret
    assert AccessLogEntry.objects.filter(action="mfa_replacement_started", object_id=str(user.pk)).count() == 1
    assert AccessLogEntry.objects.filter(action="mfa_replaced", object_id=str(user.pk)).count() == 1
    assert AccessLogEntry.objects.filter(action="reauthenticated", actor_id=user.pk).count() == 1


def test_while_a_new_factor_waits_for_confirmation_the_old_one_is_still_needed(cast):
    """The password alone never signs in meanwhile: the old factor stays in force until the new one is
    confirmed, and a replacement can be cancelled."""
    user = cast["coordinator"]
    old = enrol(user)
    client = cast.client("coordinator")
    client.post("/konto/tvastegsverifiering/", {"replace": "1"})
    user.refresh_from_db()
    pending = user.totp_pending_secret
    assert pending and user.has_totp
    page = client.get("/konto/tvastegsverifiering/").content.decode()
    assert pending[:4] in page and "Den gamla appen gäller tills" in page
    # Someone with the password only gets to the code step, and the new app's code does not let them in.
    stranger = Client()
    code_step(stranger, user.email)
    page = stranger.post("/logga-in/kod/", {"code": pyotp.TOTP(pending).now()}).content.decode()
    assert "_auth_user_id" not in stranger.session and services.WRONG_CODE.split(".")[0] in page
    let_time_pass()
    assert stranger.post("/logga-in/kod/", {"code": code(old)})["Location"] == "/"
    # Cancelled, the pending secret is gone and the old factor still works.
    assert client.post("/konto/tvastegsverifiering/", {"cancel": "1"})["Location"] == "/konto/tvastegsverifiering/"
    user.refresh_from_db()
    assert not user.totp_pending_secret and user.has_totp


def test_codes_from_one_ipv6_network_count_as_one_client(cast, django_user_model):
    """An IPv6 subscriber holds a whole /64: changing the host part must not make a new client."""
    factory = RequestFactory()
    users = [
        django_user_model.objects.create_user(email=f"v6-{i}@test.example", password=PASSWORD, full_name=f"V {i}")
        for i in range(services.TOTP_CLIENT_FREE_FAILURES + 2)
    ]
    totps = [enrol(u) for u in users]
    for i, (user, totp) in enumerate(zip(users[:-1], totps[:-1], strict=True)):
        with pytest.raises(ValidationError, match="stämmer inte"):
            services.verify_totp(
                request=factory.post("/", REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}"), user=user, code=wrong(totp)
            )
    with pytest.raises(ValidationError, match="Vänta"):
        services.verify_totp(
            request=factory.post("/", REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:ffff"),
            user=users[-1],
            code=code(totps[-1]),
        )
    # Another /64 is another client.
    services.verify_totp(request=factory.post("/", REMOTE_ADDR="2001:db8:1:3::1"), user=users[-1], code=code(totps[-1]))


def test_a_right_code_resets_the_client_counter(cast, django_user_model):
    factory = RequestFactory()
    users = [
        django_user_model.objects.create_user(email=f"c-{i}@test.example", password=PASSWORD, full_name=f"C {i}")
        for i in range(services.TOTP_CLIENT_FREE_FAILURES + 1)
    ]
    totps = [enrol(u) for u in users]
    for user, totp in zip(users[:-1], totps[:-1], strict=True):
        with pytest.raises(ValidationError, match="stämmer inte"):
            services.verify_totp(request=factory.post("/", REMOTE_ADDR="10.0.0.7"), user=user, code=wrong(totp))
    client_key = services.throttle_key("totp-client", "10.0.0.7")
    assert SignInThrottle.objects.get(key=client_key).failures == services.TOTP_CLIENT_FREE_FAILURES
    services.verify_totp(request=factory.post("/", REMOTE_ADDR="10.0.0.7"), user=users[-1], code=code(totps[-1]))
    assert not SignInThrottle.objects.filter(key=client_key).exists()
