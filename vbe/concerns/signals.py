"""What the concern routine tells the apps above it."""

from django.dispatch import Signal

# Sent (sender=Concern, ids=[…]) after a bulk write, which sends no post_save (QuerySet.update,
# bulk_create), changed what statistics count of concerns: a concern's district, organisation or
# environment, or which concerns there are. ``ids``: the concerns written.
# The statistics app counts the months they are dated in again (vbe.statistics.summary), in the same
# transaction. A bulk write that moves rows to another month cannot say where they were counted before:
# it runs `manage.py rebuild_statistics` (vbe.statistics.summary.rebuild) instead.
counted_rows_changed = Signal()
