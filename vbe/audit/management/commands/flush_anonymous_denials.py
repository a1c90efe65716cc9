from django.core.management.base import BaseCommand

from vbe.audit.denials import flush_anonymous_denials


class Command(BaseCommand):
    help = (
        "Skriver räknade nekade anonyma anrop från avslutade minuter till åtkomstloggen som en "
        "sammanfattande rad per klient och minut. verify_audit_log gör detsamma först."
    )

    def handle(self, *args, **options) -> None:
        written = flush_anonymous_denials()
        self.stdout.write(f"{written} sammanfattningar av nekade anonyma anrop skrevs till loggen.")
