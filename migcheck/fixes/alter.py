"""Attributes of an object that exists on both sides, set back to what they were:
``ALTER TABLE ... SET DEFAULT``, ``COMMENT ON ...``, ``GRANT ...``. The same statements
finish an object just re-created (its comment, privileges, OWNED BY)."""

from __future__ import annotations

from migcheck.fixes import acl
from migcheck.fixes.alter_objects import HANDLERS as OBJECTS
from migcheck.fixes.alter_relations import HANDLERS as RELATIONS
from migcheck.fixes.alter_routines import HANDLERS as ROUTINES
from migcheck.fixes.names import relation, routine, table, target
from migcheck.fixes.reverted import Handler, Reverted, by_hand
from migcheck.fixes.sql import Statement, Style, comment, ident

HANDLERS: dict[str, tuple[Handler, frozenset[str]]] = {**RELATIONS, **OBJECTS, **ROUTINES}
# The object type whose built-in default privileges a NULL ACL means, by kind.
ACL_KINDS = {
    "table": "table",
    "view": "table",
    "sequence": "sequence",
    "function": "function",
    "enum": "type",
    "composite": "type",
    "domain": "type",
    "schema": "schema",
    "column": "column",
}


def alter(change: Reverted, style: Style) -> list[Statement]:
    """Statements that set every attribute of ``change`` back; a note for each one that
    no statement can set back."""
    handler, known = HANDLERS.get(change.key.kind, (None, frozenset()))
    statements: list[Statement] = list(handler(change, style)) if handler else []
    key = change.key
    word = routine(change.obj) if key.kind == "function" else ""
    for name in change.values:
        if name in known:
            continue
        if name == "comment":
            on = target(key, style, materialized=change.materialized, word=word)
            statements.append(comment(on, change.wanted(name)))
        elif name == "acl" and key.kind in ACL_KINDS:
            statements.extend(_privileges(change, style, word))
        else:
            statements.append(by_hand(key, name, change.wanted(name), change.materialized))
    return statements


def _privileges(change: Reverted, style: Style, word: str) -> list[Statement]:
    key = change.key
    old, new = change.values["acl"]
    if key.kind == "column":
        on = f"TABLE {table(key, style)}"
        return acl.grants(on, "column", old, new, column=ident(key.name))
    if key.kind in ("table", "view"):
        on = f"TABLE {relation(key, style)}"
    elif key.kind in ("enum", "composite"):
        on = f"TYPE {relation(key, style)}"
    else:
        on = target(key, style, word=word)
    return acl.grants(on, ACL_KINDS[key.kind], old, new)
