"""Objects made again from their snapshot attributes, and finished as they were."""

from __future__ import annotations

from collections.abc import Sequence

from migcheck.fixes.alter import alter
from migcheck.fixes.create_routines import (
    collation,
    domain,
    event_trigger,
    function,
    policy,
    trigger,
)
from migcheck.fixes.names import relation, table
from migcheck.fixes.reverted import Reverted
from migcheck.fixes.sql import (
    Note,
    Sql,
    Statement,
    Style,
    ident,
    in_schema,
    items,
    literal,
    options,
)
from migcheck.snapshot import SchemaObject, Value

# What CREATE leaves at its default and ``finish`` sets afterwards, by kind.
_AFTER: dict[str, dict[str, Value]] = {
    "table": {"rls_enabled": False, "rls_forced": False, "replica_identity": "default"},
    "index": {"partition_of": None},
    "sequence": {"owned_by": None},
    "trigger": {"enabled": "origin"},
    "rule": {"enabled": "origin"},
    "event_trigger": {"enabled": "origin"},
    "default_acl": {"acl": None},
}
# Kinds without privileges of their own, or whose comment CREATE sets (an extension's).
_NO_ACL = frozenset({"index", "constraint", "trigger", "policy", "rule", "statistics"})
_NO_ACL |= {"event_trigger", "collation", "extension", "default_acl"}
# Kinds PostgreSQL has no IF NOT EXISTS or OR REPLACE for.
_UNGUARDED = frozenset({"constraint", "enum", "composite", "domain", "policy", "event_trigger"})


def finish(obj: SchemaObject, style: Style, *, on_view: bool = False) -> list[Statement]:
    """What CREATE does not set on a re-created ``obj``: comment, privileges, OWNED BY..."""
    kind = obj.key.kind
    after = dict(_AFTER.get(kind, {}))
    if kind != "extension":
        after["comment"] = None
    if kind not in _NO_ACL:
        after["acl"] = None
    values = {
        name: (obj.get(name), default)
        for name, default in after.items()
        if obj.get(name) != default
    }
    if not values:
        return []
    materialized = bool(obj.get("materialized"))
    return alter(Reverted(obj.key, values, materialized, obj, on_view), style)


def column(obj: SchemaObject) -> str:
    """A column as CREATE TABLE and ADD COLUMN define it."""
    get = obj.get
    parts = [ident(obj.key.name), str(get("type"))]
    if get("collation") is not None:
        parts.append(f"COLLATE {get('collation')}")
    if get("generated") is not None:
        kind = str(get("generated_kind")).upper()
        parts.append(f"GENERATED ALWAYS AS ({get('generated')}) {kind}")
    if get("identity") is not None:
        identity = f"GENERATED {str(get('identity')).upper()} AS IDENTITY"
        options = get("identity_options")
        parts.append(identity + (f" ({options})" if options else ""))
    if get("default") is not None:
        parts.append(f"DEFAULT {get('default')}")
    if get("not_null") and get("identity") is None:
        parts.append("NOT NULL")
    return " ".join(parts)


