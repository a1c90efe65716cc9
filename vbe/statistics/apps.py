from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "vbe.statistics"
    label = "statistics"
    verbose_name = _("Statistik")

    def ready(self) -> None:
        # The summary tables follow every write of what they count (vbe.statistics.summary).
        from vbe.statistics import summary

        summary.connect()
