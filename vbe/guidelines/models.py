"""The guideline as data: its areas, methods, the coordinators' duties and the reporting cycle."""

from __future__ import annotations

import calendar
import datetime

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Guideline(models.Model):
    name = models.CharField(_("namn"), max_length=200)
    version = models.CharField(_("version"), max_length=20, help_text=_("T.ex. 2024."))
    adopted_on = models.DateField(_("antagen"), null=True, blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)
    is_current = models.BooleanField(_("gällande"), default=False)

    class Meta:
        ordering = ["-is_current", "-version"]
        verbose_name = _("riktlinje")
        verbose_name_plural = _("riktlinjer")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="guideline_unique_version"),
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="guideline_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class InterventionArea(models.Model):
    """Insatsområde: förebyggande arbete, riktade sociala insatser."""

    guideline = models.ForeignKey(
        Guideline, on_delete=models.CASCADE, related_name="intervention_areas", verbose_name=_("riktlinje")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    name = models.CharField(_("namn"), max_length=200)
    summary = models.TextField(_("sammanfattning"), blank=True)

    class Meta:
        ordering = ["guideline", "number"]
        verbose_name = _("insatsområde")
        verbose_name_plural = _("insatsområden")
        constraints = [models.UniqueConstraint(fields=["guideline", "number"], name="intervention_area_unique_number")]

    def __str__(self) -> str:
        return self.name


class FocusArea(models.Model):
    """One of the seven areas of the guideline, with the organisations named responsible for it."""

    intervention_area = models.ForeignKey(
        InterventionArea, on_delete=models.CASCADE, related_name="focus_areas", verbose_name=_("insatsområde")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    slug = models.SlugField(_("kortadress"), max_length=80)
    name = models.CharField(_("namn"), max_length=200)
    summary = models.TextField(_("sammanfattning"), blank=True)
    responsible = models.ManyToManyField(
        "organisations.Organisation",
        related_name="focus_areas",
        blank=True,
        verbose_name=_("särskilt ansvariga"),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        constraints = [
            models.UniqueConstraint(fields=["intervention_area", "number"], name="focus_area_unique_number"),
            models.UniqueConstraint(fields=["intervention_area", "slug"], name="focus_area_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("guidelines:focus_area", args=[self.slug])


class Method(models.Model):
    """A method or way of working the guideline names for a focus area (an extendable catalogue)."""

    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, related_name="methods", verbose_name=_("område")
    )
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    applies_to = models.ManyToManyField(
        "organisations.Organisation",
        related_name="methods",
        blank=True,
        verbose_name=_("gäller särskilt"),
        help_text=_("Lämna tomt när metoden gäller alla ansvariga för området."),
    )

    class Meta:
        ordering = ["focus_area__number", "name"]
        verbose_name = _("metod")
        verbose_name_plural = _("metoder")
        constraints = [models.UniqueConstraint(fields=["focus_area", "name"], name="method_unique_name")]

    def __str__(self) -> str:
        return self.name


class CoordinatorDuty(models.Model):
    """One of the local coordinator's duties."""

    guideline = models.ForeignKey(
        Guideline, on_delete=models.CASCADE, related_name="coordinator_duties", verbose_name=_("riktlinje")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.CharField(_("uppgift"), max_length=300)

    class Meta:
        ordering = ["guideline", "number"]
        verbose_name = _("samordnaruppgift")
        verbose_name_plural = _("samordnaruppgifter")
        constraints = [models.UniqueConstraint(fields=["guideline", "number"], name="coordinator_duty_unique")]

    def __str__(self) -> str:
        return self.text


class Document(models.TextChoices):
    SITUATION_PICTURE = "situation_picture", _("Lägesbild")
    DISTRICT_PLAN = "district_plan", _("Åtgärdsplan")
    BOARD_PLAN = "board_plan", _("Handlingsplan med verksamhetsspecifik lägesbild")
    BOARD_FOLLOW_UP = "board_follow_up", _("Uppföljning av handlingsplan")
    STATUS_REPORT = "status_report", _("Nulägesrapport till kommunfullmäktige")


class Cadence(models.TextChoices):
    YEARLY = "yearly", _("Varje år")
    EVEN_YEARS = "even_years", _("Varje jämnt år")
    ODD_YEARS = "odd_years", _("Varje ojämnt år")


class ReportingDuty(models.Model):
    """A document some organisations owe, how often and by when: the plan cycle as editable data."""

    guideline = models.ForeignKey(
        Guideline, on_delete=models.CASCADE, related_name="reporting_duties", verbose_name=_("riktlinje")
    )
    document = models.CharField(_("dokument"), max_length=32, choices=Document.choices)
    cadence = models.CharField(_("hur ofta"), max_length=16, choices=Cadence.choices)
    due_month = models.PositiveSmallIntegerField(_("senast, månad"))
    due_day = models.PositiveSmallIntegerField(_("senast, dag"))
    organisations = models.ManyToManyField(
        "organisations.Organisation", related_name="reporting_duties", verbose_name=_("gäller")
    )
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        ordering = ["guideline", "document"]
        verbose_name = _("rapporteringskrav")
        verbose_name_plural = _("rapporteringskrav")
        constraints = [
            models.UniqueConstraint(fields=["guideline", "document"], name="reporting_duty_unique_document"),
            models.CheckConstraint(
                condition=models.Q(due_month__gte=1, due_month__lte=12, due_day__gte=1, due_day__lte=31),
                name="reporting_duty_valid_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_display()} ({self.get_cadence_display().lower()})"

    def applies_in(self, year: int) -> bool:
        if self.cadence == Cadence.EVEN_YEARS:
            return year % 2 == 0
        if self.cadence == Cadence.ODD_YEARS:
            return year % 2 == 1
        return True

    def due_date(self, year: int) -> datetime.date:
        # A day past the month's end (31 April, 29 February) falls back to the month's last day.
        last_day = calendar.monthrange(year, self.due_month)[1]
        return datetime.date(year, self.due_month, min(self.due_day, last_day))


class ReminderSent(models.Model):
    """One reminder e-mail sent, so a daily run never sends the same reminder twice."""

    duty = models.ForeignKey(ReportingDuty, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["duty", "organisation", "year", "days_before"], name="reminder_sent_once")
        ]
