"""Models against migrations (MC301): does the schema at head match the SQLAlchemy models?

Two comparisons, one finding. Alembic's autogenerate comparison (run on the context the
project's env.py configures, so its include_object, include_schemas and comparators
apply) says which tables, columns, indexes, constraints and nullable flags the models
and the database disagree on. It cannot say whether two spellings of a default or a
type are the same, and it never looks at enum labels, CHECK bodies or index predicates.
For those the models are built for real (``metadata.create_all``) in a database of
their own, and both schemas are compared as PostgreSQL itself prints them: the column
types and defaults, enum labels in order, CHECK definitions and the whole definition of
indexes both sides have (migcheck.modelcatalog). A difference of spelling vanishes
there; a real one cannot. The models' database resolves unqualified names to the schema
env.py's connection does, and autogenerate's type and default verdicts give way only for
the columns the catalog comparison judged.

Lines read from the migrations to the models: ``+`` only in the models, ``-`` only in
what the migrations build, ``~`` a change the migrations would have to make.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy import Column, Connection, Index, MetaData, Table, create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import Constraint, ForeignKeyConstraint, UniqueConstraint

from migcheck import snapshot as snapshots
from migcheck.errors import ProjectError, UsageError
from migcheck.handover import driver_url, importing
from migcheck.modelcatalog import catalog_lines, compared_columns, excluded
from migcheck.scratch import Database
from migcheck.snapshot import Snapshot

__all__ = ["Drift", "catalog_lines", "compare", "load_models", "render_autogenerate"]

Databases = Callable[[], AbstractContextManager[str]]

# Autogenerate records whose verdict the catalog comparison replaces when it ran.
_SPELLED = ("modify_type", "modify_default")
_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_SPEC = re.compile(f"{_NAME}:{_NAME}")
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
    if not _SPEC.fullmatch(spec):
        raise UsageError(
            f"--models {spec}: expected package.module:attribute (e.g. app.models:Base)"
        )
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


def validate_models(spec: str, roots: Sequence[Path]) -> None:
    """Load ``--models`` as the walk will (the project's folders on sys.path), so that a
    bad value stops the run before any server starts."""
    with importing(roots):
        load_models(spec)


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
        connection = context.connection
        assert connection is not None  # env.py configured a connection: migcheck ran it
        migration = MigrationContext.configure(connection=connection, opts=opts)
        with warnings.catch_warnings():
            # "Skipped unsupported reflection of expression-based index" and the like
            warnings.simplefilter("ignore")
            records = _flatten(compare_metadata(migration, metadata))  # type: ignore[arg-type]
        found["metadata"] = metadata
        found["records"] = records
        # The models' database gets the schema unqualified names resolved to here.
        schema, search_path = connection.exec_driver_sql(
            "SELECT coalesce(current_schema(), 'public'), current_setting('search_path')"
        ).one()
        metadatas = _metadatas(metadata)
        try:
            built = _build(databases, metadatas, head, schema=schema, search_path=search_path)
        except Exception as error:  # the models' DDL: anything the server refuses
            found["error"] = (str(error).strip().splitlines() or [type(error).__name__])[0]
            return
        exclude = excluded(metadatas, head, built, context.opts, schema)
        compared = {
            (k.schema, k.parent, k.name) for k in compared_columns(head, built, exclude=exclude)
        }
        kept = settled(records, compared, schema)
        touched = {index.name for kind, index, *_ in kept if kind.endswith("_index")}
        same = partial(_same_default, connection)
        found["lines"] = list(render_autogenerate(kept)) + list(
            catalog_lines(head, built, skip=touched, exclude=exclude, same=same)
        )

    error = database.inspect(autogenerate)
    if error is not None:
        raise ProjectError(f"comparing the models with the schema at head failed: {error.message}")
    if "metadata" not in found:
        return None
    source = f"--models {models}" if models else "target_metadata"
    if "error" in found:
        note = (
            f"the models could not be created on their own ({found['error']}): defaults, "
            "enum labels, CHECK bodies and index predicates were not compared"
        )
        return Drift(tuple(render_autogenerate(found["records"])), source, note)
    return Drift(tuple(found["lines"]), source)


def _same_default(connection: Connection, a: str, a_type: str, b: str, b_type: str) -> bool:
    """Whether two default expressions evaluate equal on the head database, as Alembic
    decides it: asked in a savepoint rolled back (callers leave out expressions whose
    effects a rollback does not undo)."""
    query = f"SELECT CAST(({a}) AS {a_type}) IS NOT DISTINCT FROM CAST(({b}) AS {b_type})"
    plain = {"no_parameters": True}  # the texts are SQL: a % in them is no placeholder
    try:
        with connection.begin_nested() as savepoint:
            connection.exec_driver_sql("SET LOCAL statement_timeout = '5s'", None, plain)
            equal = connection.exec_driver_sql(query, None, plain).scalar()
            savepoint.rollback()
    except Exception:  # the expressions do not compare: not the same default
        return False
    return equal is True


def settled(
    records: Iterable[tuple[Any, ...]], compared: set[tuple[str, str, str]], schema: str
) -> list[tuple[Any, ...]]:
    """Autogenerate's records but the type and default verdicts on the columns the
    catalog comparison judged, (schema, table, column); ``schema`` is where env.py's
    connection resolves unqualified names (autogenerate's ``None``)."""
    return [
        r for r in records if r[0] not in _SPELLED or (r[1] or schema, r[2], r[3]) not in compared
    ]


def _flatten(records: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Autogenerate groups a column's modify_* records in a list: one tuple each."""
    flat: list[tuple[Any, ...]] = []
    for record in records:
        flat.extend(record if isinstance(record, list) else [record])
    return flat


def _build(
    databases: Databases,
    metadatas: Sequence[MetaData],
    head: Snapshot,
    *,
    schema: str = "public",
    search_path: str = "public",
) -> Snapshot:
    """The models created in a database of their own, as the catalog reads them. The
    extensions the migrations installed come first (the models may use their types);
    tables without a schema land where env.py's connection would put them (``schema``,
    the first of ``search_path`` that exists)."""
    with ExitStack() as stack:
        url = stack.enter_context(databases())
        extensions = [o.key for o in head.objects if o.key.kind == "extension"]
        schemas = {t.schema for m in metadatas for t in m.tables.values() if t.schema}
        schemas |= {key.schema for key in extensions if key.schema != "pg_catalog"}
        schemas.add(schema)
        with psycopg.connect(url, autocommit=True) as connection:
            for name in sorted(schemas):
                connection.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(name))
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
            connection.execute(
                text("SELECT set_config('search_path', :path, true)"), {"path": search_path}
            )
            for metadata in metadatas:
                metadata.create_all(connection)
        catalog_connection = stack.enter_context(psycopg.connect(url, autocommit=True))
        return snapshots.Catalog(catalog_connection).take()


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
