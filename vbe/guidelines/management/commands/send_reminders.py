import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vbe.guidelines.calendar import send_reminders


class Command(BaseCommand):
    help = "Skickar påminnelser till samordnarna inför varje rapporteringsdatum (kör dagligen)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="Kör som om det vore detta datum (ÅÅÅÅ-MM-DD).")

    def handle(self, *args, date: str | None = None, **options) -> None:
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError("Skriv datumet som ÅÅÅÅ-MM-DD.") from None
        sent = send_reminders(today=today, days_before=settings.REMINDER_DAYS_BEFORE)
        self.stdout.write(f"{sent} påminnelser skickade för {today}.")
