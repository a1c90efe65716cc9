import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.guidelines.calendar import send_reminders


class Command(BaseCommand):
    help = gettext_lazy("Skickar påminnelser till samordnarna inför varje rapporteringsdatum (kör dagligen).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help=gettext_lazy("Kör som om det vore detta datum (ÅÅÅÅ-MM-DD)."))

    def handle(self, *args, date: str | None = None, **options) -> None:
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(_("Skriv datumet som ÅÅÅÅ-MM-DD.")) from None
        sent = send_reminders(today=today, days_before=settings.REMINDER_DAYS_BEFORE)
        self.stdout.write(_("%(count)s påminnelser skickade för %(date)s.") % {"count": sent, "date": today})
