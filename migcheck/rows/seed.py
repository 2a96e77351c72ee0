"""Generated rows for every user table, before each revision's upgrade: migrations are then
checked on tables with rows, where a NOT NULL column without default, a unique index over
duplicates, a failing cast or a foreign key over orphans fails as it would in production.

A table gets rows when this seeder has never filled it, and again when it has gained
columns since (old rows keep NULL or the default there, new rows have values). Rows are
a function of (seed, revision, table): a finding made on them is reproducible.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

import psycopg
from psycopg import sql

from migcheck.rows import tables, values
from migcheck.rows.tables import Column, ForeignKey, Table

ATTEMPTS = 8  # per row, once the table's rows failed together
GIVE_UP = 3  # rows that failed every attempt before any row went in: the table is skipped
KEYS_READ = 1000  # referenced key tuples a foreign key's values are picked from
_KINDS = {
    "23514": "check constraint",
    "23P01": "exclusion constraint",
    "23505": "unique constraint",
    "23503": "foreign key",
}


@dataclass(frozen=True, slots=True)
class Skipped:
    table: str  # as shown to users: "users", or "billing.invoices" outside schema public
    reason: str  # one line: "check constraint users_code_check rejected every generated row"


@dataclass(frozen=True, slots=True)
class Filled:
    rows: tuple[tuple[str, int], ...]  # (table as shown, rows inserted now), tables that got rows
    skipped: tuple[Skipped, ...]


class _Abandon(Exception):
    """A cycle's tables cannot all be given rows: the group's transaction rolls back."""


class Seeder:
    """Fills the user tables of one scratch database, remembering which tables it filled
    (by oid, with their column count) until ``forget``."""

    def __init__(self, rows: int, seed: int, *, version_table: str = "alembic_version") -> None:
        self.rows, self.seed, self.version_table = rows, seed, version_table
        self._filled: dict[int, int] = {}  # table oid -> relnatts when last filled

    def fill(
        self, connection: psycopg.Connection[Any], revision: str, *, leave: Collection[str] = ()
    ) -> Filled:
        """Give `rows` generated rows to every user table that has never been filled by this
        seeder or has gained columns since it last filled it; `leave`: tables (as shown)
        not to touch."""
        listed = tables.listing(connection, self.version_table, self._filled)
        # The project's rows went into the tables of `leave`: theirs as they are now.
        self._filled.update((t.oid, t.columns) for t in listed if t.shown in leave)
        due = [t for t in listed if t.shown not in leave]
        if not due or self.rows <= 0:
            return Filled((), ())
        due.sort(key=lambda t: (t.schema, t.name))
        described = tables.describe(connection, due)
        usable = _usable(connection, described)
        filled: list[tuple[str, int]] = []
        skipped: list[Skipped] = []
        for group in tables.order(described):
            got, missed = self._group(connection, revision, group, usable)
            filled += got
            skipped += missed
        self._filled.update((t.oid, t.columns) for t in due)
        return Filled(tuple(filled), tuple(skipped))

    def forget(self) -> None:
        """The database was replaced by a fresh one: every table is new again."""
        self._filled.clear()

    def _group(
        self,
        connection: psycopg.Connection[Any],
        revision: str,
        group: Sequence[Table],
        usable: Collection[str],
    ) -> tuple[list[tuple[str, int]], list[Skipped]]:
        """One transaction for a table, or for a cycle of tables: keys that reference a
        table filled later in it are set once that table has rows."""
        filled: dict[str, int] = {}
        skipped: list[Skipped] = []
        later: list[tuple[Table, ForeignKey, values.Rows, list[tuple[int, str]]]] = []
        try:
            with connection.transaction():
                for position, table in enumerate(group):
                    rng = Random(f"{self.seed}/{revision}/{table.shown}")
                    waiting = {t.oid for t in group[position:]}
                    outcome = self._table(connection, table, rng, waiting, usable)
                    if isinstance(outcome, str):
                        skipped.append(Skipped(table.shown, outcome))
                        continue
                    rows, ids, late = outcome
                    filled[table.shown] = len(ids)
                    later += [(table, key, rows, ids) for key in late]
                for table, key, rows, ids in later:
                    _point(connection, table, key, rows, ids)
        except (psycopg.Error, _Abandon) as error:
            if isinstance(error, psycopg.OperationalError):
                raise
            reason = str(error) if isinstance(error, _Abandon) else _reason(error)
            noted = {s.table for s in skipped}
            return [], [
                *skipped,
                *(Skipped(t.shown, reason) for t in group if t.shown not in noted),
            ]
        return list(filled.items()), skipped

    def _table(
        self,
        connection: psycopg.Connection[Any],
        table: Table,
        rng: Random,
        waiting: Collection[int],
        usable: Collection[str],
    ) -> str | tuple[values.Rows, list[tuple[int, str]], list[ForeignKey]]:
        """Insert ``table``'s rows; the reason when it gets none."""
        unusable = []
        for c in table.columns:
            if c.fill != "never" and values.unknown(c.type) and c.cast not in usable:
                if c.fill != "default" and not c.nullable:
                    return f"column {c.name} has type {c.cast}, which migcheck cannot generate"
                unusable.append(c.name)
        keys: dict[str, Sequence[tuple[str, ...]] | None] = {}
        late = []
        for key in table.keys:
            found = _referenced(connection, key)
            nullable = all(c.nullable for c in table.columns if c.name in key.columns)
            target = tables.shown(*key.target_table)
            if not found and key.target in waiting and (nullable or key.deferrable):
                late.append(key)
                if not nullable:
                    name = sql.Identifier(table.schema, key.name)
                    connection.execute(sql.SQL("SET CONSTRAINTS {} DEFERRED").format(name))
            elif not found and key.target in waiting and not nullable:
                return (
                    f"foreign key {key.name} is NOT NULL and not deferrable, and references"
                    f" {target}, which has no rows yet (a cycle of foreign keys)"
                )
            elif not found and not nullable:
                return f"references {target}, which has no rows"
            keys[key.name] = None if key in late else found
        rows = values.Rows(table, rng, self.rows, keys, unusable)
        ids, error = _insert(connection, table, rows)
        if not ids:
            return _reason(error) if error else "no row could be inserted"
        return rows, ids, late


