import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "vbe.jobs"
    label = "jobs"
    verbose_name = _("Bakgrundsjobb")

    def ready(self) -> None:
        from vbe.jobs.schedule import every
        from vbe.jobs.tasks import prune_finished

        every(datetime.timedelta(days=1), prune_finished, name="jobs.prune_finished")
