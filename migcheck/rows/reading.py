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
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from migcheck.snapshot import Snapshot

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

    @property
    def shown(self) -> str:
        return self.name if self.schema == "public" else f"{self.schema}.{self.name}"


@cache
def _catalog_query() -> str:
    return (resources.files("migcheck.rows") / "readable.sql").read_text(encoding="utf-8")


Catalog = tuple[_Found, ...]  # the tables to read, as the catalog describes them


def catalog(connection: psycopg.Connection[Any], *, version_table: str) -> Catalog:
    """The user tables to read: ordinary and partitioned tables outside the system
    schemas, except partitions (read through their parent), tables an extension owns and
    ``version_table`` (in any schema). Depends on the schema only: a caller that knows the
    schema did not change may keep it for the next ``read``."""
    cursor = connection.cursor(row_factory=tuple_row)
    return tuple(
        _Found(
            str(schema),
            str(name),
            bool(partitioned),
            _names(columns),
            _names(key),
            _names(made),
        )
        for schema, name, partitioned, columns, key, made in cursor.execute(
            _catalog_query(), {"version_table": version_table}
        )
    )


def read(
    connection: psycopg.Connection[Any],
    *,
    version_table: str = "alembic_version",
    limit: int = 1000,
    tables: Catalog | None = None,
) -> Rows:
    """Every user table's rows (at most ``limit`` each) on ``connection``'s database.

    ``tables``: ``catalog``'s answer when the caller has it, else it is asked. One query
    on the connection as it is (no transaction of its own), two without ``tables``; none
    when there is no user table.
    """
    found = catalog(connection, version_table=version_table) if tables is None else tables
    # The connection's row factory is the caller's: read through plain tuples whatever it is.
    cursor = connection.cursor(row_factory=tuple_row)
    read_tables: list[Table] = []
    if found:
        # Prepared: the same tables are read again after the next step of the revision
        # (its downgrade gives back the schema of before its upgrade, its second upgrade
        # that of the first), and planning a statement over every table is most of it.
        query = _rows_query(found, limit, connection.info.encoding)
        for index, count, text in cursor.execute(query, prepare=True):
            read_tables.append(_table(found[index], int(count), text, limit))
    return Rows(tuple(sorted(read_tables, key=lambda table: table.name)))


# What a default calls, once its casts are gone ('x'::character varying(20) is no call).
_CAST = re.compile(r"::[\w .\"]+(\([\d, ]*\))?(\[\])*")
_CALL = re.compile(r"([A-Za-z_][\w$]*)\"?\s*\(")
_LITERAL = re.compile(r"'(?:[^']|'')*'")
# The SQL-standard functions a default spells without parentheses.
_SQL_VALUE = re.compile(r"\b(CURRENT_\w+|LOCALTIME\w*|SESSION_USER|USER)\b")


def volatile(default: str, immutable: Collection[str]) -> bool:
    """Whether a column ``default`` (as the catalog spells it) gives other values on each
    call: it calls a function that is not among ``immutable`` (names every function of
    which is immutable), nextval() aside (the sequence's columns are ``generated``)."""
    text = _CAST.sub("", _LITERAL.sub("''", default))
    if _SQL_VALUE.search(text):
        return True
    return any(name not in immutable and name != "nextval" for name in _CALL.findall(text))


def described(schema: Snapshot, immutable: Collection[str]) -> Catalog:
    """What ``catalog`` reads, from a snapshot of the database instead: its tables (the
    same ones: the snapshot leaves out the version table and extensions' tables too), each
    with its columns whose default is ``volatile``. No query: the walk has the snapshot."""
    tables: dict[tuple[str, str], _Found] = {}
    columns: dict[tuple[str, str], list[tuple[int, str, bool, bool]]] = {}
    keys: dict[tuple[str, str], tuple[str, ...]] = {}
    for obj in schema.objects:
        key = obj.key
        if key.kind == "table" and not obj.get("partition_of"):
            partitioned = obj.get("kind") == "partitioned table"
            tables[key.schema, key.name] = _Found(key.schema, key.name, partitioned, (), (), ())
        elif key.kind == "column":
            default, position = obj.get("default"), obj.get("position")
            made = bool(obj.get("identity")) or "nextval(" in str(default)
            unrepeatable = isinstance(default, str) and volatile(default, immutable)
            at = position if isinstance(position, int) else 0
            columns.setdefault((key.schema, key.parent), []).append(
                (at, key.name, made, unrepeatable)
            )
        elif key.kind == "constraint" and obj.get("type") == "primary key":
            keys[key.schema, key.parent] = _listed(str(obj.get("definition")))
    found = []
    for (namespace, name), table in sorted(tables.items()):
        listed = sorted(columns.get((namespace, name), []))
        found.append(
            replace(
                table,
                columns=tuple(column for _, column, _, _ in listed),
                key=keys.get((namespace, name), ()),
                generated=tuple(column for _, column, made, _ in listed if made),
                volatile=tuple(column for _, column, _, unrepeatable in listed if unrepeatable),
            )
        )
    return tuple(found)


def _listed(definition: str) -> tuple[str, ...]:
    """The columns of ``PRIMARY KEY (a, "B c")`` as pg_get_constraintdef spells them."""
    inside = definition[definition.index("(") + 1 :]
    names, name, quoted, at = [], "", False, 0
    while at < len(inside):
        char = inside[at]
        if quoted and char == '"' and inside[at + 1 : at + 2] == '"':
            name, at = name + '"', at + 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and char in ",)":
            names.append(name.strip())
            name = ""
            if char == ")":
                break
        else:
            name += char
        at += 1
    return tuple(names)


def replaced(rows: Rows, tables: Rows) -> Rows:
    """``rows`` with the readings of ``tables`` in place of theirs (read again after
    rows went into them only)."""
    by_name = {table.name: table for table in rows.tables} | {t.name: t for t in tables.tables}
    return Rows(tuple(by_name[name] for name in sorted(by_name)))


def _names(value: object) -> tuple[str, ...]:
    return tuple(str(name) for name in value) if isinstance(value, list) else ()


def _rows_query(found: Catalog, limit: int, encoding: str) -> bytes:
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
        name=found.shown,
        columns=found.columns,
        key=found.key,
        generated=found.generated,
        rows=tuple(rows),
        truncated=count > limit,
        volatile=found.volatile,
    )
