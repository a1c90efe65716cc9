from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Synthetic demo data for a believable city (manage.py seed_demo)."""

    name = "vbe.demo"
    label = "demo"
    verbose_name = _("Demodata")
