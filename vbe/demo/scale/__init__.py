"""A synthetic "Stockholm, N years" on top of the demo city, for measuring the portal at scale.

``generate(scale=N)`` adds city-years until the database holds N of them: year 1 is the twelve months
up to today, year 2 the twelve before, and so on. Each year adds the volumes of ``PER_YEAR`` (one
tenth of docs/quality.md's "ten years"): units, staff with their memberships, concerns with their
chronology, incidents, plan versions with measures and follow-ups, the staff's training (learners,
placements, headcounts, completions: ``scale/training.py``), its support material and symbol sightings
(``scale/knowledge.py``), its civil-society actors, democracy-condition assessments and forum meetings
(``scale/collaboration.py``), and the access log that goes with it,
continued on the real HMAC chain. A year is written in one transaction, so a year is either all there
or not at all, and a second run with the same target adds nothing. The random choices of a year depend
only on the seed and the year's number (a year draws its people and units from the demo city
and from itself, never from another synthetic year): growing a database from scale 1 to 10 gives the
same rows as building scale 10 at once, apart from ids and the moment "now".

Rows are written in bulk, not through the services: the services do one concern at a time with its
locks, mail and log rows, which at these volumes would take hours. What the services would have
written is written here too (the chronology, the intake record, the status changes, the log rows), so
the pages read what they would read in a real city.

Years are built oldest first, so in a city built at once the access log's ids follow time, as in a
real log. When a database grows, the added older years carry their own timestamps but come after the
rows already in the log, since the chain only grows at its end: ids and time then disagree, the worst
case for reading the log by date. ``make bench`` builds each scale in a database of its own.

Everything is made up: names are random pairs from the demo's name lists, e-mail addresses use the
reserved domain .example, personnummer come only from Skatteverket's test list, and the accounts
cannot sign in (their password is unusable).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from vbe.demo.scale import cases, collaboration, collaboration_meetings, knowledge, log, people, plans, training
from vbe.demo.scale.base import PER_YEAR, SCALE_DOMAIN, City, Volumes, Year, years_present
from vbe.statistics import summary

__all__ = ["PER_YEAR", "SCALE_DOMAIN", "STEPS", "Volumes", "Year", "generate", "years_present"]

# --- The run -----------------------------------------------------------------------------------------

Step = Callable[[City, Year, random.Random, Volumes], int]
# In this order: people join units, concerns and incidents name people, incidents name the symbol guide's
# entries, resources name their writers, actors and meetings their writers, the log names concerns.
STEPS: list[tuple[str, Step]] = [
    ("units", people.add_units),
    ("users", people.add_users),
    ("concerns", cases.add_concerns),
    ("incidents", cases.add_incidents),
    ("symbol_sightings", knowledge.add_symbol_sightings),
    ("plans", plans.add_plans),
    ("learners", training.add_learners),
    ("completions", training.add_completions),
    ("resources", knowledge.add_resources),
    ("actors", collaboration.add_actors),
    ("meetings", collaboration_meetings.add_meetings),
    ("log_rows", log.add_access_log),
]


def generate(
    *, scale: int, seed: int = 2026, volumes: Volumes = PER_YEAR, report: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Adds the missing city-years 1..``scale``; returns what was added."""
    city = City()
    now = timezone.now()
    present = years_present()
    added = dict.fromkeys(["years", *(name for name, _step in STEPS)], 0)
    # Oldest first: in a city built at once, the access log's ids then follow time, as in a real log.
    for number in range(scale, 0, -1):
        if number in present:
            continue
        year = Year.of(number, now)
        city.refresh(number)
        with transaction.atomic():
            for name, step in STEPS:
                # One generator per step and year: a year's rows do not depend on what else was built.
                made = step(city, year, random.Random(f"{seed}:{number}:{name}"), volumes)
                added[name] += made
                if name in ("units", "users"):
                    city.refresh(number)
                report(f"år {number}: {name} {made}")
            # Rows written in bulk send no post_save: the statistics' summary counts the year's months again
            # (an incident may have happened up to three days before the year's first report).
            summary.recount_months(
                timezone.localdate(year.start) - datetime.timedelta(days=3), timezone.localdate(year.end)
            )
        added["years"] += 1
    if added["years"] and connection.vendor == "postgresql":
        # Fresh statistics for the planner, as after any bulk load: until autovacuum gets round to
        # it, the tables look as small as before and the plans of the pages are chosen for that.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return added
