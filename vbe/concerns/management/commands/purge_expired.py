import datetime

from django.core.management.base import BaseCommand, CommandError

from vbe.concerns.retention import purge_expired


class Command(BaseCommand):
    help = "Gallrar avslutade ärenden om oro vars gallringsfrist har gått ut (kör dagligen). Skriver ett gallringsprotokoll."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Visa vad som skulle gallras, ändra inget.")
        parser.add_argument("--date", help="Kör som om det vore detta datum (ÅÅÅÅ-MM-DD).")

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options) -> None:
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("Skriv datumet som ÅÅÅÅ-MM-DD.") from None
        protocol = purge_expired(today=today, dry_run=dry_run)
        verb = "skulle gallras" if dry_run else "gallrades"
        self.stdout.write(
            f"Gallring för {protocol.run_for}: {protocol.purged} ärenden {verb}, {protocol.held} bevaras av rättsligt skäl."
        )
        for reference in filter(None, protocol.references.split("\n")):
            self.stdout.write(f"  {reference}")
