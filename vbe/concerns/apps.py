from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "vbe.concerns"
    label = "concerns"

    def ready(self) -> None:
        # Its rows follow a district merge (vbe.organisations.services.districts_merged).
        from vbe.concerns import merge  # noqa: F401  (connects the receivers)
