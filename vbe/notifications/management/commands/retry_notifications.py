from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.notifications.models import Notification
from vbe.notifications.outbox import MAX_ATTEMPTS, retry_pending


class Command(BaseCommand):
    help = gettext_lazy(
        "Försöker igen att skicka de meddelanden som inte har gått iväg (kör med några minuters mellanrum; "
        "varje meddelande väntar allt längre mellan försöken)."
    )

    def handle(self, *args, **options) -> None:
        outcome = retry_pending()
        # Run every few minutes: silent when there was nothing to do, so the scheduler's mail is news.
        if outcome.sent or outcome.failed or outcome.gave_up or options["verbosity"] > 1:
            self.stdout.write(
                _(
                    "%(sent)s skickade, %(failed)s misslyckades och försöks igen senare, %(gave_up)s gav upp efter "
                    "%(attempts)s försök."
                )
                % {
                    "sent": len(outcome.sent),
                    "failed": len(outcome.failed),
                    "gave_up": len(outcome.gave_up),
                    "attempts": MAX_ATTEMPTS,
                }
            )
        if outcome.gave_up:
            flagged = Notification.objects.exclude(gave_up_at=None).count()
            self.stderr.write(
                _("%(count)s meddelanden har inte kunnat skickas alls (gave_up_at är satt).") % {"count": flagged}
            )
            # A non-zero exit, so the scheduler tells the operator: these will not be tried again.
            raise CommandError(
                _(
                    "%(count)s meddelanden gav upp nu: %(ids)s. Kontrollera e-postinställningarna; mottagarna ser "
                    "ärendena i portalen."
                )
                % {"count": len(outcome.gave_up), "ids": ", ".join(str(pk) for pk in outcome.gave_up)}
            )
