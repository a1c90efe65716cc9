from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: the start page, the portal-wide pages and what composes several domains."""

    name = "vbe.portal"
    label = "portal"
    verbose_name = _("Portalen")

    def ready(self) -> None:
        # The notice to the central coordinators when an organisation loses its last coordinator
        # (vbe.accounts.coordinators sends the signal; the notice names concerns and incidents).
        from vbe.portal import orphans  # noqa: F401  (connects its receiver)
