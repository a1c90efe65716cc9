from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.audit.denials import flush_anonymous_denials


class Command(BaseCommand):
    help = gettext_lazy(
        "Skriver räknade nekade anonyma anrop från avslutade minuter till åtkomstloggen som en "
        "sammanfattande rad per klient och minut. verify_audit_log gör detsamma först."
    )

    def handle(self, *args, **options) -> None:
        written = flush_anonymous_denials()
        self.stdout.write(
            _("%(count)s sammanfattningar av nekade anonyma anrop skrevs till loggen.") % {"count": written}
        )
