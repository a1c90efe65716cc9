"""E-mail about four-eyes changes (vbe.accounts.four_eyes): the messages to auditors and to the person
concerned at each step, and the one-time link to choose a password (after an approved reset, and for
new accounts)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from vbe.accounts.models import AccessChangeRequest, ChangeKind, Role, User
from vbe.audit.log import record
from vbe.audit.models import Outcome
from vbe.notifications import outbox

logger = logging.getLogger(__name__)


def password_link(user: User) -> str:
    """A one-time link: the token is bound to the current password hash, so it stops working as soon as
    a password is chosen, and it expires after settings.PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return outbox.absolute_url(reverse("accounts:set_password", args=[uid, default_token_generator.make_token(user)]))


def send_password_link(*, request: Any, user_id: int, reason: str) -> None:
    """E-mails the user, and only the user, the link to choose a password. reason: "new" or "reset".

    Sent directly, not through the outbox: a usable link must not sit in the database. A failed send
    is logged (access log ``mail_failed``); the administrator then proposes a new password reset."""
    user = User.objects.get(pk=user_id)
    if reason == "new":
        intro = "Ett konto i VBE-portalen har skapats åt dig."
    else:
        intro = "Lösenordet till ditt konto i VBE-portalen har nollställts efter beslut av två personer."
    body = (
        f"{intro}\n\nVälj ett lösenord här (länken fungerar en gång och i "
        f"{settings.PASSWORD_RESET_TIMEOUT // 3600} timmar):\n{password_link(user)}\n\n"
        "Har du inte väntat dig detta? Kontakta portalens administratör."
    )
    try:
        send_mail("Välj lösenord till VBE-portalen", body, None, [user.email], fail_silently=False)
    except Exception:  # any failure of the mail system: logged, never passed over in silence
        logger.exception("Länken för att välja lösenord kunde inte skickas till användare %s", user.pk)
        record(action="mail_failed", request=request, obj=user, outcome=Outcome.FAILED, detail=reason)
        return
    record(action="password_link_sent", request=request, obj=user, detail=reason)


EVENT_TEXT = {
    "proposed": "har föreslagits och väntar på att en andra person godkänner den",
    "approved": "har godkänts och gäller nu",
    "rejected": "har avslagits; ingenting har ändrats",
    "expired": "har gått ut utan beslut; ingenting har ändrats",
    "void": "kan inte godkännas eftersom förutsättningarna har ändrats sedan den föreslogs; ingenting har ändrats",
}
EVENT_SUBJECT = {
    "proposed": "förslag",
    "approved": "godkänd",
    "rejected": "avslagen",
    "expired": "har gått ut",
    "void": "ogiltig",
}


def _notify(proposal: AccessChangeRequest, event: str, *, old_email: str = "") -> None:
    """Queues one message per recipient (vbe.notifications): each auditor, and the person concerned.
    Called inside the decision's transaction, so a decision is never saved without its messages. No
    names in the auditors' messages: the proposal number and user ids lead them to the access log."""
    what, happened = proposal.describe(), EVENT_TEXT[event]
    reference = f"förslag {proposal.pk}"
    auditors = User.objects.filter(is_active=True, memberships__role=Role.AUDITOR).distinct()
    concerns = (
        f"stadsdelsområde nr {proposal.district_id}"
        if proposal.kind == ChangeKind.MERGE_DISTRICTS
        else f"användare nr {proposal.target_id}"
    )
    outbox.queue(
        recipients=auditors,
        kind=f"access_change_{event}",
        reference=reference,
        subject=f"Behörighetsförslag {proposal.pk}: {EVENT_SUBJECT[event]}",
        body=(
            f"Behörighetsförslag {proposal.pk} ({what}) för {concerns}, föreslaget av "
            f"användare nr {proposal.proposed_by_id}, {happened}."
            + (f" Beslutat av användare nr {proposal.decided_by_id}." if proposal.decided_by_id else "")
            + "\n\nDetaljerna finns i åtkomstloggen (loggkontroll)."
        ),
    )
    if proposal.target is None:
        return  # a merge, or the account is gone: nobody else to tell
    user_text = (
        f"En ändring av ditt konto i VBE-portalen ({what}) {happened}.\n\n"
        "Ändringar som ger åtkomst till personuppgifter eller nollställer inloggningen kräver beslut av två "
        "personer. Har du inte väntat dig detta? Kontakta portalens administratör."
    )
    subject = f"Ändring av ditt konto: {EVENT_SUBJECT[event]}"
    outbox.queue(
        recipients=[proposal.target],
        kind=f"access_change_{event}",
        reference=reference,
        subject=subject,
        body=user_text,
    )
    if old_email and old_email != proposal.target.email:
        # The outbox writes to the account's address, now the new one; the old one must hear of it too.
        transaction.on_commit(lambda: _send_to_old_address(old_email, subject, user_text, proposal.target_id))


def _send_to_old_address(address: str, subject: str, body: str, user_id: int) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except Exception:  # logged, never passed over in silence
        logger.exception("Meddelandet till den tidigare e-postadressen för användare %s kunde inte skickas", user_id)
        record(action="mail_failed", outcome=Outcome.FAILED, object_type="accounts.user", object_id=str(user_id))
