"""The plan cycle: situation pictures, plans and their measures, yearly follow-ups, and the
coordinators' yearly self-report on their duties.

A district council writes a lägesbild and an åtgärdsplan every year (Plan.kind = district); a
specialist board with a named mission writes a handlingsplan with a business-specific lägesbild every
even year, covering two years, and follows it up every year (kind = board). Those years are the
reporting duties' cadences, read through ``vbe.guidelines.cycle``. A decided plan is locked: changing
it means a new version, and the history is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    DISTRICT = "district", _("Lägesbild och åtgärdsplan")
    BOARD = "board", _("Handlingsplan med verksamhetsspecifik lägesbild")


# The document each kind of plan is, as its title names it: what it works against is in every title
# (issue 10: "mot våldsbejakande extremism"), as in the guideline's own wording.
PLAN_TITLE_KINDS = {
    "district": _("Åtgärdsplan mot våldsbejakande extremism"),
    "board": _("Handlingsplan mot våldsbejakande extremism"),
}


def plan_title(kind: str, period: str, organisation_name: str) -> str:
    """ "Åtgärdsplan mot våldsbejakande extremism 2026 – Järva", "Handlingsplan … 2026–2027 – …"."""
    return gettext("%(document)s %(period)s – %(organisation)s") % {
        "document": PLAN_TITLE_KINDS[kind],
        "period": period,
        "organisation": organisation_name,
    }


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    READY = "ready", _("Redo för nämnden")
    DECIDED = "decided", _("Beslutad")
    FOLLOWED_UP = "followed_up", _("Uppföljd")


# The board has decided the plan: it is locked, and it is what the board's readers see.
LOCKED_STATES = (PlanState.DECIDED, PlanState.FOLLOWED_UP)


class PlanQuerySet(models.QuerySet):
    def decided(self) -> PlanQuerySet:
        """Plans the board has decided (``LOCKED_STATES``)."""
        return self.filter(state__in=LOCKED_STATES)


class Plan(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="plans", verbose_name=_("organisation")
    )
    kind = models.CharField(_("typ"), max_length=16, choices=PlanKind.choices)
    year = models.PositiveSmallIntegerField(_("år"), help_text=_("Första året planen gäller."))
    end_year = models.PositiveSmallIntegerField(_("till och med år"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("föregående version"),
    )
    is_current = models.BooleanField(_("gällande version"), default=True)
    state = models.CharField(_("status"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    lock_version = models.PositiveIntegerField(default=1)  # forms carry it: concurrent edits are refused

    title = models.CharField(_("rubrik"), max_length=200)
    situation_analysis = models.TextField(
        _("lägesbild"), blank=True, help_text=_("Analys av läget: vad ni ser, var och hos vilka, och varför.")
    )
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    minute_reference = models.CharField(_("protokollsparagraf"), max_length=100, blank=True)
    # Years whose follow-up is marked done (a board's plan is followed up once for each of its years).
    followed_up_years = models.JSONField(_("uppföljda år"), default=list, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organisation__name", "-version"]
        verbose_name = _("plan")
        verbose_name_plural = _("planer")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "year"],
                condition=models.Q(is_current=True),
                name="plan_one_current_per_year",
            ),
            models.UniqueConstraint(fields=["organisation", "kind", "year", "version"], name="plan_unique_version"),
        ]
        indexes = [models.Index(fields=["year", "state"])]

    def __str__(self) -> str:
        return gettext("%(title)s (%(period)s, version %(version)s)") % {
            "title": self.title,
            "period": self.period_label,
            "version": self.version,
        }

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        return str(self.year) if self.end_year == self.year else f"{self.year}–{self.end_year}"

    @property
    def formal_title(self) -> str:
        """The title the plan's documents carry, whatever short title the coordinator chose."""
        return plan_title(self.kind, self.period_label, self.organisation.display_name)

    # The questions asked of a plan's state, so templates and other apps never spell the values.
    @property
    def is_draft(self) -> bool:
        return self.state == PlanState.DRAFT

    @property
    def is_awaiting_decision(self) -> bool:
        return self.state == PlanState.READY

    @property
    def is_decided(self) -> bool:
        return self.state in LOCKED_STATES

    @property
    def is_followed_up(self) -> bool:
        return self.state == PlanState.FOLLOWED_UP

    @property
    def is_locked(self) -> bool:
        return self.is_decided or not self.is_current

    def covers(self, year: int) -> bool:
        return self.year <= year <= self.end_year


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    ONGOING = "ongoing", _("Pågår")
    DONE = "done", _("Genomförd")
    CANCELLED = "cancelled", _("Inställd")


