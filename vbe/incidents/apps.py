from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "vbe.incidents"
    label = "incidents"
    verbose_name = _("Händelser")

    def ready(self) -> None:
        # Its rows follow a district merge (vbe.organisations.services.districts_merged).
        from vbe.incidents import merge  # noqa: F401  (connects the receivers)
