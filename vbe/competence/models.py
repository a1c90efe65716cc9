"""Competence (focus area 4): the training catalogue, staff groups and headcounts, who completed what,
and the imports that bring completions from a learning platform.

People in the register are ``Learner`` rows, not portal accounts: most staff who take a course never
sign in here. A learner is known by e-mail or employee number (never by personnummer), may be linked
to the portal account with the same e-mail (then they register their own completions), and holds a
``Placement`` per unit where they work, with their staff group there. Headcounts come from HR per
unit, staff group and year. Coverage counts posts: a person placed in two units is one post in each,
as HR counts them (``vbe/competence/coverage.py``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A course is renewed after at most this many years: coverage builds its validity test over every
# period up to it (vbe/competence/coverage.py), and a constraint of the table holds it.
MAX_VALIDITY_YEARS = 20


class Level(models.TextChoices):
    BASIC = "grund", _("Grundläggande")
    ADVANCED = "fordjupning", _("Fördjupning")


class CourseFormat(models.TextChoices):
    DIGITAL = "digital", _("Webbutbildning")
    CLASSROOM = "larledd", _("Lärarledd")
    BLENDED = "blandad", _("Blandad")
    SELF_STUDY = "sjalvstudier", _("Material för självstudier")


class StaffGroup(models.Model):
    """A staff group of the guideline (social services, preschool, school …), kept as data."""

    name = models.CharField(_("namn"), max_length=120, unique=True)
    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    description = models.TextField(_("beskrivning"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    is_active = models.BooleanField(_("aktiv"), default=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("personalgrupp")
        verbose_name_plural = _("personalgrupper")

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """One training in the catalogue, kept by the central coordinator."""

    title = models.CharField(_("namn"), max_length=200)
    code = models.CharField(
        _("kurskod"), max_length=60, blank=True, help_text=_("Koden i lärplattformen, om kursen har en.")
    )
    # The shipped courses' own key (data/stockholm/training.json): the loader finds a course by it even
    # after the central coordinator renamed it. Blank for courses added in the portal.
    reference_key = models.SlugField(max_length=60, blank=True, editable=False)
    provider = models.CharField(_("anordnare"), max_length=200)
    level = models.CharField(_("nivå"), max_length=12, choices=Level.choices)
    format = models.CharField(_("form"), max_length=12, choices=CourseFormat.choices)
    length_minutes = models.PositiveIntegerField(_("längd i minuter"), null=True, blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    url = models.URLField(_("länk"), max_length=500, blank=True)
    target_groups = models.ManyToManyField(
        StaffGroup, related_name="target_courses", blank=True, verbose_name=_("målgrupper")
    )
    required_for = models.ManyToManyField(
        StaffGroup, related_name="required_courses", blank=True, verbose_name=_("obligatorisk för")
    )
    focus_areas = models.ManyToManyField(
        "guidelines.FocusArea", related_name="courses", blank=True, verbose_name=_("fokusområden")
    )
    validity_years = models.PositiveSmallIntegerField(
        _("giltig i år"), null=True, blank=True, help_text=_("Tom: gäller tills vidare.")
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["level", "title"]
        verbose_name = _("utbildning")
        verbose_name_plural = _("utbildningar")
        constraints = [
            models.UniqueConstraint(Lower("title"), name="course_unique_title"),
            models.UniqueConstraint(Lower("code"), condition=~Q(code=""), name="course_unique_code"),
            models.UniqueConstraint(
                fields=["reference_key"], condition=~Q(reference_key=""), name="course_unique_reference_key"
            ),
            models.CheckConstraint(
                condition=Q(validity_years__isnull=True)
                | Q(validity_years__gte=1, validity_years__lte=MAX_VALIDITY_YEARS),
                name="course_validity_years_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def valid_until(self, completed_on: datetime.date) -> datetime.date | None:
        """The last day a completion on ``completed_on`` counts; None: it never expires."""
        if self.validity_years is None:
            return None
        try:
            renew = completed_on.replace(year=completed_on.year + self.validity_years)
        except ValueError:  # 29 February in a year without one
            renew = completed_on.replace(year=completed_on.year + self.validity_years, day=28)
        return renew - datetime.timedelta(days=1)

    def earliest_valid(self, on: datetime.date) -> datetime.date | None:
        """The first completion day that still counts on ``on`` (None: every day up to ``on`` does), so
        "valid on a day" can be asked in SQL as ``completed_on >= earliest_valid`` without date
        arithmetic in the database. ``valid_until`` never falls as the completion day rises, so the
        valid days are one range: start from the calendar guess and step over what 29 February moves."""
        if self.validity_years is None:
            return None
        try:
            day = on.replace(year=on.year - self.validity_years)
        except ValueError:  # 29 February back into a year without one
            day = on.replace(year=on.year - self.validity_years, day=28)
        day += datetime.timedelta(days=1)
        one = datetime.timedelta(days=1)
        while (until := self.valid_until(day)) is not None and until < on:
            day += one
        while (until := self.valid_until(day - one)) is not None and until >= on:
            day -= one
        return day


class Learner(models.Model):
    """A member of staff in the competence register, known by e-mail or employee number."""

    email = models.EmailField(_("e-postadress"), max_length=254, blank=True)  # stored lower-case
    employee_number = models.CharField(_("anställningsnummer"), max_length=40, blank=True)
    name = models.CharField(_("namn"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learner",
        verbose_name=_("konto i portalen"),
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        ordering = ["name", "email"]
        # The people list pages through an organisation's learners in this order (keyset paging).
        indexes = [models.Index(fields=["name", "email", "id"], name="learner_alphabetical")]
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="learner_unique_email"),
            models.UniqueConstraint(
                fields=["employee_number"], condition=~Q(employee_number=""), name="learner_unique_employee_number"
            ),
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(employee_number=""), name="learner_known_by_email_or_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.employee_number


class Placement(models.Model):
    """Where a learner works, and as which staff group: one row per unit."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="placements", verbose_name=_("verksamhet")
    )
    staff_group = models.ForeignKey(
        StaffGroup, on_delete=models.PROTECT, related_name="placements", verbose_name=_("personalgrupp")
    )

    class Meta:
        verbose_name = _("placering")
        verbose_name_plural = _("placeringar")
        constraints = [models.UniqueConstraint(fields=["learner", "unit"], name="placement_one_per_unit")]
        indexes = [models.Index(fields=["unit", "staff_group"], name="placement_unit_group")]


