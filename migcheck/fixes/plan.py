"""The order a downgrade's missing statements run in: what depends on an object is
dropped before it and made after it, and what an object takes with it is not dropped
twice (a table's indexes go with the table, a type after the tables using it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from migcheck.diff import Added, Changed, Difference, Removed
from migcheck.fixes.alter import alter
from migcheck.fixes.create import create, finish
from migcheck.fixes.drop import drop
from migcheck.fixes.reverted import Reverted
from migcheck.fixes.sql import Statement, Style, items, split_name
from migcheck.snapshot import Key, SchemaObject, Value

Relation = tuple[str, str]  # schema, name
# Kinds that need others and that no table needs: dropped first, made last.
_DEPENDENTS = ("event_trigger", "trigger", "rule", "policy", "statistics", "view")
# Kinds tables need, in the order they are made ("type": composites and domains).
_BASES = ("schema", "extension", "collation", "enum", "type", "sequence", "function")
_ON_TABLES = ("constraint", "index", "trigger", "rule", "policy", "statistics")
_CHANGE_ORDER = (
    *_BASES[:3],
    *("enum", "composite", "domain", "sequence", "function", "table", "column"),
    *("constraint", "index", "view", "trigger", "rule", "policy", "statistics"),
    *("event_trigger", "default_acl"),
)
_NAME = r'(?:"(?:[^"]|"")*"|[^\s("]+)'
_REFERENCES = re.compile(rf"REFERENCES ({_NAME}(?:\.{_NAME})?)\(")
_WORD = re.compile(r'"(?:[^"]|"")*"|[A-Za-z_][\w$]*')


def plan(changes: Sequence[Difference], style: Style) -> list[Statement]:
    """Statements that turn the schema after ``changes`` back into the one before them."""
    return _Plan(changes, style).statements()


def _unquote(part: str) -> str:
    return part[1:-1].replace('""', '"') if part.startswith('"') else part


def _relation(text: str, schema: str) -> Relation:
    """A name the catalog wrote (``t``, ``s.t``, quoted) as (schema, name)."""
    parts = [_unquote(part) for part in split_name(text)]
    return (parts[0], parts[1]) if len(parts) > 1 else (schema, parts[0])


def _words(value: Value) -> set[str]:
    text = " ".join(value) if isinstance(value, tuple) else str(value or "")
    return {_unquote(word) for word in _WORD.findall(text)}


def _parents(obj: SchemaObject) -> set[Relation]:
    """The tables a table inherits from or is a partition of."""
    parents = [*items(obj.get("inherits")), obj.get("partition_of")]
    return {_relation(str(p), obj.key.schema) for p in parents if p is not None}


def _ordered(
    objects: Iterable[SchemaObject], needs: Callable[[SchemaObject, SchemaObject], bool]
) -> list[SchemaObject]:
    """``objects`` with each one after those it needs (a circle keeps the given order)."""
    pending = list(objects)
    done: list[SchemaObject] = []
    visiting: set[int] = set()

    def visit(obj: SchemaObject) -> None:
        if obj in done or id(obj) in visiting:
            return
        visiting.add(id(obj))
        for other in pending:
            if other is not obj and needs(obj, other):
                visit(other)
        done.append(obj)

    for obj in pending:
        visit(obj)
    return done


class _Plan:
    """One finding's records, sorted out: what to drop, make and set back, in which order."""

    def __init__(self, changes: Sequence[Difference], style: Style) -> None:
        self.style = style
        self.added = [d.obj for d in changes if isinstance(d, Added)]
        self.removed = [d.obj for d in changes if isinstance(d, Removed)]
        self.changed: dict[Key, dict[str, tuple[Value, Value]]] = {}
        self.materialized: set[Key] = set()
        for d in changes:
            if isinstance(d, Changed):
                self.changed.setdefault(d.key, {})[d.attribute] = (d.old, d.new)
                if d.materialized:
                    self.materialized.add(d.key)
        self.dropped = self._relations(self.added)
        self.made = self._relations(self.removed)
        self.views = {(d.key.schema, d.key.name) for d in changes if d.key.kind == "view"}
        self.partitions = {
            (o.key.schema, o.key.name) for o in self.removed if o.get("partition_of") is not None
        }
        # Views whose columns were added, lost or retyped: CREATE OR REPLACE cannot do that.
        self.reshaped = {
            (d.key.schema, d.key.parent)
            for d in changes
            if d.key.kind == "column"
            and (not isinstance(d, Changed) or d.attribute in ("type", "collation"))
        } & self.views
        self.finishing: list[Statement] = []

    @staticmethod
    def _relations(objects: list[SchemaObject]) -> set[Relation]:
        return {(o.key.schema, o.key.name) for o in objects if o.key.kind in ("table", "view")}

    def _of(self, objects: list[SchemaObject], kind: str) -> list[SchemaObject]:
        if kind == "type":
            return self._types([o for o in objects if o.key.kind in ("composite", "domain")])
        found = [o for o in objects if o.key.kind == kind]
        if kind == "view":
            return _ordered(found, lambda o, other: other.key.name in _words(o.get("definition")))
        return found

    @staticmethod
    def _types(types: list[SchemaObject]) -> list[SchemaObject]:
        def needs(obj: SchemaObject, other: SchemaObject) -> bool:
            return other.key.name in _words(obj.get("attributes") or obj.get("type"))

        return _ordered(types, needs)

    def _on_dropped(self, obj: SchemaObject) -> bool:
        """Whether ``obj`` goes with a relation, index or column dropped anyway."""
        key = obj.key
        if key.kind in (*_ON_TABLES, "column") and (key.schema, key.parent) in self.dropped:
            return True
        if key.kind == "index" and obj.get("partition_of") is not None:
            parent = _relation(str(obj.get("partition_of")), key.schema)
            return any((o.key.schema, o.key.name) == parent for o in self._of(self.added, "index"))
        if key.kind == "sequence" and obj.get("owned_by") is not None:
            *owner, column = [_unquote(p) for p in split_name(str(obj.get("owned_by")))]
            table = tuple(owner) if len(owner) == 2 else (key.schema, owner[0])
            columns = {(o.key.schema, o.key.parent, o.key.name) for o in self.added}
            return table in self.dropped or (*table, column) in columns
        return False

    def _cloned(self, obj: SchemaObject) -> bool:
        """Made with its partition (from the partitioned table's own), not on its own."""
        key = obj.key
        if key.kind in ("constraint", "index", "trigger"):
            return (key.schema, key.parent) in self.partitions
        return False

    def statements(self) -> list[Statement]:
        """Drop what needs others; make what tables need; make tables and columns; set
        attributes back; drop columns and tables; make what needs them; drop what
        tables needed; last, comments, privileges and the like of what was made."""
        out: list[Statement] = []
        for kind in ("default_acl", *_DEPENDENTS):
            objects = [o for o in self._of(self.added, kind) if not self._on_dropped(o)]
            for obj in reversed(objects) if kind == "view" else objects:
                out += drop(obj, self.style)
        constraints = [o for o in self.added if o.key.kind == "constraint"]
        for obj in sorted(constraints, key=lambda o: o.get("type") != "foreign key"):
            if not self._on_dropped(obj):
                out += drop(obj, self.style)
        for obj in self._of(self.added, "index"):
            if not self._on_dropped(obj):
                out += drop(obj, self.style)
        for kind in _BASES:
            for obj in self._of(self.removed, kind):
                out += self._create(obj)
        out += self._tables()
        for key in sorted(self.changed, key=self._change_rank):
            out += self._alter(key)
        out += self._drop_tables()
        out += self._dependents()
        for kind in reversed(_BASES):
            objects = [o for o in self._of(self.added, kind) if not self._on_dropped(o)]
            for obj in reversed(objects):
                out += drop(obj, self.style)
        return out + self.finishing

    def _create(self, obj: SchemaObject, columns: Sequence[SchemaObject] = ()) -> list[Statement]:
        self.finishing += finish(obj, self.style)
        for column in columns:
            self.finishing += finish(column, self.style)
        return create(obj, self.style, columns=columns)

    def _columns(self, relation: Relation, objects: list[SchemaObject]) -> list[SchemaObject]:
        found = [o for o in objects if o.key.kind == "column"]
        found = [o for o in found if (o.key.schema, o.key.parent) == relation]
        return sorted(found, key=lambda o: str(o.get("position")).zfill(5))

    def _tables(self) -> list[Statement]:
        def needs(obj: SchemaObject, other: SchemaObject) -> bool:
            named = _parents(obj)
            return (other.key.schema, other.key.name) in named

        out: list[Statement] = []
        for obj in _ordered(self._of(self.removed, "table"), needs):
            relation = (obj.key.schema, obj.key.name)
            partition = obj.get("partition_of") is not None or obj.get("of_type") is not None
            columns = [] if partition else self._columns(relation, self.removed)
            out += self._create(obj, columns)
        for obj in self._of(self.removed, "column"):
            relation = (obj.key.schema, obj.key.parent)
            if relation in self.views:
                if relation in self.made:
                    self.finishing += finish(obj, self.style, on_view=True)
            elif relation not in self.made:
                out += self._create(obj)
        return out

    def _change_rank(self, key: Key) -> tuple[int, Key]:
        rank = _CHANGE_ORDER.index(key.kind) if key.kind in _CHANGE_ORDER else len(_CHANGE_ORDER)
        return (rank, key)

    def _alter(self, key: Key) -> list[Statement]:
        on_view = key.kind == "column" and (key.schema, key.parent) in self.views
        remade = key.kind == "view" and (key.schema, key.name) in self.reshaped
        change = Reverted(
            key, self.changed[key], key in self.materialized, on_view=on_view, remade=remade
        )
        return alter(change, self.style)

    def _drop_tables(self) -> list[Statement]:
        out: list[Statement] = []
        for obj in self._of(self.added, "column"):
            relation = (obj.key.schema, obj.key.parent)
            if relation not in self.views and not self._on_dropped(obj):
                out += drop(obj, self.style)
        references: dict[Relation, set[Relation]] = {}
        for obj in self._of(self.added, "constraint"):
            found = _REFERENCES.search(str(obj.get("definition")))
            if found is not None:
                referenced = _relation(found.group(1), "public")
                references.setdefault((obj.key.schema, obj.key.parent), set()).add(referenced)

        def needs(obj: SchemaObject, other: SchemaObject) -> bool:
            # Dropped in reverse: a table is dropped before the tables it needs.
            named = _parents(obj)
            named |= references.get((obj.key.schema, obj.key.name), set())
            return (other.key.schema, other.key.name) in named

        for obj in reversed(_ordered(self._of(self.added, "table"), needs)):
            out += drop(obj, self.style)
        return out

    def _dependents(self) -> list[Statement]:
        out: list[Statement] = []
        constraints = [o for o in self.removed if o.key.kind == "constraint"]
        for obj in sorted(constraints, key=lambda o: o.get("type") == "foreign key"):
            if not self._cloned(obj):
                out += self._create(obj)
        for obj in self._of(self.removed, "view"):
            out += self._create(obj)
        made_indexes = {(o.key.schema, o.key.name) for o in self._of(self.removed, "index")}
        for obj in self._of(self.removed, "index"):
            parent = obj.get("partition_of")
            if parent is not None and _relation(str(parent), obj.key.schema) in made_indexes:
                continue  # made by CREATE INDEX on the partitioned table
            if not self._cloned(obj):
                out += self._create(obj)
        for kind in ("trigger", "rule", "policy", "statistics", "event_trigger", "default_acl"):
            for obj in self._of(self.removed, kind):
                if not self._cloned(obj):
                    out += self._create(obj)
        return out
