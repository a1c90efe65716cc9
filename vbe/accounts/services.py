"""Sign-in, lock-out, second factor, re-authentication, sessions and role changes: each writes the access log.

Lock-out is counted on the row that belongs to the e-mail address typed: the user's row when the
account exists (active or not), otherwise a ``SignInThrottle`` row keyed by a keyed hash of the
address. Both paths run the same code, lock their row for the whole check, and give the same
messages after the same number of tries, so the sign-in page reveals neither which accounts exist
nor lets parallel attempts slip past the limit.
"""

from __future__ import annotations

import datetime
import hmac
from typing import Literal

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts.models import Membership, SignInThrottle, User
from vbe.audit.log import record
from vbe.audit.models import Outcome
from vbe.core.clients import client_network

SESSION_PENDING_USER = "vbe_pending_user"
SESSION_PENDING_AT = "vbe_pending_at"
SESSION_MFA_VERIFIED = "vbe_mfa_verified"
SESSION_SIGNED_IN_AT = "vbe_signed_in_at"
SESSION_REAUTHENTICATED_AT = "vbe_reauthenticated_at"
# When this session's idle expiry was last pushed forward (its row saved): session_lifetime.keep_session_alive.
SESSION_EXTENDED_AT = "vbe_extended_at"
PENDING_SECONDS = 300  # the code step must follow the password step within five minutes

# One-time codes: a mistyped code is free; after that each further failure doubles the wait before
# the next code is even checked (django-otp's scheme). The per-client counter allows more failures,
# since many people may share one address (an office behind one gateway).
TOTP_USER_FREE_FAILURES = 1
TOTP_CLIENT_FREE_FAILURES = 10

WRONG_CREDENTIALS = gettext_lazy("Fel e-postadress eller lösenord. Kontrollera stavningen och försök igen.")
WRONG_CODE = gettext_lazy("Koden stämmer inte. Skriv de sex siffror som appen visar just nu.")
# Re-authentication answers the same whichever part was wrong (never a password oracle).
REAUTH_FAILED = gettext_lazy("Lösenordet stämmer inte. Försök igen.")
REAUTH_FAILED_WITH_CODE = gettext_lazy("Lösenordet eller engångskoden stämmer inte. Skriv båda igen.")


def _lockout_seconds() -> int:
    return settings.SIGN_IN_LOCKOUT_MINUTES * 60


