import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.concerns.retention import purge_expired


class Command(BaseCommand):
    help = gettext_lazy(
        "Gallrar avslutade ärenden om oro vars gallringsfrist har gått ut (kör dagligen). Skriver ett gallringsprotokoll."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("Visa vad som skulle gallras, ändra inget.")
        )
        parser.add_argument("--date", help=gettext_lazy("Kör som om det vore detta datum (ÅÅÅÅ-MM-DD)."))

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options) -> None:
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(_("Skriv datumet som ÅÅÅÅ-MM-DD.")) from None
        protocol = purge_expired(today=today, dry_run=dry_run)
        if dry_run:
            done = _("Gallring för %(date)s: %(purged)s ärenden skulle gallras, %(held)s bevaras av rättsligt skäl.")
        else:
            done = _("Gallring för %(date)s: %(purged)s ärenden gallrades, %(held)s bevaras av rättsligt skäl.")
        self.stdout.write(done % {"date": protocol.run_for, "purged": protocol.purged, "held": protocol.held})
        for reference in filter(None, protocol.references.split("\n")):
            self.stdout.write(f"  {reference}")
