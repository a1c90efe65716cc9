"""Role administration through the admin site: every change lands in the access log."""

from __future__ import annotations

import re

from django.test import Client

from vbe.accounts.models import AccessChangeRequest, Membership, Role, User
from vbe.audit.models import AccessLogEntry
from vbe.organisations.models import Organisation


def user_form(user: User | None = None, memberships: list[dict] | None = None, **fields) -> dict:
    memberships = memberships or []
    data = {
        "email": user.email if user else "ny@test.example",
        "full_name": user.full_name if user else "Ny Användare",
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if m.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        for key, value in m.items():
            data[f"memberships-{i}-{key}"] = value
    data.update(fields)
    return data


def test_admin_creates_a_user_with_a_role_and_both_are_logged(cast, mailoutbox, django_capture_on_commit_callbacks):
    utbildning = Organisation.objects.get(slug="utbildningsnamnden")
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("admin").post(
            "/admin/accounts/user/add/",
            user_form(memberships=[{"organisation": utbildning.pk, "role": Role.BOARD_READER, "unit": "", "user": ""}]),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="ny@test.example")
    assert not user.has_usable_password()  # no password until the user chooses one
    # A role without personal data is granted at once (four eyes are for roles that see personal data).
    assert Membership.objects.get(user=user).role == Role.BOARD_READER
    assert AccessLogEntry.objects.filter(action="account_created", object_id=str(user.pk)).exists()
    granted = AccessLogEntry.objects.get(action="role_granted", object_id=str(user.pk))
    assert granted.detail == "board_reader i Utbildningsnämnden"
    assert granted.actor_id == cast["admin"].pk
    assert [m.to for m in mailoutbox] == [["ny@test.example"]]


def test_new_user_chooses_their_own_password_through_a_one_time_link(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    admin = cast.client("admin")
    page = admin.get("/admin/accounts/user/add/").content.decode()
    assert 'type="password"' not in page  # an administrator never sets or knows anyone's password
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/accounts/user/add/", user_form(new_password="ett-langt-losenord-1"))
    user = User.objects.get(email="ny@test.example")
    assert not user.has_usable_password()
    link = re.search(r"http\S*/konto/valj-losenord/\S+/", mailoutbox[0].body)
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    visitor = Client()
    form_page = visitor.get(path, follow=True)
    assert "Välj lösenord" in form_page.content.decode()
    response = visitor.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "ett-eget-langt-losenord", "new_password2": "ett-eget-langt-losenord"},
    )
    assert response["Location"] == "/logga-in/"
    user.refresh_from_db()
    assert user.check_password("ett-eget-langt-losenord")
    assert AccessLogEntry.objects.filter(action="password_chosen", object_id=str(user.pk)).exists()
    # The link works once.
    assert "Länken fungerar inte" in Client().get(path, follow=True).content.decode()


def test_weak_password_is_refused_on_the_link_page(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("admin").post("/admin/accounts/user/add/", user_form())
    path = re.sub(r"^https?://[^/]+", "", re.search(r"\S*/konto/valj-losenord/\S+/", mailoutbox[0].body).group(0))
    visitor = Client()
    form_url = visitor.get(path, follow=True).redirect_chain[-1][0]
    page = visitor.post(form_url, {"new_password1": "kort", "new_password2": "kort"}).content.decode()
    assert "govuk-error-summary" in page
    assert not User.objects.get(email="ny@test.example").has_usable_password()


def test_revoking_a_role_and_deactivating_are_logged_and_end_sessions(cast):
    staff = cast["staff"]
    session_client = cast.client("staff")
    membership = Membership.objects.get(user=staff)
    form = user_form(
        staff,
        memberships=[
            {
                "id": membership.pk,
                "organisation": membership.organisation_id,
                "role": membership.role,
                "unit": membership.unit_id or "",
                "user": staff.pk,
                "DELETE": "on",
            }
        ],
    )
    del form["is_active"]
    response = cast.client("admin").post(f"/admin/accounts/user/{staff.pk}/change/", form)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=staff).exists()
    assert AccessLogEntry.objects.filter(action="role_revoked", object_id=str(staff.pk)).exists()
    assert AccessLogEntry.objects.filter(action="account_deactivated", object_id=str(staff.pk)).exists()
    assert session_client.get("/").status_code == 302


def test_central_coordinator_may_not_administer_users(cast):
    response = cast.client("central_coordinator").post("/admin/accounts/user/add/", user_form())
    assert response.status_code == 403
    assert not User.objects.filter(email="ny@test.example").exists()
    assert not AccessChangeRequest.objects.exists()
