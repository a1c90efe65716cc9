from django.core.management.base import BaseCommand

from vbe.audit.log import record
from vbe.core import crypto
from vbe.core.rotation import rotate


class Command(BaseCommand):
    help = (
        "Krypterar om alla krypterade fält med den aktuella nyckeln (den första i FIELD_ENCRYPTION_KEYS). "
        "Behåll de gamla nycklarna i listan tills kommandot har körts."
    )

    def handle(self, *args, **options) -> None:
        counts = rotate()
        total = sum(counts.values())
        record(action="encryption_keys_rotated", detail=f"{total} värden till nyckel {crypto.current_key_id()}")
        for column, n in counts.items():
            if n:
                self.stdout.write(f"  {column}: {n}")
        self.stdout.write(self.style.SUCCESS(f"{total} värden krypterade med nyckel {crypto.current_key_id()}."))
