"""The figures of a run: medians, percentiles, ratios and the bars of docs/quality.md (shared/docs)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

# The bars: a page at the largest scale within FLOOR_BAR times the floor page's median, growing no
# more than GROWTH_BAR from scale 1 to scale 10; a mixed load reaching THROUGHPUT_BAR of the floor's.
FLOOR_BAR = 3.0
GROWTH_BAR = 1.3
THROUGHPUT_BAR = 0.5
QUERY_BAR = 20


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0-100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float | None, base: float | None) -> float | None:
    """value / base, or None when either is missing or the base is not positive."""
    if value is None or base is None or base <= 0:
        return None
    return value / base


def summarise(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """Count, median, p95, min and max of a list of durations, in milliseconds."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 3)

    return {
        "n": len(seconds),
        "median_ms": ms(median(seconds)),
        "p95_ms": ms(percentile(seconds, 95)),
        "min_ms": ms(min(seconds) if seconds else None),
        "max_ms": ms(max(seconds) if seconds else None),
    }


def page_flags(*, floor_ratio: float | None, growth: float | None, queries: int | None, bars: bool = True) -> list[str]:
    """What a page misses of the bars: the ratio to the floor, the growth, the queries per page."""
    flags = []
    if bars and floor_ratio is not None and floor_ratio > FLOOR_BAR:
        flags.append(f">{FLOOR_BAR:g}x floor")
    if bars and growth is not None and growth > GROWTH_BAR:
        flags.append(f">{GROWTH_BAR:g}x growth")
    if queries is not None and queries > QUERY_BAR:
        flags.append(f">{QUERY_BAR} queries")
    return flags


def throughput_flags(*, share_of_floor: float | None, errors: int) -> list[str]:
    flags = []
    if share_of_floor is not None and share_of_floor < THROUGHPUT_BAR:
        flags.append(f"<{THROUGHPUT_BAR:.0%} of floor throughput")
    if errors:
        flags.append(f"{errors} errors")
    return flags
