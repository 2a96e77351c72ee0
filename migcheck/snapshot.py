"""The schema of one database as read from the PostgreSQL catalog.

A snapshot is generic: a sorted tuple of objects, each identified by a key
(kind, schema, name, parent) and described by named attributes. Object kinds are
data: one SQL file per kind in ``migcheck/catalog``, whose first three columns are
``schema``, ``name`` and ``parent`` and whose other columns are the attributes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # psycopg is imported where used: reading snapshot files and diffing them needs
    # no database driver.
    import psycopg
    from psycopg import Column

FORMAT_VERSION = 1

Value = str | int | bool | None | tuple[str, ...]
Attributes = tuple[tuple[str, Value], ...]


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """The identity of a schema object: what stays the same when it is changed."""

    kind: str
    schema: str
    name: str
    parent: str = ""


@dataclass(frozen=True, slots=True)
class SchemaObject:
    key: Key
    attributes: Attributes

    def get(self, name: str) -> Value:
        for attribute, value in self.attributes:
            if attribute == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every object of a database's user schemas, sorted by key."""

    objects: tuple[SchemaObject, ...]
    server_version: str = field(default="", compare=False)

    def by_key(self) -> dict[Key, SchemaObject]:
        return {obj.key: obj for obj in self.objects}

    def to_json(self) -> str:
        """Pretty, sorted JSON that diffs cleanly when committed to git."""
        document = {
            "format": FORMAT_VERSION,
            "server_version": self.server_version,
            "objects": [
                {
                    "kind": obj.key.kind,
                    "schema": obj.key.schema,
                    "name": obj.key.name,
                    "parent": obj.key.parent,
                    "attributes": {
                        name: list(value) if isinstance(value, tuple) else value
                        for name, value in obj.attributes
                    },
                }
                for obj in self.objects
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        document = json.loads(text)
        if document.get("format") != FORMAT_VERSION:
            raise ValueError(f"snapshot format {document.get('format')!r} is not {FORMAT_VERSION}")
        return make_snapshot(
            (
                Key(item["kind"], item["schema"], item["name"], item["parent"]),
                item["attributes"],
            )
            for item in document["objects"]
        ).with_server_version(document.get("server_version", ""))

    def with_server_version(self, server_version: str) -> Snapshot:
        return Snapshot(self.objects, server_version)


@dataclass(frozen=True, slots=True)
class Head:
    """The schema at head of one walk: every walked revision applied, before the final
    downgrade. Only heads of the same ``revisions`` are compared across versions."""

    snapshot: Snapshot
    revisions: tuple[str, ...]


def _value(value: Any) -> Value:
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def make_snapshot(items: Iterable[tuple[Key, Mapping[str, Any]]]) -> Snapshot:
    """Build a canonical (sorted, immutable) snapshot from keys and attribute mappings."""
    objects = [
        SchemaObject(key, tuple(sorted((name, _value(v)) for name, v in attributes.items())))
        for key, attributes in items
    ]
    objects.sort(key=_sort_key)
    return Snapshot(tuple(objects))


@cache
def catalog_queries() -> tuple[tuple[str, str], ...]:
    """(kind, SQL) for every catalog query shipped with migcheck, by kind name."""
    folder = resources.files("migcheck") / "catalog"
    return tuple(
        sorted(
            (entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
            for entry in folder.iterdir()
            if entry.name.endswith(".sql")
        )
    )


@cache
def _presence_query() -> str:
    return (resources.files("migcheck") / "catalog" / "presence" / "kinds.sql").read_text()


class Catalog:
    """Snapshots of one database, read through one connection.

    A walk takes hundreds of snapshots of a schema that changes a little at a time:
    the catalog queries are planned once, and objects that did not change are the
    same Python objects from one snapshot to the next (which also makes comparing
    two snapshots mostly a matter of identity checks).
    """

    def __init__(
        self, connection: psycopg.Connection[Any], *, version_table: str = "alembic_version"
    ) -> None:
        import psycopg

        self._operational_error = psycopg.OperationalError
        self.connection = connection
        self.params = {"version_table": version_table}
        self._known: dict[tuple[Any, ...], SchemaObject] = {}
        # Prepared at first use, with a generic plan from the start: planned once.
        connection.prepare_threshold = 0
        connection.execute("SET plan_cache_mode = force_generic_plan")
        # A large schema pushes the estimated costs over the JIT threshold, and
        # compiling costs far more than it saves on queries of a few milliseconds.
        connection.execute("SET jit = off")
        # Deparsed text qualifies names that are not on the search path: fix it, so a
        # migration's ALTER DATABASE ... SET search_path cannot change what we read.
        connection.execute("SET search_path = pg_catalog, public")

    def take(self) -> Snapshot:
        """Read every object kind: one query per kind, sent in one pipeline.

        Kinds that have no object at all in the database (most schemas have no rule,
        policy or event trigger) are found by one cheap query first, and not read.
        """
        connection = self.connection
        with connection.transaction():
            cursor = connection.execute(_presence_query())
            assert cursor.description is not None
            row = cursor.fetchone()
            assert row is not None
            absent = {
                column.name
                for column, present in zip(cursor.description, row, strict=True)
                if not present
            }
            try:
                with connection.pipeline():
                    cursors = [
                        (kind, connection.execute(sql, self.params))
                        for kind, sql in catalog_queries()
                        if kind not in absent
                    ]
            except self._operational_error as error:
                # An interrupt inside the pipeline surfaces as "cannot exit pipeline
                # mode while busy": let the interrupt itself through.
                if isinstance(error.__context__, KeyboardInterrupt):
                    raise error.__context__ from None
                raise
        if len(self._known) > 200_000:
            self._known.clear()
        objects: list[SchemaObject] = []
        for kind, cursor in cursors:
            assert cursor.description is not None
            objects.extend(self._objects(kind, cursor.description, cursor.fetchall()))
        objects.sort(key=_sort_key)
        version = str(connection.info.parameter_status("server_version") or "")
        return Snapshot(tuple(objects), version)

    def _objects(
        self, kind: str, description: Sequence[Column], rows: list[tuple[Any, ...]]
    ) -> Iterator[SchemaObject]:
        """Rows of one catalog query -> objects; the first three columns are the key."""
        columns = [column.name for column in description]
        order = sorted(range(3, len(columns)), key=columns.__getitem__)
        names = [columns[i] for i in order]
        arrays = [i for i in range(len(columns)) if description[i].type_code in _array_oids()]
        known = self._known
        for row in rows:
            if arrays:
                values = list(row)
                for i in arrays:
                    if values[i] is not None:
                        values[i] = tuple(map(str, values[i]))
                row = tuple(values)
            found = known.get((kind, *row))
            if found is None:
                attributes = tuple(zip(names, [row[i] for i in order], strict=True))
                found = SchemaObject(Key(kind, row[0], row[1], row[2] or ""), attributes)
                known[(kind, *row)] = found
            yield found

    def recorded(self, table: str, schema: str | None) -> set[str]:
        """Every revision recorded in version tables of that name (schema: any, when None;
        env.py may have chosen its search_path)."""
        from psycopg import sql

        found = self.connection.execute(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = %(table)s AND c.relkind IN ('r', 'p')"
            " AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)",
            {"table": table, "schema": schema},
        ).fetchall()
        recorded: set[str] = set()
        for namespace, name in found:
            query = sql.SQL("SELECT version_num FROM {}").format(sql.Identifier(namespace, name))
            recorded |= {str(row[0]) for row in self.connection.execute(query)}
        return recorded


@cache
def _array_oids() -> frozenset[int]:
    from psycopg import postgres

    return frozenset(info.array_oid for info in postgres.types if info.array_oid)


def _sort_key(obj: SchemaObject) -> tuple[str, str, str, str]:
    key = obj.key
    return (key.kind, key.schema, key.name, key.parent)
