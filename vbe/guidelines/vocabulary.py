"""Words of the guideline shared by the concern routine and the incident track."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Environment(models.TextChoices):
    """The extremist environment as judged by the reporter: never a key to search people by."""

    RIGHT_WING = "right_wing", _("Högerextrem miljö")
    LEFT_WING = "left_wing", _("Vänsterextrem miljö")
    ISLAMIST = "islamist", _("Islamistisk miljö")
    HYBRID = "hybrid", _("Hybrid eller oklar")
    LONE_ACTOR = "lone_actor", _("Ensamagerande")
    UNKNOWN = "unknown", _("Vet inte")
