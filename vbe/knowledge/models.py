"""Support resources (routines, templates, articles, training material, links, contact lists): who owns
each, whom it is for, which focus areas and methods of the guideline it supports, its versions, its
attachments and when it is next reviewed. The symbol guide's entries are incidents' (what an incident
reports having seen); its pages are here. The search index's tables are vendor-specific and made by
migration (see ``search.py``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_REVIEW_INTERVAL_MONTHS = 60


class Kind(models.TextChoices):
    ROUTINE = "routine", _("Rutin")
    TEMPLATE = "template", _("Mall")
    ARTICLE = "article", _("Artikel")
    TRAINING_MATERIAL = "training_material", _("Utbildningsmaterial")
    EXTERNAL_LINK = "external_link", _("Extern länk")
    CONTACT_LIST = "contact_list", _("Kontaktlista")


class Resource(models.Model):
    """One support resource. Its text is Markdown, rendered and sanitised on the server; each saved
    change is a new ResourceVersion, and ``version`` is the number of the newest."""

    # Set for the resources other pages link to by name (the concern routine, the PDV routine); a key
    # never changes once given, so a link keeps working when the title does.
    key = models.SlugField(_("nyckel"), max_length=60, blank=True, editable=False)
    kind = models.CharField(_("typ"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("rubrik"), max_length=200)
    summary = models.CharField(_("ingress"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown: rubriker, listor, länkar och fetstil."))
    url = models.URLField(_("länk"), max_length=500, blank=True)
    owner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="resources", verbose_name=_("ägare")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig"),
        help_text=_("Får påminnelsen inför granskningen. Utan ansvarig får ägarens samordnare den."),
    )
    audience_groups = models.ManyToManyField(
        "competence.StaffGroup", blank=True, related_name="resources", verbose_name=_("för personalgrupper")
    )
    # Role values (vbe.accounts.models.Role); empty: everyone.
    audience_roles = models.JSONField(_("för roller"), default=list, blank=True)
    focus_areas = models.ManyToManyField(
        "guidelines.FocusArea", blank=True, related_name="resources", verbose_name=_("områden")
    )
    methods = models.ManyToManyField(
        "guidelines.Method", blank=True, related_name="resources", verbose_name=_("metoder")
    )
    review_interval_months = models.PositiveSmallIntegerField(_("granskas var (månader)"), default=12)
    next_review_on = models.DateField(_("nästa granskning"))
    reviewed_on = models.DateField(_("senast granskad"), null=True, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("stödmaterial")
        verbose_name_plural = _("stödmaterial")
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="resource_unique_key"),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1, review_interval_months__lte=MAX_REVIEW_INTERVAL_MONTHS),
                name="resource_review_interval_range",
            ),
        ]
        indexes = [
            # The review overview and the reminders: active resources by due date.
            models.Index(fields=["next_review_on", "id"], condition=Q(is_active=True), name="resource_review_due"),
            models.Index(fields=["owner", "title"], name="resource_owner_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:resource", args=[self.pk])

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_active and self.next_review_on < (today or timezone.localdate())


class ResourceVersion(models.Model):
    """A resource's text as it was saved: the history and its diffs are read from these."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("rubrik"), max_length=200)
    summary = models.CharField(_("ingress"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.URLField(_("länk"), max_length=500, blank=True)
    note = models.CharField(_("vad som ändrades"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("ändrad av")
    )
    changed_at = models.DateTimeField(_("ändrad"), default=timezone.now)

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versioner")
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="resource_version_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"


class ExtractionState(models.TextChoices):
    PENDING = "pending", _("Läses in")
    DONE = "done", _("Sökbar")
    FAILED = "failed", _("Kunde inte läsas")


class Attachment(models.Model):
    """A PDF, DOCX or XLSX file attached to a resource, stored under a random name outside the web root.
    Its text is extracted by a background job for the search index."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("filnamn"), max_length=200)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(_("storlek"), editable=False)
    text = models.TextField(blank=True, editable=False)
    extraction = models.CharField(
        _("sökbarhet"), max_length=10, choices=ExtractionState.choices, default=ExtractionState.PENDING
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uppladdad"), default=timezone.now)

    class Meta:
        ordering = ["resource", "filename", "id"]
        verbose_name = _("bilaga")
        verbose_name_plural = _("bilagor")

    def __str__(self) -> str:
        return self.filename


class ReviewReminderSent(models.Model):
    """A review reminder sent (or owed): one per resource, due date and kind, so a rerun sends none twice."""

    class Reminder(models.TextChoices):
        BEFORE = "before", _("Inför granskning")
        OVERDUE = "overdue", _("Försenad granskning")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="review_reminders")
    due_on = models.DateField()
    reminder = models.CharField(max_length=10, choices=Reminder.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "due_on", "reminder"], name="review_reminder_once")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.due_on} {self.reminder}"