class CompletionSource(models.TextChoices):
    SELF = "self", _("Registrerad av deltagaren")
    IMPORT = "import", _("Importerad")
    MANUAL = "manual", _("Registrerad av samordnare eller chef")


class Completion(models.Model):
    """A learner completed a course on a day. The same person, course and day is one completion, so
    registering or importing it again changes nothing."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("genomförd"))
    source = models.CharField(_("källa"), max_length=10, choices=CompletionSource.choices)
    batch = models.ForeignKey(
        "CompletionImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="completions"
    )
    certificate = models.CharField(_("intyg"), max_length=300, blank=True)  # a key in the default storage
    certificate_name = models.CharField(_("intygets filnamn"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("genomförd utbildning")
        verbose_name_plural = _("genomförda utbildningar")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course", "completed_on"], name="completion_once_a_day")
        ]
        indexes = [models.Index(fields=["course", "completed_on"], name="completion_course_day")]


class Headcount(models.Model):
    """How many work in a unit as a staff group in a year (from HR, or typed)."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="headcounts")
    staff_group = models.ForeignKey(StaffGroup, on_delete=models.PROTECT, related_name="headcounts")
    year = models.PositiveSmallIntegerField(_("år"))
    count = models.PositiveIntegerField(_("antal anställda"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("antal anställda")
        verbose_name_plural = _("antal anställda")
        constraints = [models.UniqueConstraint(fields=["unit", "staff_group", "year"], name="headcount_once_a_year")]


class CoverageTarget(models.Model):
    """The share of staff that should hold a valid training of a level, set by the central coordinator."""

    level = models.CharField(_("nivå"), max_length=12, choices=Level.choices, unique=True)
    percent = models.PositiveSmallIntegerField(_("mål i procent"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mål för utbildning")
        verbose_name_plural = _("mål för utbildning")
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="coverage_target_percent")]


class ReminderSetting(models.Model):
    """An organisation's choice about reminders to its staff (on unless it opts out)."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="training_reminders"
    )
    staff_reminders = models.BooleanField(_("påminn medarbetare"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)


class ReminderKind(models.TextChoices):
    MISSING = "missing", _("Obligatorisk utbildning saknas")
    EXPIRING = "expiring", _("Utbildningen behöver förnyas")


class TrainingReminderSent(models.Model):
    """One row per reminder to a learner, so each is sent once: ``key`` is "missing", or the expiry
    date the reminder was about (a renewed course that expires again is a new reminder)."""

    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "learner", "course", "key"], name="training_reminder_once")
        ]


class CoverageSummarySent(models.Model):
    """A coordinator's monthly summary of training in their organisation, sent once a month."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "organisation", "month"], name="coverage_summary_once")
        ]


class ImportKind(models.TextChoices):
    COMPLETIONS = "completions", _("Genomförda utbildningar")
    HEADCOUNTS = "headcounts", _("Antal anställda")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uppladdad")
    CHECKING = "checking", _("Kontrolleras")
    REJECTED = "rejected", _("Avvisad")
    READY = "ready", _("Klar att importera")
    IMPORTING = "importing", _("Importeras")
    DONE = "done", _("Importerad")
    FAILED = "failed", _("Misslyckades")


class CompletionImport(models.Model):
    """An uploaded export from a learning platform (or HR), on its way in: mapped, checked, imported
    whole or not at all."""

    kind = models.CharField(_("slag"), max_length=12, choices=ImportKind.choices, default=ImportKind.COMPLETIONS)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="training_imports"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.CharField(max_length=300)  # a key in the default storage, outside the web root
    file_name = models.CharField(_("filnamn"), max_length=200)
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    year = models.PositiveSmallIntegerField(_("år"), null=True, blank=True)  # headcounts: the year they count
    state = models.CharField(_("läge"), max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    errors = models.JSONField(default=list)  # [{"line": n, "message": "…"}], the first few hundred
    error_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("uppladdad"), default=timezone.now)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")


class ImportMapping(models.Model):
    """The column mapping last used for files with these headers, remembered per organisation."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    signature = models.CharField(max_length=64)  # sha256 of the normalised header row
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "signature"], name="import_mapping_once")
        ]
