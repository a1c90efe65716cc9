"""Small counts kept small: the one rule for every figure shown outside the handling organisation.

**Primary suppression.** A count from 1 to 4 is shown as "<5" (``PRIMARY_TEXT``) to anyone who does
not see exact counts (``sees_exact_counts``: the coordinators of the organisation the figures are
about). Zero stays zero: it singles no one out. Five or more is shown as it is.

**Secondary suppression** (``protect``). A "<5" is no secret when a total is shown beside it:
the total minus the shown cells is the hidden cell. So the figures of a page or a document are
protected together, as *lines*: each line is a total and the cells that add up to it (a year's
column and its "Totalt"; the months and the period's total; the districts and the city; the city's
figure for a month and each district's figure for that month). A two-way table has a line for each
row and for each column, and its total row and total column are lines to the grand total, so totals
in both directions are covered. The rule:

1. Every count of 1–4 the viewer does not see exactly is hidden as "<5". A count the viewer can add
   up from their exact counts and the zeros shown to everyone counts as seen exactly.
2. What a reader knows of each hidden cell: "<5" is 1 to 4; "x" (``SECONDARY_TEXT``) is 5 or more,
   since only shown counts of 5 or more are ever hidden as "x", and no more than the counts still
   shown in the line it was picked from (the smallest is picked, so the others are at least as
   large; on a tie the first in the table's order is picked, so a shown equal count comes after
   it); a total shown nowhere is 0 or more. Ranges the page gives itself (the shade classes of a
   map) narrow these further.
3. The reader adds and subtracts lines: every line, and the lines solved together for as many
   hidden counts as they allow (every sum and difference of lines), narrows each hidden count to
   what the others leave room for, in whole numbers, over and over until nothing narrows
   (``vbe.statistics.narrowing``). A "<5" left with one possible value is recovered.
4. While a "<5" (or an "x", which protects nothing while it can be worked out) is recovered, the
   smallest count of 5 or more still shown in a line that pins it is hidden as "x": the classic
   case, one "<5" in a line whose total is shown, always takes the next-smallest cell with it. A
   line with no such count gives up its total instead; when neither is possible there, the lines of
   the hidden cells that pinned it are treated the same way, and failing that, the counts around it.
5. Then every "x" that later ones made needless is shown again, totals first, where that recovers
   no "<5" and every "x" stays the smallest of the line it was picked from.

So no "<5" can be worked out from any one line and what the marks say, nor exactly from any sum or
difference of lines, nor by narrowing line by line as in (3). Left as they are: counts that the marks
alone give away however much else is hidden (four "<5" that add up to a "<5" can only be four ones);
and in a table whose lines cross (rows and columns), a reader who weighs a sum of several lines
against the marks' ranges all at once, or tries every combination of whole numbers, can now and then
narrow a "<5" further than (3) does. Zero is never hidden (it singles no one out, and neither mark
may stand for it), a count the viewer sees exactly is never hidden, and a "<5" is never shown.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import Role, User
from vbe.statistics import narrowing

LIMIT = 5
PRIMARY_TEXT = "<5"
SECONDARY_TEXT = "x"
PRIMARY_NOTE = gettext_lazy("Antal från 1 till 4 visas som <5.")
SECONDARY_NOTE = gettext_lazy(
    "x är ett antal på 5 eller fler som inte visas, så att ett antal under 5 inte kan räknas fram ur en summa."
)
INF = narrowing.INF

Range = narrowing.Range
K = TypeVar("K", bound=Hashable)  # a count's key
Viewer = User | AnonymousUser | None


class Mark(enum.Enum):
    SHOWN = "shown"
    PRIMARY = "primary"  # 1–4, shown as "<5"
    SECONDARY = "secondary"  # 5 or more, hidden so that a "<5" cannot be worked out: "x"


@dataclass(frozen=True)
class Shown:
    """A count as a viewer sees it."""

    count: int
    mark: Mark = Mark.SHOWN

    @property
    def hidden(self) -> bool:
        return self.mark != Mark.SHOWN

    @property
    def text(self) -> str:
        if self.mark == Mark.PRIMARY:
            return PRIMARY_TEXT
        return SECONDARY_TEXT if self.mark == Mark.SECONDARY else str(self.count)

    @property
    def drawn(self) -> int:
        """The length a bar may have: every hidden count is drawn alike, so no picture tells them apart."""
        return LIMIT - 1 if self.hidden else self.count

    def __str__(self) -> str:
        return self.text


ZERO = Shown(0)


def is_small(count: int) -> bool:
    return 0 < count < LIMIT


def shown(count: int, *, exact: bool) -> Shown:
    """One count on its own (primary suppression only): for a figure shown with no total beside it."""
    return Shown(count, Mark.PRIMARY if not exact and is_small(count) else Mark.SHOWN)


def shown_count(count: int, *, exact: bool) -> str:
    return shown(count, exact=exact).text


def notes(figures: Iterable[Shown]) -> str:
    """What the marks among ``figures`` mean, for the text beside a table or chart."""
    marks = {f.mark for f in figures}
    return " ".join(
        str(note) for mark, note in ((Mark.PRIMARY, PRIMARY_NOTE), (Mark.SECONDARY, SECONDARY_NOTE)) if mark in marks
    )


def policy(figures: Iterable[Shown]) -> str:
    """The rule for a document that leaves the city, stated whether or not it shows a "<5"; and what "x"
    means when it shows one."""
    secondary = any(f.mark == Mark.SECONDARY for f in figures)
    return f"{PRIMARY_NOTE} {SECONDARY_NOTE}" if secondary else str(PRIMARY_NOTE)


def exact_organisations(viewer: Viewer) -> set[int]:
    """The organisations whose counts ``viewer`` sees exactly: those they coordinate. (Not the central
    coordinators: they handle a council's open cases only while it has no coordinator, and the counts
    take in all of them.)"""
    if viewer is None or not viewer.is_authenticated:
        return set()
    return permissions.org_ids_with(viewer, Role.COORDINATOR)


def sees_exact_counts(viewer: Viewer, organisation_id: int | None) -> bool:
    return organisation_id is not None and organisation_id in exact_organisations(viewer)


# --- Secondary suppression ------------------------------------------------------------------------


@dataclass(frozen=True)
class Line(Generic[K]):
    """``total`` is the sum of ``cells`` (keys of the counts being protected)."""

    total: K
    cells: tuple[K, ...]


def protect(
    counts: Mapping[K, int],
    lines: Iterable[Line[K]],
    *,
    exact: bool | Collection[K] = False,
    unshown: Collection[K] = (),
    ranges: Mapping[K, Range] | None = None,
) -> dict[K, Shown]:
    """Each count of ``counts`` as shown, by the rule of this module's docstring.

    ``exact``: True when the viewer sees every count exactly, or the keys they see exactly.
    ``unshown``: keys of counts (totals) that are in ``lines`` but shown nowhere.
    ``ranges``: what the page itself tells of a count when it is hidden (e.g. a map's shade class).
    A key in a line but missing from ``counts`` is 0.
    """
    lines = [line for line in lines if line.cells]
    if exact is True:
        return {key: Shown(n) for key, n in counts.items()}
    return _Protection(counts, lines, set(exact or ()), set(unshown), ranges or {}).run()


class _Protection(Generic[K]):
    """One table being protected: its counts in order, its lines, and each count's mark so far."""

    def __init__(
        self,
        counts: Mapping[K, int],
        lines: list[Line[K]],
        exact: set[K],
        unshown: set[K],
        ranges: Mapping[K, Range],
    ) -> None:
        self.keys: list[K] = list(counts)
        for line in lines:
            for key in (line.total, *line.cells):
                if key not in counts and key not in self.keys:
                    self.keys.append(key)
        self.order = {key: i for i, key in enumerate(self.keys)}
        self.value = {key: counts.get(key, 0) for key in self.keys}
        self.lines: list[tuple[K, tuple[K, ...]]] = [(line.total, tuple(line.cells)) for line in lines]
        self.member_of: dict[K, list[int]] = {key: [] for key in self.keys}
        self.in_lines: dict[K, list[int]] = {key: [] for key in self.keys}
        for i, (total, cells) in enumerate(self.lines):
            self.in_lines[total].append(i)
            for key in cells:
                self.member_of[key].append(i)
                self.in_lines[key].append(i)
        self.unshown = {key for key in self.keys if key in unshown}
        self.exact = self._known_to_viewer({key for key in self.keys if key in exact})
        self.page_ranges = ranges
        self.beyond_help: set[K] = set()  # see _beyond_help
        self.picked_from: dict[K, int] = {}  # an "x" picked as the smallest of a line: that line
        self.marks = {
            key: Mark.PRIMARY if key not in self.exact and is_small(self.value[key]) else Mark.SHOWN
            for key in self.keys
        }

    def _known_to_viewer(self, exact: set[K]) -> set[K]:
        """The viewer's exact counts, and every count they add up to with the zeros shown to everyone
        (a city figure made of the viewer's own district's count and zeros): showing it tells them nothing."""
        known = exact | {k for k in self.keys if self.value[k] == 0 and k not in self.unshown}
        changed = bool(exact)
        while changed:
            changed = False
            for total, cells in self.lines:
                unknown = [k for k in (total, *cells) if k not in known]
                if len(unknown) == 1:
                    known.add(unknown[0])
                    changed = True
        return known if exact else set()

    # What a reader knows ---------------------------------------------------------------------------

    def _candidate(self, key: K) -> bool:
        """Could be an "x": not seen exactly anyway, shown somewhere, 5 or more, not pinned by the page itself."""
        if key in self.exact or key in self.unshown or self.value[key] < LIMIT:
            return False
        low, high = self._page_range(key, (LIMIT, INF))
        return low < high

    def _eligible(self, key: K) -> bool:
        return self.marks[key] == Mark.SHOWN and self._candidate(key)

    def _page_range(self, key: K, known: Range) -> Range:
        if key not in self.page_ranges:
            return known
        low, high = self.page_ranges[key]
        return max(known[0], low), min(known[1], high)

    def _secondary_ceiling(self, key: K) -> float:
        """An "x" picked as the smallest candidate of a line is no larger than the candidates still shown there."""
        line = self.picked_from.get(key)
        if line is None:
            return INF
        ceiling = INF
        for other in self.lines[line][1]:
            if other != key and self.marks[other] == Mark.SHOWN and self._candidate(other):
                n = self.value[other]
                ceiling = min(ceiling, n if self.order[other] > self.order[key] else n - 1)
        return ceiling

    def _known(self, key: K) -> Range:
        mark = self.marks[key]
        if mark == Mark.PRIMARY:
            return self._page_range(key, (1, LIMIT - 1))
        if mark == Mark.SECONDARY:
            return self._page_range(key, (LIMIT, self._secondary_ceiling(key)))
        if key in self.unshown:
            return self._page_range(key, (0, INF))
        return (self.value[key], self.value[key])

    def _needs_protection(self, key: K, *, strict: bool) -> bool:
        """A small count: hidden as "<5", or shown nowhere. ``strict``: also an "x", which protects
        nothing while it can be worked out (though it gives nothing away: it is 5 or more)."""
        if key in self.unshown:
            return is_small(self.value[key])
        return self.marks[key] == Mark.PRIMARY or (strict and self.marks[key] == Mark.SECONDARY)

    # Narrowing (``vbe.statistics.narrowing``) --------------------------------------------------------------

    def _unknown(self, key: K) -> bool:
        return self.marks[key] != Mark.SHOWN or key in self.unshown

    def _equation(self, line: int) -> narrowing.Equation:
        total, cells = self.lines[line]
        return narrowing.equation(total, cells, unknown=self._unknown, value=self.value.__getitem__)

    def _narrow(self) -> dict[K, Range]:
        """What a reader can narrow every count to: a shown count is itself."""
        unknown = [key for key in self.keys if self._unknown(key)]
        # Only a line holding an unknown says anything (the others are shown counts adding up), in table order.
        holding = sorted({i for key in unknown for i in self.in_lines[key]})
        lines = [eq for i in holding if (eq := self._equation(i))[0]]
        equations = lines + narrowing.reduced(lines, self.order)
        known = {key: self._known(key) for key in unknown}
        ranges: dict[K, Range] = {key: (self.value[key], self.value[key]) for key in self.keys}
        ranges.update(narrowing.narrow(equations, known))
        return ranges

    def _pins(self, key: K, line: int, ranges: Mapping[K, Range]) -> bool:
        """Does this line alone, given the others' ranges, leave ``key`` a single value?"""
        eq = self._equation(line)
        if key not in eq[0]:
            return False
        low, high = narrowing.allowed(narrowing.whole(eq), ranges)[key]
        return low == high

    # Choosing what else to hide ----------------------------------------------------------------------------

    def _remedy(self, key: K, ranges: Mapping[K, Range]) -> tuple[K, int | None] | None:
        """The count to hide so that ``key`` is no longer pinned (rule 4) and the line it is the smallest
        candidate of (None for a total), or None."""
        queue, seen = [key], {key}
        while queue:
            current = queue.pop(0)
            pinning = [i for i in self.in_lines[current] if self._pins(current, i, ranges)]
            for i in pinning:
                total, cells = self.lines[i]
                candidates = [c for c in cells if self._eligible(c)]
                if candidates:
                    return min(candidates, key=lambda c: (self.value[c], self.order[c])), i
                if self._eligible(total):
                    return total, None
            for i in pinning:
                total, cells = self.lines[i]
                for other in (total, *cells):
                    hidden = self.marks[other] != Mark.SHOWN or other in self.unshown
                    if other not in seen and hidden and ranges[other][0] == ranges[other][1]:
                        seen.add(other)
                        queue.append(other)
        return None

    def _pinned(self, *, strict: bool) -> tuple[list[K], dict[K, Range]]:
        ranges = self._narrow()
        pinned = [k for k in self.keys if self._needs_protection(k, strict=strict) and ranges[k][0] == ranges[k][1]]
        return [k for k in pinned if k not in self.beyond_help], ranges

    def _beyond_help(self) -> set[K]:
        """The small counts pinned even with every count that may be hidden hidden: by the marks alone."""
        marks, picked = dict(self.marks), dict(self.picked_from)
        for key in self.keys:
            if self._eligible(key):
                self.marks[key] = Mark.SECONDARY
        ranges = self._narrow()
        beyond = {k for k in self.keys if self._needs_protection(k, strict=True) and ranges[k][0] == ranges[k][1]}
        self.marks, self.picked_from = marks, picked
        return beyond

    def _hide(self, chosen: dict[K, int | None]) -> None:
        for c, line in chosen.items():
            self.marks[c] = Mark.SECONDARY
            if line is not None:
                self.picked_from[c] = line

    def _still_smallest_with(self, key: K) -> bool:
        """Showing ``key`` again keeps every "x" the smallest candidate of the line it was picked from."""
        return not any(
            self.marks[x] == Mark.SECONDARY
            and x != key
            and key in self.lines[line][1]
            and (self.value[key], self.order[key]) < (self.value[x], self.order[x])
            for x, line in self.picked_from.items()
        )

    def run(self) -> dict[K, Shown]:
        pinned, ranges = self._pinned(strict=True)
        if pinned:  # asked only when a count needs protecting (the usual table of a big city: none does)
            self.beyond_help = self._beyond_help()
            pinned = [k for k in pinned if k not in self.beyond_help]
        # Hiding: an "x" must not be pinned either, so that each one hidden does its part.
        while pinned:
            remedies = dict(remedy for k in pinned if (remedy := self._remedy(k, ranges)) is not None)
            if remedies:
                self._hide(remedies)
            else:
                # No one line pins them (several together do): hide the smallest count around them, or
                # failing that anywhere, and look again.
                around = {c for k in pinned for i in self.in_lines[k] for c in (self.lines[i][0], *self.lines[i][1])}
                chosen = [c for c in self.keys if c in around and self._eligible(c)]
                chosen = chosen or [c for c in self.keys if self._eligible(c)]
                if not chosen:
                    break  # only counts the viewer knows anyway are left
                self._hide({min(chosen, key=lambda c: (self.value[c], self.order[c])): None})
            pinned, ranges = self._pinned(strict=True)
        # Hiding one at a time can leave an "x" that later ones made needless: show it again where that
        # pins nothing and every "x" stays the smallest of its line; totals first (the total of most
        # lines first), then the largest counts.
        as_total = {k: sum(1 for total, _ in self.lines if total == k) for k in self.keys}
        for key in sorted(
            (k for k in self.keys if self.marks[k] == Mark.SECONDARY),
            key=lambda k: (-as_total[k], -self.value[k], -self.order[k]),
        ):
            if not self._still_smallest_with(key):
                continue
            line = self.picked_from.pop(key, None)
            self.marks[key] = Mark.SHOWN
            if self._pinned(strict=False)[0]:
                self.marks[key] = Mark.SECONDARY
                if line is not None:
                    self.picked_from[key] = line
        return {key: Shown(self.value[key], self.marks[key]) for key in self.keys}
