"""Pure comparison of two snapshots, and the one-line rendering of each difference."""

from __future__ import annotations

from dataclasses import dataclass

from migcheck.snapshot import Key, SchemaObject, Snapshot, Value


@dataclass(frozen=True, slots=True)
class Added:
    obj: SchemaObject

    @property
    def key(self) -> Key:
        return self.obj.key


@dataclass(frozen=True, slots=True)
class Removed:
    obj: SchemaObject

    @property
    def key(self) -> Key:
        return self.obj.key


@dataclass(frozen=True, slots=True)
class Changed:
    key: Key
    attribute: str
    old: Value
    new: Value
    materialized: bool = False  # a materialized view, told apart only by an attribute


Difference = Added | Removed | Changed


def diff(old: Snapshot, new: Snapshot) -> tuple[Difference, ...]:
    """What turns ``old`` into ``new``, sorted by object key."""
    if old.objects == new.objects:
        return ()
    before, after = old.by_key(), new.by_key()
    moved = _moved_columns(before, after)
    found: list[Difference] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is None:
            assert now is not None
            found.append(Added(now))
        elif now is None:
            found.append(Removed(was))
        elif was.attributes != now.attributes:
            old_attrs, new_attrs = dict(was.attributes), dict(now.attributes)
            materialized = bool(old_attrs.get("materialized"))
            for name in sorted(old_attrs.keys() | new_attrs.keys()):
                if old_attrs.get(name) == new_attrs.get(name):
                    continue
                if key.kind == "column" and name == "position" and key not in moved:
                    continue  # shifted by another column's move, drop or addition
                found.append(
                    Changed(key, name, old_attrs.get(name), new_attrs.get(name), materialized)
                )
    return tuple(found)


def _stayed(order: list[int]) -> set[int]:
    """Indices into ``order`` of one longest increasing subsequence, earliest elements first.

    ``order`` lists the old positions of columns in their new order: the columns of the
    subsequence kept their relative order, the others moved.
    """
    n = len(order)
    left = [1] * n
    for i in range(n):
        for j in range(i):
            if order[j] < order[i]:
                left[i] = max(left[i], left[j] + 1)
    right = [1] * n
    for i in reversed(range(n)):
        for j in range(i + 1, n):
            if order[j] > order[i]:
                right[i] = max(right[i], right[j] + 1)
    best = max(left, default=0)
    picked: set[int] = set()
    last = -1
    for i in range(n):
        on_a_longest = left[i] + right[i] - 1 == best
        if on_a_longest and left[i] == len(picked) + 1 and order[i] > last:
            picked.add(i)
            last = order[i]
    return picked


def _moved_columns(before: dict[Key, SchemaObject], after: dict[Key, SchemaObject]) -> set[Key]:
    """Columns present on both sides whose order relative to the others changed."""
    tables: dict[tuple[str, str], list[Key]] = {}
    for key in before.keys() & after.keys():
        if key.kind == "column" and before[key].get("position") != after[key].get("position"):
            tables.setdefault((key.schema, key.parent), [])
    if not tables:
        return set()
    for key in before.keys() & after.keys():
        if key.kind == "column" and (key.schema, key.parent) in tables:
            tables[(key.schema, key.parent)].append(key)
    moved: set[Key] = set()
    for columns in tables.values():
        columns.sort(key=lambda k: _position(after[k]))
        old_rank = {
            k: rank for rank, k in enumerate(sorted(columns, key=lambda k: _position(before[k])))
        }
        order = [old_rank[k] for k in columns]
        stayed = _stayed(order)
        moved.update(k for i, k in enumerate(columns) if i not in stayed)
    return moved


def _position(obj: SchemaObject) -> int:
    value = obj.get("position")
    return value if isinstance(value, int) else 0


def is_reordering(difference: Difference) -> bool:
    """A column that moved only in position (dropped and re-added at the end)."""
    return (
        isinstance(difference, Changed)
        and difference.key.kind == "column"
        and difference.attribute == "position"
    )


_KIND_LABELS = {
    "enum": "enum type",
    "composite": "composite type",
    "event_trigger": "event trigger",
}


def object_name(key: Key) -> str:
    """How a person names the object: ``column users.email``, ``index ix on orders``."""
    schema = "" if key.schema in ("public", "") else f"{key.schema}."
    kind = _KIND_LABELS.get(key.kind, key.kind)
    if key.kind == "schema":
        return f"schema {key.name}"
    if key.kind == "default_acl":
        where = f" in schema {key.schema}" if key.schema else ""
        return f"default privileges on {key.name} for role {key.parent}{where}"
    if key.kind == "column":
        return f"column {schema}{key.parent}.{key.name}"
    if key.parent:
        return f"{kind} {key.name} on {schema}{key.parent}"
    return f"{kind} {schema}{key.name}"


def render_value(value: Value, *, quoted: bool = False) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        items = [_quote(item) for item in value] if quoted else list(value)
        return "(" + ", ".join(items) + ")"
    # View and function bodies span lines; a diff line is one line.
    return " ".join(str(value).split()) if isinstance(value, str) and "\n" in value else str(value)


