"""How a statement names the object of a snapshot key: ``orders``, ``app.orders``,
``slugify(value text)``, ``CONSTRAINT ck ON orders``."""

from __future__ import annotations

from migcheck.fixes.sql import Style, ident, qualified
from migcheck.snapshot import Key, SchemaObject

# Functions are named with their identity arguments: "f(a integer)". Where a change
# does not say which kind of routine it is, ROUTINE (11+) names any of them.
_ROUTINES = {"function": "FUNCTION", "window": "FUNCTION", "procedure": "PROCEDURE"}


def relation(key: Key, style: Style) -> str:
    """The object itself: a table, view, sequence, type, index, function (with arguments)."""
    if key.kind == "function":
        name, _, arguments = key.name.partition("(")
        return f"{qualified(key.schema, name, style)}({arguments}"
    if key.kind in ("schema", "extension", "event_trigger"):
        return ident(key.name)  # not in a schema (an extension's is where it put its objects)
    return qualified(key.schema, key.name, style)


def table(key: Key, style: Style) -> str:
    """The table (or view) a column, constraint, index, trigger, policy or rule is on."""
    return qualified(key.schema, key.parent, style)


def routine(obj: SchemaObject | None) -> str:
    """FUNCTION, PROCEDURE, AGGREGATE, or ROUTINE when the kind is not known."""
    if obj is None:
        return "ROUTINE"
    kind = str(obj.get("kind"))
    return _ROUTINES.get(kind, "AGGREGATE" if kind == "aggregate" else "ROUTINE")


def target(key: Key, style: Style, *, materialized: bool = False, word: str = "") -> str:
    """The object as COMMENT ON and ALTER ... name it: ``TABLE orders``, ``COLUMN t.c``,
    ``CONSTRAINT c ON t``. ``word``: the routine's kind, where known."""
    kind = key.kind
    name = relation(key, style)
    if kind == "column":
        return f"COLUMN {table(key, style)}.{ident(key.name)}"
    if kind in ("constraint", "trigger", "policy", "rule"):
        return f"{kind.upper()} {ident(key.name)} ON {table(key, style)}"
    words = {
        "table": "TABLE",
        "view": "MATERIALIZED VIEW" if materialized else "VIEW",
        "index": "INDEX",
        "sequence": "SEQUENCE",
        "enum": "TYPE",
        "composite": "TYPE",
        "domain": "DOMAIN",
        "function": word or "ROUTINE",
        "schema": "SCHEMA",
        "extension": "EXTENSION",
        "statistics": "STATISTICS",
        "event_trigger": "EVENT TRIGGER",
        "collation": "COLLATION",
    }
    return f"{words.get(kind, kind.upper())} {name}"
