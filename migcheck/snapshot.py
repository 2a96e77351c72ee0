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

from migcheck import increments

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
        self._read: increments.Read | None = None
        self.full_reads = 0  # snapshots read whole (the first, and those a change forced)
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
        """Read the schema: after a first full read, only the relations whose catalog
        rows changed (``migcheck.increments``). Each kind is one query, all sent in one
        pipeline; kinds that have no object at all in the database (most schemas have no
        rule, policy or event trigger) are found by one cheap query first, and not read.
        """
        connection = self.connection
        with connection.transaction():
            now, others = increments.fingerprints(
                connection.execute(increments.presence("changes")).fetchall()
            )
            table = str(self.params["version_table"])
            relations = increments.changed(self._read, now, others, table)
            if relations:
                rows = connection.execute(
                    increments.presence("related"), {"relations": list(relations)}
                ).fetchall()
                whole = any(full for _, full in rows)
                relations = None if whole else relations | {int(oid) for oid, _ in rows}
            unchanged = relations == set() and self._read is not None
            read = self._read if unchanged else self._query(relations, now, others)
            assert read is not None
        if len(self._known) > 200_000:
            self._known.clear()
        self._read = read
        objects = sorted(read.objects(), key=_sort_key)
        version = str(connection.info.parameter_status("server_version") or "")
        found = Snapshot(tuple(objects), version)
        if relations is not None and increments.verifying():
            self._verify(found)
        return found

    def _query(
        self, relations: set[int] | None, fingerprints: dict[int, str], others: str
    ) -> increments.Read:
        """Read ``relations`` (None: everything) within the caller's transaction."""
        connection = self.connection
        cursor = connection.execute(increments.presence("kinds"))
        assert cursor.description is not None
        row = cursor.fetchone()
        assert row is not None
        absent = {
            column.name
            for column, present in zip(cursor.description, row, strict=True)
            if not present
        }
        params = {**self.params, "relations": sorted(relations or ())}
        table = str(self.params["version_table"])
        wanted = [
            (kind, increments.query(kind, sql, only=relations is not None))
            for kind, sql in catalog_queries()
            if kind not in absent and (relations is None or kind in increments.RELATION_KINDS)
        ]
        try:
            with connection.pipeline():
                cursors = [(kind, connection.execute(sql, params)) for kind, sql in wanted]
        except self._operational_error as error:
            # An interrupt inside the pipeline surfaces as "cannot exit pipeline mode
            # while busy": let the interrupt itself through.
            if isinstance(error.__context__, KeyboardInterrupt):
                raise error.__context__ from None
            raise
        owned: dict[str, dict[int, list[SchemaObject]]] = {}
        unowned: list[SchemaObject] = []
        for kind, cursor in cursors:
            assert cursor.description is not None
            by_owner = owned.setdefault(kind, {})
            for owner, found in self._objects(kind, cursor.description, cursor.fetchall()):
                if owner is None:
                    unowned.append(found)
                else:
                    by_owner.setdefault(owner, []).append(found)
        if relations is None or self._read is None:
            self.full_reads += 1
            for kind in increments.RELATION_KINDS:
                owned.setdefault(kind, {})
            return increments.Read(fingerprints, others, owned, unowned, table)
        owned = increments.merged(self._read, relations, owned, absent)
        return increments.Read(fingerprints, others, owned, self._read.unowned, table)

    def _verify(self, found: Snapshot) -> None:
        """MIGCHECK_VERIFY_SNAPSHOTS: the incremental snapshot against a full read."""
        counted = self.full_reads
        with self.connection.transaction():
            full = self._query(None, {}, "")
        self.full_reads = counted  # the check's own read is not one of the walk's
        wrong = increments.differences(found.objects, sorted(full.objects(), key=_sort_key))
        if wrong:
            raise RuntimeError(
                "an incremental snapshot differs from a full read:\n" + "\n".join(wrong[:20])
            )

    def _objects(
        self, kind: str, description: Sequence[Column], rows: list[tuple[Any, ...]]
    ) -> Iterator[tuple[int | None, SchemaObject]]:
        """Rows of one catalog query -> (relation oid or None, object); the first three
        columns are the key, a last one named ``_owner`` the relation's oid."""
        columns = [column.name for column in description]
        owned = columns[-1] == "_owner"
        width = len(columns) - 1 if owned else len(columns)
        order = sorted(range(3, width), key=columns.__getitem__)
        names = [columns[i] for i in order]
        arrays = [i for i in range(width) if description[i].type_code in _array_oids()]
        known = self._known
        for whole in rows:
            owner = int(whole[-1]) if owned else None
            row = whole[:width] if owned else whole
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
            yield owner, found

    def recorded(self, table: str, schema: str | None) -> dict[str, set[str]]:
        """The revisions recorded in each version table of that name, by schema (any
        schema when None: env.py may have chosen its search_path)."""
        from psycopg import sql

        found = self.connection.execute(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = %(table)s AND c.relkind IN ('r', 'p')"
            " AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)",
            {"table": table, "schema": schema},
        ).fetchall()
        recorded: dict[str, set[str]] = {}
        for namespace, name in found:
            query = sql.SQL("SELECT version_num FROM {}").format(sql.Identifier(namespace, name))
            recorded[str(namespace)] = {str(row[0]) for row in self.connection.execute(query)}
        return recorded


@cache
def _array_oids() -> frozenset[int]:
    from psycopg import postgres

    return frozenset(info.array_oid for info in postgres.types if info.array_oid)


def _sort_key(obj: SchemaObject) -> tuple[str, str, str, str]:
    key = obj.key
    return (key.kind, key.schema, key.name, key.parent)
