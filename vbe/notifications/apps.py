from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def check_claim_outlasts_a_send(timeout: object) -> None:
    """Refuses an EMAIL_TIMEOUT that is unset, not positive, or so long that a send could outlast the
    outbox's claim on a message (which would then be claimed again and sent twice)."""
    from vbe.notifications.outbox import CLAIM, SOCKET_WAITS_PER_SEND

    longest = int(CLAIM.total_seconds()) // SOCKET_WAITS_PER_SEND
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= longest:
        raise ImproperlyConfigured(
            f"EMAIL_TIMEOUT={timeout!r}: ange hur många sekunder e-postservern får dröja, 1–{longest} "
            f"(utskicket håller ett meddelande i {int(CLAIM.total_seconds())} sekunder per försök)."
        )


class NotificationsConfig(AppConfig):
    name = "vbe.notifications"
    label = "notifications"
    verbose_name = _("Meddelanden")

    def ready(self) -> None:
        from django.conf import settings

        # At start-up, in every process: a hanging mail server must never hang a request, nor a slow
        # send be claimed twice.
        check_claim_outlasts_a_send(getattr(settings, "EMAIL_TIMEOUT", None))

        import datetime

        from vbe.jobs.schedule import every
        from vbe.notifications.tasks import retry_notifications

        every(datetime.timedelta(minutes=5), retry_notifications, name="notifications.retry")
