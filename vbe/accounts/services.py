"""Sign-in, lock-out, second factor, sessions and role changes: each writes the access log."""

from __future__ import annotations

import datetime
import hmac

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from vbe.accounts.models import Membership, User
from vbe.audit.log import record
from vbe.audit.models import Outcome

SESSION_PENDING_USER = "vbe_pending_user"
SESSION_PENDING_AT = "vbe_pending_at"
SESSION_MFA_VERIFIED = "vbe_mfa_verified"
SESSION_SIGNED_IN_AT = "vbe_signed_in_at"
PENDING_SECONDS = 300  # the code step must follow the password step within five minutes

WRONG_CREDENTIALS = "Fel e-postadress eller lösenord. Kontrollera stavningen och försök igen."


def _locked_message(user: User) -> str:
    minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
    return (
        f"Kontot är tillfälligt låst efter för många misslyckade inloggningar. Försök igen om {minutes} "
        f"minuter, eller kontakta portalens administratör."
    )


def check_password(*, request: HttpRequest, email: str, password: str) -> User:
    """First sign-in step. Returns the user, or raises ValidationError (and counts the failure)."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is not None and user.locked_until and user.locked_until > timezone.now():
        record(action="sign_in_refused_locked", request=request, actor=user, outcome=Outcome.DENIED)
        raise ValidationError(_locked_message(user))
    authenticated = authenticate(request, username=email, password=password)
    if authenticated is None:
        if user is not None and user.is_active:
            _count_failure(request=request, user=user)
        else:
            record(
                action="sign_in_failed", request=request, outcome=Outcome.FAILED, detail="okänt eller inaktivt konto"
            )
        raise ValidationError(WRONG_CREDENTIALS)
    return authenticated


@transaction.atomic
def _count_failure(*, request: HttpRequest, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_sign_ins=F("failed_sign_ins") + 1)
    user.refresh_from_db(fields=["failed_sign_ins"])
    record(action="sign_in_failed", request=request, actor=user, outcome=Outcome.FAILED)
    if user.failed_sign_ins >= settings.SIGN_IN_MAX_FAILURES:
        user.locked_until = timezone.now() + datetime.timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)
        user.failed_sign_ins = 0
        user.save(update_fields=["locked_until", "failed_sign_ins"])
        record(action="account_locked", request=request, actor=user, outcome=Outcome.DENIED)


def start_pending_sign_in(*, request: HttpRequest, user: User) -> None:
    """The password was right and a code is needed: remember who, briefly, without signing in."""
    request.session.cycle_key()
    request.session[SESSION_PENDING_USER] = user.pk
    request.session[SESSION_PENDING_AT] = timezone.now().timestamp()


def pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(SESSION_PENDING_USER)
    started = request.session.get(SESSION_PENDING_AT, 0)
    if user_id is None or timezone.now().timestamp() - started > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def complete_sign_in(*, request: HttpRequest, user: User, mfa_verified: bool) -> None:
    """Sign the user in with a new session id; logs the sign-in."""
    for key in (SESSION_PENDING_USER, SESSION_PENDING_AT):
        request.session.pop(key, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # rotates the session id
    request.session[SESSION_SIGNED_IN_AT] = timezone.now().timestamp()
    request.session[SESSION_MFA_VERIFIED] = mfa_verified
    if user.failed_sign_ins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
    record(action="sign_in", request=request, actor=user, detail="med engångskod" if mfa_verified else "")


def sign_out(*, request: HttpRequest) -> None:
    if request.user.is_authenticated:
        record(action="sign_out", request=request)
    logout(request)


def end_all_sessions(*, request: HttpRequest, user: User) -> None:
    """Invalidates every session of the user, this one included."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    record(action="sessions_ended", request=request, actor=user)
    logout(request)


# --- TOTP ------------------------------------------------------------------------------------


def new_totp_secret(*, user: User) -> str:
    """Starts (or restarts) enrolment with a fresh secret; the factor counts only once confirmed."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = None
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.SERVICE_NAME)


def verify_totp(*, request: HttpRequest, user: User, code: str) -> None:
    """Accepts a six-digit code from the current, previous or next 30-second step, each step once."""
    if not _accept_totp(request=request, user_id=user.pk, code="".join(code.split())):
        record(action="mfa_failed", request=request, actor=user, outcome=Outcome.FAILED)
        raise ValidationError("Koden stämmer inte. Skriv de sex siffror som appen visar just nu.")


@transaction.atomic
def _accept_totp(*, request: HttpRequest, user_id: int, code: str) -> bool:
    user = User.objects.select_for_update().get(pk=user_id)  # one code step is used at most once
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(timezone.now())
    for step in (now_step - 1, now_step, now_step + 1):
        if step > user.totp_last_step and hmac.compare_digest(totp.generate_otp(step), code):
            first_time = user.totp_confirmed_at is None
            user.totp_last_step = step
            user.totp_confirmed_at = user.totp_confirmed_at or timezone.now()
            user.save(update_fields=["totp_last_step", "totp_confirmed_at"])
            if first_time:
                record(action="mfa_enrolled", request=request, actor=user)
            return True
    return False


# --- Roles and accounts (called by the admin) ------------------------------------------------


def log_membership_change(*, request: HttpRequest, membership: Membership, change: str) -> None:
    """change: granted, changed or revoked."""
    record(
        action=f"role_{change}",
        request=request,
        obj=membership.user,
        detail=f"{membership.role} i {membership.organisation.name}"
        + (f", {membership.unit.name}" if membership.unit_id else ""),
    )


def log_account_change(*, request: HttpRequest, user: User, was_active: bool | None) -> None:
    if was_active is None:
        record(action="account_created", request=request, obj=user)
    elif was_active and not user.is_active:
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        record(action="account_deactivated", request=request, obj=user)
    elif not was_active and user.is_active:
        record(action="account_reactivated", request=request, obj=user)


def reset_second_factor(*, request: HttpRequest, user: User) -> None:
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None, totp_last_step=0)
    record(action="mfa_reset", request=request, obj=user)
