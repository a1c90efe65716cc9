import dataclasses
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vbe.demo import city, scale
from vbe.organisations.models import Organisation

ALLOWED_ENVIRONMENTS = {"demo", "test"}


class Command(BaseCommand):
    help = (
        "Bygger en påhittad stad för mätningar: --scale 1 ≈ ett år av en stad, --scale 10 ≈ tio år. "
        "Växer en befintlig databas till målet; en andra körning med samma mål lägger inte till något."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=int, required=True, help="antal stadsår (1–50)")
        parser.add_argument("--seed", type=int, default=2026, help="slumpfrö (samma frö ger samma stad)")
        parser.add_argument(
            "--log-rows", type=int, default=scale.PER_YEAR.log_rows, help="rader i åtkomstloggen per år"
        )

    def handle(self, *args, seed: int, log_rows: int, **options) -> None:
        years = options["scale"]
        # The same guard as seed_demo: synthetic people have no place in a real installation.
        environment = getattr(settings, "VBE_ENV", "production")
        if environment not in ALLOWED_ENVIRONMENTS:
            raise CommandError(
                f"generate_scale körs bara i demo- eller testläge (VBE_ENV=demo eller test), inte med "
                f"VBE_ENV={environment}. Inget har ändrats."
            )
        if not 1 <= years <= 50:
            raise CommandError("--scale ska vara ett heltal från 1 till 50. Inget har ändrats.")
        if log_rows < 0:
            raise CommandError("--log-rows kan inte vara negativt. Inget har ändrats.")
        if not Organisation.objects.exists():
            raise CommandError("Läs in referensdata först: manage.py load_reference_data")
        started = time.monotonic()
        city.seed()  # the demo city the years grow from (idempotent)
        volumes = dataclasses.replace(scale.PER_YEAR, log_rows=log_rows)
        added = scale.generate(
            scale=years,
            seed=seed,
            volumes=volumes,
            report=lambda line: self.stdout.write(f"  {line}"),
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Skala {years} klar på {seconds:.0f} s (nya poster – "
            + ", ".join(f"{name}: {count}" for name, count in added.items())
            + ")."
        )