def _summary(obj: SchemaObject) -> str:
    """The few attributes that say what an added or removed object is."""
    get = obj.get
    kind = obj.key.kind
    if kind == "view" and get("materialized"):
        return ""
    if kind == "column":
        parts = [str(get("type"))]
        if get("not_null"):
            parts.append("not null")
        if get("default") is not None:
            parts.append(f"default {get('default')}")
        if get("identity") is not None:
            parts.append(f"generated {get('identity')} as identity")
        if get("generated") is not None:
            parts.append(f"generated always as ({get('generated')})")
        return " ".join(parts)
    if kind == "index":
        unique = "unique " if get("unique") else ""
        text = f"{unique}using {get('method')} {render_value(get('columns'))}"
        if get("include"):
            text += f" include {render_value(get('include'))}"
        if get("predicate") is not None:
            text += f" where {get('predicate')}"
        return text
    if kind == "constraint":
        return str(get("definition"))
    if kind == "enum":
        return render_value(get("labels") or (), quoted=True)
    if kind in ("domain", "sequence"):
        return str(get("type"))
    if kind == "trigger":
        events = get("events") or ()
        assert isinstance(events, tuple)
        return f"{get('timing')} {' OR '.join(events)} execute {get('function')}"
    if kind == "extension":
        return f"version {get('version')}"
    return ""


def _display_name(obj: SchemaObject) -> str:
    if obj.key.kind == "view" and obj.get("materialized"):
        return object_name(obj.key).replace("view ", "materialized view ", 1)
    return object_name(obj.key)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Values that are lists of names or labels, shown quoted so that a comma or a space
# inside one cannot be mistaken for a separator.
_QUOTED_ATTRIBUTES = {"labels"}


def render(difference: Difference, *, columns: tuple[SchemaObject, ...] = ()) -> str:
    """One line: ``+ index ix on t using btree (c)``, ``~ column t.c default: 1 -> NULL``.

    ``columns``: for an added or removed table, its columns, folded into its line.
    """
    if isinstance(difference, Changed):
        name = object_name(difference.key)
        if difference.materialized:
            name = name.replace("view ", "materialized view ", 1)
        quoted = difference.attribute in _QUOTED_ATTRIBUTES
        return (
            f"~ {name} {difference.attribute}: {render_value(difference.old, quoted=quoted)}"
            f" -> {render_value(difference.new, quoted=quoted)}"
        )
    sign = "+" if isinstance(difference, Added) else "-"
    summary = _summary(difference.obj)
    if columns:
        described = (f"{c.key.name} {_summary(c)}" for c in sorted(columns, key=_position))
        summary = (summary + " " if summary else "") + "(" + ", ".join(described) + ")"
    return f"{sign} {_display_name(difference.obj)}" + (f" {summary}" if summary else "")


_OWNERS = ("table", "view")
_RANK = {"table": 0, "view": 0, "column": 1, "constraint": 2, "index": 3}


def _order(d: Difference) -> tuple[str, str, int, str, int, str]:
    key = d.key
    group = key.parent or key.name
    rank = _RANK.get(key.kind, 9) if key.parent else -1
    position = _position(d.obj) if isinstance(d, Added | Removed) else 0
    return (key.schema, group, rank, key.kind, position, key.name)


def render_all(differences: tuple[Difference, ...], *, fold: bool = True) -> tuple[str, ...]:
    """Lines grouped by the object they belong to, a table's own line before its parts.

    The columns of an added or removed table are folded into the table's line.
    """
    whole: dict[tuple[str, str, bool], Added | Removed] = {
        (d.key.schema, d.key.name, isinstance(d, Added)): d
        for d in differences
        if fold and not isinstance(d, Changed) and d.key.kind in _OWNERS
    }
    folded: dict[Key, list[SchemaObject]] = {}
    rest: list[Difference] = []
    for d in differences:
        if d.key.kind == "column" and not isinstance(d, Changed):
            owner = whole.get((d.key.schema, d.key.parent, isinstance(d, Added)))
            if owner is not None:
                folded.setdefault(owner.key, []).append(d.obj)
                continue
        rest.append(d)
    return tuple(render(d, columns=tuple(folded.get(d.key, ()))) for d in sorted(rest, key=_order))


# Attributes the one-line summary of an object already shows.
_SUMMARISED: dict[str, frozenset[str]] = {
    "column": frozenset({"type", "not_null", "default", "identity", "generated", "position"}),
    "index": frozenset({"unique", "method", "columns", "include", "predicate"}),
    "constraint": frozenset({"definition"}),
    "enum": frozenset({"labels"}),
    "domain": frozenset({"type"}),
    "sequence": frozenset({"type"}),
    "trigger": frozenset({"timing", "events", "function"}),
    "extension": frozenset({"version"}),
    "view": frozenset({"materialized"}),
}


def render_snapshot(snapshot: Snapshot) -> str:
    """A schema as readable text: one line per object, grouped by table, with every
    attribute that has a value indented below it."""
    lines: list[str] = []
    for line, difference in zip(
        render_all(tuple(Added(obj) for obj in snapshot.objects), fold=False),
        sorted((Added(obj) for obj in snapshot.objects), key=_order),
        strict=True,
    ):
        obj = difference.obj
        indent = "  " if obj.key.parent else ""
        lines.append(indent + line.removeprefix("+ "))
        shown = _SUMMARISED.get(obj.key.kind, frozenset())
        for name, value in obj.attributes:
            if value is not None and value is not False and name not in shown:
                lines.append(f"{indent}    {name}: {render_value(value)}")
    return "\n".join(lines) + ("\n" if lines else "")
