"""``make mutation``: mutmut over the permission rules and the workflow services (config in pyproject.toml).

mutmut leaves every decorated function alone, because copying a decorator such as a route registration
for each mutant has side effects. The write services here are decorated only with
``transaction.atomic``, which has none: a copy of it is one more savepoint. So those are mutated too;
any other decorator still keeps its function out.

A function that builds and returns another (``_any_role``, a concern step's ``_transition``) runs
when its module is imported, before any mutant is switched on: its mutants could never be killed, so it
is left out too.

String literals are not mutated: they are the Swedish messages and the names written to the access log
and the chronology, whose wording their own tests pin where it matters. A changed word is not a missing
guard, and those mutants would be a quarter of the run.

    python tools/mutation.py run        # then: score, results, show NAME, browse (as ``mutmut``)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click
import django.test.utils
import libcst as cst
from mutmut.__main__ import cli
from mutmut.mutation import file_mutation, mutators
from mutmut.stats import status_by_exit_code


def _is_atomic(decorator: cst.BaseExpression) -> bool:
    """``@transaction.atomic`` or ``@atomic``, with or without arguments."""
    while isinstance(decorator, cst.Call):
        decorator = decorator.func
    name = decorator.attr.value if isinstance(decorator, cst.Attribute) else getattr(decorator, "value", "")
    return name == "atomic"


_skip = file_mutation.MutationVisitor._skip_node_and_children


def _is_factory(node: cst.FunctionDef) -> bool:
    """Defines a function and returns it."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    inner = {statement.name.value for statement in body if isinstance(statement, cst.FunctionDef)}
    returned = {
        small.value.value
        for statement in body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
        if isinstance(small, cst.Return) and isinstance(small.value, cst.Name)
    }
    return bool(inner & returned)


def _skip_unless_only_atomic(self: file_mutation.MutationVisitor, node: cst.CSTNode) -> bool:
    if isinstance(node, cst.FunctionDef) and _is_factory(node):
        return True
    if isinstance(node, cst.FunctionDef) and node.decorators and all(_is_atomic(d.decorator) for d in node.decorators):
        # The checks mutmut makes of an undecorated function: a "no mutate" pragma, a name never mutated.
        return _skip(self, node.with_changes(decorators=[])) or _pragma_on(self, node)
    return _skip(self, node)


def _pragma_on(self: file_mutation.MutationVisitor, node: cst.FunctionDef) -> bool:
    position = self.get_metadata(file_mutation.PositionProvider, node, None)
    if position and position.start.line in self._ignored_node_lines:
        self.ignored_functions.add(node.name.value)
        return True
    return False


file_mutation.MutationVisitor._skip_node_and_children = _skip_unless_only_atomic
file_mutation.mutation_operators = [
    (kind, operator) for kind, operator in file_mutation.mutation_operators if operator is not mutators.operator_string
]

# Each mutant runs its tests in a child forked from this process. Building the test database (the
# migrations and the reference data) costs more than most mutants' tests, so it is built once, by the
# first test run here, and kept: every child starts from its own copy of the in-memory database.
_setup_databases, _databases = django.test.utils.setup_databases, []


def _setup_once(*args: object, **kwargs: object) -> object:
    if not _databases:
        _databases.append(_setup_databases(*args, **kwargs))
    return _databases[0]


django.test.utils.setup_databases = _setup_once
django.test.utils.teardown_databases = lambda *args, **kwargs: None


COLUMNS = ["killed", "survived", "timeout", "no tests", "suspicious", "not checked"]


def _row(name: str, counts: Counter[str]) -> str:
    """Timeouts count as killed: the mutant made the tests hang, which a run notices."""
    tried = counts["killed"] + counts["survived"] + counts["timeout"]
    share = f"{100 * (counts['killed'] + counts['timeout']) / tried:6.1f} %" if tried else ""
    return f"{name:40}" + "".join(f"{counts[c]:>12}" for c in COLUMNS) + f"{share:>10}"


@cli.command()
def score() -> None:
    """Killed, survived, timed out and untested mutants per module, from the last run."""
    click.echo(f"{'module':40}" + "".join(f"{c:>12}" for c in COLUMNS) + f"{'score':>10}")
    total: Counter[str] = Counter()
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        counts = Counter(status_by_exit_code[code] for code in codes)
        total.update(counts)
        click.echo(_row(str(meta.relative_to("mutants")).removesuffix(".meta"), counts))
    click.echo(_row("total", total))


if __name__ == "__main__":
    cli()