def create(
    obj: SchemaObject, style: Style, *, columns: Sequence[SchemaObject] = ()
) -> list[Statement]:
    """``obj`` made again; ``columns``: a table's, in their order."""
    key, get = obj.key, obj.get
    name = relation(key, style)
    exists = "IF NOT EXISTS " if style.guarded else ""
    replace = "OR REPLACE " if style.guarded else ""
    kind = key.kind
    if kind == "table":
        text = _table(obj, style, columns)
    elif kind == "column":
        text = f"ALTER TABLE {table(key, style)} ADD COLUMN {exists}{column(obj)}"
    elif kind == "index":
        text = _index(obj, style)
    elif kind == "constraint":
        constraint = f"{ident(key.name)} {get('definition')}"
        text = f"ALTER TABLE {table(key, style)} ADD CONSTRAINT {constraint}"
    elif kind == "sequence":
        cycle = "CYCLE" if get("cycle") else "NO CYCLE"
        text = (
            f"CREATE SEQUENCE {exists}{name} AS {get('type')} START WITH {get('start')} "
            f"INCREMENT BY {get('increment')} MINVALUE {get('min')} MAXVALUE {get('max')} "
            f"CACHE {get('cache')} {cycle}"
        )
    elif kind == "enum":
        text = f"CREATE TYPE {name} AS ENUM ({', '.join(map(literal, items(get('labels'))))})"
    elif kind == "composite":
        text = f"CREATE TYPE {name} AS ({', '.join(items(get('attributes')))})"
    elif kind == "domain":
        text = domain(obj, name)
    elif kind == "function":
        return [function(obj, style)]
    elif kind == "trigger":
        text = trigger(obj, style, replace)
    elif kind == "view":
        definition = str(get("definition")).rstrip().removesuffix(";")
        with_ = f" WITH ({options(get('options'))})" if get("options") else ""
        if get("materialized"):
            text = f"CREATE MATERIALIZED VIEW {exists}{name}{with_} AS\n{definition}"
        else:
            text = f"CREATE {replace}VIEW {name}{with_} AS\n{definition}"
    elif kind == "schema":
        text = f"CREATE SCHEMA {exists}{name}"
    elif kind == "extension":
        text = f"CREATE EXTENSION {exists}{name}"
        if key.schema != "public" or style.qualify:
            text += f" WITH SCHEMA {ident(key.schema)}"
        if get("version") is not None:
            text += f" VERSION {literal(str(get('version')))}"
    elif kind == "policy":
        text = policy(obj, style)
    elif kind == "rule":
        definition = str(get("definition")).rstrip().removesuffix(";")
        text = definition.replace("CREATE RULE", f"CREATE {replace}RULE", 1)
    elif kind == "statistics":
        text = str(get("definition")).replace(
            "CREATE STATISTICS ", f"CREATE STATISTICS {exists}", 1
        )
    elif kind == "event_trigger":
        text = event_trigger(obj, name)
    elif kind == "collation":
        text = collation(obj, name, exists)
    else:
        return []  # default_acl: only privileges, set by finish
    if style.guarded and kind in _UNGUARDED:
        return [Note(f"where it is missing: {text}")]
    return [Sql(text)]


def _table(obj: SchemaObject, style: Style, columns: Sequence[SchemaObject]) -> str:
    key, get = obj.key, obj.get
    unlogged = "UNLOGGED " if get("kind") == "unlogged table" else ""
    exists = "IF NOT EXISTS " if style.guarded else ""
    text = f"CREATE {unlogged}TABLE {exists}{relation(key, style)}"
    if get("partition_of") is not None:
        parent = in_schema(key.schema, str(get("partition_of")), style)
        text += f" PARTITION OF {parent} {get('partition_bound')}"
    elif get("of_type") is not None:
        text += f" OF {get('of_type')}"
    elif columns:
        text += " (\n" + ",\n".join(f"    {column(c)}" for c in columns) + "\n)"
    else:
        text += " ()"
    inherits = [in_schema(key.schema, parent, style) for parent in items(get("inherits"))]
    if inherits and get("partition_of") is None:
        text += f" INHERITS ({', '.join(inherits)})"
    if get("partition_key") is not None:
        text += f" PARTITION BY {get('partition_key')}"
    if get("access_method") not in (None, "heap"):
        text += f" USING {ident(str(get('access_method')))}"
    if get("options"):
        text += f" WITH ({options(get('options'))})"
    if get("tablespace") is not None:
        text += f" TABLESPACE {ident(str(get('tablespace')))}"
    return text


def _index(obj: SchemaObject, style: Style) -> str:
    key, get = obj.key, obj.get
    unique = "UNIQUE " if get("unique") else ""
    exists = "IF NOT EXISTS " if style.guarded else ""
    # Each entry of columns is an index element as CREATE INDEX takes it (index.sql).
    columns = ", ".join(items(get("columns")))
    text = f"CREATE {unique}INDEX {exists}{ident(key.name)} ON {table(key, style)}"
    text += f" USING {get('method')} ({columns})"
    if get("include"):
        text += f" INCLUDE ({', '.join(items(get('include')))})"
    if get("nulls_not_distinct"):
        text += " NULLS NOT DISTINCT"
    if get("options"):
        text += f" WITH ({options(get('options'))})"
    if get("tablespace") is not None:
        text += f" TABLESPACE {ident(str(get('tablespace')))}"
    if get("predicate") is not None:
        text += f" WHERE {get('predicate')}"
    return text
