"""Setting attributes back on indexes, constraints, views, types and default privileges."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migcheck.diff import object_name, render_value
from migcheck.fixes import acl
from migcheck.fixes.names import relation, table
from migcheck.fixes.reverted import Handler, Reverted, by_hand
from migcheck.fixes.sql import (
    Note,
    Sql,
    Statement,
    Style,
    dollar,
    ident,
    in_schema,
    items,
    literal,
    option_changes,
    options,
    qualified,
)
from migcheck.snapshot import Value

_DEFINITIONAL_INDEX = ("columns", "method", "include")


def _index(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    name = relation(key, style)
    # What the index's own definition cannot be edited into: said, with the old values.
    by_hand_too = [a for a in ("columns", "method", "include") if a in values]
    if "nulls_not_distinct" in values and change.wanted("nulls_not_distinct"):
        by_hand_too.append("nulls_not_distinct")
    if by_hand_too:
        was = ", ".join(f"{a} {render_value(change.wanted(a))}" for a in by_hand_too)
        yield Note(f"{object_name(key)}: re-create it ({was}): DROP INDEX, then CREATE INDEX")
    elif "predicate" in values or "unique" in values or "nulls_not_distinct" in values:
        yield _rebuilt_index(change, name)
    if "partition_of" in values:
        parent = change.wanted("partition_of")
        if parent is not None and change.now("partition_of") is None:
            on = in_schema(key.schema, str(parent), style)
            yield Sql(f"ALTER INDEX {on} ATTACH PARTITION {name}")
        else:
            yield by_hand(key, "partition_of", parent)
    if "tablespace" in values:
        space = ident(str(change.wanted("tablespace") or "pg_default"))
        yield Sql(f"ALTER INDEX {name} SET TABLESPACE {space}")
    if "options" in values:
        yield from option_changes(f"INDEX {name}", change.wanted("options"), change.now("options"))


def _rebuilt_index(change: Reverted, name: str) -> Sql:
    """The index made again from its own definition (pg_get_indexdef), with the parts
    that changed put back: uniqueness, NULLS NOT DISTINCT taken off, the predicate."""
    values = change.values
    built = "definition"
    if "unique" in values:
        unique = "UNIQUE " if change.wanted("unique") else ""
        built = f"regexp_replace({built}, '^CREATE (UNIQUE )?INDEX', 'CREATE {unique}INDEX')"
    if "nulls_not_distinct" in values:
        built = f"replace({built}, ' NULLS NOT DISTINCT', '')"
    if "predicate" in values:
        # WHERE is the last clause pg_get_indexdef writes.
        built = f"regexp_replace({built}, ' WHERE .*$', '')"
        if change.wanted("predicate") is not None:
            built += " || " + literal(f" WHERE {change.wanted('predicate')}")
    index = literal(name) + "::regclass"
    body = (
        "\nDECLARE\n"
        f"    definition text := pg_get_indexdef({index});\n"
        f"    description text := obj_description({index}, 'pg_class');\n"
        "BEGIN\n"
        f"    DROP INDEX {name};\n"
        f"    EXECUTE {built};\n"
        f"    EXECUTE format('COMMENT ON INDEX %s IS %L', {literal(name)}, description);\n"
        "END\n"
    )
    return Sql(f"DO {dollar(body)}")


def _constraint(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    if "definition" in values:
        alter_table = f"ALTER TABLE {table(key, style)}"
        yield Sql(f"{alter_table} DROP CONSTRAINT {ident(key.name)}")
        yield Sql(f"{alter_table} ADD CONSTRAINT {ident(key.name)} {change.wanted('definition')}")
        return
    for name in ("type", "deferrable", "deferred", "validated"):
        if name in values:
            yield by_hand(key, name, change.wanted(name))


def _view(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    name = relation(key, style)
    kind = "MATERIALIZED VIEW" if change.materialized else "VIEW"
    if "materialized" in values:
        yield by_hand(key, "materialized", change.wanted("materialized"))
        return
    if "definition" in values:
        definition = str(change.wanted("definition")).rstrip().removesuffix(";")
        wanted = change.wanted("options") if "options" in values else None
        with_ = f" WITH ({options(wanted)})" if wanted else ""
        if change.materialized or change.remade:
            yield Sql(f"DROP {kind} {name}")
            yield Sql(f"CREATE {kind} {name}{with_} AS\n{definition}")
            lost = "indexes, comment" if change.materialized else "comment"
            yield Note(
                f"DROP {kind} dropped the {lost} and privileges of {name}: make any it had again"
            )
        else:
            yield Sql(f"CREATE OR REPLACE VIEW {name}{with_} AS\n{definition}")
            if "options" not in values:
                yield Note(
                    f"CREATE OR REPLACE VIEW resets the options of {name} (security_barrier,"
                    " check_option...): set any it had again"
                )
    elif "options" in values:
        yield from option_changes(f"{kind} {name}", change.wanted("options"), change.now("options"))


def _enum(change: Reverted, style: Style) -> Iterator[Statement]:
    if "labels" not in change.values:
        return
    key = change.key
    old, new = (items(value) for value in change.values["labels"])
    name = relation(key, style)
    present = [label for label in old if label in new]
    if present != list(new):  # values were added or moved
        yield from _recreated_enum(key.schema, key.name, old, style)
        return
    for i, label in enumerate(old):  # values were lost: add them back in place
        if label in present:
            continue
        following = next((later for later in old[i + 1 :] if later in present), None)
        if following is None:
            yield Sql(f"ALTER TYPE {name} ADD VALUE {literal(label)}")
            present.append(label)
        else:
            yield Sql(f"ALTER TYPE {name} ADD VALUE {literal(label)} BEFORE {literal(following)}")
            present.insert(present.index(following), label)


def _recreated_enum(
    schema: str, name: str, labels: tuple[str, ...], style: Style
) -> Iterator[Statement]:
    """PostgreSQL drops no enum value: a new type, every column converted to it."""
    new, old = qualified(schema, name, style), qualified(schema, name + "_old", style)
    yield Note(
        f"PostgreSQL cannot drop a value of an enum type: {new} is made again and its\n"
        "columns converted (rows holding a value it no longer has must be changed first)"
    )
    yield Sql(f"ALTER TYPE {new} RENAME TO {ident(name + '_old')}")
    yield Sql(f"CREATE TYPE {new} AS ENUM ({', '.join(literal(label) for label in labels)})")
    # Defaults name the type (they are dropped and set again with the new one's name).
    body = f"""
