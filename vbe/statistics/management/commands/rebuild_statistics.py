from django.core.management.base import BaseCommand

from vbe.statistics import summary
from vbe.statistics.models import ConcernCount, IncidentCount


class Command(BaseCommand):
    help = (
        "Räknar om statistikens sammanställning (händelser och oro per månad) från ärendena. "
        "Behövs bara efter skrivningar förbi portalen, t.ex. en import direkt i databasen."
    )

    def handle(self, *args, **options) -> None:
        summary.rebuild()
        self.stdout.write(
            f"Statistiken omräknad: {IncidentCount.objects.count()} rader för händelser, "
            f"{ConcernCount.objects.count()} för oro."
        )
