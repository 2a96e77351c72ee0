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


Difference = Added | Removed | Changed


def diff(old: Snapshot, new: Snapshot) -> tuple[Difference, ...]:
    """What turns ``old`` into ``new``, sorted by object key."""
    if old.objects == new.objects:
        return ()
    before, after = old.by_key(), new.by_key()
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
            for name in sorted(old_attrs.keys() | new_attrs.keys()):
                if old_attrs.get(name) != new_attrs.get(name):
                    found.append(Changed(key, name, old_attrs.get(name), new_attrs.get(name)))
    return tuple(found)


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
}


def object_name(key: Key) -> str:
    """How a person names the object: ``column users.email``, ``index ix on orders``."""
    schema = "" if key.schema in ("public", "") else f"{key.schema}."
    kind = _KIND_LABELS.get(key.kind, key.kind)
    if key.kind == "schema":
        return f"schema {key.name}"
    if key.kind == "column":
        return f"column {schema}{key.parent}.{key.name}"
    if key.parent:
        return f"{kind} {key.name} on {schema}{key.parent}"
    return f"{kind} {schema}{key.name}"


def render_value(value: Value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "(" + ", ".join(value) + ")"
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
        labels = get("labels") or ()
        assert isinstance(labels, tuple)
        return "(" + ", ".join(f"'{label}'" for label in labels) + ")"
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


def render(difference: Difference) -> str:
    """One line: ``+ index ix on t using btree (c)``, ``~ column t.c default: 1 -> NULL``."""
    if isinstance(difference, Changed):
        return (
            f"~ {object_name(difference.key)} {difference.attribute}: "
            f"{render_value(difference.old)} -> {render_value(difference.new)}"
        )
    sign = "+" if isinstance(difference, Added) else "-"
    summary = _summary(difference.obj)
    return f"{sign} {_display_name(difference.obj)}" + (f" {summary}" if summary else "")
