"""The city's organisation tree and its geography."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", _("Kommunfullmäktige")
    EXECUTIVE_BOARD = "executive_board", _("Kommunstyrelsen")
    DISTRICT_COUNCIL = "district_council", _("Stadsdelsnämnd")
    SPECIALIST_BOARD = "specialist_board", _("Facknämnd")
    COMPANY = "company", _("Bolag")
    FOUNDATION = "foundation", _("Stiftelse")


class District(models.Model):
    """A stadsdelsområde: the geographic area of one district council."""

    code = models.CharField(_("områdeskod"), max_length=10, unique=True)
    name = models.CharField(_("namn"), max_length=100, unique=True)
    # GeoJSON geometry (lon/lat). Plain JSON so SQLite and PostgreSQL need no GIS extension.
    geometry = models.JSONField(_("geometri"), null=True, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("stadsdelsområde")
        verbose_name_plural = _("stadsdelsområden")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A stadsdel, one of the smaller areas that make up a district."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="neighbourhoods", verbose_name=_("stadsdelsområde")
    )
    geometry = models.JSONField(_("geometri"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("stadsdel")
        verbose_name_plural = _("stadsdelar")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("namn"), max_length=200, unique=True)
    short_name = models.CharField(_("kortnamn"), max_length=60, blank=True)
    slug = models.SlugField(_("kortadress"), max_length=80, unique=True)
    kind = models.CharField(_("typ"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("överordnad"),
    )
    district = models.OneToOneField(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council",
        verbose_name=_("stadsdelsområde"),
        help_text=_("Bara för stadsdelsnämnder: området nämnden ansvarar för."),
    )
    requires_coordinator = models.BooleanField(
        _("ska ha lokal samordnare"),
        default=False,
        help_text=_("Riktlinjerna kräver en lokal samordnare mot våldsbejakande extremism."),
    )
    mission = models.TextField(
        _("utpekat uppdrag"), blank=True, help_text=_("Organisationens särskilda uppdrag enligt riktlinjerna.")
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", args=[self.slug])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @cached_property
    def reception_route(self) -> ContactRoute | None:
        """Where an orosanmälan about a child in the council's area goes, or None when none is registered.
        Read through contact_routes.all(), so a list that prefetched the routes asks nothing more."""
        return next((r for r in self.contact_routes.all() if r.purpose == ContactPurpose.CHILD_WELFARE_RECEPTION), None)


class UnitKind(models.TextChoices):
    SCHOOL = "school", _("Skola")
    PRESCHOOL = "preschool", _("Förskola")
    ADULT_EDUCATION = "adult_education", _("Vuxenutbildning")
    LIBRARY = "library", _("Bibliotek")
    YOUTH_CENTRE = "youth_centre", _("Fritidsgård")
    FIELD_TEAM = "field_team", _("Fältgrupp")
    SOCIAL_SERVICES = "social_services", _("Socialtjänst")
    JOB_CENTRE = "job_centre", _("Jobbtorg")
    SPORTS_FACILITY = "sports_facility", _("Idrottsanläggning")
    CULTURE_VENUE = "culture_venue", _("Kulturhus")
    HOUSING_OFFICE = "housing_office", _("Bostadskontor")
    ADMINISTRATION = "administration", _("Förvaltning/kansli")
    OTHER = "other", _("Annan verksamhet")


class Unit(models.Model):
    """A verksamhet or enhet (school, library, youth centre …) of one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ av verksamhet"), max_length=32, choices=UnitKind.choices)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("stadsdel"),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("verksamhet")
        verbose_name_plural = _("verksamheter")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name


class PartnerKind(models.TextChoices):
    POLICE = "police", _("Polis")
    SECURITY_SERVICE = "security_service", _("Säkerhetspolisen")
    AGENCY = "agency", _("Myndighet")
    REGION = "region", _("Region")
    UNIVERSITY = "university", _("Lärosäte")
    PROBATION = "probation", _("Kriminalvård")
    OTHER = "other", _("Annan aktör")


class Partner(models.Model):
    """An external actor the city collaborates with (Polisen, Säpo, CVE, Region Stockholm …)."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    kind = models.CharField(_("typ"), max_length=32, choices=PartnerKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="parts", verbose_name=_("del av")
    )
    description = models.TextField(_("beskrivning"), blank=True)
    # What a reader needs to reach the partner. All optional: an empty one reads "uppgift saknas" on the
    # partners page, so a missing detail is visible instead of looking complete.
    role = models.TextField(
        _("roll i arbetet"),
        blank=True,
        help_text=_("Vad aktören gör i arbetet mot våldsbejakande extremism, med stadens riktlinjer som grund."),
    )
    when_to_contact = models.TextField(
        _("när du kontaktar aktören"), blank=True, help_text=_("I vilka lägen och av vem aktören kontaktas.")
    )
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-postadress"), blank=True)
    website = models.URLField(_("webbplats"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("extern aktör")
        verbose_name_plural = _("externa aktörer")

    def __str__(self) -> str:
        return self.name


class ContactPurpose(models.TextChoices):
    CHILD_WELFARE_RECEPTION = "child_welfare_reception", _("Mottagning för orosanmälan")
    CENTRAL_OFFICE = "central_office", _("Central samordning")
    OUT_OF_HOURS = "out_of_hours", _("Socialjour")


# Routes the city has one of: the contacts page names *the* central office and *the* socialjour.
CITY_WIDE_PURPOSES = (ContactPurpose.CENTRAL_OFFICE, ContactPurpose.OUT_OF_HOURS)


class ContactRoute(models.Model):
    """How to reach an organisation for one purpose: a district council's social-services reception for
    orosanmälan, the executive board's central coordinating office, socialnämnden's socialjour.

    A row of its own rather than fields on Organisation: an organisation offers a route per purpose (a
    council could run both a reception and, after a reorganisation, the socialjour), each with its own
    phone, address and hours, and most organisations offer none. Every detail is optional; an empty one
    reads "uppgift saknas", so the contacts page never pretends to a number nobody has checked.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contact_routes", verbose_name=_("organisation")
    )
    purpose = models.CharField(_("ändamål"), max_length=32, choices=ContactPurpose.choices)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("när du vänder dig hit"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-postadress"), blank=True)
    url = models.URLField(_("webbformulär eller webbsida"), blank=True)
    opening_hours = models.CharField(_("öppettider"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation__name", "purpose"]
        verbose_name = _("kontaktväg")
        verbose_name_plural = _("kontaktvägar")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "purpose"], name="contact_route_one_per_purpose"),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(purpose__in=CITY_WIDE_PURPOSES),
                name="contact_route_one_city_wide",
                violation_error_message=_("Staden har bara en central samordning och en socialjour."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
