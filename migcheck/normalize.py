"""Canonical forms of what PostgreSQL versions print differently but mean the same.

Within one server, catalog text is compared as printed. Across versions (and between
a snapshot file and a live database) snapshots are compared after ``for_comparison``:
expressions are parsed with sqlglot and compared as trees (redundant parentheses
dropped, the spellings of ``VERSION_DEPENDENT`` brought to one form), and the other
known catalog differences of that list are evened out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import cast

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import SqlglotError

from migcheck.diff import Added, Difference, Removed, diff
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

# Known catalog differences between major versions that are not differences of schema,
# found by building the same schemas on PostgreSQL 13 to 18 and comparing the catalogs
# (tests/test_normalize.py holds one case of each, both ways). Name: what and how.
VERSION_DEPENDENT: dict[str, str] = {
    "extension versions": "each release ships its own default version of a contrib "
    "extension (citext 1.6 up to 17, 1.8 on 18): extension versions are not compared",
    "SQL-standard function syntax": "14 prints EXTRACT(f FROM x), x AT TIME ZONE z, "
    "POSITION(a IN b), SUBSTRING(s FROM i FOR n), OVERLAY(...), TRIM(BOTH FROM s), "
    "NORMALIZE(s, NFC), s IS NFC NORMALIZED, (a, b) OVERLAPS (c, d) and COLLATION FOR (s) "
    'where 13 printed the function calls date_part, timezone, "position", "substring", '
    '"overlay", btrim/ltrim/rtrim, "normalize", is_normalized, "overlaps" and '
    "pg_collation_for: both spellings read as the same expression",
    "EXTRACT result type": "EXTRACT returns numeric since 14 (double precision before), so "
    "a constant compared with it is printed 0::numeric, not 0::double precision: casts to "
    "numeric or double precision of constants compared with EXTRACT, and of EXTRACT "
    "itself, are not compared. A view column computed by EXTRACT really changes type "
    "(double precision to numeric) and is reported: cast it to pin its type",
    "single-table column qualifiers": "16 stopped qualifying columns in view definitions "
    "that read a single table (invoices.total became total): qualifiers are dropped there",
    "public schema privileges": "15 made pg_database_owner the owner of schema public and "
    "took CREATE on it from PUBLIC (=UC/postgres became =U/pg_database_owner): in the "
    "privileges of schema public, the owner's role is read as 'the owner' and PUBLIC's "
    "CREATE is left out, so REVOKE CREATE ON SCHEMA public FROM PUBLIC on 13 matches 15",
    "MAINTAIN privilege": "17 added the MAINTAIN privilege (m) to tables and materialized "
    "views, and GRANT ALL grants it (arwdDxt became arwdDxtm): 'm' is left out of "
    "privileges",
}

# Attributes left out of cross-version comparisons altogether.
_LEFT_OUT = frozenset({("extension", "version")})


def _rewrite_tokens(text: str) -> str:
    """PostgreSQL 13 spellings that sqlglot reads wrongly or not at all, respelled.

    ``"position"(s, sub)`` (what ``POSITION(sub IN s)`` deparses to before 14) parses with
    its arguments swapped; ``strpos`` is the same function with the same argument order.
    ``"normalize"(s, 'nfc'::text)`` does not parse; ``COLLATION FOR (s)`` neither.
    """
    try:
        tokens = sqlglot.tokenize(text, read="postgres")
    except SqlglotError:
        return text
    edits: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        if token.token_type == TokenType.IDENTIFIER and following.token_type == TokenType.L_PAREN:
            name = {"position": "strpos", "normalize": _NORMALIZE}.get(token.text)
            if name is not None:
                edits.append((token.start, token.end, name))
        elif (
            token.text.upper() == "COLLATION"
            and following.token_type == TokenType.FOR
            and i + 2 < len(tokens)
            and tokens[i + 2].token_type == TokenType.L_PAREN
        ):
            edits.append((token.start, following.end, "pg_collation_for"))
    for start, end, name in reversed(edits):
        text = text[:start] + name + text[end + 1 :]
    return text


_NORMALIZE = "migcheck_normalize"  # a name sqlglot leaves alone: an Anonymous call


def _string(node: exp.Expression | None) -> str | None:
    """The text of a string constant, cast or not (``'nfc'::text``)."""
    if isinstance(node, exp.Cast):
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string:
        return str(node.this)
    return None


def _form_call(name: str, this: exp.Expression, form: str | None) -> exp.Expression:
    """``NORMALIZE(s, NFC)`` and ``s IS NFC NORMALIZED`` as one plain node each."""
    arguments = [this] if form is None else [this, exp.var(form.upper())]
    return exp.Anonymous(this=name, expressions=arguments)


def _plain_number_type(node: exp.DataType) -> bool:
    """``numeric`` or ``double precision`` without a precision that would round."""
    return node.this in (exp.DataType.Type.DOUBLE, exp.DataType.Type.DECIMAL) and not (
        node.expressions
    )


def _number_cast(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.Literal)
        and not node.this.is_string
        and _plain_number_type(node.to)
    )


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_FORM_CALLS = {"is_normalized": "IS_NORMALIZED", _NORMALIZE: "NORMALIZE"}


def _standard_syntax(node: exp.Expression) -> exp.Expression:
    """One node in the form both spellings of an SQL-standard function share."""
    if isinstance(node, exp.Anonymous):
        name, arguments = node.name.lower(), node.expressions
        if name == "timezone" and len(arguments) == 2:
            return exp.AtTimeZone(this=arguments[1], zone=arguments[0])
        if name == "overlaps" and len(arguments) == 4:
            return exp.Overlaps(
                this=exp.Tuple(expressions=arguments[:2]),
                expression=exp.Tuple(expressions=arguments[2:]),
            )
        if name in _FORM_CALLS and arguments:
            form = _string(arguments[1]) if len(arguments) > 1 else None
            return _form_call(_FORM_CALLS[name], arguments[0], form)
        return node
    if isinstance(node, exp.Normalize):
        form = node.args.get("form")
        return _form_call("NORMALIZE", node.this, form.name if form else None)
    # sqlglot reads "s IS NFC NORMALIZED" as "(s IS NFC) AS NORMALIZED", and
    # "s IS NORMALIZED" as a comparison with a column named NORMALIZED.
    if isinstance(node, exp.Alias) and node.alias == "NORMALIZED":
        tested = node.this
        if isinstance(tested, exp.Is) and isinstance(tested.expression, exp.Column):
            return _form_call("IS_NORMALIZED", tested.this, tested.expression.name)
    if (
        isinstance(node, exp.Is)
        and isinstance(node.expression, exp.Column)
        and node.expression.name == "NORMALIZED"
        and not node.expression.table
    ):
        return _form_call("IS_NORMALIZED", node.this, None)
    if isinstance(node, exp.Extract):
        field = _string(node.this)  # date_part('year'::text, x)
        if field is not None:
            node.set("this", exp.var(field.upper()))
    elif isinstance(node, exp.Cast) and isinstance(node.this, exp.Extract):
        if _plain_number_type(node.to):
            return node.this
    elif isinstance(node, exp.Trim) and not node.args.get("position"):
        node.set("position", "BOTH")  # btrim(s) is TRIM(BOTH FROM s)
    elif isinstance(node, _COMPARISONS):
        left, right = node.this, node.expression
        if isinstance(left, exp.Extract) and _number_cast(right):
            node.set("expression", right.this)
        elif isinstance(right, exp.Extract) and _number_cast(left):
            node.set("this", left.this)
    return node


def _bottom_up(
    tree: exp.Expression, rule: Callable[[exp.Expression], exp.Expression]
) -> exp.Expression:
    """Apply ``rule`` to every node, children before their parents."""
    # Reversed pre-order: every node comes after all of its descendants.
    for node in reversed(list(tree.dfs())):
        new = rule(cast(exp.Expression, node))  # sqlglot 30 types nodes as its Expr base
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


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
        tree = cast(exp.Expression, sqlglot.parse_one(_rewrite_tokens(cleaned), read="postgres"))
    except SqlglotError:
        return " ".join(cleaned.split())
    if tree is None:
        return " ".join(cleaned.split())
    tree = _strip_parentheses(tree)
    tree = _bottom_up(tree, _standard_syntax)
    tree = _unqualify_single_table(tree)
    return _dump(tree)


def _dump(node: object) -> str:
    """The structure of a tree, its arguments in name order.

    The structure, not SQL text: two texts whose parentheses changed the meaning stay
    different even though their SQL without parentheses reads the same. Name order, not
    the order in which the parser happened to set them (``rtrim(s, 'x')`` and
    ``TRIM(TRAILING 'x' FROM s)`` set the same arguments in another order).
    """
    if isinstance(node, exp.Expression):
        arguments = ", ".join(
            f"{name}={_dump(value)}"
            for name, value in sorted(node.args.items())
            if value is not None and value != [] and not name.startswith("_")
        )
        return f"{type(node).__name__}({arguments})"
    if isinstance(node, list):
        return "[" + ", ".join(_dump(item) for item in node) + "]"
    return repr(node)


_ACL_ITEM = re.compile(r'^(?P<grantee>"(?:[^"]|"")*"|[^=]*)=(?P<privileges>[^/]*)/(?P<grantor>.*)$')


def _acl(items: tuple[str, ...], *, public_schema: bool) -> tuple[str, ...]:
    parsed = []
    for item in items:
        match = _ACL_ITEM.match(item)
        if match is None:
            parsed.append((item, "", ""))
            continue
        grantee, privileges, grantor = match.group("grantee", "privileges", "grantor")
        parsed.append((grantee, re.sub(r"m\*?", "", privileges), grantor))
    if public_schema:
        owners = {"pg_database_owner"} | {grantor for grantee, _, grantor in parsed if not grantee}
        parsed = [
            (
                "<owner>" if grantee in owners else grantee,
                privileges.replace("C", "") if not grantee else privileges,
                "<owner>" if grantor in owners else grantor,
            )
            for grantee, privileges, grantor in parsed
        ]
    return tuple(sorted(f"{e}={p}/{r}" if r else e for e, p, r in parsed))


def _canonical_value(value: Value) -> Value:
    if isinstance(value, str):
        return canonical(value)
    if isinstance(value, tuple):
        return tuple(canonical(item) for item in value)
    return value


def _attribute(key: Key, name: str, value: Value) -> Value:
    if name in EXPRESSIONS.get(key.kind, ()):
        return _canonical_value(value)
    if name == "acl" and isinstance(value, tuple):
        return _acl(value, public_schema=key.kind == "schema" and key.name == "public")
    return value


def for_comparison(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` with expressions in canonical form and version-dependent facts evened out."""
    objects = []
    for obj in snapshot.objects:
        attributes = tuple(
            (name, _attribute(obj.key, name, value))
            for name, value in obj.attributes
            if (obj.key.kind, name) not in _LEFT_OUT
        )
        objects.append(replace(obj, attributes=attributes))
    return replace(snapshot, objects=tuple(objects))


__all__ = ["VERSION_DEPENDENT", "Key", "SchemaObject", "canonical", "for_comparison"]


def differences(
    old: Snapshot, new: Snapshot, *, old_canonical: Snapshot | None = None
) -> tuple[Difference, ...]:
    """What differs between snapshots from different servers, compared in canonical form
    and told with the catalog's own text. ``old_canonical``: ``for_comparison(old)``,
    when the caller compares one snapshot with several."""
    if old.objects == new.objects:
        return ()
    canonical = old_canonical if old_canonical is not None else for_comparison(old)
    found = diff(canonical, for_comparison(new))
    before, after = old.by_key(), new.by_key()
    told: list[Difference] = []
    for difference in found:
        if isinstance(difference, Added):
            told.append(Added(after[difference.key]))
        elif isinstance(difference, Removed):
            told.append(Removed(before[difference.key]))
        else:
            told.append(
                replace(
                    difference,
                    old=before[difference.key].get(difference.attribute),
                    new=after[difference.key].get(difference.attribute),
                )
            )
    return tuple(told)
