"""Models against migrations (MC301): does the schema at head match the SQLAlchemy models?

Two comparisons, one finding. Alembic's autogenerate comparison (run on the context the
project's env.py configures, so its include_object, include_schemas and comparators
apply) says which tables, columns, indexes, constraints and nullable flags the models
and the database disagree on. It cannot say whether two spellings of a default or a
type are the same, and it never looks at enum labels, CHECK bodies or index predicates.
For those the models are built for real (``metadata.create_all``) in a database of
their own, and both schemas are compared as PostgreSQL itself prints them: the column
types and defaults, enum labels in order, CHECK definitions and the whole definition of
indexes both sides have. A difference of spelling vanishes there; a real one cannot.

Lines read from the migrations to the models: ``+`` only in the models, ``-`` only in
what the migrations build, ``~`` a change the migrations would have to make.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import Any

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy import Column, Index, MetaData, Table, create_engine
from sqlalchemy.dialects import postgresql
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import Constraint, ForeignKeyConstraint, UniqueConstraint

from migcheck import snapshot as snapshots
from migcheck.diff import diff, render_all
from migcheck.errors import ProjectError
from migcheck.handover import driver_url
from migcheck.scratch import Database
from migcheck.snapshot import Key, SchemaObject, Snapshot

Databases = Callable[[], AbstractContextManager[str]]

# What the catalog comparison looks at, per kind: attributes compared, for objects that
# autogenerate does not already judge.
_COLUMN_ATTRIBUTES = ("type", "default")
_INDEX_ATTRIBUTES = ("unique", "method", "columns", "include", "predicate", "nulls_not_distinct")
# Autogenerate records whose verdict the catalog comparison replaces when it ran.
_SPELLED = ("modify_type", "modify_default")
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's stubs


@dataclass(frozen=True, slots=True)
class Drift:
    """What comparing the models with the schema at head found."""

    lines: tuple[str, ...] = ()
    source: str = "target_metadata"  # where the models came from
    note: str | None = None  # why a part of the comparison could not run


def load_models(spec: str) -> MetaData | Sequence[MetaData]:
    """``package.module:attribute``: a MetaData, a declarative base (``.metadata``), or a
    list of MetaData, as env.py's target_metadata may be."""
    module_name, _, attribute = spec.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except Exception as error:  # the user's module: anything may fail on import
        raise ProjectError(f"--models {spec}: cannot load it: {error}") from None
    found = getattr(found, "metadata", found)
    if isinstance(found, MetaData) or (
        isinstance(found, list | tuple) and all(isinstance(m, MetaData) for m in found)
    ):
        return found
    raise ProjectError(
        f"--models {spec}: expected a MetaData or a declarative base, found {type(found).__name__}"
    )


def _metadatas(models: MetaData | Sequence[MetaData]) -> tuple[MetaData, ...]:
    return (models,) if isinstance(models, MetaData) else tuple(models)


def compare(
    database: Database, databases: Databases, head: Snapshot, *, models: str | None
) -> Drift | None:
    """Compare the models with ``database`` (at head). None: the project declares no
    models (env.py passes no target_metadata and there is no ``--models``)."""
    found: dict[str, Any] = {}

    def autogenerate(context: MigrationContext) -> None:
        metadata = load_models(models) if models else context.opts.get("target_metadata")
        if not metadata:
            return
        opts = dict(context.opts)
        # Types and defaults are always compared (a project's own comparator callables
        # are kept); the catalog comparison below settles how they are spelled.
        for option in ("compare_type", "compare_server_default"):
            if not callable(opts.get(option)):
                opts[option] = True
        migration = MigrationContext.configure(connection=context.connection, opts=opts)
        with warnings.catch_warnings():
            # "Skipped unsupported reflection of expression-based index" and the like
            warnings.simplefilter("ignore")
            found["diffs"] = compare_metadata(migration, metadata)  # type: ignore[arg-type]
        found["metadata"] = metadata

    error = database.inspect(autogenerate)
    if error is not None:
        raise ProjectError(f"comparing the models with the schema at head failed: {error.message}")
    if "metadata" not in found:
        return None
    source = f"--models {models}" if models else "target_metadata"
    records = _flatten(found["diffs"])
    try:
        built = _build(databases, _metadatas(found["metadata"]), head)
    except Exception as error:  # the models' DDL: anything the server refuses
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        note = (
            f"the models could not be created on their own ({first}): defaults, enum "
            "labels, CHECK bodies and index predicates were not compared"
        )
        return Drift(tuple(render_autogenerate(records)), source, note)
    kept = [r for r in records if r[0] not in _SPELLED]
    touched = {index.name for kind, index, *_ in kept if kind.endswith("_index")}
    lines = list(render_autogenerate(kept)) + list(catalog_lines(head, built, skip=touched))
    return Drift(tuple(lines), source)


