"""The pieces every statement of a fix is made of: names quoted as PostgreSQL quotes
them, string literals, privileges, and how a statement becomes a line of Python."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from migcheck.snapshot import Value


@dataclass(frozen=True, slots=True)
class Sql:
    """One statement. ``exact``: its line breaks are part of its text (a function body, a
    comment): written so that indenting the pasted lines cannot change it."""

    text: str
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Note:
    """What cannot be derived as a statement: said as a ``#`` comment, to do by hand."""

    text: str


Statement = Sql | Note


@dataclass(frozen=True, slots=True)
class Style:
    """How the statements of one finding are written.

    ``qualify``: schema-qualify names in public too (a search_path another revision
    set may be in force). ``guarded``: IF EXISTS / IF NOT EXISTS where PostgreSQL has
    them, for statements that run also where the objects are already right.
    """

    pg_version: int | None = None
    qualify: bool = False
    guarded: bool = False

    def since(self, major: int) -> bool:
        return self.pg_version is None or self.pg_version >= major


# pg_get_keywords() of PostgreSQL 18 whose category is not "unreserved": quote_ident
# quotes these (a superset of older releases' list; quoting more is harmless).
_KEYWORDS = """
all analyse analyze and any array as asc asymmetric authorization between bigint binary bit
boolean both case cast char character check coalesce collate collation column concurrently
constraint create cross current_catalog current_date current_role current_schema current_time
current_timestamp current_user dec decimal default deferrable desc distinct do else end except
exists extract false fetch float for foreign freeze from full grant greatest group grouping
having ilike in initially inner inout int integer intersect interval into is isnull join json
json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar
json_serialize json_table json_value lateral leading least left like limit localtime
localtimestamp merge_action national natural nchar none normalize not notnull null nullif
numeric offset on only or order out outer overlaps overlay placing position precision primary
real references returning right row select session_user setof similar smallint some substring
symmetric system_user table tablesample then time timestamp to trailing treat trim true union
unique user using values varchar variadic verbose when where window with xmlattributes
xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize
xmltable
"""
KEYWORDS = frozenset(_KEYWORDS.split())
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


def ident(name: str) -> str:
    """``name`` as PostgreSQL's quote_ident writes it."""
    if _PLAIN.fullmatch(name) and name not in KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str, style: Style) -> str:
    """``schema.name``; without the schema in public unless ``style.qualify``."""
    if not schema or (schema == "public" and not style.qualify):
        return ident(name)
    return f"{ident(schema)}.{ident(name)}"


def in_schema(schema: str, text: str, style: Style) -> str:
    """A name the catalog wrote quoted and relative to ``schema`` (``t``, ``s.t``)."""
    if len(split_name(text)) > 1 or not schema or (schema == "public" and not style.qualify):
        return text
    return f"{ident(schema)}.{text}"


_PART = re.compile(r'"(?:[^"]|"")*"|[^."]+')


def split_name(text: str) -> list[str]:
    """The dot-separated parts of a quoted name, still quoted: ``s."a.b"`` -> s, "a.b"."""
    return _PART.findall(text)


def literal(text: str) -> str:
    """A string constant (standard_conforming_strings, on since PostgreSQL 9.1)."""
    return "'" + text.replace("'", "''") + "'"


def dollar(text: str, tag: str = "") -> str:
    """``text`` between dollar quotes whose tag it does not contain."""
    while f"${tag}$" in text:
        tag = tag + "_" if tag else "body"
    return f"${tag}${text}${tag}$"


def comment(target: str, value: Value) -> Sql:
    text = "NULL" if value is None else literal(str(value))
    return Sql(f"COMMENT ON {target} IS {text}", exact="\n" in text)


def options(value: Value) -> str:
    """Storage parameters (``fillfactor=70``) as in ``WITH (...)``."""
    return ", ".join(_option(item) for item in items(value))


def _option(item: str) -> str:
    name, _, value = item.partition("=")
    return item if re.fullmatch(r"[\w.+-]*", value) else f"{name}={literal(value)}"


def option_changes(target: str, old: Value, new: Value) -> Iterator[Sql]:
    """``ALTER <target> RESET (...)`` / ``SET (...)``: storage parameters back to ``old``."""
    before = {item.partition("=")[0]: item for item in items(old)}
    after = {item.partition("=")[0]: item for item in items(new)}
    reset = [name for name in after if name not in before]
    if reset:
        yield Sql(f"ALTER {target} RESET ({', '.join(reset)})")
    changed = tuple(item for name, item in before.items() if after.get(name) != item)
    if changed:
        yield Sql(f"ALTER {target} SET ({options(changed)})")


def items(value: Value) -> tuple[str, ...]:
    """The items of a list attribute (labels, columns, options); none for NULL."""
    return value if isinstance(value, tuple) else ()


# op.execute wraps a string in SQLAlchemy's text(), which reads ":name" as a bind
# parameter and "\:" as an escaped colon (sqlalchemy.sql.elements.TextClause):
# https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.text
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
_ESCAPED = re.compile(r"\\(:[\w$]*)(?!:)")


def _unbound(text: str) -> str:
    """``text`` that text() gives back as it is: every colon it would read, escaped."""
    text = _ESCAPED.sub(lambda found: "\\" + found.group(0), text)
    return _BIND.sub(lambda found: "\\" + found.group(0), text)


def python(statement: Statement) -> list[str]:
    """The lines of Python that run ``statement`` in an Alembic revision."""
    if isinstance(statement, Note):
        return ["# " + line if line else "#" for line in statement.text.split("\n")]
    text = _unbound(statement.text)
    if "\n" not in text:
        return [f"op.execute({_string(text)})"]
    if statement.exact:
        # Adjacent literals, one per line: indenting the pasted lines changes nothing.
        parts = text.split("\n")
        lines = [_string(part + "\n") for part in parts[:-1]] + [_string(parts[-1])]
        return ["op.execute(", *("    " + line for line in lines), ")"]
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return ['op.execute("""', *body.split("\n"), '""")']


def _string(text: str) -> str:
    """A one-line Python string literal, in double quotes unless single ones escape less."""
    quote = "'" if '"' in text and "'" not in text else '"'
    out = []
    for char in text:
        if char in ("\\", quote):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 32 or ord(char) == 127:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return quote + "".join(out) + quote
