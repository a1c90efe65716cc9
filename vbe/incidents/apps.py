from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "vbe.incidents"
    label = "incidents"

    def ready(self) -> None:
        # Its rows follow a district merge (vbe.organisations.services.districts_merged).
        from vbe.incidents import merge  # noqa: F401  (connects the receivers)
