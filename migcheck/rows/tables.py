"""The tables the seeder fills, read from the catalog: a light listing run before every
revision, and the details (columns, types, constraints) of the tables being filled, in
four queries however many tables there are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row

Fill = Literal["", "default", "numbered", "never"]


@dataclass(frozen=True, slots=True)
class ValueType:
    """What values a column takes, from its type with domains looked through.

    ``name``: a pg_catalog base type's name (``int4``, ``varchar``...), or ``array``,
    ``range``, ``multirange``, ``enum``; anything else (an extension's type, a composite)
    is ``unknown``."""

    name: str
    typmod: int = -1
    element: ValueType | None = None  # an array's element, a (multi)range's subtype
    labels: tuple[str, ...] = ()  # an enum's, in order
    delimiter: str = ","  # between array elements (box uses ';')


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ValueType
    cast: str  # format_type(type, typmod): every value is a text literal cast to it
    nullable: bool  # neither NOT NULL nor a NOT NULL domain
    fill: Fill  # 'never': generated; 'numbered': identity or nextval(); 'default': another
    distinct: bool = False  # in a primary key, unique constraint or index, exclusion
    # (name, definition) of the checks naming it (its domains' too), and of the
    # partition bounds (named ""): the values they name are values to try.
    checks: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    target: int  # the referenced table's oid
    target_table: tuple[str, str]  # (schema, name)
    target_columns: tuple[str, ...]
    deferrable: bool


@dataclass(frozen=True, slots=True)
class Listed:
    """A user table as the light listing sees it."""

    oid: int
    schema: str
    name: str
    columns: int  # relnatts: grows when a column is added

    @property
    def shown(self) -> str:
        return shown(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Table:
    oid: int
    schema: str
    name: str
    columns: tuple[Column, ...]
    keys: tuple[ForeignKey, ...] = ()
    # (name, columns) of every constraint, unique index and partition key (named ""):
    # what to change in a row that one of them rejected.
    rules: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def shown(self) -> str:
        return shown(self.schema, self.name)

    def involved(self, rule: str) -> set[str]:
        """The columns a constraint, unique index or domain check named ``rule`` (the
        partition bounds: "") involves."""
        found = {n for name, columns in self.rules if name == rule for n in columns}
        return found | {c.name for c in self.columns if any(n == rule for n, _ in c.checks)}


def shown(schema: str, name: str) -> str:
    """A table as users read it: schema-qualified outside ``public``."""
    return name if schema == "public" else f"{schema}.{name}"


@cache
def _query(name: str) -> str:
    return (resources.files("migcheck") / "rows" / f"{name}.sql").read_text(encoding="utf-8")


def listing(
    connection: psycopg.Connection[Any],
    version_table: str,
    filled: Mapping[int, int],
) -> list[Listed]:
    """The user tables that ``filled`` (oid -> column count when last filled) does not
    hold with their present column count (dropped columns included)."""
    rows = connection.execute(
        _query("listing"), {"version_table": version_table}, prepare=True
    ).fetchall()
    # Before every revision: objects only for the few tables that are due.
    return [Listed(*row) for row in rows if filled.get(row[0], -1) < row[3]]


def describe(connection: psycopg.Connection[Any], listed: Sequence[Listed]) -> tuple[Table, ...]:
    """Columns, value types, keys and checks of the ``listed`` tables, in their order."""
    oids = [t.oid for t in listed]
    cursor = connection.cursor(row_factory=dict_row)
    columns = cursor.execute(_query("columns"), {"tables": oids}).fetchall()
    found = cursor.execute(_query("types"), {"types": sorted({c["type"] for c in columns})})
    types = {int(t["oid"]): t for t in found.fetchall()}
    constraints = cursor.execute(_query("constraints"), {"tables": oids}).fetchall()
    by_table: dict[int, list[Column]] = {oid: [] for oid in oids}
    for c in columns:
        value_type, nullable, checks = _resolve(types, int(c["type"]), int(c["typmod"]))
        by_table[int(c["table"])].append(
            Column(
                str(c["name"]),
                value_type,
                str(c["cast"]),
                nullable and bool(c["nullable"]),
                c["fill"],
                checks=checks,
            )
        )
    return tuple(
        _table(t, by_table[t.oid], [k for k in constraints if k["table"] == t.oid]) for t in listed
    )


def _resolve(
    types: Mapping[int, Mapping[str, Any]], oid: int, typmod: int
) -> tuple[ValueType, bool, tuple[tuple[str, str], ...]]:
    """The value type of ``oid`` with ``typmod``, whether NULL is allowed (no NOT NULL
    domain on the way) and the checks of the domains looked through."""
    t = types[oid]
    element = int(t["element"])
    if t["kind"] == "d":
        base_typmod = int(t["base_typmod"])
        inner, nullable, checks = _resolve(
            types, int(t["base"]), base_typmod if base_typmod != -1 else typmod
        )
        own = tuple(zip(t["check_names"], t["checks"], strict=True))
        return inner, nullable and not t["not_null"], (*own, *checks)
    if t["kind"] in ("a", "r", "m"):
        # An array's typmod is its element's (varchar(5)[]); a range's subtype has none.
        # Its elements' checks are no values for the whole.
        inner, _, _ = _resolve(types, element, typmod if t["kind"] == "a" else -1)
        if t["kind"] == "m":  # made of its range type's ranges: keep the subtype
            return ValueType("multirange", element=inner.element), True, ()
        name = "array" if t["kind"] == "a" else "range"
        delimiter = str(types[element]["delimiter"])
        return ValueType(name, element=inner, delimiter=delimiter), True, ()
    if t["kind"] == "e":
        return ValueType("enum", labels=tuple(t["labels"])), True, ()
    if t["schema"] == "pg_catalog" and t["kind"] == "b":
        return ValueType(str(t["name"]), typmod), True, ()
    return ValueType("unknown"), True, ()


def _table(listed: Listed, columns: list[Column], constraints: list[dict[str, Any]]) -> Table:
    distinct = {n for k in constraints if k["kind"] in "puxi" for n in k["columns"]}
    checks: dict[str, list[tuple[str, str]]] = {}
    for k in constraints:
        if k["kind"] in "cb" and k["definition"]:
            for name in k["columns"]:
                checks.setdefault(name, []).append((k["name"] or "", str(k["definition"])))
    keys = tuple(
        ForeignKey(
            str(k["name"]),
            tuple(k["columns"]),
            int(k["target"]),
            (str(k["target_schema"]), str(k["target_name"])),
            tuple(k["target_columns"]),
            bool(k["deferrable"]),
        )
        for k in constraints
        if k["kind"] == "f"
    )
    return Table(
        listed.oid,
        listed.schema,
        listed.name,
        tuple(
            replace(
                c,
                distinct=c.name in distinct or c.fill == "numbered",
                checks=(*checks.get(c.name, ()), *c.checks),
            )
            for c in columns
        ),
        keys,
        tuple((k["name"] or "", tuple(k["columns"])) for k in constraints),
    )


def order(tables: Iterable[Table]) -> tuple[tuple[Table, ...], ...]:
    """The tables in groups to fill one after the other: a table's group comes after the
    groups of the tables it references. A group of more than one table is a cycle of
    foreign keys (one transaction: its keys are set once every table has rows); in it,
    a table comes after those it references through a key that is NOT NULL and not
    deferrable (which cannot wait), as far as such keys allow."""
    by_oid = {t.oid: t for t in tables}
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    groups: list[tuple[Table, ...]] = []

    def visit(oid: int) -> None:  # Tarjan: a group is emitted after those it references
        index[oid] = low[oid] = len(index)
        stack.append(oid)
        targets = {k.target for k in by_oid[oid].keys if k.target in by_oid}
        for target in sorted(targets, key=lambda t: by_oid[t].shown):  # not by oid: stable
            if target not in index:
                visit(target)
                low[oid] = min(low[oid], low[target])
            elif target in stack:
                low[oid] = min(low[oid], index[target])
        if low[oid] == index[oid]:
            members: list[int] = []
            while not members or members[-1] != oid:
                members.append(stack.pop())
            groups.append(_within(by_oid[m] for m in members))

    for oid in by_oid:
        if oid not in index:
            visit(oid)
    return tuple(groups)


def _within(members: Iterable[Table]) -> tuple[Table, ...]:
    """A cycle's tables, each as late as the tables its hard keys reference allow."""
    left = sorted(members, key=lambda t: t.shown)
    done: list[Table] = []
    while left:
        ready = [t for t in left if not _hard(t, {m.oid for m in left} - {t.oid})]
        done.append((ready or left)[0])
        left.remove(done[-1])
    return tuple(done)


def _hard(table: Table, among: set[int]) -> bool:
    nullable = {c.name for c in table.columns if c.nullable}
    return any(
        k.target in among and not k.deferrable and not set(k.columns) <= nullable
        for k in table.keys
    )