def _usable(connection: psycopg.Connection[Any], described: Sequence[Table]) -> set[str]:
    """The types migcheck knows nothing of (an extension's, a composite) that take a text
    literal, by their cast: citext does, hstore and geometry do not."""
    casts = {c.cast: c.type for t in described for c in t.columns if values.unknown(c.type)}
    usable = set()
    for cast, value_type in sorted(casts.items()):
        try:
            probe = f"SELECT %s::{_escaped(cast)}"
            connection.execute(probe, (values.literal(value_type, values.WIDE[0]),))
        except psycopg.Error as error:
            _recoverable(error)
            continue
        usable.add(cast)
    return usable


def _insert(
    connection: psycopg.Connection[Any], table: Table, rows: values.Rows
) -> tuple[list[tuple[int, str]], psycopg.Error | None]:
    """All rows in one INSERT; when it fails, row by row (a savepoint each) with other
    values for the rows that fail, dropping those that still do."""
    statement = _Statement(connection, table, rows.columns)
    first = [rows.row(index, 0) for index in range(rows.count)]
    error: psycopg.Error | None = None
    try:
        with connection.transaction():
            return connection.execute(*statement(first)).fetchall(), None
    except psycopg.Error as failed:
        error = _recoverable(failed)
    ids: list[tuple[int, str]] = []
    for index, row in enumerate(first):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with connection.transaction():
                    ids += connection.execute(*statement([row])).fetchall()
                break
            except psycopg.Error as failed:
                error = _recoverable(failed)
                row = rows.row(index, attempt, base=row, only=_involved(table, error))
        else:
            if not ids and index + 1 >= GIVE_UP:
                break
    return ids, error


class _Statement:
    """INSERTs of a table's rows, put together from pieces rendered once: composing a
    psycopg.sql object per row and column took longer than the INSERT itself."""

    def __init__(
        self, connection: psycopg.Connection[Any], table: Table, columns: Sequence[Column]
    ) -> None:
        target = sql.Identifier(table.schema, table.name)
        names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
        # An identity column GENERATED ALWAYS takes migcheck's numbers only so.
        self.head = _escaped(
            sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES ")
            .format(target, names)
            .as_string(connection)
        )
        self.empty = _escaped(sql.SQL("INSERT INTO {} SELECT").format(target).as_string(connection))
        self.casts = [f"%s::{_escaped(c.cast)}" for c in columns]

    def __call__(self, rows: Sequence[Sequence[values.Cell]]) -> tuple[str, list[str | None]]:
        returning = " RETURNING tableoid, ctid"
        if not self.casts:  # every column takes its default
            return f"{self.empty} FROM generate_series(1, {len(rows)}){returning}", []
        lines = (
            ", ".join(
                "DEFAULT" if cell is values.DEFAULT else cast
                for cast, cell in zip(self.casts, row, strict=True)
            )
            for row in rows
        )
        params = [cell for row in rows for cell in row if cell is not values.DEFAULT]
        return self.head + ", ".join(f"({line})" for line in lines) + returning, params