DECLARE
    old_type regtype := {literal(old)};
    new_type text := {literal(new)};
    renamed text := {literal(ident(name + "_old"))};
    named text := {literal(ident(name))};
    col record;
BEGIN
    FOR col IN
        SELECT a.attrelid::regclass AS tbl, quote_ident(a.attname) AS name,
               CASE WHEN a.atttypid = old_type THEN '' ELSE '[]' END AS dims,
               pg_get_expr(d.adbin, d.adrelid) AS dflt
          FROM pg_attribute AS a
          JOIN pg_class AS c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
          LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.atttypid IN (old_type, (SELECT typarray FROM pg_type WHERE oid = old_type))
           AND a.attnum > 0 AND NOT a.attisdropped AND a.attinhcount = 0
    LOOP
        IF col.dflt IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT', col.tbl, col.name);
        END IF;
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING %s::text%s::%s%s',
                       col.tbl, col.name, new_type, col.dims,
                       col.name, col.dims, new_type, col.dims);
        IF col.dflt IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s',
                           col.tbl, col.name, replace(col.dflt, renamed, named));
        END IF;
    END LOOP;
END
"""
    yield Sql(f"DO {dollar(body)}")
    yield Sql(f"DROP TYPE {old}")


_ATTRIBUTE = re.compile(r'^("(?:[^"]|"")*"|\S+) (.*)$')


def _composite(change: Reverted, style: Style) -> Iterator[Statement]:
    if "attributes" not in change.values:
        return
    old, new = (_attributes(value) for value in change.values["attributes"])
    actions = [f"DROP ATTRIBUTE {name}" for name in new if name not in old]
    actions += [f"ALTER ATTRIBUTE {n} TYPE {old[n]}" for n in new if n in old and old[n] != new[n]]
    actions += [f"ADD ATTRIBUTE {name} {old[name]}" for name in old if name not in new]
    order = [name for name in new if name in old] + [name for name in old if name not in new]
    if order != list(old):
        yield by_hand(change.key, "attributes", change.wanted("attributes"))
    elif actions:
        yield Sql(f"ALTER TYPE {relation(change.key, style)} {', '.join(actions)}")


def _attributes(value: Value) -> dict[str, str]:
    """A composite type's 'name type' entries: type by attribute name, in order."""
    found = (_ATTRIBUTE.match(item) for item in items(value))
    return {match.group(1): match.group(2) for match in found if match}


def _domain(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    domain = f"ALTER DOMAIN {relation(key, style)}"
    for name in ("type", "collation"):
        if name in values:
            yield by_hand(key, name, change.wanted(name))
    if "not_null" in values:
        yield Sql(f"{domain} {'SET' if change.wanted('not_null') else 'DROP'} NOT NULL")
    if "default" in values:
        default = change.wanted("default")
        yield Sql(
            f"{domain} DROP DEFAULT" if default is None else f"{domain} SET DEFAULT {default}"
        )
    if "checks" in values:
        old, new = (_checks(value) for value in values["checks"])
        for name in (n for n in new if old.get(n) != new[n]):
            yield Sql(f"{domain} DROP CONSTRAINT {ident(name)}")
        for name in (n for n in old if new.get(n) != old[n]):
            yield Sql(f"{domain} ADD CONSTRAINT {ident(name)} {old[name]}")


def _checks(value: Value) -> dict[str, str]:
    """A domain's 'name: CHECK (...)' entries by constraint name."""
    return dict(item.split(": ", 1) for item in items(value) if ": " in item)


def _default_acl(change: Reverted, style: Style) -> Iterator[Statement]:
    key = change.key
    if "acl" not in change.values:
        return
    where = f" IN SCHEMA {ident(key.schema)}" if key.schema else ""
    prefix = f"ALTER DEFAULT PRIVILEGES FOR ROLE {key.parent}{where} "
    # Entries IN SCHEMA add to the global ones: without an entry, nothing is added.
    kinds = {"tables": "table", "sequences": "sequence", "functions": "function"}
    kinds |= {"types": "type", "schemas": "schema", "large objects": "large object"}
    kind = "none" if key.schema else kinds.get(key.name, "none")
    old, new = change.values["acl"]
    yield from acl.grants(key.name.upper(), kind, old, new, prefix=prefix, owner=key.parent)


HANDLERS: dict[str, tuple[Handler, frozenset[str]]] = {
    "index": (
        _index,
        frozenset({"unique", "method", "columns", "include", "predicate", "nulls_not_distinct"})
        | {"partition_of", "tablespace", "options"},
    ),
    "constraint": (
        _constraint,
        frozenset({"type", "definition", "deferrable", "deferred", "validated"}),
    ),
    "view": (_view, frozenset({"definition", "materialized", "options"})),
    "enum": (_enum, frozenset({"labels"})),
    "composite": (_composite, frozenset({"attributes"})),
    "domain": (_domain, frozenset({"type", "not_null", "default", "collation", "checks"})),
    "default_acl": (_default_acl, frozenset({"acl"})),
}
