from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "vbe.collaboration"
    label = "collaboration"
    verbose_name = _("Samverkan och demokrativillkor")

    def ready(self) -> None:
        import datetime

        from vbe.collaboration.tasks import send_renewal_reminders
        from vbe.jobs.schedule import every

        every(datetime.timedelta(days=1), send_renewal_reminders, name="collaboration.renewal_reminders")
