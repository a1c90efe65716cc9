"""Words of the guideline shared by the concern routine and the incident track."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Environment(models.TextChoices):
    """The violent extremist environment in the guideline's own terms: for a concern, the handler's
    assessment recorded in the case (never the reporter's guess: labelling a person is what the guideline
    warns against); for an incident, what the reporter saw. Never a key to search people by. The values
    are stable (statistics and stored rows use them); only the words follow the guideline."""

    RIGHT_WING = "right_wing", _("Våldsbejakande högerextremism")
    LEFT_WING = "left_wing", _("Våldsbejakande vänsterextremism")
    ISLAMIST = "islamist", _("Våldsbejakande islamism")
    HYBRID = "hybrid", _("Hybrid eller oklar")
    LONE_ACTOR = "lone_actor", _("Ensamagerande")
    UNKNOWN = "unknown", _("Inte bedömd")


# What the reporter of an incident (a sticker, a poster) answers: the same words, but "unknown" in the
# reporter's terms. They say what they saw, or that they do not know; nobody has assessed anything.
REPORTED_ENVIRONMENTS = [
    (value, _("Vet inte") if value == Environment.UNKNOWN else label) for value, label in Environment.choices
]
