"""Every user table's rows, read in two queries: one for the tables, one for all their rows.

The walk reads a database four times per revision (before the upgrade, after it, after the
downgrade, after the second upgrade), so a reading is one catalog query and one UNION ALL
of every table, whatever the number of tables. Values travel as JSON, which makes them
canonical and comparable without knowing their types: numbers, strings, JSON arrays and
objects; timestamps, bytea and the like as PostgreSQL's text for them.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

# json_build_array() takes at most 100 arguments (FUNC_MAX_ARGS); a wider table's rows
# come as JSON objects instead (larger: every row repeats the column names).
_MAX_ARGUMENTS = 100


@dataclass(frozen=True, slots=True)
class Table:
    """The rows of one table, as read."""

    name: str  # "users", or "billing.invoices" outside schema public
    columns: tuple[str, ...]  # in attnum order
    key: tuple[str, ...]  # primary key columns; () when none
    generated: tuple[str, ...]  # columns a sequence fills (identity, serial, nextval())
    # Values in `columns` order, JSON-decoded: numbers with a fraction as Decimal (a
    # numeric keeps its scale), arrays as lists, objects as dicts. Sorted: by the primary
    # key in PostgreSQL's order, else by value_order.
    rows: tuple[tuple[object, ...], ...]
    truncated: bool = False  # more rows than the limit: only the first `limit` read
    # Columns whose default is not immutable (now(), gen_random_uuid()): what fills them
    # differs from one run to the next.
    volatile: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rows:
    """A reading of every user table of a database."""

    tables: tuple[Table, ...]  # sorted by name

    def get(self, name: str) -> Table | None:
        """The table called ``name`` (as in ``Table.name``), or None."""
        at = bisect.bisect_left(self.tables, name, key=lambda table: table.name)
        found = self.tables[at] if at < len(self.tables) else None
        return found if found is not None and found.name == name else None


def value_order(value: object) -> tuple[Any, ...]:
    """A sort key over JSON-decoded values of any mix of types (None, bools, numbers,
    strings, lists, dicts, in that order), so that rows sort the same on every run."""
    kind = type(value)
    if kind is int or kind is Decimal or kind is float:
        return (2, value)
    if kind is str:
        return (3, value)
    if value is None:
        return (0,)
    if kind is bool:
        return (1, value)
    if isinstance(value, list | tuple):
        return (4, tuple(value_order(item) for item in value))
    if isinstance(value, dict):
        return (5, tuple(sorted((str(k), value_order(v)) for k, v in value.items())))
    return (6, kind.__name__, str(value))


def row_order(row: tuple[object, ...], first: tuple[int, ...] = ()) -> tuple[Any, ...]:
    """The sort key of ``row``: the values at positions ``first`` (a key), then all."""
    return (
        tuple(value_order(row[i]) for i in first),
        tuple(value_order(value) for value in row),
    )


@dataclass(frozen=True, slots=True)
class _Found:
    """A table as the catalog query describes it, before its rows are read."""

    schema: str
    name: str
    partitioned: bool
    columns: tuple[str, ...]
    key: tuple[str, ...]
    generated: tuple[str, ...]
    volatile: tuple[str, ...] = ()


@cache
def _catalog_query() -> str:
    return (resources.files("migcheck.rows") / "readable.sql").read_text(encoding="utf-8")


def read(
    connection: psycopg.Connection[Any],
    *,
    version_table: str = "alembic_version",
    limit: int = 1000,
) -> Rows:
    """Every user table's rows (at most ``limit`` each) on ``connection``'s database.

    User tables: ordinary and partitioned tables outside the system schemas, except
    partitions (read through their parent), tables an extension owns and ``version_table``
    (in any schema). Two queries on the connection as it is (no transaction of its own);
    one when there is no user table.
    """
    # The connection's row factory is the caller's: read through plain tuples whatever it is.
    cursor = connection.cursor(row_factory=tuple_row)
    found = [
        _Found(
            str(schema),
            str(name),
            bool(partitioned),
            _names(columns),
            _names(key),
            _names(made),
            _names(volatile),
        )
        for schema, name, partitioned, columns, key, made, volatile in cursor.execute(
            _catalog_query(), {"version_table": version_table}
        )
    ]
    tables: list[Table] = []
    if found:
        for index, count, text in cursor.execute(
            _rows_query(found, limit, connection.info.encoding)
        ):
            tables.append(_table(found[index], int(count), text, limit))
    return Rows(tuple(sorted(tables, key=lambda table: table.name)))


def _names(value: object) -> tuple[str, ...]:
    return tuple(str(name) for name in value) if isinstance(value, list) else ()


def _rows_query(found: list[_Found], limit: int, encoding: str) -> bytes:
    """One statement, one row per table: ``(index, number of rows, JSON array of rows)``,
    at most ``limit + 1`` rows each (the one more says the table was truncated)."""
    text = " UNION ALL ".join(
        f"SELECT {index}, {_select(table, limit)}" for index, table in enumerate(found)
    )
    return text.encode(encoding)


# psycopg.sql renders every Identifier again at each execute (milliseconds for 50 tables,
# four readings a revision): a table's part is rendered once, and kept while it is the
# same table (same name, columns and key).
@lru_cache(maxsize=4096)
def _select(table: _Found, limit: int) -> str:
    # ONLY: an inheritance child is a table of its own, read once on its own; a
    # partitioned table has no rows but its partitions', so never ONLY there.
    only = sql.SQL("") if table.partitioned else sql.SQL("ONLY ")
    # By the key, the first `limit` rows of a large table are the same ones in every
    # reading (an index scan that stops at the limit), and they come sorted: json_agg
    # keeps the order of a sorted subquery when nothing is joined to it.
    order = (
        sql.SQL(" ORDER BY {}").format(
            sql.SQL(", ").join(sql.Identifier("t", column) for column in table.key)
        )
        if table.key
        else sql.SQL("")
    )
    # Arrays rather than objects: half the text to send and to decode. `t.*`, not a
    # bare `t`, which would be a column if the table had one called t.
    row = (
        sql.SQL("json_build_array({})").format(
            sql.SQL(", ").join(sql.Identifier("t", column) for column in table.columns)
        )
        if len(table.columns) <= _MAX_ARGUMENTS
        else sql.SQL("t.*")
    )
    # Rendered without a connection (None): identifiers are quoted as text, which the
    # connection then encodes with the rest of the statement. Sent without parameters,
    # so a % in a name is only a character.
    return (
        sql.SQL("count(*), json_agg({})::text FROM (SELECT * FROM {}{} AS t{} LIMIT {}) AS t")
        .format(row, only, sql.Identifier(table.schema, table.name), order, sql.Literal(limit + 1))
        .as_string(None)
    )


def _table(found: _Found, count: int, text: str | None, limit: int) -> Table:
    # json_agg over no row is NULL. Decimal: a numeric keeps its digits (1.50 is not 1.5).
    read_rows = json.loads(text, parse_float=Decimal)[:limit] if text is not None else []
    rows = [
        tuple(row) if isinstance(row, list) else tuple(row[column] for column in found.columns)
        for row in read_rows
    ]
    if not found.key:
        rows.sort(key=row_order)
    return Table(
        name=found.name if found.schema == "public" else f"{found.schema}.{found.name}",
        columns=found.columns,
        key=found.key,
        generated=found.generated,
        rows=tuple(rows),
        truncated=count > limit,
        volatile=found.volatile,
    )
