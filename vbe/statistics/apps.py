from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "vbe.statistics"
    label = "statistics"
    verbose_name = "Statistik"

    def ready(self) -> None:
        # The summary tables follow every write of what they count (vbe.statistics.summary).
        from vbe.statistics import summary

        summary.connect()
