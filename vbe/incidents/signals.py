"""What the event track tells the apps above it."""

from django.dispatch import Signal

# Sent (sender=Incident, ids=[…]) after a bulk write, which sends no post_save (QuerySet.update,
# bulk_create), changed what statistics count of incidents: an incident's district, neighbourhood,
# category or environment, or which incidents there are. ``ids``: the incidents written.
# The statistics app counts the months they are dated in again (vbe.statistics.summary), in the same
# transaction. A bulk write that moves rows to another month cannot say where they were counted before:
# it runs `manage.py rebuild_statistics` (vbe.statistics.summary.rebuild) instead.
counted_rows_changed = Signal()