class Measure(models.Model):
    """One planned action, always tied to one of the guideline's focus areas."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("åtgärd"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    focus_area = models.ForeignKey(
        "guidelines.FocusArea",
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("område i riktlinjerna"),
    )
    methods = models.ManyToManyField(
        "guidelines.Method", blank=True, related_name="measures", verbose_name=_("metoder")
    )
    responsible_unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("ansvarig verksamhet")
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("slut"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)

    class Meta:
        ordering = ["focus_area__number", "title"]
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indikator"), max_length=200)
    target = models.CharField(_("målvärde"), max_length=100)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return gettext("%(indicator)s (mål: %(target)s)") % {"indicator": self.name, "target": self.target}


class FollowUpStatus(models.TextChoices):
    DONE = "done", _("Genomförd")
    ONGOING = "ongoing", _("Pågår")
    DELAYED = "delayed", _("Försenad")
    CANCELLED = "cancelled", _("Inställd")


class FollowUp(models.Model):
    """The yearly follow-up of one measure of a decided plan."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="follow_ups")
    year = models.PositiveSmallIntegerField(_("år"))
    status = models.CharField(_("status"), max_length=16, choices=FollowUpStatus.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    indicator_values = models.JSONField(_("indikatorvärden"), default=dict, blank=True)  # indicator id -> value
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["measure", "year"], name="follow_up_once_a_year")]


class PlanEvent(models.Model):
    """Change history of a plan and its measures: who changed what, when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "pk"]


class DutyAnswer(models.TextChoices):
    DONE = "done", _("Gjort")
    PARTLY = "partly", _("Delvis")
    NOT_DONE = "not_done", _("Inte gjort")


class DutyReport(models.Model):
    """A coordinator's yearly self-report on one of the six duties."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="duty_reports"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    duty = models.ForeignKey("guidelines.CoordinatorDuty", on_delete=models.PROTECT, related_name="reports")
    answer = models.CharField(_("svar"), max_length=16, choices=DutyAnswer.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "duty__number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "duty"], name="duty_report_once_a_year")]


class SelfReport(models.Model):
    """An organisation's self-report on the duties for one year, as a whole: the row each save of it
    locks and the version (``lock_version``) its form carries, so a save by someone else in between is
    refused rather than overwritten. Its answers are the year's ``DutyReport`` rows; 0 means never saved."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"))
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="self_report_once_a_year")]

    def __str__(self) -> str:
        return gettext("Självskattning %(year)s") % {"year": self.year}


class MeasureListQuerySet(models.QuerySet):
    def decided(self) -> MeasureListQuerySet:
        """Lists marked as reported: what the board's readers see (the plans' rule, ``plans_visible_to``)."""
        return self.filter(reported_at__isnull=False)


class MeasureList(models.Model):
    """The yearly measures of an organisation that the guideline names responsible for focus areas but
    that owes no plan (Kommunstyrelsen, Förskolenämnden, the housing companies, SHIS, SISAB): what it
    does in each of its areas, so the coverage matrix and the status report can count it.

    Its coordinators write it like a plan (EDIT_PLAN; the permission rules ask ``organisation_id`` and
    ``is_decided`` of it) and mark it reported; it stays editable during the year, since a measure's
    status changes. Each write locks this row and checks ``lock_version``, as for a plan.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="measure_lists",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    lock_version = models.PositiveIntegerField(default=0)  # 0: no measure saved yet
    reported_at = models.DateTimeField(_("rapporterad"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasureListQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("åtgärdslista")
        verbose_name_plural = _("åtgärdslistor")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="measure_list_once_a_year")]

    def __str__(self) -> str:
        return gettext("Åtgärder mot våldsbejakande extremism %(year)s – %(organisation)s") % {
            "year": self.year,
            "organisation": self.organisation.display_name,
        }

    def get_absolute_url(self) -> str:
        return reverse("plans:measure_list", args=[self.organisation.slug, self.year])

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None

    @property
    def is_decided(self) -> bool:
        """For the permission rules (``PlanFacts``): a reported list is read like a decided plan."""
        return self.is_reported


class ListedMeasure(models.Model):
    """One measure of a yearly measures list, in one of the focus areas its organisation is named for."""

    measure_list = models.ForeignKey(MeasureList, on_delete=models.CASCADE, related_name="measures")
    focus_area = models.ForeignKey(
        "guidelines.FocusArea",
        on_delete=models.PROTECT,
        related_name="listed_measures",
        verbose_name=_("område i riktlinjerna"),
    )
    title = models.CharField(_("åtgärd"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    method = models.ForeignKey(
        "guidelines.Method",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listed_measures",
        verbose_name=_("metod"),
    )

    class Meta:
        ordering = ["focus_area__number", "title", "pk"]
        verbose_name = _("åtgärd i åtgärdslista")
        verbose_name_plural = _("åtgärder i åtgärdslistor")

    def __str__(self) -> str:
        return self.title
