"""The release's statements run on one schema: each in a savepoint of one transaction
that is rolled back, parents' rows first so that children's foreign keys find them.

What each statement gave is an ``Outcome``: None when it worked, else the server's
SQLSTATE and message. The first INSERT of each table stays (to the end of the
transaction) for the tables after it; everything else is undone as soon as it ran."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg

from migcheck.deploy.statements import OldStatement, OldTable, Row, again, parameters
from migcheck.rows.tables import Column
from migcheck.rows.values import hints

# Values a new check names, tried as the release's value for a column without a check.
HINTS_TRIED = 8


@dataclass(frozen=True, slots=True)
class Failure:
    sqlstate: str
    message: str

    @property
    def shown(self) -> str:
        return f"[{self.sqlstate}] {self.message}"


Outcome = Failure | None
Outcomes = dict[tuple[str, str], Outcome]  # (table, statement label) -> outcome


@dataclass(frozen=True, slots=True)
class Plan:
    """One table's statements with the values chosen for them on the release's schema."""

    table: OldTable
    row: Row
    fresh: Row
    types: Mapping[str, Column]
    # (check name, definition) of each column at the release: a new check on a column
    # that had one is not tried with the values it names (the release kept to the old).
    checked: frozenset[str] = frozenset()
    other: Row = field(default_factory=dict)  # ordinary values, if ``row`` does not fit


@dataclass(slots=True)
class _Run:
    connection: psycopg.Connection[Any]
    inserted: dict[str, dict[str, str | None]] = field(default_factory=dict)
    found: Outcomes = field(default_factory=dict)


def _execute(
    run: _Run, statement: OldStatement, values: Mapping[str, str | None], *, keep: bool = False
) -> tuple[Outcome, tuple[Any, ...] | None]:
    """Run ``statement`` in a savepoint, undone unless ``keep``: what it gave, and the
    row it returned."""
    connection = run.connection
    returned: tuple[Any, ...] | None = None
    try:
        with connection.transaction() as savepoint:
            cursor = connection.execute(statement.sql.encode(), values)
            if statement.returns:
                returned = cursor.fetchone()
            if not keep:
                raise psycopg.Rollback(savepoint)
    except psycopg.Error as error:
        message = (error.diag.message_primary or str(error)).splitlines()[0]
        return Failure(error.sqlstate or "", message), None
    return None, returned


def _with_parents(run: _Run, table: OldTable, row: Row) -> Row:
    """``row`` with each foreign key's value taken from the row its table inserted."""
    found = dict(row)
    for column in table.columns:
        if column.references is not None:
            parent, name = column.references
            if name in run.inserted.get(parent, {}):
                found[column.name] = run.inserted[parent][name]
    return found


def _table(
    run: _Run, plan: Plan, checks: Sequence[tuple[str, str, tuple[str, ...]]], planned: set[str]
) -> None:
    table = plan.table
    row = _with_parents(run, table, plan.row)
    insert = table.statement("INSERT")
    key: list[str | None] | None = None
    # A parent whose INSERT failed here has no row to refer to: the writes that need one
    # are not tried (what they gave before stands), the parent's failure is reported.
    orphan = any(
        c.references[0] in planned and c.references[0] not in run.inserted
        for c in table.columns
        if c.references is not None and c.references[0] != table.key
    )
    outcome, returned = (
        (None, None) if orphan else _execute(run, insert, parameters(table, row), keep=True)
    )
    if not orphan:
        run.found[(table.key, insert.label)] = outcome
    if outcome is None and not orphan:
        kept = dict(row)
        # As text: a number, a date, a UUID spelt as their text literals spell them.
        kept.update(
            (n, None if v is None else str(v))
            for n, v in zip(insert.returns, returned or (), strict=False)
        )
        run.inserted[table.key] = kept
        key = [kept.get(c.name) for c in table.columns if c.key]
        second = _with_parents(run, table, again(table, row, plan.fresh))
        found, _ = _execute(run, insert, parameters(table, second))
        run.found[(table.key, "INSERT of a second row")] = found
        for column, values in _tried(plan, checks):
            run.found[(table.key, f"INSERT with another {column}")] = _first_failure(
                run, plan, row, column, values
            )
    references = {c.name for c in table.columns if c.references is not None}
    for statement in table.statements:
        if statement.kind == "INSERT" or (orphan and statement.column in references):
            continue
        outcome, _ = _execute(run, statement, parameters(table, row, key))
        run.found[(table.key, statement.label)] = outcome


