from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "vbe.concerns"
    label = "concerns"
