from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vbe.core"
    label = "core"
