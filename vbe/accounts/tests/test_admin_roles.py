"""Role administration through the admin site: every change lands in the access log."""

from __future__ import annotations

from vbe.accounts.models import Membership, Role, User
from vbe.audit.models import AccessLogEntry
from vbe.organisations.models import Organisation


def _user_form(user: User | None = None, memberships: list[dict] | None = None, **fields) -> dict:
    memberships = memberships or []
    data = {
        "email": user.email if user else "ny@test.example",
        "full_name": user.full_name if user else "Ny Användare",
        "is_active": "on",
        "new_password": "",
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


def test_admin_creates_a_user_with_a_role_and_both_are_logged(cast):
    jarva = Organisation.objects.get(slug="jarva")
    response = cast.client("admin").post(
        "/admin/accounts/user/add/",
        _user_form(memberships=[{"organisation": jarva.pk, "role": Role.COORDINATOR, "unit": "", "user": ""}]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="ny@test.example")
    assert not user.has_usable_password()  # no password until one is set
    assert Membership.objects.get(user=user).role == Role.COORDINATOR
    assert AccessLogEntry.objects.filter(action="account_created", object_id=str(user.pk)).exists()
    granted = AccessLogEntry.objects.get(action="role_granted", object_id=str(user.pk))
    assert granted.detail == "coordinator i Järva stadsdelsnämnd"
    assert granted.actor_id == cast["admin"].pk


def test_revoking_a_role_and_deactivating_are_logged_and_end_sessions(cast):
    staff = cast["staff"]
    session_client = cast.client("staff")
    membership = Membership.objects.get(user=staff)
    form = _user_form(
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


def test_weak_password_is_refused_with_a_message(cast):
    response = cast.client("admin").post("/admin/accounts/user/add/", _user_form(new_password="kort"))
    assert response.status_code == 200
    assert not User.objects.filter(email="ny@test.example").exists()


def test_central_coordinator_may_not_administer_users(cast):
    response = cast.client("central_coordinator").post("/admin/accounts/user/add/", _user_form())
    assert response.status_code == 403
    assert not User.objects.filter(email="ny@test.example").exists()
