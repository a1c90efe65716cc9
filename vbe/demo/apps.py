from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo data for a believable city (manage.py seed_demo)."""

    name = "vbe.demo"
    label = "demo"