def _locked_message(locked_until: datetime.datetime) -> str:
    minutes = max(1, int((locked_until - timezone.now()).total_seconds() // 60) + 1)
    return _(
        "Kontot är tillfälligt låst efter för många misslyckade inloggningar. Försök igen om %(minutes)s "
        "minuter, eller kontakta portalens administratör."
    ) % {"minutes": minutes}


def _throttled_message(seconds: int) -> str:
    return _("För många felaktiga koder. Vänta %(seconds)s sekunder och försök igen.") % {"seconds": seconds}


# What a check of a password or a code found, under the user's row lock: right or wrong, or refused
# unchecked, with the end of the account's lock or the seconds to wait before the next code.
Check = (
    tuple[Literal["ok", "wrong"], None] | tuple[Literal["locked"], datetime.datetime] | tuple[Literal["throttled"], int]
)


# --- Failure counters --------------------------------------------------------------------------


def throttle_key(scope: str, value: str) -> str:
    """A keyed hash, so the throttle table holds neither e-mail nor client addresses."""
    digest = salted_hmac(f"vbe.accounts.throttle.{scope}", value, algorithm="sha256").hexdigest()
    return f"{scope}:{digest}"


def _locked_throttle(key: str) -> SignInThrottle:
    """The throttle row for ``key``, created if missing and locked for this transaction."""
    SignInThrottle.objects.bulk_create([SignInThrottle(key=key)], ignore_conflicts=True)  # safe under races
    return SignInThrottle.objects.select_for_update().get(key=key)


class _Counter:
    """The failure count and lock of one e-mail address: on the user's row, or on a throttle row."""

    def __init__(self, holder: User | SignInThrottle) -> None:
        self.holder = holder
        self.field = "failed_sign_ins" if isinstance(holder, User) else "failures"

    @property
    def locked_until(self) -> datetime.datetime | None:
        until = self.holder.locked_until
        return until if until and until > timezone.now() else None

    def count_failure(self) -> bool:
        """Adds one failure (the row is locked by the caller); returns True when this one locks."""
        failures = getattr(self.holder, self.field) + 1
        fields = [self.field]
        locks = failures >= settings.SIGN_IN_MAX_FAILURES
        if locks:
            self.holder.locked_until = timezone.now() + datetime.timedelta(seconds=_lockout_seconds())
            failures = 0
            fields.append("locked_until")
        if isinstance(self.holder, SignInThrottle):
            self.holder.last_failure_at = timezone.now()
            fields.append("last_failure_at")
        setattr(self.holder, self.field, failures)
        self.holder.save(update_fields=fields)
        return locks


def check_password(*, request: HttpRequest, email: str, password: str) -> User:
    """First sign-in step. Returns the user, or raises ValidationError (and counts the failure).

    The row that counts the failures is locked around the password check, so parallel attempts
    queue up and no more than SIGN_IN_MAX_FAILURES checks run before the address is locked.
    """
    email = email.strip().lower()
    locked_until = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        counter = _Counter(user if user is not None else _locked_throttle(throttle_key("email", email)))
        unknown = "" if user is not None else "okänt konto"
        if counter.locked_until:
            locked_until = counter.locked_until
            record(action="sign_in_refused_locked", actor=user, outcome=Outcome.DENIED, detail=unknown)
            authenticated = None
        else:
            # For an unknown address Django's backend still runs the hasher once, so timing is alike.
            authenticated = authenticate(request, username=email, password=password)
            if authenticated is None:
                detail = unknown if user is None else ("" if user.is_active else "inaktivt konto")
                record(action="sign_in_failed", actor=user, outcome=Outcome.FAILED, detail=detail)
                if counter.count_failure():
                    record(action="account_locked", actor=user, outcome=Outcome.DENIED, detail=detail)
    # Raised after the block, so the counted failure and its log rows are kept.
    if locked_until is not None:
        raise ValidationError(_locked_message(locked_until))
    if authenticated is None:
        raise ValidationError(WRONG_CREDENTIALS)
    return authenticated


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
    request.session[SESSION_SIGNED_IN_AT] = timezone.now().timestamp()  # also counts as a recent authentication
    request.session[SESSION_MFA_VERIFIED] = mfa_verified
    _clear_failures(user)
    record(action="sign_in", actor=user, detail="med engångskod" if mfa_verified else "")


def _clear_failures(user: User) -> None:
    if user.failed_sign_ins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
    _forget_stale_counters()


def _forget_stale_counters() -> None:
    """Throttle rows that no longer hold anything back: code counters past the lock-out period, and
    address counters whose lock has run out (their count was reset when they locked). An address
    counter with a few failures stays, exactly as a user's count does, so both behave alike."""
    expired = timezone.now() - datetime.timedelta(seconds=_lockout_seconds())
    SignInThrottle.objects.filter(key__startswith="totp-", last_failure_at__lt=expired).delete()
    SignInThrottle.objects.filter(key__startswith="email:", failures=0, locked_until__lt=timezone.now()).delete()


def sign_out(*, request: HttpRequest) -> None:
    if request.user.is_authenticated:
        record(action="sign_out", actor=request.user)
    logout(request)


def end_all_sessions(*, request: HttpRequest, user: User) -> None:
    """Invalidates every session of the user, this one included."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    record(action="sessions_ended", actor=user)
    logout(request)


# --- Re-authentication -------------------------------------------------------------------------


def last_authenticated_at(request: HttpRequest) -> float:
    """When this session last proved password (and code): the sign-in itself or a re-authentication."""
    session = request.session
    return max(session.get(SESSION_SIGNED_IN_AT, 0), session.get(SESSION_REAUTHENTICATED_AT, 0))


def recently_authenticated(request: HttpRequest) -> bool:
    minutes = settings.REAUTH_MINUTES
    return timezone.now().timestamp() - last_authenticated_at(request) <= minutes * 60


def reauthenticate(*, request: HttpRequest, password: str, code: str) -> None:
    """Proves again that the signed-in person holds the account: its password, and a current code when
    the user has a second factor. Raises ValidationError.

    Both are checked, whatever the first one gave, in one transaction with the user's row locked, and
    any failure gives one message, counts one failure toward lock-out and one toward each code
    throttle: the answer never tells whether the password was right (the person at the keyboard may
    hold only an open session)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied  # only a signed-in person can prove it again
    check = _check_reauthentication(request=request, user_id=user.pk, password=password, code=code)
    if check[0] == "locked":
        raise ValidationError(_locked_message(check[1]))
    if check[0] == "throttled":
        raise ValidationError(_throttled_message(check[1]))
    if check[0] == "wrong":
        raise ValidationError(REAUTH_FAILED_WITH_CODE if user.has_totp else REAUTH_FAILED)
    request.session[SESSION_REAUTHENTICATED_AT] = timezone.now().timestamp()
    user.refresh_from_db(fields=["totp_last_step", "failed_sign_ins", "locked_until"])
    _forget_stale_counters()
    record(action="reauthenticated", actor=user, detail="med engångskod" if user.has_totp else "")


def _check_reauthentication(*, request: HttpRequest, user_id: int, password: str, code: str) -> Check:
    """("ok"|"wrong"|"throttled"|"locked", detail), the user's row locked for the whole check."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        counter = _Counter(user)
        if counter.locked_until:
            record(action="reauthentication_refused_locked", actor=user, outcome=Outcome.DENIED)
            return "locked", counter.locked_until
        throttles = _totp_throttles(request, user) if user.has_totp else []
        wait = max((_throttle_wait(row, free) for row, free in throttles), default=0)
        if wait:
            record(action="mfa_throttled", actor=user, outcome=Outcome.DENIED)
            return "throttled", wait
        # Both checks run, in this order, every time: the password check (the hasher) dominates the
        # time taken either way.
        password_ok = authenticate(request, username=user.email, password=password) is not None
        step = _matching_step(user.totp_secret, user.totp_last_step, "".join(code.split())) if user.has_totp else None
        code_ok = step is not None or not user.has_totp
        if password_ok and code_ok:
            fields = ["failed_sign_ins", "locked_until"]
            user.failed_sign_ins, user.locked_until = 0, None
            if step is not None:
                user.totp_last_step = step
                fields.append("totp_last_step")
            user.save(update_fields=fields)
            for row, _free in throttles:
                row.delete()  # a right code and password: both counters start over
            return "ok", None
        # Which part failed is for the auditors only (the log), never for the page.
        failed = [part for part, ok in (("lösenord", password_ok), ("kod", code_ok)) if not ok]
        record(
            action="reauthentication_failed",
            actor=user,
            outcome=Outcome.FAILED,
            detail=" och ".join(failed),
        )
        for row, _free in throttles:
            row.failures += 1
            row.last_failure_at = timezone.now()
            row.save(update_fields=["failures", "last_failure_at"])
        if counter.count_failure():
            record(action="account_locked", actor=user, outcome=Outcome.DENIED)
        return "wrong", None


# --- TOTP ------------------------------------------------------------------------------------


def new_totp_secret(*, user: User) -> str:
    """Starts (or restarts) enrolment with a fresh secret; the factor counts only once confirmed."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = None
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    return secret


def replace_totp(*, user: User) -> str:
    """Starts replacing a confirmed factor (the caller has made sure of a recent authentication).

    The new secret waits in ``totp_pending_secret``; the confirmed factor stays in force, for sign-in
    and re-authentication, until a code of the new one confirms it (``confirm_totp_replacement``)."""
    secret = pyotp.random_base32()
    user.totp_pending_secret = secret
    user.save(update_fields=["totp_pending_secret"])
    record(action="mfa_replacement_started", actor=user, obj=user)
    return secret


def confirm_totp_replacement(*, user: User, code: str) -> None:
    """A code of the pending secret makes it the factor; only now is the old one gone. Like the first
    enrolment's code it proves the app was set up, so it is not throttled (the caller has made sure of
    a recent authentication with the old factor). Raises ValidationError."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.totp_pending_secret:
            raise ValidationError(_("Det finns ingen ny app som väntar på att bekräftas. Börja om."))
        step = _matching_step(locked.totp_pending_secret, 0, "".join(code.split()))
        if step is None:
            record(action="mfa_failed", actor=locked, outcome=Outcome.FAILED, detail="ny app")
            raise ValidationError(WRONG_CODE)
        locked.totp_secret = locked.totp_pending_secret
        locked.totp_pending_secret = ""
        locked.totp_last_step = step
        locked.totp_confirmed_at = timezone.now()
        locked.save(update_fields=["totp_secret", "totp_pending_secret", "totp_last_step", "totp_confirmed_at"])
        record(action="mfa_replaced", actor=locked, obj=locked)
    user.refresh_from_db(fields=["totp_secret", "totp_pending_secret", "totp_last_step", "totp_confirmed_at"])


def cancel_totp_replacement(*, user: User) -> None:
    """Drops a pending replacement; the confirmed factor was never touched."""
    if User.objects.filter(pk=user.pk).exclude(totp_pending_secret="").update(totp_pending_secret=""):
        record(action="mfa_replacement_cancelled", actor=user, obj=user)
    user.refresh_from_db(fields=["totp_pending_secret"])


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.SERVICE_NAME)


def client_address(request: HttpRequest | None) -> str:
    """The client a request came from, as the WSGI server reports it: the IPv4 address, or the /64 of
    an IPv6 address (vbe.core.clients). Behind a proxy, REMOTE_ADDR must be the visitor's (README)."""
    address = (request.META.get("REMOTE_ADDR") or "") if request is not None else ""
    return client_network(address) if address else ""


def _throttle_wait(row: SignInThrottle, free: int) -> int:
    """Seconds still to wait before the next code may be checked: 2^(n-free-1) s after the n-th failure."""
    if row.failures <= free or row.last_failure_at is None:
        return 0
    delay = min(2 ** (row.failures - free - 1), _lockout_seconds())
    return max(0, int(delay - (timezone.now() - row.last_failure_at).total_seconds() + 0.999))


def _totp_throttles(request: HttpRequest | None, user: User) -> list[tuple[SignInThrottle, int]]:
    """The per-user and per-client counters, locked in a fixed order. A counter whose last failure is
    older than the lock-out period starts over."""
    keys = [(throttle_key("totp-user", str(user.pk)), TOTP_USER_FREE_FAILURES)]
    if address := client_address(request):
        keys.append((throttle_key("totp-client", address), TOTP_CLIENT_FREE_FAILURES))
    rows = []
    for key, free in sorted(keys):
        row = _locked_throttle(key)
        stale = row.last_failure_at and timezone.now() - row.last_failure_at > datetime.timedelta(
            seconds=_lockout_seconds()
        )
        if stale:
            row.failures = 0
        rows.append((row, free))
    return rows


def _matching_step(secret: str, last_step: int, code: str) -> int | None:
    """The unused 30-second step (previous, current or next, after ``last_step``) whose code is ``code``."""
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(timezone.now())
    for step in (now_step - 1, now_step, now_step + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _check_totp(*, request: HttpRequest | None, user_id: int, code: str) -> Check:
    """One code attempt in one transaction, the user's row locked (one step is used at most once).

    A confirmed factor is throttled and its failures count toward the account's lock-out; the code
    that confirms a new enrolment is not (it proves the app was set up, not who is there).
    Returns ("ok"|"wrong"|"throttled"|"locked", detail).
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        enrolling = user.totp_confirmed_at is None
        throttles: list[tuple[SignInThrottle, int]] = []
        if not enrolling:
            counter = _Counter(user)
            if counter.locked_until:
                record(action="mfa_refused_locked", actor=user, outcome=Outcome.DENIED)
                return "locked", counter.locked_until
            throttles = _totp_throttles(request, user)
            wait = max(_throttle_wait(row, free) for row, free in throttles)
            if wait:
                record(action="mfa_throttled", actor=user, outcome=Outcome.DENIED)
                return "throttled", wait
        step = _matching_step(user.totp_secret, user.totp_last_step, code)
        if step is not None:
            user.totp_last_step = step
            user.totp_confirmed_at = user.totp_confirmed_at or timezone.now()
            user.save(update_fields=["totp_last_step", "totp_confirmed_at"])
            if enrolling:
                record(action="mfa_enrolled", actor=user)
            for row, _free in throttles:
                # Both counters start over: a right code shows the client is not guessing (many people
                # may share its address), and the user's waits end with their right code.
                row.delete()
            return "ok", None
        record(action="mfa_failed", actor=user, outcome=Outcome.FAILED)
        if not enrolling:
            for row, _free in throttles:
                row.failures += 1
                row.last_failure_at = timezone.now()
                row.save(update_fields=["failures", "last_failure_at"])
            if _Counter(user).count_failure():
                record(action="account_locked", actor=user, outcome=Outcome.DENIED)
        return "wrong", None


def verify_totp(*, request: HttpRequest | None, user: User, code: str) -> None:
    """Accepts a six-digit code from the current, previous or next 30-second step, each step once.
    Raises ValidationError when the code is wrong, throttled or the account is locked."""
    check = _check_totp(request=request, user_id=user.pk, code="".join(code.split()))
    if check[0] == "locked":
        raise ValidationError(_locked_message(check[1]))
    if check[0] == "throttled":
        raise ValidationError(_throttled_message(check[1]))
    if check[0] == "wrong":
        raise ValidationError(WRONG_CODE)
    user.refresh_from_db(fields=["totp_last_step", "totp_confirmed_at"])


def _accept_totp(*, request: HttpRequest | None, user_id: int, code: str) -> bool:
    return _check_totp(request=request, user_id=user_id, code=code)[0] == "ok"


# --- Roles and accounts (called by the admin and by the four-eyes decisions) ---------------------


def log_membership_change(*, actor: User, membership: Membership, change: str, detail: str = "") -> None:
    """change: granted, changed or revoked."""
    record(
        action=f"role_{change}",
        actor=actor,
        obj=membership.user,
        detail=f"{membership.role} i {membership.organisation.name}"
        + (f", {membership.unit.name}" if membership.unit is not None else "")
        + (f" ({detail})" if detail else ""),
    )


def log_account_change(*, actor: User, user: User, was_active: bool | None) -> None:
    if was_active is None:
        record(action="account_created", actor=actor, obj=user)
    elif was_active and not user.is_active:
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        record(action="account_deactivated", actor=actor, obj=user)
    elif not was_active and user.is_active:
        record(action="account_reactivated", actor=actor, obj=user)


def reset_second_factor(*, actor: User, user: User, detail: str = "") -> None:
    """Only ever applied through an approved four-eyes proposal (vbe.accounts.four_eyes)."""
    User.objects.filter(pk=user.pk).update(
        totp_secret="",
        totp_pending_secret="",
        totp_confirmed_at=None,
        totp_last_step=0,
        session_generation=F("session_generation") + 1,
    )
    record(action="mfa_reset", actor=actor, obj=user, detail=detail)
