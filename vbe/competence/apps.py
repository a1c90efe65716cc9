from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "vbe.competence"
    label = "competence"
    verbose_name = _("Kompetens")

    def ready(self) -> None:
        import datetime

        from vbe.competence.import_jobs import purge_stale_uploads
        from vbe.competence.tasks import send_training_reminders
        from vbe.jobs.schedule import every

        every(datetime.timedelta(days=1), send_training_reminders, name="competence.training_reminders")
        every(datetime.timedelta(days=1), purge_stale_uploads, name="competence.purge_stale_uploads")
