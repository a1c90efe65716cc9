from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidelinesConfig(AppConfig):
    name = "vbe.guidelines"
    label = "guidelines"
    verbose_name = _("Riktlinjer")

    def ready(self) -> None:
        import datetime

        from vbe.guidelines.tasks import send_deadline_reminders
        from vbe.jobs.schedule import every

        every(datetime.timedelta(days=1), send_deadline_reminders, name="guidelines.deadline_reminders")
