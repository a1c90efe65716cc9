from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "vbe.plans"
    label = "plans"
