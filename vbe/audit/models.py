"""The access log: append-only, each row chained to the previous one by an HMAC."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Tillåten")
    DENIED = "denied", _("Nekad")
    FAILED = "failed", _("Misslyckad")


class AccessLogEntry(models.Model):
    """One logged access. Never updated or deleted (on PostgreSQL a trigger refuses both).

    Who did it is stored as values, not as a foreign key: deleting a user must not touch the log.
    """

    created_at = models.DateTimeField(_("tid (UTC)"))
    actor_id = models.BigIntegerField(_("användar-id"), null=True, blank=True)
    actor_email = models.CharField(_("användare"), max_length=254, blank=True)
    actor_role = models.CharField(_("roll"), max_length=32, blank=True)
    actor_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    action = models.CharField(_("händelse"), max_length=64)
    outcome = models.CharField(_("utfall"), max_length=16, choices=Outcome.choices, default=Outcome.ALLOWED)
    object_type = models.CharField(_("objekttyp"), max_length=64, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    subject_ref = models.CharField(_("registrerad (referens)"), max_length=128, blank=True)
    legal_ground = models.CharField(_("rättslig grund"), max_length=200, blank=True)
    request_id = models.CharField(_("anrops-id"), max_length=64, blank=True)
    detail = models.CharField(_("detalj"), max_length=500, blank=True)
    key_id = models.CharField(max_length=32)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        # The auditor's page (vbe/portal/access_log.py) reads the log newest first, a page at a time,
        # by id (the chain's order), never counting or skipping rows. Each index serves a filter of
        # that page, so a page is a short walk along one index however long the log grows. Each one
        # costs every append a little: add one only for a filter the page offers.
        indexes = [
            # An equality followed by the id order: the page's walk for one filter, with no sort.
            models.Index(fields=["action", "id"], name="audit_log_action_id"),
            models.Index(fields=["outcome", "id"], name="audit_log_outcome_id"),  # also the auditor's start page
            models.Index(fields=["actor_id", "id"], name="audit_log_actor_id"),
            models.Index(fields=["subject_ref", "id"], name="audit_log_subject_ref_id"),
            # A date range: the ids of the range read from the index alone, then the newest of them
            # taken. Time and id order need not agree (generated history is appended out of time
            # order, clocks of several app servers differ), so a range is never turned into ids.
            models.Index(fields=["created_at", "id"], name="audit_log_created_id"),
            # The filter auditors combine with a date most, an action (e.g. every sign-in in March).
            models.Index(fields=["action", "created_at", "id"], name="audit_log_action_created_id"),
        ]
        verbose_name = _("loggpost")
        verbose_name_plural = _("åtkomstlogg")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.created_at:%Y-%m-%d %H:%M:%S}"


class ChainHead(models.Model):
    """A single row holding the MAC of the newest log row; locking it serialises appends."""

    last_id = models.BigIntegerField(default=0)
    last_mac = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"kedjans slut: rad {self.last_id}"


class AnonymousDenialBucket(models.Model):
    """How many requests of one anonymous client were refused in one minute (not part of the log).

    The minute's first denial is logged as a row of its own; the rest are only counted here and go
    into the log as one summary row when the bucket is flushed. The client is a hash of its address
    (its /64 network for IPv6) under the day's salt, never the address. One bucket per minute, with
    ``client_ref`` ``*``, counts every anonymous denial of the minute for the global cap.
    """

    client_ref = models.CharField(max_length=64)
    minute = models.BigIntegerField(help_text=_("minuter sedan 1970-01-01 00:00 UTC"))
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_ref", "minute"], name="audit_denial_bucket_per_client_minute")
        ]
        indexes = [models.Index(fields=["minute"])]

    def __str__(self) -> str:
        return f"{self.count} nekade anrop, minut {self.minute}"


class AnonymousClientSalt(models.Model):
    """The day's random salt for anonymous client references (vbe.audit.denials.client_ref).

    Deleted once its day is over, so that the references in the log, which can never be erased, can
    no longer be tied to an address afterwards, not even by someone holding every key.
    """

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt för {self.day}"
