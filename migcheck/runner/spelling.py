"""Type names as PostgreSQL's format_type prints them, as migcheck's catalog shows every
column type: what SQLAlchemy's PostgreSQL dialect compiles (``VARCHAR(500)``) made the
same spelling (``character varying(500)``), so that a diff line of Alembic's comparison
and one of the catalog's spell a type alike.

Mapped here, not asked to the server: ``format_type(to_regtype(...), NULL)`` loses the
type modifier (``varchar(500)`` is ``character varying``), and only PostgreSQL 17 has
``to_regtypemod``.
"""

import re

# The names SQLAlchemy's PostgreSQL dialect compiles, as format_type prints them.
_FORMAT_TYPE = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "varchar": "character varying",
    "char": "character",
    "nchar": "character",
    "bpchar": "character",
    "decimal": "numeric",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "varbit": "bit varying",
}
# name, (modifiers), WITH[OUT] TIME ZONE, []: ``TIMESTAMP(3) WITH TIME ZONE``,
# ``NUMERIC(10, 2)``, ``INTERVAL DAY TO SECOND (3)``, ``VARCHAR(20)[]``.
_TYPE = re.compile(
    r"(?P<name>[a-z_][\w$. ]*?)\s*(?:\((?P<modifiers>[^()]*)\))?"
    r"(?P<zone>\s+with(?:out)?\s+time\s+zone)?(?P<array>(?:\s*\[\d*\])*)"
)


def spelled(compiled: str) -> str:
    """A type as SQLAlchemy's PostgreSQL dialect compiles it (``VARCHAR(500)``,
    ``TIMESTAMP WITHOUT TIME ZONE``), spelled as PostgreSQL's format_type prints the
    type it makes (``character varying(500)``, ``timestamp without time zone``): lower
    case, where unquoted names fold to; a quoted name or anything else as it is."""
    match = None if '"' in compiled else _TYPE.fullmatch(compiled.strip().lower())
    if match is None:
        return compiled
    name = " ".join(match.group("name").split())
    modifiers = match.group("modifiers")
    mods = [m.strip() for m in modifiers.split(",")] if modifiers is not None else []
    zone = " ".join(match.group("zone").split()) if match.group("zone") else ""
    array = "[]" if match.group("array") else ""  # one [] whatever the dimensions
    if name in ("timestamptz", "timetz"):
        name, zone = name[:-2], "with time zone"
    if name in ("timestamp", "time"):
        precision = f"({mods[0]})" if mods else ""
        return f"{name}{precision} {zone or 'without time zone'}{array}"
    if zone:
        return compiled
    if name == "float":  # float(p): real up to 24 bits of precision, else double
        bits = mods[0] if mods else ""
        name, mods = ("real" if bits.isdigit() and int(bits) <= 24 else "double precision"), []
    name = _FORMAT_TYPE.get(name, name)
    if name == "numeric" and len(mods) == 1:
        mods.append("0")
    if name in ("character", "bit") and not mods:
        mods = ["1"]
    return name + (f"({','.join(mods)})" if mods else "") + array
