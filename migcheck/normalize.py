"""Canonical forms of what PostgreSQL versions print differently but mean the same.

Within one server, catalog text is compared as printed. Across versions (and between
a snapshot file and a live database) expressions are compared in a canonical form:
parsed with sqlglot, redundant parentheses dropped, column qualifiers dropped where a
query reads a single table (PostgreSQL 16 stopped printing them there), and the
documented list of catalog differences below applied.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from migcheck.snapshot import Key, SchemaObject, Snapshot, Value

# Attributes holding SQL expressions or queries, by object kind.
EXPRESSIONS: dict[str, frozenset[str]] = {
    "column": frozenset({"default", "generated"}),
    "constraint": frozenset({"definition"}),
    "index": frozenset({"predicate", "columns"}),
    "view": frozenset({"definition"}),
    "trigger": frozenset({"when"}),
    "policy": frozenset({"using", "with_check"}),
    "domain": frozenset({"default", "checks"}),
}

# Known catalog differences between major versions that are not differences of schema.
# (kind, attribute): why it is left out of cross-version comparisons.
VERSION_DEPENDENT: dict[tuple[str, str], str] = {
    ("extension", "version"): "each PostgreSQL release ships its own default version "
    "of contrib extensions (citext 1.6 on 13, 1.8 on 18)",
}


def _strip_parentheses(tree: exp.Expression) -> exp.Expression:
    if isinstance(tree, exp.Paren):
        tree = tree.this
    for paren in list(tree.find_all(exp.Paren)):
        paren.replace(paren.this)
    return tree


def _unqualify_single_table(tree: exp.Expression) -> exp.Expression:
    for select in tree.find_all(exp.Select):
        tables = [t for t in select.find_all(exp.Table) if t.parent_select is select]
        if len(tables) == 1 and not select.args.get("joins"):
            for column in select.find_all(exp.Column):
                if column.parent_select is select and column.table:
                    column.set("table", None)
    return tree


@lru_cache(maxsize=4096)
def canonical(text: str) -> str:
    """A form of ``text`` equal for equal meaning; the text itself when it does not parse."""
    cleaned = text.strip().rstrip(";").strip()
    try:
        # sqlglot 30 types parse_one as its new Expr base; Expression is what it returns here.
        tree = cast(exp.Expression, sqlglot.parse_one(cleaned, read="postgres"))
    except SqlglotError:
        return " ".join(cleaned.split())
    if tree is None:
        return " ".join(cleaned.split())
    tree = _unqualify_single_table(_strip_parentheses(tree))
    # repr() shows the tree's structure, so two texts whose parentheses changed the
    # meaning stay different even though their SQL without parentheses reads the same.
    return repr(tree)


def _canonical_value(value: Value) -> Value:
    if isinstance(value, str):
        return canonical(value)
    if isinstance(value, tuple):
        return tuple(canonical(item) for item in value)
    return value


def for_comparison(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` with expressions in canonical form and version-dependent facts left out."""
    objects = []
    for obj in snapshot.objects:
        expressions = EXPRESSIONS.get(obj.key.kind, frozenset())
        attributes = tuple(
            (name, _canonical_value(value) if name in expressions else value)
            for name, value in obj.attributes
            if (obj.key.kind, name) not in VERSION_DEPENDENT
        )
        objects.append(replace(obj, attributes=attributes))
    return replace(snapshot, objects=tuple(objects))


__all__ = ["VERSION_DEPENDENT", "Key", "SchemaObject", "canonical", "for_comparison"]
