"""A hot read in one round trip: a Core select, compiled once, run straight on the driver.

Why: the reads made for nearly every update (who wrote, what /help lists) are one indexed row,
yet through SQLAlchemy's async adapter each costs five hand-offs to the database thread on
SQLite (cursor, execute, fetch, close, commit); each wakes the event loop and takes turns with
it for the interpreter. Run as one ``execute_fetchall`` it is one hand-off (and one ``fetch``
on PostgreSQL). Measured in bench/taps.py: about a third of the CPU an answer costs.

The statement is still SQLAlchemy's (written once, compiled per dialect with its own
parameter style), its values go through the columns' types both ways (``db.types``), and the
connection comes from the same pool: only the adapter's steps are skipped. For reads only;
writes keep SQLAlchemy's transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: SQLCompiler
    names: tuple[str, ...]  # the parameters in the order the driver takes them
    binds: dict[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]


class DirectRead:
    """One select; :meth:`rows` runs it with the given values on a pooled connection."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is not None:
            return found
        compiled = self.statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds[name] = process
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in self.statement.selected_columns)
        found = _Compiled(sql=str(compiled), compiled=compiled,
                          names=tuple(compiled.positiontup), binds=binds, results=results)
        self._by_dialect[dialect.name] = found
        return found

    async def rows(self, connection: AsyncConnection, **values: Any) -> list[tuple[Any, ...]]:
        """Every row, each a tuple in the select's column order, values as the types read
        them."""
        dialect = connection.dialect
        plan = self._compile(dialect)
        given = plan.compiled.construct_params(values)
        args = [plan.binds[name](given[name]) if name in plan.binds else given[name]
                for name in plan.names]
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        raw: Sequence[Sequence[Any]]
        if dialect.name == "sqlite":
            raw = list(await driver.execute_fetchall(plan.sql, args))
        else:  # asyncpg
            raw = await driver.fetch(plan.sql, *args)
        return [tuple(value if process is None else process(value)
                      for value, process in zip(row, plan.results, strict=True))
                for row in raw]
