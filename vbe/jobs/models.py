"""What a person waits for: a background job with its progress, and the periodic jobs' next run.

The queue itself is django-tasks' (``django_tasks_db.DBTaskResult``); a ``Job`` is the portal's own
record beside it, with the owner, a Swedish account of where the work stands and where its result is,
so the progress page can be read without knowing anything of the queue."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Klart")
    FAILED = "failed", _("Misslyckades")


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("slag"), max_length=40)
    title = models.CharField(_("rubrik"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("beställt av")
    )
    task_id = models.CharField(_("uppgift i kön"), max_length=64, blank=True)
    state = models.CharField(_("läge"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    stage = models.CharField(_("steg"), max_length=120, blank=True)
    done = models.PositiveIntegerField(_("klart"), default=0)
    total = models.PositiveIntegerField(_("totalt"), null=True, blank=True)  # None: not known yet
    message = models.TextField(_("resultat"), blank=True)
    result_url = models.CharField(_("resultatets adress"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("beställt"), default=timezone.now)
    started_at = models.DateTimeField(_("startat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("avslutat"), null=True, blank=True)
    updated_at = models.DateTimeField(_("uppdaterat"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bakgrundsjobb")
        verbose_name_plural = _("bakgrundsjobb")
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_newest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == JobState.DONE else None
        return min(100, self.done * 100 // self.total)


class PeriodicRun(models.Model):
    """One row per periodic job (``vbe.jobs.schedule``): when it is next due. Workers take the row's
    lock to enqueue it, so with several workers each run is enqueued once."""

    name = models.CharField(_("namn"), max_length=80, unique=True)
    next_run_at = models.DateTimeField(_("nästa körning"))
    last_enqueued_at = models.DateTimeField(_("senast lagt i kö"), null=True, blank=True)

    class Meta:
        verbose_name = _("återkommande jobb")
        verbose_name_plural = _("återkommande jobb")

    def __str__(self) -> str:
        return self.name
