from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vbe.demo.city import ACCOUNTS, DEMO_PASSWORD, seed
from vbe.organisations.models import Organisation

ALLOWED_ENVIRONMENTS = {"demo", "test"}


class Command(BaseCommand):
    help = "Skapar en påhittad demostad ovanpå referensdatan. Idempotent: en andra körning skapar inget nytt."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--accounts-only", action="store_true", help="Skriv bara ut demokontona.")

    def handle(self, *args, accounts_only: bool = False, **options) -> None:
        # Demo accounts share one known password: in production they would be a way in. Checked before
        # anything is read or written, so nothing happens outside demo and test settings.
        environment = getattr(settings, "VBE_ENV", "production")
        if environment not in ALLOWED_ENVIRONMENTS:
            raise CommandError(
                f"seed_demo körs bara i demo- eller testläge (VBE_ENV=demo eller test), inte med "
                f"VBE_ENV={environment}. Demodata och demokonton med kända lösenord hör inte hemma "
                "i en riktig installation. Inget har ändrats."
            )
        if not accounts_only:
            if not Organisation.objects.exists():
                raise CommandError("Läs in referensdata först: manage.py load_reference_data")
            counts = seed()
            self.stdout.write("Demodata klar (nya poster – " + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ").")
        self.stdout.write(f"\nDemokonton (lösenord för alla: {DEMO_PASSWORD}):")
        names = dict(Organisation.objects.values_list("slug", "name"))
        for account in ACCOUNTS:
            where = names.get(account.organisation_slug, account.organisation_slug)
            self.stdout.write(f"  {account.email:<36} {account.role_label}, {where}")
