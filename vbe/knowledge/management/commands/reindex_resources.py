"""manage.py reindex_resources: build the search index of support resources afresh.

Every write keeps the index up to date by itself; this is for a database restored or filled past the
portal, and it also empties the list of words behind "did you mean" of words no text has any more.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from vbe.knowledge import search


class Command(BaseCommand):
    help = "Bygger om sökindexet för stödmaterial."

    def handle(self, *args, **options) -> None:
        # One transaction: a search made meanwhile sees the old index whole, never half of the new one.
        with transaction.atomic():
            count = search.rebuild()
        self.stdout.write(f"{count} stödmaterial indexerade.")
