from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidelinesConfig(AppConfig):
    name = "vbe.guidelines"
    label = "guidelines"
    verbose_name = _("Riktlinjer")
