from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.audit.log import record
from vbe.core import crypto, rotation


class Command(BaseCommand):
    help = gettext_lazy(
        "Krypterar om alla krypterade fält med den aktuella nyckeln (den första i FIELD_ENCRYPTION_KEYS). "
        "Behåll de gamla nycklarna i listan tills kommandot har körts utan att något finns kvar. "
        "Portalen kan vara i drift under tiden: en ändring som görs medan kommandot körs skrivs aldrig över."
    )

    def handle(self, *args, **options) -> None:
        result = rotation.rotate()
        total, left = sum(result.rotated.values()), sum(result.left.values())
        key = crypto.current_key_id()
        record(action="encryption_keys_rotated", actor=None, detail=f"{total} värden till nyckel {key}, {left} kvar")
        for column, n in result.rotated.items():
            if n:
                self.stdout.write(f"  {column}: {n}")
        self.stdout.write(
            self.style.SUCCESS(_("%(count)s värden krypterade med nyckel %(key)s.") % {"count": total, "key": key})
        )
        if left:
            for column, n in result.left.items():
                if n:
                    self.stdout.write("  " + _("%(column)s: %(count)s kvar") % {"column": column, "count": n})
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "%(count)s värden ändrades under körningen och finns kvar under en gammal nyckel. "
                        "Kör kommandot igen innan den gamla nyckeln tas bort."
                    )
                    % {"count": left}
                )
            )
            # Non-zero exit: a scheduled run or a key-change script must not go on to remove the old key.
            raise CommandError(_("%(count)s värden finns kvar under en gammal nyckel.") % {"count": left})
