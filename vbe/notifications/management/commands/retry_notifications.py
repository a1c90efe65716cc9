from django.core.management.base import BaseCommand, CommandError

from vbe.notifications.models import Notification
from vbe.notifications.outbox import MAX_ATTEMPTS, retry_pending


class Command(BaseCommand):
    help = (
        "Försöker igen att skicka de meddelanden som inte har gått iväg (kör med några minuters mellanrum; "
        "varje meddelande väntar allt längre mellan försöken)."
    )

    def handle(self, *args, **options) -> None:
        outcome = retry_pending()
        # Run every few minutes: silent when there was nothing to do, so the scheduler's mail is news.
        if outcome.sent or outcome.failed or outcome.gave_up or options["verbosity"] > 1:
            self.stdout.write(
                f"{len(outcome.sent)} skickade, {len(outcome.failed)} misslyckades och försöks igen senare, "
                f"{len(outcome.gave_up)} gav upp efter {MAX_ATTEMPTS} försök."
            )
        if outcome.gave_up:
            flagged = Notification.objects.exclude(gave_up_at=None).count()
            self.stderr.write(f"{flagged} meddelanden har inte kunnat skickas alls (gave_up_at är satt).")
            # A non-zero exit, so the scheduler tells the operator: these will not be tried again.
            raise CommandError(
                f"{len(outcome.gave_up)} meddelanden gav upp nu: "
                + ", ".join(str(pk) for pk in outcome.gave_up)
                + ". Kontrollera e-postinställningarna; mottagarna ser ärendena i portalen."
            )
