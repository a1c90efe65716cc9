"""Re-authentication before revealing a personnummer and before every export."""

from __future__ import annotations

import datetime

import pyotp
import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import urlencode

from conftest import PASSWORD, sign_in_client
from vbe.accounts import services
from vbe.accounts.models import SignInThrottle, User
from vbe.audit.models import AccessLogEntry
from vbe.concerns.tests.conftest import TEST_PNR, submit_test_concern
from vbe.reports.models import StatusReport
from vbe.reports.tests.factories import make_plan

THIS_YEAR = timezone.localdate().year


def enrol(user: User) -> pyotp.TOTP:
    secret = services.new_totp_secret(user=user)
    User.objects.filter(pk=user.pk).update(totp_confirmed_at=timezone.now())
    return pyotp.TOTP(secret)


def signed_in_long_ago(cast, name: str, minutes: int = 10) -> Client:
    client = cast.client(name)
    session = client.session
    session[services.SESSION_SIGNED_IN_AT] = (timezone.now() - datetime.timedelta(minutes=minutes)).timestamp()
    session.save()
    return client


def reauth_url(back: str) -> str:
    return f"/konto/bekrafta/?{urlencode({'next': back})}"


def test_revealing_a_personnummer_after_a_while_asks_for_password_and_code_again(cast):
    concern = submit_test_concern(cast)
    totp = enrol(cast["coordinator"])
    client = signed_in_long_ago(cast, "coordinator")
    case_page = f"/oro/arenden/{concern.reference}/"
    response = client.post(f"{case_page}personnummer/")
    # Back to the case page afterwards: never to the POST's own URL, and no personal data in `next`.
    assert response.status_code == 302 and response["Location"] == reauth_url(case_page)
    assert not AccessLogEntry.objects.filter(action="personnummer_revealed").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Bekräfta att det är du" in page and "Engångskod" in page and f'value="{case_page}"' in page
    wrong = client.post("/konto/bekrafta/", {"password": "fel", "code": totp.now(), "next": case_page})
    assert wrong.status_code == 200 and str(services.REAUTH_FAILED_WITH_CODE) in wrong.content.decode()
    assert AccessLogEntry.objects.filter(action="reauthentication_failed").count() == 1
    assert User.objects.get(pk=cast["coordinator"].pk).failed_sign_ins == 1  # counts toward lock-out
    done = client.post("/konto/bekrafta/", {"password": PASSWORD, "code": totp.now(), "next": case_page})
    assert done["Location"] == case_page
    assert TEST_PNR in client.post(f"{case_page}personnummer/").content.decode()
    assert AccessLogEntry.objects.filter(action="personnummer_revealed").count() == 1
    assert AccessLogEntry.objects.filter(action="reauthenticated", actor_id=cast["coordinator"].pk).count() == 1


def test_a_fresh_sign_in_counts_as_a_recent_authentication(cast):
    concern = submit_test_concern(cast)
    totp = enrol(cast["coordinator"])
    client = Client()
    client.post("/logga-in/", {"email": "coordinator@test.example", "password": PASSWORD})
    assert client.post("/logga-in/kod/", {"code": totp.now()})["Location"] == "/"
    response = client.post(f"/oro/arenden/{concern.reference}/personnummer/")
    assert response.status_code == 200 and TEST_PNR in response.content.decode()


def test_someone_who_may_not_reveal_is_refused_before_any_re_authentication(cast):
    concern = submit_test_concern(cast)
    client = signed_in_long_ago(cast, "coordinator_other")
    assert client.post(f"/oro/arenden/{concern.reference}/personnummer/").status_code == 404


@pytest.fixture
def exports(cast) -> dict[str, tuple[str, str, str]]:
    """path -> (role, page to return to)."""
    central = cast["central_coordinator"]
    StatusReport.objects.create(year=2025, created_by=central, updated_by=central)
    plan = make_plan(actor=cast["coordinator"], slug="jarva", year=THIS_YEAR)
    return {
        f"/rapporter/efterlevnad/{THIS_YEAR}.xlsx": ("central_coordinator", f"/rapporter/efterlevnad/?ar={THIS_YEAR}"),
        f"/rapporter/tackning/{THIS_YEAR}.xlsx": ("central_coordinator", f"/rapporter/tackning/?ar={THIS_YEAR}"),
        "/rapporter/nulagesrapport/2025.pdf": ("central_coordinator", "/rapporter/nulagesrapport/2025/"),
        "/rapporter/nulagesrapport/2025.docx": ("central_coordinator", "/rapporter/nulagesrapport/2025/"),
        f"/rapporter/planer/{plan.pk}.pdf": ("coordinator", f"/planer/{plan.pk}/"),
        f"/rapporter/planer/{plan.pk}.docx": ("coordinator", f"/planer/{plan.pk}/"),
    }


def test_every_export_needs_a_recent_authentication(cast, exports):
    for path, (role, back) in exports.items():
        stale = signed_in_long_ago(cast, role)
        response = stale.get(path)
        assert response.status_code == 302 and response["Location"] == reauth_url(back), path
        assert cast.client(role).get(path)["Content-Disposition"].startswith("attachment"), path
    assert AccessLogEntry.objects.filter(action__endswith="_exported").count() == len(exports)


def test_staff_without_a_second_factor_re_authenticate_with_the_password(cast):
    client = signed_in_long_ago(cast, "staff")
    page = client.get("/konto/bekrafta/?next=/konto/").content.decode()
    assert "Lösenord" in page and "Engångskod" not in page
    assert client.post("/konto/bekrafta/", {"password": PASSWORD, "next": "/konto/"})["Location"] == "/konto/"
    assert services.recently_authenticated(type("R", (), {"session": client.session})())


def test_re_authentication_returns_only_within_the_portal(cast):
    client = signed_in_long_ago(cast, "staff")
    response = client.post("/konto/bekrafta/", {"password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_re_authentication_does_not_tell_whether_the_password_was_right(cast, django_user_model):
    """Right password with a wrong code, and wrong password with a wrong code: the same answer, one
    failure counted each, and the code throttle moves alike, so the page is no password oracle."""
    pages, throttles = [], []
    for password in (PASSWORD, "fel-losenord"):
        user = django_user_model.objects.create_user(
            email=f"orakel-{len(pages)}@test.example", password=PASSWORD, full_name="Orakel"
        )
        totp = enrol(user)
        near = {totp.at(timezone.now() + datetime.timedelta(seconds=30 * s)) for s in (-1, 0, 1)}
        wrong_code = next(c for c in ("000000", "111111", "222222", "333333") if c not in near)
        client = Client()
        sign_in_client(client, user)
        response = client.post("/konto/bekrafta/", {"password": password, "code": wrong_code, "next": "/konto/"})
        assert response.status_code == 200
        text = response.content.decode()
        pages.append(text[text.index('<div class="govuk-error-summary') : text.index("</h1>")])
        user.refresh_from_db()
        assert user.failed_sign_ins == 1
        assert AccessLogEntry.objects.filter(action="reauthentication_failed", actor_id=user.pk).count() == 1
        throttles.append(
            [
                row.failures
                for row in SignInThrottle.objects.filter(key=services.throttle_key("totp-user", str(user.pk)))
            ]
        )
    assert pages[0] == pages[1] and str(services.REAUTH_FAILED_WITH_CODE) in pages[0]
    assert throttles[0] == throttles[1] == [1]
