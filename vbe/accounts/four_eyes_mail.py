"""E-mail about four-eyes changes (vbe.accounts.four_eyes): the messages to auditors and to the person
concerned at each step, and the one-time link to choose a password (after an approved reset, and for
new accounts)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def send_password_link(*, user_id: int, reason: str) -> None:
    """E-mails the user, and only the user, the link to choose a password. reason: "new" or "reset".

    Sent directly, not through the outbox: a usable link must not sit in the database. A failed send
    is logged (access log ``mail_failed``); the administrator then proposes a new password reset."""
    user = User.objects.get(pk=user_id)
    if reason == "new":
        intro = _("Ett konto i VBE-portalen har skapats åt dig.")
    else:
        intro = _("Lösenordet till ditt konto i VBE-portalen har nollställts efter beslut av två personer.")
    choose = _("Välj ett lösenord här (länken fungerar en gång och i %(hours)s timmar):") % {
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600
    }
    unexpected = _("Har du inte väntat dig detta? Kontakta portalens administratör.")
    body = f"{intro}\n\n{choose}\n{password_link(user)}\n\n{unexpected}"
    try:
        send_mail(_("Välj lösenord till VBE-portalen"), body, None, [user.email], fail_silently=False)
    except Exception:  # any failure of the mail system: logged, never passed over in silence
        logger.exception("Länken för att välja lösenord kunde inte skickas till användare %s", user.pk)
        record(action="mail_failed", actor=None, obj=user, outcome=Outcome.FAILED, detail=reason)
        return
    record(action="password_link_sent", actor=None, obj=user, detail=reason)


# What happened to the change, said of it in the messages ("En ändring … har godkänts och gäller nu.").
EVENT_TEXT = {
    "proposed": gettext_lazy("har föreslagits och väntar på att en andra person godkänner den"),
    "approved": gettext_lazy("har godkänts och gäller nu"),
    "rejected": gettext_lazy("har avslagits; ingenting har ändrats"),
    "expired": gettext_lazy("har gått ut utan beslut; ingenting har ändrats"),
    "void": gettext_lazy(
        "kan inte godkännas eftersom förutsättningarna har ändrats sedan den föreslogs; ingenting har ändrats"
    ),
}
# The same, in a word for the subject line ("Behörighetsförslag 12: godkänd").
EVENT_SUBJECT = {
    "proposed": gettext_lazy("förslag"),
    "approved": gettext_lazy("godkänd"),
    "rejected": gettext_lazy("avslagen"),
    "expired": gettext_lazy("har gått ut"),
    "void": gettext_lazy("ogiltig"),
}


def _notify(proposal: AccessChangeRequest, event: str, *, old_email: str = "") -> None:
    """Queues one message per recipient (vbe.notifications): each auditor, and the person concerned.
    Called inside the decision's transaction, so a decision is never saved without its messages. No
    names in the auditors' messages: the proposal number and user ids lead them to the access log."""
    what, happened = proposal.describe(), EVENT_TEXT[event]
    reference = f"förslag {proposal.pk}"
    auditors = User.objects.filter(is_active=True, memberships__role=Role.AUDITOR).distinct()
    concerns = (
        _("stadsdelsområde nr %(number)s") % {"number": proposal.district_id}
        if proposal.kind == ChangeKind.MERGE_DISTRICTS
        else _("användare nr %(number)s") % {"number": proposal.target_id}
    )
    body = _(
        "Behörighetsförslag %(number)s (%(what)s) för %(concerns)s, föreslaget av användare nr %(proposer)s, "
        "%(happened)s."
    ) % {
        "number": proposal.pk,
        "what": what,
        "concerns": concerns,
        "proposer": proposal.proposed_by_id,
        "happened": happened,
    }
    if proposal.decided_by_id:
        body += " " + _("Beslutat av användare nr %(number)s.") % {"number": proposal.decided_by_id}
    outbox.queue(
        recipients=auditors,
        kind=f"access_change_{event}",
        reference=reference,
        subject=_("Behörighetsförslag %(number)s: %(event)s") % {"number": proposal.pk, "event": EVENT_SUBJECT[event]},
        body=body + "\n\n" + _("Detaljerna finns i åtkomstloggen (loggkontroll)."),
    )
    if proposal.target is None:
        return  # a merge, or the account is gone: nobody else to tell
    user_text = (
        _("En ändring av ditt konto i VBE-portalen (%(what)s) %(happened)s.") % {"what": what, "happened": happened}
        + "\n\n"
        + _(
            "Ändringar som ger åtkomst till personuppgifter eller nollställer inloggningen kräver beslut av två "
            "personer."
        )
        + " "
        + _("Har du inte väntat dig detta? Kontakta portalens administratör.")
    )
    subject = _("Ändring av ditt konto: %(event)s") % {"event": EVENT_SUBJECT[event]}
    outbox.queue(
        recipients=[proposal.target],
        kind=f"access_change_{event}",
        reference=reference,
        subject=subject,
        body=user_text,
    )
    if old_email and old_email != proposal.target.email:
        # The outbox writes to the account's address, now the new one; the old one must hear of it too.
        user_id = proposal.target.pk
        transaction.on_commit(lambda: _send_to_old_address(old_email, subject, user_text, user_id))


def _send_to_old_address(address: str, subject: str, body: str, user_id: int) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except Exception:  # logged, never passed over in silence
        logger.exception("Meddelandet till den tidigare e-postadressen för användare %s kunde inte skickas", user_id)
        record(
            action="mail_failed",
            actor=None,
            outcome=Outcome.FAILED,
            object_type="accounts.user",
            object_id=str(user_id),
        )
