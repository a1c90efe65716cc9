from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vbe.reports"
    label = "reports"
