from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "vbe.concerns"
    label = "concerns"
    verbose_name = _("Oro och ärenden")

    def ready(self) -> None:
        # Its rows follow a district merge (vbe.organisations.services.districts_merged).
        from vbe.concerns import merge  # noqa: F401  (connects the receivers)
