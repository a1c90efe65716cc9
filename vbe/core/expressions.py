"""Query expressions the ORM does not offer, without domain knowledge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery
from django.db.models.expressions import BaseExpression

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Combinable
    from django.db.models.sql.compiler import SQLCompiler


class PkAmong(Expression):
    """``pk IN (subquery)``, written for PostgreSQL as ``pk = ANY(ARRAY(subquery))``: the subquery runs
    once, and its ids are then looked up in the primary key's index, so this branch of a list's OR
    can join the others in a BitmapOr. PostgreSQL answers ``IN (subquery)`` inside an OR only by testing
    every row of the table against it, and a correlated ``EXISTS`` the same way, priced as one probe per
    row (an estimate high enough to trigger JIT compilation on whole-table queries)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, ids: QuerySet) -> None:
        super().__init__()
        self.pk: Combinable | BaseExpression = F("pk")
        self.ids: Combinable | BaseExpression = Subquery(ids)

    def get_source_expressions(self) -> list:
        return [self.pk, self.ids]

    def set_source_expressions(self, expressions: Sequence[Combinable | BaseExpression]) -> None:
        self.pk, self.ids = expressions

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, template: str = "%s IN %s"
    ) -> tuple[str, tuple]:
        # Resolved by now: the F() became the primary key's column.
        assert isinstance(self.pk, BaseExpression) and isinstance(self.ids, BaseExpression)
        pk_sql, pk_params = compiler.compile(self.pk)
        ids_sql, ids_params = compiler.compile(self.ids)  # parenthesised
        return template % (pk_sql, ids_sql), (*pk_params, *ids_params)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple]:
        return self.as_sql(compiler, connection, template="%s = ANY(ARRAY%s)")
