"""The deployed release's tables and statements as its runner compiled them, and the
values its writes carry: a value of each column's old type, generated as the rows in the
tables are (``migcheck.rows.values``), resolved once on the schema the release ran on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
from psycopg import sql

from migcheck.rows import tables as catalog_tables
from migcheck.rows.tables import Column, ValueType
from migcheck.rows.values import TEXTS, letters, literal

Kind = Literal["INSERT", "SELECT", "UPDATE", "DELETE"]


@dataclass(frozen=True, slots=True)
class OldColumn:
    name: str
    type: str | None  # as the release's SQLAlchemy compiles it; None: it cannot
    cast: bool  # the statements cast its value to ``type`` (not an enum's or a domain's)
    sets: bool  # the release's INSERT gives it a value (else the server does)
    key: bool  # in the primary key
    distinct: bool  # the model keeps its values unique
    nullable: bool
    references: tuple[str, str] | None  # (table, column) of its foreign key


@dataclass(frozen=True, slots=True)
class OldStatement:
    kind: Kind
    sql: str  # psycopg's %(name)s parameters: p0... the values, k0... the key
    column: str | None = None  # an UPDATE's column
    returns: tuple[str, ...] = ()  # an INSERT's RETURNING: key and referenced columns

    @property
    def label(self) -> str:
        return f"UPDATE of {self.column}" if self.column else self.kind


@dataclass(frozen=True, slots=True)
class OldTable:
    model: str  # the mapped class's name, else the table's
    key: str  # schema.name, or name
    schema: str | None
    name: str
    columns: tuple[OldColumn, ...]
    statements: tuple[OldStatement, ...]

    @property
    def shown(self) -> str:
        return self.model if self.model == self.key else f"{self.model} ({self.key})"

    def statement(self, kind: Kind) -> OldStatement:
        return next(s for s in self.statements if s.kind == kind)


def tables(reply: Mapping[str, Any]) -> tuple[OldTable, ...]:
    """The runner's ``deployed`` reply as records."""
    return tuple(
        OldTable(
            model=str(t["model"]),
            key=str(t["table"]),
            schema=t["schema"],
            name=str(t["name"]),
            columns=tuple(
                OldColumn(
                    name=str(c["name"]),
                    type=c["type"],
                    cast=bool(c.get("cast", c["type"])),
                    sets=bool(c["sets"]),
                    key=bool(c["key"]),
                    distinct=bool(c["distinct"]),
                    nullable=bool(c["nullable"]),
                    references=tuple(c["references"]) if c["references"] else None,
                )
                for c in t["columns"]
            ),
            statements=tuple(
                OldStatement(
                    kind=s["kind"],
                    sql=str(s["sql"]),
                    column=s.get("column"),
                    returns=tuple(s.get("returns", ())),
                )
                for s in t["statements"]
            ),
        )
        for t in reply["tables"]
    )


# What a type's spelling may hold: names, quotes, dots, sizes, array brackets, spaces
# (TIMESTAMP WITHOUT TIME ZONE). A project's own type that compiles to anything else is
# left uncast and unresolved, never put into SQL text.
_SPELLING = re.compile(r'[A-Za-z_][\w ."]*(\([\d, ]*\))?[\w ]*(\[\d*\])*')


def value_types(connection: psycopg.Connection[Any], spelled: Iterable[str]) -> dict[str, Column]:
    """Each type as the release spells it, resolved on this database (domains, enums,
    arrays looked through): a temporary table with a column of each, described as the
    seeder describes tables, then rolled back. A type the database does not know is
    left out."""
    wanted = sorted({s for s in spelled if _SPELLING.fullmatch(s)})
    known: list[str] = []
    with connection.transaction(force_rollback=True):
        connection.execute("CREATE TEMPORARY TABLE _migcheck_old_types ()")
        for spelling in wanted:
            try:
                with connection.transaction():
                    connection.execute(
                        sql.SQL("ALTER TABLE _migcheck_old_types ADD COLUMN {} {}").format(
                            sql.Identifier(f"c{len(known)}"),
                            sql.SQL(spelling),
                        )
                    )
                known.append(spelling)
            except psycopg.Error:
                continue
        if not known:
            return {}
        oid, schema = connection.execute(
            "SELECT c.oid, n.nspname FROM pg_class AS c JOIN pg_namespace AS n "
            "ON n.oid = c.relnamespace WHERE c.oid = 'pg_temp._migcheck_old_types'::regclass"
        ).fetchone() or (0, "")
        listed = catalog_tables.Listed(int(oid), str(schema), "_migcheck_old_types", len(known))
        (described,) = catalog_tables.describe(connection, [listed])
    return dict(zip(known, described.columns, strict=True))


def _wide(t: ValueType, s: int) -> str:
    """A value that fills ``t``'s room: all the characters a varchar(n) takes, all the
    digits of a numeric(p, s), a number only the integer type's own width holds."""
    if t.name in TEXTS and t.typmod > 4:
        word = f"{letters(s)}-"
        return (word * t.typmod)[: t.typmod - 4]
    if t.name == "numeric" and t.typmod > 4:
        precision, scale = (t.typmod - 4) >> 16, (t.typmod - 4) & 0xFFFF
        digits = "9" * (precision - scale - 1) + str(s % 10)
        return digits + ("." + "9" * scale if scale else "")
    widest = {"int2": 32_000, "int4": 2_147_000_000, "int8": 9_223_372_036_000_000_000}
    if t.name in widest:
        return str(widest[t.name] + s % 100_000 if t.name != "int2" else widest[t.name] + s % 700)
    return literal(t, s)


Row = dict[str, str | None]


def rows(table: OldTable, types: Mapping[str, Column], start: int) -> tuple[Row, Row, Row]:
    """Rows of the release's values for every column of ``table``: one that fills each
    type's room, one of ordinary values (tried when the first does not fit the release's
    own schema), and other values for the columns the model keeps distinct (the second
    row of a pair: ``again``)."""
    wide: Row = {}
    plain: Row = {}
    fresh: Row = {}
    for index, column in enumerate(table.columns):
        s = start + index
        found = types.get(column.type or "")
        if found is None:  # an uncast value: text
            wide[column.name] = plain[column.name] = f"migcheck-{letters(s)}"
            fresh[column.name] = f"migcheck-{letters(s + 7919)}"
            continue
        wide[column.name] = _wide(found.type, s)
        plain[column.name] = literal(found.type, s)
        fresh[column.name] = literal(found.type, s + 7919)
    return wide, plain, fresh


def again(table: OldTable, row: Row, fresh: Row) -> Row:
    """A second row the release may write after ``row``: new values where its model
    keeps them distinct, the same values elsewhere (it repeats them wherever it may)."""
    return {c.name: fresh[c.name] if c.distinct else row[c.name] for c in table.columns}


def parameters(
    table: OldTable, row: Row, key: Sequence[str | None] | None = None
) -> dict[str, str | None]:
    """``row`` as the statements' parameters: p<i> each column's value, k<i> each key
    column's (``key``, else the row's own)."""
    found: dict[str, str | None] = {f"p{i}": row.get(c.name) for i, c in enumerate(table.columns)}
    keys = [i for i, c in enumerate(table.columns) if c.key]
    for position, i in enumerate(keys):
        found[f"k{i}"] = key[position] if key is not None else row.get(table.columns[i].name)
    return found
