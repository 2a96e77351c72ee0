"""Models against migrations (MC301): does the schema at head match the SQLAlchemy models?

Two comparisons, a finding per table. Alembic's autogenerate comparison (run on the context the
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
what the migrations build, ``~`` a change the migrations would have to make. Each
table's lines point at the line of the model class (or Table) that defines it, as the
runner finds it (migcheck.runner.places).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from typing import Any

import psycopg

from migcheck import snapshot as snapshots
from migcheck.codes import Code
from migcheck.config import Config
from migcheck.diff import Difference, object_name, render_all
from migcheck.errors import UsageError
from migcheck.findings import Finding
from migcheck.handover import driver_url, libpq
from migcheck.modelcatalog import catalog_differences, catalog_lines, compared_columns
from migcheck.scratch import Database, Scratch
from migcheck.snapshot import Key, Snapshot
from migcheck.walk import Note

__all__ = ["Drift", "Part", "catalog_lines", "check_spec", "compare", "parts", "settled"]

# Autogenerate records whose verdict the catalog comparison replaces when it ran.
_SPELLED = ("modify_type", "modify_default")
_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_SPEC = re.compile(f"{_NAME}:{_NAME}")


@dataclass(frozen=True, slots=True)
class Part:
    """The lines of one table, and where its model is defined: one MC301."""

    lines: tuple[str, ...]
    table: str | None = None  # "table app.items"; None: lines about no one table
    # The source file (absolute) and line of the model class or Table; for a table no
    # model declares, of the models (the declarative base, or the MetaData's name).
    # None: not found (a class made at run time), env.py hands over the models.
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Drift:
    """What comparing the models with the schema at head found."""

    parts: tuple[Part, ...] = ()
    source: str = "target_metadata"  # where the models came from
    note: str | None = None  # why a part of the comparison could not run


def check_spec(spec: str) -> None:
    """``--models package.module:attribute``, checked before anything starts (the runner
    loads it before any server starts)."""
    if not _SPEC.fullmatch(spec):
        raise UsageError(
            f"--models {spec}: expected package.module:attribute (e.g. app.models:Base)"
        )


class ModelsFailed(Exception):
    """The models comparison could not run: a note of the report, the walk's findings stay."""


def compare(
    database: Database, scratch: Scratch, head: Snapshot, *, models: str | None
) -> Drift | None:
    """Compare the models with ``database`` (at head). None: the project declares no
    models (env.py passes no target_metadata and there is no ``--models``). Raises
    ModelsFailed when the comparison itself fails."""
    handover = scratch.project.handover
    sync = handover.sync_driver
    extensions = [o.key for o in head.objects if o.key.kind == "extension"]
    with ExitStack() as stack:
        url = stack.enter_context(scratch.databases())
        # Without a synchronous driver the models are not created: Alembic's comparison
        # alone, with a note.
        build = sync and {
            "url": driver_url(url, sync),
            "database": libpq(url)["dbname"],
            "extensions": [[key.name, key.schema] for key in extensions],
        }
        reply = database.ask({"verb": "models", "models": models, "build": build})
        if reply.get("project_error") or reply.get("internal"):
            raise ModelsFailed(str(reply.get("project_error") or reply["internal"]).strip())
        if not reply.get("ok"):
            error = reply.get("error") or {}
            state = f"[{error['sqlstate']}] " if error.get("sqlstate") else ""
            raise ModelsFailed(f"{state}{error.get('message', reply)}")
        if not reply.get("declared"):
            return None
        source = f"--models {models}" if models else "target_metadata"
        records: list[dict[str, Any]] = reply.get("records", [])
        notes = []
        if reply.get("records_error"):
            notes.append(
                f"Alembic's comparison of the models failed ({reply['records_error']}): "
                "tables, columns, indexes and constraints only one side has were not compared"
            )
        if reply.get("build_error"):
            notes.append(
                f"the models could not be created on their own ({reply['build_error']}): "
                "defaults, enum labels, CHECK bodies and index predicates were not compared"
            )
            found = parts(records, (), reply.get("places"), str(reply["schema"]))
            return Drift(found, source, "; ".join(notes))
        catalog = stack.enter_context(psycopg.connect(url, autocommit=True))
        built = snapshots.Catalog(catalog).take()
    schema = str(reply["schema"])
    exclude = _excluded(database, head, built, schema) if reply.get("hooks") else frozenset()
    compared = {
        (k.schema, k.parent, k.name) for k in compared_columns(head, built, exclude=exclude)
    }
    kept = settled(records, compared, schema)
    touched = {str(r["index"]) for r in kept if r["kind"].endswith("_index")}
    same = partial(_same_default, database.catalog_connection)
    differences = catalog_differences(head, built, skip=touched, exclude=exclude, same=same)
    found = parts(kept, differences, reply.get("places"), schema)
    return Drift(found, source, "; ".join(notes) or None)


