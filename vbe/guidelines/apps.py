from django.apps import AppConfig


class GuidelinesConfig(AppConfig):
    name = "vbe.guidelines"
    label = "guidelines"
