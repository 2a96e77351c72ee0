"""Setting attributes back on tables, columns and sequences."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migcheck.diff import object_name
from migcheck.fixes.names import relation, table
from migcheck.fixes.reverted import Handler, Reverted, by_hand
from migcheck.fixes.sql import (
    Note,
    Sql,
    Statement,
    Style,
    ident,
    in_schema,
    items,
    option_changes,
    split_name,
)
from migcheck.snapshot import Value


def _table(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    alter_table = f"ALTER TABLE {relation(key, style)}"
    if "kind" in values:
        kinds = {change.wanted("kind"), change.now("kind")}
        if kinds == {"table", "unlogged table"}:
            logged = "UNLOGGED" if change.wanted("kind") == "unlogged table" else "LOGGED"
            yield Sql(f"{alter_table} SET {logged}")
        else:
            yield by_hand(key, "kind", change.wanted("kind"))
    if "partition_of" in values or "partition_bound" in values:
        yield from _partition(change, style)
    if "inherits" in values:
        old, new = items(change.wanted("inherits")), items(change.now("inherits"))
        for parent in (p for p in new if p not in old):
            yield Sql(f"{alter_table} NO INHERIT {in_schema(key.schema, parent, style)}")
        for parent in (p for p in old if p not in new):
            yield Sql(f"{alter_table} INHERIT {in_schema(key.schema, parent, style)}")
    if "of_type" in values:
        if change.now("of_type") is not None:
            yield Sql(f"{alter_table} NOT OF")
        if change.wanted("of_type") is not None:
            yield Sql(f"{alter_table} OF {change.wanted('of_type')}")
    if "rls_enabled" in values:
        enable = "ENABLE" if change.wanted("rls_enabled") else "DISABLE"
        yield Sql(f"{alter_table} {enable} ROW LEVEL SECURITY")
    if "rls_forced" in values:
        force = "FORCE" if change.wanted("rls_forced") else "NO FORCE"
        yield Sql(f"{alter_table} {force} ROW LEVEL SECURITY")
    if "replica_identity" in values:
        identity = str(change.wanted("replica_identity") or "default")
        if identity.startswith("index "):
            identity = "USING INDEX " + identity.removeprefix("index ")  # quoted already
        else:
            identity = identity.upper()
        yield Sql(f"{alter_table} REPLICA IDENTITY {identity}")
    if "access_method" in values:
        method = change.wanted("access_method")
        if method is None or not style.since(15):
            yield by_hand(key, "access_method", method)
        else:
            yield Sql(f"{alter_table} SET ACCESS METHOD {ident(str(method))}")
    if "tablespace" in values:
        space = ident(str(change.wanted("tablespace") or "pg_default"))
        yield Sql(f"{alter_table} SET TABLESPACE {space}")
    if "options" in values:
        target = alter_table.removeprefix("ALTER ")
        yield from option_changes(target, change.wanted("options"), change.now("options"))


def _partition(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    old = change.wanted("partition_of") if "partition_of" in values else None
    now = change.now("partition_of") if "partition_of" in values else None
    bound = change.wanted("partition_bound") if "partition_bound" in values else None
    if "partition_of" not in values or (old is not None and bound is None):
        yield by_hand(key, "partition_bound", change.values.get("partition_bound", (None,))[0])
        return
    name = relation(key, style)
    if now is not None:
        yield Sql(f"ALTER TABLE {in_schema(key.schema, str(now), style)} DETACH PARTITION {name}")
    if old is not None:
        parent = in_schema(key.schema, str(old), style)
        yield Sql(f"ALTER TABLE {parent} ATTACH PARTITION {name} {bound}")


def _column(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    column = f"ALTER TABLE {table(key, style)} ALTER COLUMN {ident(key.name)}"
    if "type" in values and not change.on_view:
        type_ = str(change.wanted("type"))
        collate = ""
        if "collation" in values:
            collate = f" COLLATE {change.wanted('collation') or 'pg_catalog.default'}"
        yield Sql(f"{column} TYPE {type_}{collate} USING {ident(key.name)}::{type_}")
    elif "collation" in values and not change.on_view:
        collation = change.wanted("collation") or "pg_catalog.default"
        yield Note(
            f"{object_name(key)}: set its collation back to {collation}: "
            f"{column} TYPE <its type> COLLATE {collation}"
        )
    # An identity column is NOT NULL and has no default: drop its identity first, make
    # it NOT NULL without a default before it gets one.
    identity = "identity" in values or "identity_options" in values
    dropped = "identity" in values and change.wanted("identity") is None
    if identity and dropped:
        yield from _identity(change, column)
    if "not_null" in values:
        yield Sql(f"{column} {'SET' if change.wanted('not_null') else 'DROP'} NOT NULL")
    if "default" in values:
        default = change.wanted("default")
        yield Sql(
            f"{column} DROP DEFAULT" if default is None else f"{column} SET DEFAULT {default}"
        )
    if identity and not dropped:
        yield from _identity(change, column)
    if "generated" in values or "generated_kind" in values:
        yield from _generated(change, style, column)


def _identity(change: Reverted, column: str) -> Iterator[Statement]:
    values = change.values
    options = change.wanted("identity_options") if "identity_options" in values else None
    if "identity" in values:
        old, now = change.values["identity"]
        if old is None:
            yield Sql(f"{column} DROP IDENTITY")
            return
        if now is None:
            sequence = f" ({options})" if options else ""
            yield Sql(f"{column} ADD GENERATED {str(old).upper()} AS IDENTITY{sequence}")
            return
        yield Sql(f"{column} SET GENERATED {str(old).upper()}")
    if options is not None:
        settings = _SEQUENCE_OPTION.findall(str(options))
        yield Sql(f"{column} " + " ".join(f"SET {setting}" for setting in settings))


_SEQUENCE_OPTION = re.compile(
    r"START WITH \S+|INCREMENT BY \S+|MINVALUE \S+|MAXVALUE \S+|CACHE \S+|NO CYCLE|CYCLE"
)


def _generated(change: Reverted, style: Style, column: str) -> Iterator[Statement]:
    key, values = change.key, change.values
    old = change.wanted("generated") if "generated" in values else None
    now = change.now("generated") if "generated" in values else None
    virtual = "generated_kind" in values and change.now("generated_kind") == "virtual"
    if "generated" in values and old is None and not virtual:
        yield Sql(f"{column} DROP EXPRESSION")
    elif "generated" in values and now is not None and style.since(17):
        yield Sql(f"{column} SET EXPRESSION AS ({old})")
    else:
        what = old if "generated" in values else change.wanted("generated_kind")
        yield Note(
            f"{object_name(key)}: generated always as ({what}) before: drop the column and "
            "add it again with its generation expression"
        )


def _sequence(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    words = {
        "type": "AS {}",
        "start": "START WITH {}",
        "increment": "INCREMENT BY {}",
        "min": "MINVALUE {}",
        "max": "MAXVALUE {}",
        "cache": "CACHE {}",
    }
    parts = [words[name].format(change.wanted(name)) for name in words if name in values]
    if "cycle" in values:
        parts.append("CYCLE" if change.wanted("cycle") else "NO CYCLE")
    name = relation(key, style)
    if parts:
        yield Sql(f"ALTER SEQUENCE {name} {' '.join(parts)}")
    if "owned_by" in values:
        owner = change.wanted("owned_by")
        yield Sql(f"ALTER SEQUENCE {name} OWNED BY {owned_by(key.schema, owner, style)}")


def owned_by(schema: str, value: Value, style: Style) -> str:
    """A sequence's ``t.c`` (``s.t.c`` in another schema) as OWNED BY names it."""
    if value is None:
        return "NONE"
    parts = split_name(str(value))
    if len(parts) == 2 and (schema != "public" or style.qualify):
        parts.insert(0, ident(schema))
    return ".".join(parts)


HANDLERS: dict[str, tuple[Handler, frozenset[str]]] = {
    "table": (
        _table,
        frozenset(
            {"kind", "partition_of", "partition_bound", "inherits", "of_type", "rls_enabled"}
            | {"rls_forced", "replica_identity", "access_method", "tablespace", "options"}
        ),
    ),
    "column": (
        _column,
        frozenset(
            {"type", "collation", "not_null", "default", "identity", "identity_options"}
            | {"generated", "generated_kind", "position"}
        ),
    ),
    "sequence": (
        _sequence,
        frozenset({"type", "start", "increment", "min", "max", "cache", "cycle", "owned_by"}),
    ),
}
