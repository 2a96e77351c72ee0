"""Objects dropped, without CASCADE: what depends on an object is dropped before it."""

from __future__ import annotations

from migcheck.fixes.alter import alter
from migcheck.fixes.names import relation, routine, table
from migcheck.fixes.reverted import Reverted
from migcheck.fixes.sql import Sql, Statement, Style, ident
from migcheck.snapshot import SchemaObject

_DROPPED = {
    "table": "TABLE",
    "index": "INDEX",
    "sequence": "SEQUENCE",
    "enum": "TYPE",
    "composite": "TYPE",
    "domain": "DOMAIN",
    "schema": "SCHEMA",
    "extension": "EXTENSION",
    "statistics": "STATISTICS",
    "event_trigger": "EVENT TRIGGER",
    "collation": "COLLATION",
}


def drop(obj: SchemaObject, style: Style) -> list[Statement]:
    """``obj`` dropped (a default privileges entry: revoked back to the defaults)."""
    key = obj.key
    exists = "IF EXISTS " if style.guarded else ""
    if key.kind in ("column", "constraint"):
        part = f"{key.kind.upper()} {exists}{ident(key.name)}"
        return [Sql(f"ALTER TABLE {exists}{table(key, style)} DROP {part}")]
    if key.kind in ("trigger", "policy", "rule"):
        on = table(key, style)
        return [Sql(f"DROP {key.kind.upper()} {exists}{ident(key.name)} ON {on}")]
    if key.kind == "view":
        word = "MATERIALIZED VIEW" if obj.get("materialized") else "VIEW"
    elif key.kind == "function":
        word = routine(obj)
    elif key.kind == "default_acl":
        return alter(Reverted(key, {"acl": (None, obj.get("acl"))}), style)
    else:
        word = _DROPPED.get(key.kind, key.kind.upper())
    return [Sql(f"DROP {word} {exists}{relation(key, style)}")]
