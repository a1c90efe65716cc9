from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "vbe.statistics"
    label = "statistics"
    verbose_name = "Statistik"
