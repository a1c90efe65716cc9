"""Reference numbers: ``PREFIX-YYYY-NNNNN`` (ORO-2026-00042, HÄN-2026-00007), one counter per prefix
and year, every number of the portal taken from it.

``allocate`` locks the counter's row, so two requests can never get the same number, and it is meant
to run inside the transaction that stores the numbered object: when that rolls back, so does the
number, and numbers are handed out in commit order without gaps.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from vbe.core.models import ReferenceCounter

DIGITS = 5


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:0{DIGITS}d}"


def _locked_counter(prefix: str, year: int) -> ReferenceCounter:
    locked = ReferenceCounter.objects.select_for_update()
    counter = locked.filter(prefix=prefix, year=year).first()
    if counter is not None:
        return counter
    # The year's first number. Two requests may both find no row and both insert it: on PostgreSQL
    # the second insert waits for the first transaction and then fails on the unique constraint.
    # That failure is confined to a savepoint, after which the row the other one made is locked.
    try:
        with transaction.atomic():
            ReferenceCounter.objects.create(prefix=prefix, year=year)
    except IntegrityError:
        pass
    return locked.get(prefix=prefix, year=year)


def allocate(*, prefix: str, year: int, count: int = 1) -> list[str]:
    """The next ``count`` reference numbers of ``prefix`` in ``year``. The counter stays locked until
    the caller's transaction ends."""
    if count < 1:
        raise ValueError("count must be at least 1")
    with transaction.atomic():
        counter = _locked_counter(prefix, year)
        first = counter.last_number + 1
        counter.last_number += count
        counter.save(update_fields=["last_number"])
    return [format_reference(prefix, year, n) for n in range(first, first + count)]
