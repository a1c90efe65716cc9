from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.collaboration.reference import load_collaboration
from vbe.competence.reference import load_training
from vbe.guidelines.reference import load_guideline
from vbe.knowledge.reference import load_resources
from vbe.organisations.reference import load_geography, load_organisations


class Command(BaseCommand):
    help = gettext_lazy(
        "Läser in Stockholms referensdata: områden, stadsdelar, organisationer, personalgrupper och "
        "utbildningar, riktlinjen, stadens rutiner, demokrativillkorets kriterier och samverkansforumen. Idempotent."
    )

    def handle(self, *args, **options) -> None:
        # Here, on the top floor, because each loader belongs to its own floor. The training catalogue
        # comes after the guideline, whose focus areas its courses name; the city's routines after both.
        counts = {
            **load_geography(),
            **load_organisations(),
            **load_guideline(),
            **load_training(),
            **load_resources(),
            **load_collaboration(),
        }
        summary = ", ".join(f"{name}: {n}" for name, n in counts.items())
        if options["verbosity"] > 0:
            self.stdout.write(_("Referensdata inläst (nya poster – %(summary)s).") % {"summary": summary})
