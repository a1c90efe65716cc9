from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "vbe.incidents"
    label = "incidents"
