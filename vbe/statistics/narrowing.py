"""How far a reader can narrow hidden counts, from the lines they add up in and what each mark says.

Each line is an equation: its cells add up to its total. Shown counts are constants, hidden ones
unknowns with a range (a count is a whole number). Two things are combined:

- the lines themselves, and the same equations solved for as many unknowns as they allow
  (reduced row echelon form, in exact fractions): that is every sum and difference of lines a
  reader could form, so a hidden count that adding and subtracting lines gives away is pinned;
- ranges: each equation narrows each of its unknowns to what the others leave room for, rounded
  to whole numbers, repeated until nothing narrows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

INF = math.inf

K = TypeVar("K", bound=Hashable)
Range = tuple[int, float]  # low, high (a whole number, or INF)
# sum of coefficient × unknown = constant; whole numbers unless solving needed a fraction
Equation = tuple[dict[K, int | Fraction], int | Fraction]


def equation(
    total: K,
    cells: Iterable[K],
    *,
    unknown: Callable[[K], bool],
    value: Callable[[K], int],
) -> Equation[K]:
    """The line ``total = sum(cells)`` with the known counts moved to the constant."""
    coefficients: dict[K, int | Fraction] = {}
    constant = 0
    for key, sign in ((total, -1), *((c, 1) for c in cells)):
        if unknown(key):
            coefficients[key] = coefficients.get(key, 0) + sign
        else:
            constant -= sign * value(key)
    return {k: a for k, a in coefficients.items() if a}, constant


def reduced(equations: Iterable[Equation[K]], order: Mapping[K, int]) -> list[Equation[K]]:
    """The equations in reduced row echelon form: each row solves one unknown in terms of the unknowns
    no row solves."""
    pivots: dict[K, Equation[K]] = {}
    for coefficients, constant in equations:
        row = dict(coefficients)
        for key in [k for k in row if k in pivots]:
            factor = row.get(key)
            if not factor:
                continue
            pivot_row, pivot_constant = pivots[key]
            for other, a in pivot_row.items():
                row[other] = row.get(other, 0) - factor * a
            constant -= factor * pivot_constant
        row = {k: a for k, a in row.items() if a}
        if not row:
            continue
        pivot = min(row, key=order.__getitem__)
        scale = row[pivot]
        if scale in (1, -1):  # the usual case: whole numbers stay whole, and fast
            row = {k: a * scale for k, a in row.items()}
            constant = constant * scale
        else:
            row = {k: Fraction(a) / scale for k, a in row.items()}
            constant = Fraction(constant) / scale
        for key, (other_row, other_constant) in list(pivots.items()):
            factor = other_row.get(pivot)
            if factor:
                merged = dict(other_row)
                for k, a in row.items():
                    merged[k] = merged.get(k, 0) - factor * a
                pivots[key] = ({k: a for k, a in merged.items() if a}, other_constant - factor * constant)
        pivots[pivot] = (row, constant)
    return list(pivots.values())


def whole(eq: Equation[K]) -> tuple[dict[K, int], int]:
    """The same equation with whole coefficients (times the common denominator): faster to narrow with."""
    coefficients, constant = eq
    if isinstance(constant, int) and all(isinstance(a, int) for a in coefficients.values()):
        return coefficients, constant  # type: ignore[return-value]
    scale = math.lcm(Fraction(constant).denominator, *(Fraction(a).denominator for a in coefficients.values()))
    return {k: int(a * scale) for k, a in coefficients.items()}, int(constant * scale)


def _ceil_div(p: int, q: int) -> int:
    return -((-p) // q)


def allowed(eq: tuple[dict[K, int], int], ranges: Mapping[K, Range]) -> dict[K, Range]:
    """The range this equation (whole coefficients) alone leaves each of its unknowns, given the
    others' ranges. A range's low end is never infinite."""
    coefficients, constant = eq
    # The least and the most each term a × x can be; None for minus or plus infinity.
    terms: dict[K, tuple[int | None, int | None]] = {}
    for key, a in coefficients.items():
        low, high = ranges[key]
        top = None if high == INF else a * int(high)
        terms[key] = (a * low, top) if a > 0 else (top, a * low)
    low_inf = sum(1 for least, _ in terms.values() if least is None)
    high_inf = sum(1 for _, most in terms.values() if most is None)
    low_sum = sum(least for least, _ in terms.values() if least is not None)
    high_sum = sum(most for _, most in terms.values() if most is not None)
    result: dict[K, Range] = {}
    for key, a in coefficients.items():
        term_low, term_high = terms[key]
        others_low = None if low_inf - (term_low is None) else low_sum - (term_low or 0)
        others_high = None if high_inf - (term_high is None) else high_sum - (term_high or 0)
        # a × x = constant − the others, between these two (None: unbounded that way)
        least = None if others_high is None else constant - others_high
        most = None if others_low is None else constant - others_low
        if a < 0:
            least, most = (None if most is None else -most), (None if least is None else -least)
        current_low, current_high = ranges[key]
        new_low = current_low if least is None else max(current_low, _ceil_div(least, abs(a)))
        new_high: float = current_high if most is None else min(current_high, most // abs(a))
        result[key] = (new_low, new_high)
    return result


def narrow(equations: Sequence[Equation[K]], ranges: dict[K, Range]) -> dict[K, Range]:
    """Every unknown's range, narrowed by every equation until nothing narrows. Ends: ranges are whole
    numbers that only shrink, and never past the true counts."""
    ranges = dict(ranges)
    rows = [whole(eq) for eq in equations]
    containing: dict[K, list[int]] = {}
    for i, (coefficients, _) in enumerate(rows):
        for key in coefficients:
            containing.setdefault(key, []).append(i)
    pending = list(range(len(rows)))
    queued = set(pending)
    while pending:
        i = pending.pop()
        queued.discard(i)
        for key, new in allowed(rows[i], ranges).items():
            if new != ranges[key]:
                ranges[key] = new
                for j in containing[key]:
                    if j not in queued:
                        queued.add(j)
                        pending.append(j)
    return ranges
