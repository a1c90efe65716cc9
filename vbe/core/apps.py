from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vbe.core"
    label = "core"
    verbose_name = _("Grundfunktioner")

    def ready(self) -> None:
        # The "id" path converter, registered before any app's URLs are read.
        from vbe.core import converters  # noqa: F401
