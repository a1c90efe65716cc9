"""Incidents: reports of events (stickers, posters, threats …), routed to the district where they happened.

An incident is about an event, not a person: nothing here is meant to hold personal data, and the free
text is checked for personnummer-like strings before it is saved (vbe.incidents.textcheck).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vbe.guidelines.vocabulary import REPORTED_ENVIRONMENTS

# The symbol guide's models, imported here so the app registry finds them with the app's other models.
from vbe.incidents.symbol_models import Symbol, SymbolImage  # noqa: F401

REFERENCE_PREFIX = "HÄN"  # the numbers come from vbe.core.sequences


class Category(models.TextChoices):
    PROPAGANDA = "propaganda", _("Propaganda: klistermärken eller affischer")
    GRAFFITI = "graffiti", _("Klotter eller symboler")
    THREAT = "threat", _("Hot")
    RECRUITMENT = "recruitment", _("Rekrytering")
    VIOLENCE = "violence", _("Våld")
    DIGITAL = "digital", _("Digitalt")
    OTHER = "other", _("Annat")


class Status(models.TextChoices):
    NEW = "new", _("Ny")
    ACKNOWLEDGED = "acknowledged", _("Mottagen")
    CLOSED = "closed", _("Avslutad")


class IntakeRoute(models.TextChoices):
    """Who was told when the incident came in. Blank: not known for an incident stored before this was
    recorded (the receipt then says only where it was sent)."""

    COORDINATOR = "coordinator", _("Stadsdelsnämndens lokala samordnare")
    CENTRAL = "central", _("Den centrala samordnaren (ingen lokal samordnare)")
    NOBODY = "nobody", _("Ingen (varken lokal eller central samordnare)")


# The workflow: which status may follow which. Changed only by vbe.incidents.services.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED, Status.CLOSED}),
    Status.ACKNOWLEDGED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class Incident(models.Model):
    reference = models.CharField(_("referensnummer"), max_length=20, unique=True, editable=False)
    # Who reported, and for which organisation. The reporter is kept as a nullable key so an account
    # can be removed without taking the city's record of the event with it.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reported_incidents",
        verbose_name=_("rapporterad av"),
    )
    reporter_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_incidents",
        verbose_name=_("rapporterande organisation"),
    )
    # Routing: the district council of the district where it happened.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="routed_incidents",
        verbose_name=_("stadsdelsnämnd"),
    )
    # The organisation it last arrived at had no active coordinator then (cleared once a coordinator there
    # handles it). The central coordinators read it only while this holds and that organisation still has
    # none (vbe.accounts.permissions.incident_in_central_queue); one whose coordinators left later they
    # may re-route, unread. What the reporter was told is its ``intake`` (IncidentIntake).
    without_coordinator = models.BooleanField(_("saknar samordnare"), default=False, db_index=True)
    district = models.ForeignKey(
        "organisations.District", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("stadsdelsområde")
    )
    neighbourhood = models.ForeignKey(
        "organisations.Neighbourhood",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("stadsdel"),
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("verksamhet"),
    )
    place_description = models.CharField(_("adress eller plats"), max_length=200, blank=True)

    category = models.CharField(_("typ av händelse"), max_length=32, choices=Category.choices)
    environment = models.CharField(_("miljö"), max_length=32, choices=REPORTED_ENVIRONMENTS)
    occurred_on = models.DateField(_("datum"))
    occurred_at = models.TimeField(_("klockslag"), null=True, blank=True)
    description = models.TextField(_("beskrivning"))
    # What the reporter saw, when it is in the symbol guide (vbe.incidents.symbol_models).
    symbol = models.ForeignKey(
        Symbol,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("symbol från symbolguiden"),
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    # Optimistic lock: the handling forms carry the version the handler saw (vbe.incidents.services).
    lock_version = models.PositiveIntegerField(default=1)
    # Not auto_now_add: the demo city back-dates its incidents.
    created_at = models.DateTimeField(_("rapporterad"), default=timezone.now)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    # Idempotency: the report form carries a one-time token, so a double submit creates one incident.
    submission_token = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        constraints = [
            models.UniqueConstraint(fields=["reporter", "submission_token"], name="incident_unique_submission"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"]),
            models.Index(fields=["district", "occurred_on"]),
            models.Index(fields=["occurred_on"]),
            # The incident list's order (newest first, the id breaking ties) and its keyset pages: a scope
            # that holds many incidents (a district council's) is read backwards along it, 25 rows at a
            # time, never sorted (a small one is gathered from the indexes of its branches instead, and
            # only its rows sorted). Its leading column also answers MIN/MAX(created_at) (the years shown).
            models.Index(fields=["created_at", "id"], name="incident_newest_first"),
            # A unit manager's list (only the unit's incidents) in the same order, read straight off the
            # index however many incidents the unit has; the other scopes of the list are answered by the
            # indexes of their foreign keys.
            models.Index(fields=["unit", "created_at", "id"], name="incident_unit_newest_first"),
            # The open incidents only (a small share: older ones are closed), oldest first: the central
            # coordinators' "waiting for a new coordinator" section and its count. Without it the planner
            # reads the whole table along incident_newest_first to find the few open ones.
            models.Index(
                fields=["created_at", "id"], condition=~models.Q(status="closed"), name="incident_open_by_age"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", args=[self.pk])

    def get_receipt_url(self) -> str:
        return reverse("incidents:receipt", args=[self.reference])


class IncidentIntake(models.Model):
    """What the reporter was told when the incident came in: where it was sent and who was told.
    Written once, by the report service, and all the reporter's receipt reads, so a later re-routing
    is not revealed and a coordinator appointed later does not rewrite what happened."""

    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, primary_key=True, related_name="intake", verbose_name=_("händelse")
    )
    reported_to = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("rapporterad till")
    )
    route = models.CharField(_("mottagen av"), max_length=16, choices=IntakeRoute.choices, blank=True)

    class Meta:
        verbose_name = _("mottagning")
        verbose_name_plural = _("mottagningar")

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.route or '?'}"


class IncidentPhoto(models.Model):
    """A re-encoded photo, stored outside the web root under a random name (vbe.incidents.uploads)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos", verbose_name=_("händelse"))
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    content_type = models.CharField(max_length=40, editable=False)
    size = models.PositiveIntegerField(_("storlek (byte)"), editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("bild")
        verbose_name_plural = _("bilder")

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.pk}"


class StatusChange(models.Model):
    """One step of the handling, with the handler's comment. Never shown to the reporter."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("händelse")
    )
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("ändrad av")
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("statusändring")
        verbose_name_plural = _("statusändringar")

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.from_status} → {self.to_status}"
