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
from psycopg import sql

from migcheck.deploy import constraints
from migcheck.deploy.constraints import Check, Constraints
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
    # The columns a check named at the release: a new check on one of them is not tried
    # with the values it names (the release kept to the old one, whatever its spelling).
    checked: frozenset[str] = frozenset()
    other: Row = field(default_factory=dict)  # ordinary values, if ``row`` does not fit


@dataclass(slots=True)
class _Run:
    connection: psycopg.Connection[Any]
    constraints: Constraints
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


def _parents(run: _Run, table: OldTable) -> dict[str, tuple[str, str]]:
    """column -> (parent table, column): the release's own foreign keys, and the ones of
    the schema at hand over the release's tables (the release fills those columns with
    its rows' keys too)."""
    found = {c.name: c.references for c in table.columns if c.references is not None}
    for column, parent in run.constraints.references.get(table.key, {}).items():
        found.setdefault(column, parent)
    return found


def _with_parents(run: _Run, table: OldTable, row: Row) -> tuple[Row, bool]:
    """``row`` with each foreign key's value taken from the row its parent inserted:
    NULL where there is none (the table itself, a parent whose INSERT failed) and the
    column allows it; and whether a NOT NULL one found no parent row (an orphan)."""
    found = dict(row)
    orphan = False
    nullable = {c.name: c.nullable for c in table.columns}
    for name, (parent, column) in _parents(run, table).items():
        if name not in found:
            continue
        if column in run.inserted.get(parent, {}):
            found[name] = run.inserted[parent][column]
        elif nullable.get(name, False):
            found[name] = None
        else:
            orphan = True
    return found, orphan


def _table(run: _Run, plan: Plan) -> None:
    table = plan.table
    row, orphan = _with_parents(run, table, plan.row)
    insert = table.statement("INSERT")
    key: list[str | None] | None = None
    # A NOT NULL foreign key without a parent row here (its INSERT failed) cannot be
    # written: the writes that need one are not tried (what they gave before stands).
    outcome: Outcome = None
    returned: tuple[Any, ...] | None = None
    if not orphan:
        outcome, returned = _execute(run, insert, parameters(table, row), keep=True)
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
        second, _ = _with_parents(run, table, again(table, row, plan.fresh))
        found, _ = _execute(run, insert, parameters(table, second))
        run.found[(table.key, "INSERT of a second row")] = found
        for column, values in _tried(plan, run.constraints.checks.get(table.key, [])):
            run.found[(table.key, f"INSERT with another {column}")] = _first_failure(
                run, plan, row, column, values
            )
    references = set(_parents(run, table))
    for statement in table.statements:
        if statement.kind == "INSERT" or (orphan and statement.column in references):
            continue
        outcome, _ = _execute(run, statement, parameters(table, row, key))
        run.found[(table.key, statement.label)] = outcome


def _tried(plan: Plan, checks: Sequence[Check]) -> list[tuple[str, list[str]]]:
    """For each column without a check at the release that a check now names, the values
    it names (the release had no reason to avoid them)."""
    found = []
    by_name = {c.name: c for c in plan.table.columns}
    for name, definition, columns in checks:
        for column in columns:
            old = by_name.get(column)
            typed = plan.types.get(old.type or "") if old and old.sets else None
            if typed is None or column in plan.checked:
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
        tried, _ = _with_parents(run, table, again(table, row, plan.fresh) | {column: value})
        outcome, _ = _execute(run, insert, parameters(table, tried))
        if outcome is not None:
            return Failure(outcome.sqlstate, f"{outcome.message} ({column} = {value})")
    return None


def run(
    connection: psycopg.Connection[Any], plans: Sequence[Plan], role: str | None = None
) -> Outcomes:
    """Every statement of ``plans`` on the schema ``connection`` sees, all undone; as
    ``role`` when given (its privileges and row-level security policies apply)."""
    found = constraints.read(connection, [p.table for p in plans])
    state = _Run(connection, found)
    with connection.transaction(force_rollback=True):
        if role:
            connection.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
        for plan in plans:
            _table(state, plan)
    return state.found