def _flatten(records: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Autogenerate groups a column's modify_* records in a list: one tuple each."""
    flat: list[tuple[Any, ...]] = []
    for record in records:
        flat.extend(record if isinstance(record, list) else [record])
    return flat


def _build(databases: Databases, metadatas: Sequence[MetaData], head: Snapshot) -> Snapshot:
    """The models created in a database of their own, as the catalog reads them. The
    extensions the migrations installed come first (the models may use their types)."""
    with ExitStack() as stack:
        url = stack.enter_context(databases())
        extensions = [o.key for o in head.objects if o.key.kind == "extension"]
        schemas = {t.schema for m in metadatas for t in m.tables.values() if t.schema}
        schemas |= {key.schema for key in extensions if key.schema != "pg_catalog"}
        with psycopg.connect(url, autocommit=True) as connection:
            for schema in sorted(schemas):
                connection.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
                )
            for key in extensions:
                connection.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA {}").format(
                        sql.Identifier(key.name), sql.Identifier(key.schema)
                    )
                )
        engine = create_engine(driver_url(url, "psycopg"), poolclass=NullPool)
        stack.callback(engine.dispose)
        with engine.begin() as connection:
            for metadata in metadatas:
                metadata.create_all(connection)
        catalog_connection = stack.enter_context(psycopg.connect(url, autocommit=True))
        return snapshots.Catalog(catalog_connection).take()


def _project(obj: SchemaObject, names: Sequence[str]) -> SchemaObject:
    return SchemaObject(obj.key, tuple((n, v) for n, v in obj.attributes if n in names))


def catalog_lines(head: Snapshot, models: Snapshot, *, skip: set[str]) -> tuple[str, ...]:
    """What the catalog shows differently between the schema at head and the models'
    own: column types and defaults, indexes both have (but ``skip``, already reported),
    CHECK constraints, and the labels of the models' enum types. Tables and columns on
    one side only are autogenerate's to report."""
    ours, theirs = head.by_key(), models.by_key()
    tables = {(k.schema, k.name) for k in ours if k.kind == "table"} & {
        (k.schema, k.name) for k in theirs if k.kind == "table"
    }

    def view(side: dict[Key, SchemaObject], other: dict[Key, SchemaObject]) -> Snapshot:
        kept: list[SchemaObject] = []
        for key, obj in side.items():
            on_table = (key.schema, key.parent) in tables
            if key.kind == "column" and on_table and key in other:
                kept.append(_project(obj, _COLUMN_ATTRIBUTES))
            elif key.kind == "index" and on_table and key in other and key.name not in skip:
                kept.append(_project(obj, _INDEX_ATTRIBUTES))
            elif key.kind == "constraint" and on_table and obj.get("type") == "check":
                kept.append(_project(obj, ("type", "definition")))
            elif key.kind == "enum" and key in theirs:
                kept.append(_project(obj, ("labels",)))
        return Snapshot(tuple(sorted(kept, key=lambda o: o.key)))

    return render_all(diff(view(ours, theirs), view(theirs, ours)), fold=False)


def _table_name(table: Table) -> str:
    return f"{table.schema}.{table.name}" if table.schema else str(table.name)


def _compile(type_: Any) -> str:
    """A SQLAlchemy type as PostgreSQL DDL spells it."""
    return str(type_.compile(dialect=_DIALECT))


def _type(column: Column[Any]) -> str:
    try:
        return _compile(column.type)
    except Exception:  # a type only its own dialect can compile
        return repr(column.type)


def _columns(item: Index | Constraint) -> str:
    names = [getattr(c, "name", str(c)) for c in getattr(item, "columns", ())]
    if isinstance(item, Index) and not names:
        names = [str(e) for e in item.expressions]
    return "(" + ", ".join(str(n) for n in names) + ")"


def _constraint(item: Constraint) -> str:
    table = _table_name(item.table)
    if isinstance(item, ForeignKeyConstraint):
        target = _table_name(item.referred_table)
        referred = ", ".join(str(e.column.name) for e in item.elements)
        return f"foreign key {item.name} on {table} {_columns(item)} -> {target} ({referred})"
    kind = "unique constraint" if isinstance(item, UniqueConstraint) else "constraint"
    return f"{kind} {item.name} on {table} {_columns(item)}"


def _default(value: Any) -> str:
    if value is None:
        return "NULL"
    arg = getattr(value, "arg", value)
    return str(getattr(arg, "text", arg))


def render_autogenerate(records: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """One line per autogenerate record, from the migrations' schema to the models'."""
    for record in records:
        kind = record[0]
        sign = {"add": "+", "remove": "-"}.get(kind.split("_")[0], "~")
        if kind in ("add_table", "remove_table"):
            yield f"{sign} table {_table_name(record[1])}"
        elif kind in ("add_column", "remove_column"):
            schema, table, column = record[1], record[2], record[3]
            where = f"{schema}.{table}" if schema else table
            null = "" if column.nullable else " NOT NULL"
            yield f"{sign} column {where}.{column.name} {_type(column)}{null}"
        elif kind in ("add_index", "remove_index"):
            index = record[1]
            label = "unique index" if index.unique else "index"
            yield f"{sign} {label} {index.name} on {_table_name(index.table)} {_columns(index)}"
        elif kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
            yield f"{sign} {_constraint(record[1])}"
        elif kind.startswith("modify_"):
            schema, table, column = record[1], record[2], record[3]
            where = f"{schema}.{table}" if schema else table
            old, new = record[5], record[6]
            if kind == "modify_nullable":
                attribute, old, new = "not_null", not old, not new
                old, new = str(old).lower(), str(new).lower()
            elif kind == "modify_type":
                attribute = "type"
                old, new = _compile(old), _compile(new)
            elif kind == "modify_default":
                attribute, old, new = "default", _default(old), _default(new)
            else:
                attribute = kind.removeprefix("modify_")
            yield f"~ column {where}.{column} {attribute}: {old} -> {new}"
        elif kind.endswith("_table_comment"):
            yield f"~ table {_table_name(record[1])} comment"
        else:
            yield f"~ {kind} {record[1:]!r}"
