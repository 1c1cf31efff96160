"""A read query built and compiled by the ORM once per process, then run with other values.

Building a queryset of several parts (a UNION ALL with a dozen annotations each) and
compiling it to SQL costs milliseconds of Python at every request, the same work each time
since only the filter values change. `CompiledQuery` does that work once per process and
database for each *shape* of the query (which optional filters it has): the queryset is
built with sentinel values, unlikely values of the right type whose places in the compiled
parameters are then found and, at each run, filled with the real ones. Rows are converted
by the same compiler, as the queryset would convert them (dates and times on SQLite). No data
is cached, only the statement.

Not prepared on the server: with Django's client-side binding each run is parsed anew, and
a prepared, server-bound statement saved only 0.5 ms of the dashboard's 17 (custom plans;
PostgreSQL's generic plan for it, chosen after five runs, took 59 ms instead of 15).

Measured (issue 18, My day's open notes): 3.0 ms of building and compiling a view, none of
it with the statement cached; (issue 20, the clinic dashboard at seed_bench scale) 11 ms of
a 26 ms selector. The figures and their commands are in docs/PERFORMANCE.md.

Only dates, date-times and integers can be sentinels: they are the values these queries
are filtered by, and each is adapted for the database as the ORM would adapt it. A
value given for a sentinel that is not in the compiled parameters is an error, not a query
that silently ignores a filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


def _adapt(connection, value: Any) -> Any:
    """`value` as the ORM hands it to the database driver (a string on SQLite)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    if type(value) is int:
        return value
    raise TypeError(f"a sentinel must be a date, a date-time or an int, not {value!r}")


@dataclass(frozen=True)
class _Statement:
    compiler: SQLCompiler
    sql: str
    params: tuple
    places: Mapping[str, tuple[int, ...]]  # sentinel name: its positions in params


class CompiledQuery:
    """`build(**values)` returns a queryset for the values given (dates, date-times, ints);
    `sentinels` gives a value of the same type for each name that no real value will equal
    and that no constant of the query equals. `rows(shape, db, **values)` runs the statement
    compiled for `shape` (a hashable that says which optional parts `build` adds; it is
    passed to `build` as `shape=`) with `values` in their sentinels' places: the values a
    shape's query uses, no more."""

    def __init__(self, build: Callable[..., QuerySet], sentinels: Mapping[str, Any]):
        self._build = build
        self._sentinels = dict(sentinels)
        self._compiled: dict[tuple, _Statement] = {}

    def clear(self) -> None:
        """Forget every compiled statement (what `build` gives has changed)."""
        self._compiled.clear()

    def _compile(self, key: tuple, shape: Any) -> _Statement:
        query = self._build(shape=shape, **self._sentinels)
        compiler = query.query.get_compiler(using=query.db)
        sql, params = compiler.as_sql()
        connection = connections[query.db]
        adapted = {name: _adapt(connection, value) for name, value in self._sentinels.items()}
        places = {
            name: tuple(
                i for i, param in enumerate(params) if type(param) is type(v) and param == v
            )
            for name, v in adapted.items()
        }
        statement = _Statement(compiler, sql, tuple(params), places)
        self._compiled[key] = statement
        return statement

    def rows(self, shape: Any, db: str, **values: Any) -> Iterator[tuple]:
        """The query's rows as `values_list()` would give them, for these values."""
        connection = connections[db]
        key = (db, connection.vendor, shape)
        statement = self._compiled.get(key) or self._compile(key, shape)
        params = list(statement.params)
        for name, value in values.items():
            positions = statement.places[name]
            if not positions:
                raise ValueError(f"{name!r} is not in the query compiled for {shape!r}")
            adapted = _adapt(connection, value)
            for index in positions:
                params[index] = adapted
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            fetched = cursor.fetchall()
        return statement.compiler.results_iter(results=[fetched], tuple_expected=True)
