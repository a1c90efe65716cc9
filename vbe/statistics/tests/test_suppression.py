"""Small counts: the primary rule, and secondary suppression tried against a reader who subtracts.

``solutions`` is that reader at their most patient: it knows the shown figures, that "<5" is 1 to 4
and "x" 5 or more, and tries every combination of hidden values that makes every line add up. A
small count is recovered when only one value is left for it. ``combined`` is the reader the rule
promises to defeat in a table whose lines cross: any one line with the marks' ranges, and every sum
and difference of lines.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import date

import pytest

from vbe.statistics import dating, figures
from vbe.statistics.suppression import LIMIT, Line, Mark, Shown, notes, policy, protect, shown, shown_count

# --- The reader who subtracts ------------------------------------------------------------------------


def solutions(table: dict, lines: list[Line], cap: int) -> dict:
    """{"<5" key: every value it can take}, given the shown figures and the marks.

    ``cap`` bounds an "x" for the search: no larger than the largest count in the table, which only
    ever narrows what the reader could think possible (so a pass here is a pass for the reader).
    Every combination is tried, except that a line with one unknown left fixes it."""
    hidden = [k for k, f in table.items() if f.hidden]
    domains = {k: range(1, LIMIT) if table[k].mark == Mark.PRIMARY else range(LIMIT, cap + 1) for k in hidden}
    found: dict = {k: set() for k in hidden if table[k].mark == Mark.PRIMARY}
    # Each line as: total + (-1 × each cell) = 0
    equations = [((line.total, 1), *((c, -1) for c in line.cells)) for line in lines]

    def value(k, assignment):
        return assignment[k] if k in assignment else table[k].count if k in table else 0

    def search(assignment: dict) -> bool:
        """False when ``assignment`` cannot be completed."""
        if all(len(v) > 1 for v in found.values()):
            return True  # nothing left to learn
        assignment = dict(assignment)
        forced = True
        while forced:
            forced = False
            for terms in equations:
                unknown = [(k, sign) for k, sign in terms if k in domains and k not in assignment]
                known = sum(sign * value(k, assignment) for k, sign in terms if (k, sign) not in unknown)
                if not unknown and known != 0:
                    return False
                if len(unknown) == 1:
                    k, sign = unknown[0]
                    v = -known * sign
                    if v not in domains[k]:
                        return False
                    assignment[k] = v
                    forced = True
        free = [k for k in hidden if k not in assignment]
        if not free:
            for k in found:
                found[k].add(assignment[k])
            return True
        ok = False
        for v in domains[free[0]]:
            ok = search({**assignment, free[0]: v}) or ok
        return ok

    search({})
    return found


def recovered(table: dict, lines: list[Line]) -> dict:
    """The "<5" the reader pins to one value. (An "x" pinned gives away a count of 5 or more: no more
    than showing it would.)"""
    cap = max((f.count for f in table.values()), default=0) + 1
    return {k: v for k, v in solutions(table, lines, cap).items() if len(v) == 1}


def one_way(cells: dict[str, int]) -> tuple[dict, list[Line]]:
    counts = {"total": sum(cells.values()), **cells}
    return counts, [Line("total", tuple(cells))]


def two_way(grid: list[list[int]]) -> tuple[dict, list[Line]]:
    """A table with a total for each row, each column and the whole: lines in both directions."""
    rows, cols = len(grid), len(grid[0])
    counts = {(r, c): grid[r][c] for r in range(rows) for c in range(cols)}
    counts |= {(r, "sum"): sum(grid[r]) for r in range(rows)}
    counts |= {("sum", c): sum(grid[r][c] for r in range(rows)) for c in range(cols)}
    counts[("sum", "sum")] = sum(map(sum, grid))
    lines = [Line((r, "sum"), tuple((r, c) for c in range(cols))) for r in range(rows)]
    lines += [Line(("sum", c), tuple((r, c) for r in range(rows))) for c in range(cols)]
    lines += [
        Line(("sum", "sum"), tuple((r, "sum") for r in range(rows))),
        Line(("sum", "sum"), tuple(("sum", c) for c in range(cols))),
    ]
    return counts, lines


# --- Primary suppression ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "exact", "text"),
    [
        (0, False, "0"),
        (1, False, "<5"),
        (4, False, "<5"),
        (5, False, "5"),
        (123, False, "123"),
        (0, True, "0"),
        (1, True, "1"),
        (4, True, "4"),
        (5, True, "5"),
    ],
)
def test_small_counts_are_suppressed_outside_the_handling_organisation(count, exact, text):
    assert shown_count(count, exact=exact) == text


def test_hidden_counts_are_drawn_alike():
    assert {shown(n, exact=False).drawn for n in (1, 2, 3, 4)} == {LIMIT - 1}
    assert Shown(17, Mark.SECONDARY).drawn == LIMIT - 1 and Shown(17, Mark.SECONDARY).text == "x"
    assert shown(0, exact=False).drawn == 0 and shown(2, exact=True).drawn == 2


def test_shade_classes_keep_1_to_4_together_and_never_tell_a_count():
    classes = figures.shade_classes([0, 3, 7, 40], suppressed=True)
    assert [c.label for c in classes] == ["0", "<5", "5–16", "17–28", "29 eller fler"]
    assert [figures.shade_of(n, classes) for n in (0, 1, 4, 5, 16, 17, 28, 29, 40)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert [c.label for c in figures.shade_classes([2, 3], suppressed=False)] == ["0", "1–4"]
    # A class of one number would tell a hidden count: the smallest is two wide, the last is open.
    assert [c.label for c in figures.shade_classes([6], suppressed=True)] == ["0", "<5", "5 eller fler"]
    assert [c.label for c in figures.shade_classes([8], suppressed=True)] == ["0", "<5", "5–6", "7 eller fler"]
    for top in range(5, 60):
        above = figures.shade_classes([top], suppressed=True)[2:]
        assert all(c.high > c.low for c in above) and above[-1].high == float("inf")
        assert len(above) <= 3


def test_periods():
    period = dating.last_twelve_months(date(2026, 3, 15))
    assert (period.start, period.end) == (date(2025, 4, 1), date(2026, 3, 15))
    assert period.months[0] == date(2025, 4, 1) and period.months[-1] == date(2026, 3, 1) and len(period.months) == 12
    year = dating.calendar_year(2025)
    assert (year.start, year.end, len(year.months)) == (date(2025, 1, 1), date(2025, 12, 31), 12)
    both = dating.years(2025, 2026)
    assert (both.start, both.end, both.label, len(both.months)) == (
        date(2025, 1, 1),
        date(2026, 12, 31),
        "2025–2026",
        24,
    )


# --- Secondary suppression -------------------------------------------------------------------------------


def test_one_small_count_beside_a_total_takes_the_next_smallest_with_it():
    counts, lines = one_way({"propaganda": 6, "threat": 2, "violence": 0, "graffiti": 9})
    # Before: total 17 shown with 6 and 9 gives the threats away (17 − 6 − 9 = 2).
    assert counts["total"] - counts["propaganda"] - counts["graffiti"] == counts["threat"]
    table = protect(counts, lines)
    assert {k: f.text for k, f in table.items()} == {
        "total": "17",
        "propaganda": "x",  # the smallest shown count beside it
        "threat": "<5",
        "violence": "0",
        "graffiti": "9",
    }
    assert recovered(table, lines) == {}


def test_a_tie_goes_to_the_first_in_the_table_and_is_not_given_away_by_the_one_left():
    # 1 + 5 + 5 = 11: hiding the first 5 alone leaves x ≤ 5 beside the shown 5, so x = 5 and "<5" = 1.
    counts, lines = one_way({"a": 1, "b": 5, "c": 5, "d": 30})
    table = protect(counts, lines)
    assert table["a"].mark == Mark.PRIMARY and table["b"].mark == Mark.SECONDARY
    assert table["c"].hidden  # the reader knows x ≤ the 5 shown after it, so it goes too
    assert recovered(table, lines) == {}


def test_two_small_counts_at_their_bounds_are_not_given_away():
    # 4 + 4 = 8 with the total shown: both can only be 4.
    counts, lines = one_way({"a": 4, "b": 4, "c": 0, "d": 12})
    assert recovered({k: shown(n, exact=False) for k, n in counts.items()}, lines) == {"a": {4}, "b": {4}}
    table = protect(counts, lines)
    assert table["d"].mark == Mark.SECONDARY
    assert recovered(table, lines) == {}


def test_a_line_with_nothing_else_to_hide_gives_up_its_total():
    counts, lines = one_way({"a": 4, "b": 4})
    table = protect(counts, lines)
    assert table["total"].mark == Mark.SECONDARY and table["a"].text == table["b"].text == "<5"
    assert recovered(table, lines) == {}


def test_exact_counts_zeros_and_large_counts():
    counts, lines = one_way({"a": 2, "b": 0, "c": 7})
    assert {k: f.text for k, f in protect(counts, lines, exact=True).items()} == {
        "total": "9",
        "a": "2",
        "b": "0",
        "c": "7",
    }
    table = protect(counts, lines)
    assert table["b"].text == "0"  # zero is never hidden
    # Counts the viewer knows anyway are never hidden, and not relied on to hide another.
    table = protect(counts, lines, exact={"c"})
    assert table["c"].text == "7" and table["a"].text == "<5" and table["total"].text == "x"
    assert recovered(table, lines) == {}


def test_nothing_is_hidden_when_nothing_is_small():
    counts, lines = one_way({"a": 5, "b": 0, "c": 70})
    assert {k: f.text for k, f in protect(counts, lines).items()} == {"total": "75", "a": "5", "b": "0", "c": "70"}


def test_a_range_the_page_gives_is_taken_into_account():
    # A map shows class 5–5 for b: hiding b would hide nothing, so c goes.
    counts, lines = one_way({"a": 1, "b": 5, "c": 20})
    table = protect(counts, lines, ranges={"b": (5, 5)})
    assert table["b"].text == "5" and table["c"].text == "x" and table["a"].text == "<5"


def test_an_unshown_total_still_ties_two_lines_together():
    # Months and environments of the same concerns, no total shown: 6 + a = 9 + b would give a away.
    counts = {"total": 9, "jan": 6, "feb": 3, "right": 9, "left": 0}
    lines = [Line("total", ("jan", "feb")), Line("total", ("right", "left"))]
    table = protect(counts, lines, unshown={"total"})
    assert table["feb"].text == "<5"
    assert table["jan"].hidden or table["right"].hidden
    visible = {k: (Shown(0, Mark.SECONDARY) if k == "total" else f) for k, f in table.items()}
    assert "feb" not in recovered(visible, lines)


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_count_can_be_recovered_from_a_one_way_table(seed):
    rng = random.Random(seed)
    cells = {f"c{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20]) for i in range(rng.randint(2, 7))}
    counts, lines = one_way(cells)
    table = protect(counts, lines)
    assert all(table[k].mark == Mark.PRIMARY for k, n in counts.items() if 0 < n < LIMIT)
    assert recovered(table, lines) == {}


@pytest.mark.parametrize("seed", range(25))
def test_no_hidden_count_can_be_recovered_from_a_two_way_table_by_adding_and_subtracting_lines(seed):
    rng = random.Random(1000 + seed)
    rows, cols = rng.randint(2, 3), rng.randint(2, 3)
    grid = [[rng.choice([0, 1, 2, 3, 5, 6, 8, 12]) for _ in range(cols)] for _ in range(rows)]
    counts, lines = two_way(grid)
    table = protect(counts, lines)
    assert all(table[k].mark == Mark.PRIMARY for k, n in counts.items() if 0 < n < LIMIT)
    before = {k: shown(n, exact=False) for k, n in counts.items()}
    cap = max(counts.values()) + 1
    assert combined(table, lines, cap) == {}, combined(before, lines, cap)


def test_the_classic_two_way_case_is_protected_in_both_directions():
    counts, lines = two_way([[2, 9], [8, 7]])
    before = {k: shown(n, exact=False) for k, n in counts.items()}
    assert recovered(before, lines) == {(0, 0): {2}}  # from its row, from its column, from the grand total
    table = protect(counts, lines)
    assert recovered(table, lines) == {}
    hidden = {k for k, f in table.items() if f.hidden}
    # Its row and its column each hide one more: nothing is left alone in any line.
    for line in lines:
        in_line = [k for k in (line.total, *line.cells) if k in hidden]
        assert len(in_line) != 1, line


def test_notes_say_what_the_marks_mean():
    assert notes([Shown(3), Shown(7)]) == ""
    assert notes([Shown(3, Mark.PRIMARY)]) == "Antal från 1 till 4 visas som <5."
    assert "x är ett antal på 5 eller fler" in notes([Shown(9, Mark.SECONDARY)])
    assert policy([Shown(3)]) == "Antal från 1 till 4 visas som <5."
    assert policy([Shown(9, Mark.SECONDARY)]).startswith("Antal från 1 till 4 visas som <5. x är")


def test_the_search_itself_finds_what_subtraction_finds():
    """The reader is no straw man: it recovers what the old pages gave away."""
    for cells in ({"a": 2, "b": 6}, {"a": 1, "b": 1, "c": 9}, {"a": 3, "b": 0, "c": 5, "d": 5}):
        counts, lines = one_way(cells)
        before = {k: shown(n, exact=False) for k, n in counts.items()}
        found = recovered(before, lines)
        assert found and all(found[k] == {counts[k]} for k in found)


def combined(table: dict, lines: list[Line], cap: int) -> dict:
    """The "<5" a reader pins by adding and subtracting lines: any one line with what the marks say of
    its hidden counts, and every sum of lines (each taken once, minus once or not at all) that leaves a
    single hidden count."""
    hidden = {k for k, f in table.items() if f.hidden}
    bounds = {k: (1, LIMIT - 1) if table[k].mark == Mark.PRIMARY else (LIMIT, cap) for k in hidden}
    pinned: dict = {}
    for signs in itertools.product((-1, 0, 1), repeat=len(lines)):
        terms: dict = {}
        for sign, line in zip(signs, lines, strict=True):
            for key, s in ((line.total, -sign), *((c, sign) for c in line.cells)):
                terms[key] = terms.get(key, 0) + s
        unknown = {k: a for k, a in terms.items() if a and k in hidden}
        constant = -sum(a * table[k].count for k, a in terms.items() if a and k not in hidden)
        if sum(map(abs, signs)) > 1 and len(unknown) != 1:
            continue  # several lines: only an exact result counts
        for key, a in unknown.items():  # a·key = constant − the others, at their least and most
            others = [(b * bounds[k][0], b * bounds[k][1]) for k, b in unknown.items() if k != key]
            low = constant - sum(max(p) for p in others)
            high = constant - sum(min(p) for p in others)
            low, high = sorted((low / a, high / a))
            values = set(range(max(bounds[key][0], math.ceil(low)), min(bounds[key][1], math.floor(high)) + 1))
            if table[key].mark == Mark.PRIMARY and len(values) == 1:
                pinned[key] = values
    return pinned