def parts(
    records: Iterable[dict[str, Any]],
    differences: Iterable[Difference],
    places: dict[str, Any] | None,
    schema: str,
) -> tuple[Part, ...]:
    """The lines of both comparisons, a Part per table: autogenerate's ``records``
    first, then the catalog's ``differences``, each table at its model's place
    (``places``: the runner's, None when it found none). An enum type's lines go to
    the first table using it; lines of no table come first, at the models' place.
    ``schema``: where env.py's connection resolves unqualified names."""
    found = places or {}
    at = {(s, name): (file, line) for s, name, file, line in found.get("tables", ())}
    enums = {(s, name): (s_, table) for s, name, s_, table in found.get("enums", ())}
    lines: dict[tuple[str, str] | None, list[str]] = {}
    for r in records:
        owner = (r.get("schema") or schema, str(r["table"])) if r.get("table") else None
        lines.setdefault(owner, []).append(r["line"])
    grouped: dict[tuple[str, str] | None, list[Difference]] = {}
    for difference in differences:
        key = difference.key
        if key.kind == "enum":
            owner = enums.get((key.schema, key.name))
        elif key.parent or key.kind == "table":
            owner = (key.schema, key.parent or key.name)
        else:
            owner = None
        grouped.setdefault(owner, []).append(difference)
    for owner, group in grouped.items():
        # The table's own lines, then those of the enum types it uses.
        tables = tuple(d for d in group if d.key.kind != "enum")
        enum_types = tuple(d for d in group if d.key.kind == "enum")
        lines.setdefault(owner, []).extend(
            render_all(tables, fold=False) + render_all(enum_types, fold=False)
        )
    result = []
    for owner in sorted(lines, key=lambda o: (o is not None, o or ("", ""))):
        file, line = (at.get(owner) if owner else None) or found.get("models") or (None, None)
        name = object_name(Key("table", *owner)) if owner else None
        result.append(Part(tuple(lines[owner]), name, file, line))
    return tuple(result)


def _excluded(database: Database, head: Snapshot, built: Snapshot, schema: str) -> frozenset[Key]:
    """The keys of both schemas that env.py's include_object / include_name keep out of
    autogenerate (asked to the runner, which has the hooks)."""
    ours, theirs = head.by_key(), built.by_key()
    tables = {k for k in set(ours) | set(theirs) if k.kind == "table"}
    keys = sorted(tables | (set(ours) & set(theirs)), key=lambda k: (k.kind != "table", k))
    enums = [[k.schema, k.name] for k in theirs if k.kind == "enum"]
    reply = database.ask(
        {
            "verb": "exclusions",
            "keys": [[k.kind, k.schema, k.name, k.parent] for k in keys],
            "enums": enums,
            "default_schema": schema,
        }
    )
    if not reply.get("ok"):
        raise ModelsFailed(str(reply.get("project_error") or reply.get("internal") or reply))
    return frozenset(
        Key(kind, schema_, name, parent or "") for kind, schema_, name, parent in reply["excluded"]
    )


def _same_default(
    connection: psycopg.Connection[Any], a: str, a_type: str, b: str, b_type: str
) -> bool:
    """Whether two default expressions evaluate equal on the head database, as Alembic
    decides it: asked in a transaction rolled back (callers leave out expressions whose
    effects a rollback does not undo)."""
    query = f"SELECT CAST(({a}) AS {a_type}) IS NOT DISTINCT FROM CAST(({b}) AS {b_type})"
    try:
        with connection.transaction(force_rollback=True):
            connection.execute("SET LOCAL statement_timeout = '5s'")
            # The texts are SQL from the catalog: a % in them is no placeholder.
            row = connection.execute(query.encode(), prepare=False).fetchone()
    except psycopg.Error:  # the expressions do not compare: not the same default
        return False
    return row is not None and row[0] is True


def settled(
    records: Iterable[dict[str, Any]], compared: set[tuple[str, str, str]], schema: str
) -> list[dict[str, Any]]:
    """Autogenerate's records but the type and default verdicts on the columns the
    catalog comparison judged, (schema, table, column); ``schema`` is where env.py's
    connection resolves unqualified names (autogenerate's ``None``)."""
    return [
        r
        for r in records
        if r["kind"] not in _SPELLED
        or (r.get("schema") or schema, r.get("table"), r.get("column")) not in compared
    ]


def at_head(
    config: Config, scratch: Scratch, database: Database, head: Snapshot
) -> Iterator[Note | Finding]:
    """MC301 at head: the models against the schema the migrations built."""
    project = scratch.project
    if config.models is False:
        yield Note("models not compared: turned off (--no-models, or models = false)")
        return
    try:
        found = compare(database, scratch, head, models=config.models)
    except ModelsFailed as failed:
        yield Note(f"models not compared: the comparison failed: {failed}")
        return
    if found is None:
        yield Note(
            "models not compared: env.py passes no target_metadata to context.configure "
            "(pass it, or name the models with --models package.module:attribute)"
        )
        return
    if found.note:
        yield Note(found.note)
    # A finding per table that differs, at its model's line (else env.py, which hands
    # the models over). Autogenerate's comparison gives lines, not records: text.
    for part in found.parts:
        yield Finding(
            code=Code.MC301,
            message=f"{part.table or 'the schema'} at head differs from the models "
            f"({found.source}): + only in the models, - only in what the migrations build, "
            "~ from the migrations' to the models'",
            file=project.relative(part.file or str(project.env_py)),
            line=part.line,
            diff=part.lines,
        )
