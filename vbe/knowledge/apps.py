from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "vbe.knowledge"
    label = "knowledge"
    verbose_name = _("Stöd och kunskap")

    def ready(self) -> None:
        import datetime

        from vbe.jobs.schedule import every
        from vbe.knowledge.tasks import send_review_reminders

        every(datetime.timedelta(days=1), send_review_reminders, name="knowledge.review_reminders")
