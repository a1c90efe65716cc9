from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "vbe.organisations"
    label = "organisations"
