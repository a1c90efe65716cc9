from django.core.management.base import BaseCommand, CommandError

from vbe.audit.log import verify_chain


class Command(BaseCommand):
    help = "Kontrollerar åtkomstloggens HMAC-kedja och pekar ut den första brutna raden."

    def handle(self, *args, **options) -> None:
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"Åtkomstloggen är inte intakt: första brutna rad är {broken.entry_id} ({broken.reason}). "
                f"{checked} rader före den är kontrollerade."
            )
        self.stdout.write(self.style.SUCCESS(f"Åtkomstloggen är intakt: {checked} rader kontrollerade."))
