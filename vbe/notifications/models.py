"""The outbox: every e-mail the portal sends is first a row here, written in the same transaction as
what it tells about, so a report is never saved without its message (nor a message without its report)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person. It holds no personal data and no free text: a reference, an
    organisation's name and a link (e-mail leaves the portal's access control and log).

    The person is a portal account (``recipient``), or, for someone without one (a member of staff
    reminded of a training), a bare ``address``: exactly one of the two is set."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mottagare"),
    )
    address = models.EmailField(_("e-postadress"), max_length=254, blank=True)
    kind = models.CharField(_("slag"), max_length=40)
    reference = models.CharField(_("gäller"), max_length=30, blank=True)
    subject = models.CharField(_("ämne"), max_length=200)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("html"), blank=True)
    created_at = models.DateTimeField(_("skapat"), default=timezone.now)

    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    last_attempt_at = models.DateTimeField(_("senaste försök"), null=True, blank=True)
    last_error = models.CharField(_("senaste fel"), max_length=300, blank=True)
    # Set while one process is sending it, so the retry job and a request never send it twice.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    # After the last allowed attempt: kept, flagged, and reported by the retry job.
    gave_up_at = models.DateTimeField(_("gav upp"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden")
        indexes = [models.Index(fields=["sent_at", "gave_up_at"], name="notification_unsent")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(address="")) | (Q(recipient__isnull=True) & ~Q(address="")),
                name="notification_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} → {self.recipient_id or 'address'}"

    @property
    def is_pending(self) -> bool:
        return self.sent_at is None and self.gave_up_at is None