def _referenced(connection: psycopg.Connection[Any], key: ForeignKey) -> list[tuple[str, ...]]:
    """Key tuples of the table ``key`` references, as text, in a fixed order."""
    columns = [sql.Identifier(c) for c in key.target_columns]
    query = sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} ORDER BY {} LIMIT {}").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(c) for c in columns),
        sql.Identifier(*key.target_table),
        sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(c) for c in columns),
        sql.SQL(", ").join(sql.Literal(n) for n in range(1, len(columns) + 1)),
        KEYS_READ,
    )
    return [tuple(map(str, row)) for row in connection.execute(query).fetchall()]


def _point(
    connection: psycopg.Connection[Any],
    table: Table,
    key: ForeignKey,
    rows: values.Rows,
    ids: Sequence[tuple[int, str]],
) -> None:
    """Set ``key`` in the rows just inserted, now that the table it references has rows
    (NULL stays in some rows where it may)."""
    found = _referenced(connection, key)
    columns = [c for c in table.columns if c.name in key.columns]
    nullable = all(c.nullable for c in columns)
    if not found:
        if nullable:
            return
        raise _Abandon(f"references {tables.shown(*key.target_table)}, which has no rows")
    rows.bind(key.name, found)
    chosen = [(oid, ctid, rows.reference(key, index)) for index, (oid, ctid) in enumerate(ids)]
    chosen = [(oid, ctid, tuple_) for oid, ctid, tuple_ in chosen if tuple_[0] is not None]
    if not chosen:
        return
    by_name = {c.name: c for c in columns}
    setting = sql.SQL(", ").join(
        sql.SQL("{} = v.{}::{}").format(
            sql.Identifier(name), sql.Identifier(f"c{i}"), sql.SQL(by_name[name].cast)
        )
        for i, name in enumerate(key.columns)
    )
    head = sql.SQL("UPDATE {} AS t SET {} FROM (VALUES ").format(
        sql.Identifier(table.schema, table.name), setting
    )
    line = "(" + ", ".join(["%s"] * (2 + len(key.columns))) + ")"
    names = ", ".join(f"c{i}" for i in range(len(key.columns)))
    query = (
        f"{_escaped(head.as_string(connection))}{', '.join([line] * len(chosen))})"
        f" AS v(o, c, {names}) WHERE t.tableoid = v.o::oid AND t.ctid = v.c::tid"
    )
    params = [p for oid, ctid, tuple_ in chosen for p in (str(oid), ctid, *tuple_)]
    try:
        with connection.transaction():
            connection.execute(query, params)
    except psycopg.Error as error:
        if not nullable:  # placeholders would fail the deferred key at commit
            raise
        _recoverable(error)


def _escaped(text: str) -> str:
    """Query text with no parameters (identifiers, types) for a query that has some: a
    quoted name may hold a %."""
    return text.replace("%", "%%")


def _involved(table: Table, error: psycopg.Error) -> set[str] | None:
    """The columns to give other values after ``error`` (None: all of them)."""
    if error.sqlstate == "23502" and error.diag.column_name:
        return {error.diag.column_name}
    # A row no partition accepts fails with 23514 and no constraint name.
    rule = error.diag.constraint_name or ("" if error.sqlstate == "23514" else None)
    return (table.involved(rule) or None) if rule is not None else None


def _recoverable(error: psycopg.Error) -> psycopg.Error:
    """``error`` when it is about the rows (a constraint, a value): the connection's own
    failures go up."""
    if isinstance(error, psycopg.OperationalError):
        raise error
    return error


def _reason(error: psycopg.Error) -> str:
    """One line saying why no generated row went in."""
    name = error.diag.constraint_name
    if name and error.sqlstate in _KINDS:
        return f"{_KINDS[error.sqlstate]} {name} rejected every generated row"
    lines = str(error).strip().splitlines()
    return f"every generated row failed: {lines[0] if lines else error.sqlstate}"
