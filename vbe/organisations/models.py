"""The city's organisation tree and its geography."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
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
    social_services_contact = models.TextField(
        _("mottagning för orosanmälan"),
        blank=True,
        help_text=_("Var en orosanmälan om ett barn i området skickas (stadsdelsnämndernas socialtjänst)."),
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
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("extern aktör")
        verbose_name_plural = _("externa aktörer")

    def __str__(self) -> str:
        return self.name