def _tried(
    plan: Plan, checks: Sequence[tuple[str, str, tuple[str, ...]]]
) -> list[tuple[str, list[str]]]:
    """For each column a check new since the release names, the values it names that
    fit the column's old type."""
    found = []
    by_name = {c.name: c for c in plan.table.columns}
    for name, definition, columns in checks:
        if f"{name}\0{definition}" in plan.checked:
            continue
        for column in columns:
            old = by_name.get(column)
            typed = plan.types.get(old.type or "") if old and old.sets else None
            if typed is None or any(
                column in c for n, d, c in checks if f"{n}\0{d}" in plan.checked
            ):
                continue
            named = hints(replace(typed, checks=((name, definition),)))
            values = [*named.likely, *named.others]
            if named.between:
                values += [str(named.between[0]), str(named.between[1])]
            found.append((column, values[:HINTS_TRIED]))
    return found


def _first_failure(run: _Run, plan: Plan, row: Row, column: str, values: list[str]) -> Outcome:
    """The first of ``values`` in ``column`` that the release's INSERT cannot write, its
    old type accepting it."""
    table = plan.table
    spelled = next(c.type for c in table.columns if c.name == column)
    insert = table.statement("INSERT")
    for value in values:
        try:
            with run.connection.transaction() as savepoint:
                run.connection.execute(f"SELECT CAST(%s AS {spelled})".encode(), (value,))
                raise psycopg.Rollback(savepoint)
        except psycopg.Error:
            continue  # not a value of the old type: the release never writes it
        tried = _with_parents(run, table, again(table, row, plan.fresh) | {column: value})
        outcome, _ = _execute(run, insert, parameters(table, tried))
        if outcome is not None:
            return Failure(outcome.sqlstate, f"{outcome.message} ({column} = {value})")
    return None


# Each table's checks, by the table's key (schema.name, or name in the current schema).
_CHECKS = """
SELECT t.key, k.conname::text, pg_get_constraintdef(k.oid),
       ARRAY(SELECT a.attname::text FROM pg_attribute AS a
             WHERE a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey) ORDER BY a.attnum)
FROM unnest(%(keys)s::text[], %(schemas)s::text[], %(names)s::text[]) AS t(key, schema, name)
JOIN pg_namespace AS n ON n.nspname = coalesce(t.schema, current_schema())
JOIN pg_class AS c ON c.relnamespace = n.oid AND c.relname = t.name
JOIN pg_constraint AS k ON k.conrelid = c.oid AND k.contype = 'c'
ORDER BY t.key, k.conname
"""

Checks = dict[str, list[tuple[str, str, tuple[str, ...]]]]


def checks(connection: psycopg.Connection[Any], plans: Sequence[Plan]) -> Checks:
    """Each table's checks now: (name, definition, columns), by the table's key."""
    tables = [p.table for p in plans]
    found: Checks = {t.key: [] for t in tables}
    rows = connection.execute(
        _CHECKS,
        {
            "keys": [t.key for t in tables],
            "schemas": [t.schema for t in tables],
            "names": [t.name for t in tables],
        },
    )
    for key, name, definition, columns in rows:
        found[key].append((name, definition, tuple(columns)))
    return found


def run(connection: psycopg.Connection[Any], plans: Sequence[Plan]) -> Outcomes:
    """Every statement of ``plans`` on the schema ``connection`` sees, all undone."""
    state = _Run(connection)
    found = checks(connection, plans)
    planned = {p.table.key for p in plans}
    with connection.transaction(force_rollback=True):
        for plan in plans:
            _table(state, plan, found[plan.table.key], planned)
    return state.found
