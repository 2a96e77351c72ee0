"""The runner's half of the models comparison (MC301): Alembic's autogenerate comparison
on the context env.py configures, the models created for real in a database of their
own, env.py's include hooks asked about the objects migcheck's catalog found, and where
each model table is defined (migcheck.runner.places).

migcheck compares the two catalogs; what needs the models' Python objects is here.
"""

import contextlib
import warnings
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from . import guard, places
from .history import load_models
from .spelling import spelled


def dialect() -> Any:
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's stubs


def metadatas(models: Any) -> Tuple[Any, ...]:
    from sqlalchemy import MetaData

    return (models,) if isinstance(models, MetaData) else tuple(models)


def _flatten(records: Iterable[Any]) -> List[Tuple[Any, ...]]:
    """Autogenerate groups a column's modify_* records in a list: one tuple each."""
    flat = []  # type: List[Tuple[Any, ...]]
    for record in records:
        flat.extend(record if isinstance(record, list) else [record])
    return flat


def table_name(table: Any) -> str:
    return f"{table.schema}.{table.name}" if table.schema else str(table.name)


def _compile(type_: Any) -> str:
    """A SQLAlchemy type as PostgreSQL's format_type spells it, as migcheck's catalog
    shows types (``spelled``)."""
    try:
        return spelled(str(type_.compile(dialect=dialect())))
    except Exception:  # a type only its own dialect can compile
        return repr(type_)


def _default(value: Any) -> str:
    """A server default as PostgreSQL would get it; dialect-only constructs (a function
    class of the project's) compiled with the PostgreSQL dialect."""
    if value is None:
        return "NULL"
    arg = getattr(value, "arg", value)
    if isinstance(arg, str):
        return arg
    text = getattr(arg, "text", None)
    if isinstance(text, str):
        return text
    try:
        return str(arg.compile(dialect=dialect(), compile_kwargs={"literal_binds": True}))
    except Exception:  # nothing compiles it: say what it is
        return repr(arg)


def _columns(item: Any) -> str:
    from sqlalchemy import Index

    names = [getattr(c, "name", str(c)) for c in getattr(item, "columns", ())]
    if isinstance(item, Index) and not names:
        names = [str(e) for e in item.expressions]
    return "(" + ", ".join(str(n) for n in names) + ")"


def _constraint(item: Any) -> str:
    from sqlalchemy.schema import ForeignKeyConstraint, UniqueConstraint

    table = table_name(item.table)
    if isinstance(item, ForeignKeyConstraint):
        target = table_name(item.referred_table)
        referred = ", ".join(str(e.column.name) for e in item.elements)
        return f"foreign key {item.name} on {table} {_columns(item)} -> {target} ({referred})"
    kind = "unique constraint" if isinstance(item, UniqueConstraint) else "constraint"
    return f"{kind} {item.name} on {table} {_columns(item)}"


def render(record: Tuple[Any, ...]) -> str:
    """One autogenerate record as a line, from the migrations' schema to the models'."""
    kind = record[0]
    sign = {"add": "+", "remove": "-"}.get(kind.split("_")[0], "~")
    if kind in ("add_table", "remove_table"):
        return f"{sign} table {table_name(record[1])}"
    if kind in ("add_column", "remove_column"):
        schema, table, column = record[1], record[2], record[3]
        where = f"{schema}.{table}" if schema else table
        null = "" if column.nullable else " not null"
        return f"{sign} column {where}.{column.name} {_compile(column.type)}{null}"
    if kind in ("add_index", "remove_index"):
        index = record[1]
        label = "unique index" if index.unique else "index"
        return f"{sign} {label} {index.name} on {table_name(index.table)} {_columns(index)}"
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        return f"{sign} {_constraint(record[1])}"
    if kind.startswith("modify_"):
        schema, table, column = record[1], record[2], record[3]
        where = f"{schema}.{table}" if schema else table
        old, new = record[5], record[6]
        if kind == "modify_nullable":
            attribute, old, new = "not_null", str(not old).lower(), str(not new).lower()
        elif kind == "modify_type":
            attribute, old, new = "type", _compile(old), _compile(new)
        elif kind == "modify_default":
            attribute, old, new = "default", _default(old), _default(new)
        else:
            attribute = kind[len("modify_") :]
        return f"~ column {where}.{column} {attribute}: {old} -> {new}"
    if kind.endswith("_table_comment"):
        return f"~ table {table_name(record[1])} comment"
    return f"~ {kind} {record[1:]!r}"


def _where(item: Tuple[Any, ...]) -> Optional[Tuple[Optional[str], str]]:
    """The (schema, table) an autogenerate record is about (schema None: the default)."""
    kind = item[0]
    if kind in ("add_column", "remove_column") or kind.startswith("modify_"):
        return item[1], str(item[2])
    if kind in ("add_table", "remove_table") or kind.endswith("_table_comment"):
        table = item[1]
    else:  # an index or a constraint
        table = getattr(item[1], "table", None)
    return None if table is None else (table.schema, str(table.name))


def record(item: Tuple[Any, ...]) -> Dict[str, Any]:
    """An autogenerate record for migcheck: its kind, where it is, its line."""
    kind = item[0]
    found = {"kind": kind, "line": render(item)}  # type: Dict[str, Any]
    where = _where(item)
    if where is not None:
        found["schema"], found["table"] = where
    if kind.startswith("modify_"):
        found["column"] = item[3]
    elif kind.endswith("_index"):
        found["index"] = item[1].name
    return found


class Comparison:
    """What the models comparison found in env.py's context, kept for ``exclusions``."""

    def __init__(self) -> None:
        self.metadatas = ()  # type: Tuple[Any, ...]
        self.opts = {}  # type: Dict[str, Any]
        self.reply = {"declared": False}  # type: Dict[str, Any]

    def __call__(
        self, context: Any, models: Optional[str], build: Optional[Dict[str, Any]]
    ) -> None:
        from alembic.autogenerate import compare_metadata

        metadata = load_models(models) if models else context.opts.get("target_metadata")
        if not metadata:
            return
        self.metadatas = metadatas(metadata)
        self.opts = dict(context.opts)
        connection = context.connection
        schema, search_path = (
            connection.exec_driver_sql(
                "SELECT coalesce(current_schema(), 'public'), current_setting('search_path')"
            ).fetchone()
            if hasattr(connection, "exec_driver_sql")
            else connection.execute(
                "SELECT coalesce(current_schema(), 'public'), current_setting('search_path')"
            ).fetchone()
        )
        self.reply = {
            "declared": True,
            "schema": schema,
            "search_path": search_path,
            "hooks": bool(self.opts.get("include_object") or self.opts.get("include_name")),
        }
        try:
            with warnings.catch_warnings():
                # "Skipped unsupported reflection of expression-based index" and the like
                warnings.simplefilter("ignore")
                # The project's own compare_type / compare_server_default: migcheck's
                # catalog comparison covers types and defaults whatever they are.
                records = _flatten(compare_metadata(context, metadata))
            self.reply["records"] = [record(r) for r in records]
        except Exception as error:
            self.reply["records_error"] = _first_line(error)
        # Anything in the models' modules may fail to be looked at: MC301 then points
        # at env.py.
        with contextlib.suppress(Exception):
            self.reply["places"] = places.find(self.metadatas, schema)
        if build is None:
            self.reply["build_error"] = (
                "the project's Python has no synchronous driver (psycopg2 or psycopg) to "
                "create them with"
            )
            return
        try:
            _build(build, self.metadatas, schema=schema, search_path=search_path)
        except Exception as error:  # the models' DDL: anything the server refuses
            self.reply["build_error"] = _first_line(error)

    def exclusions(
        self, keys: Sequence[Sequence[Any]], enums: Sequence[str], default_schema: str
    ) -> List[List[Any]]:
        """The keys (kind, schema, name, parent) that env.py's include hooks keep out of
        autogenerate, and the models' enum types only excluded columns use."""
        include_object = self.opts.get("include_object")
        include_name = self.opts.get("include_name")
        if include_object is None and include_name is None:
            return []
        by_name = {
            (t.schema or default_schema, t.name): t
            for m in self.metadatas
            for t in m.tables.values()
        }
        out = set()  # type: Set[Tuple[Any, ...]]

        def keep(obj: Any, name: str, type_: str, parents: Dict[str, Any]) -> bool:
            if include_name is not None and not include_name(name, type_, parents):
                return False
            return (
                obj is None
                or include_object is None
                or include_object(obj, name, type_, False, None)
            )

        for kind, key_schema, name, parent in keys:
            schema = None if key_schema == default_schema else key_schema
            if kind == "table":
                if not keep(
                    by_name.get((key_schema, name)), name, "table", {"schema_name": schema}
                ):
                    out.add((kind, key_schema, name, parent))
                continue
            table = by_name.get((key_schema, parent))
            if kind not in ("column", "index") or table is None:
                continue
            if ("table", key_schema, parent, "") in out:
                out.add((kind, key_schema, name, parent))
                continue
            parents = {
                "schema_name": schema,
                "table_name": parent,
                "schema_qualified_table_name": f"{schema}.{parent}" if schema else parent,
            }
            if kind == "column":
                item = table.c.get(name)  # type: Any
            else:
                item = next((i for i in table.indexes if i.name == name), None)
            if not keep(item, name, kind, parents):
                out.add((kind, key_schema, name, parent))
        return [list(k) for k in sorted(out, key=repr)] + [
            ["enum", schema, name, ""] for schema, name in _enums_only_excluded(by_name, enums, out)
        ]


def _enums_only_excluded(
    by_name: Dict[Tuple[str, str], Any], enums: Sequence[Sequence[str]], out: Set[Tuple[Any, ...]]
) -> Iterator[Tuple[str, str]]:
    """The models' enum types (schema, name) that only excluded tables and columns use."""
    from sqlalchemy import Enum
    from sqlalchemy.types import ARRAY

    users = {}  # type: Dict[str, List[bool]]
    for (schema, name), table in by_name.items():
        dropped = ("table", schema, name, "") in out
        for column in table.columns:
            type_ = column.type.item_type if isinstance(column.type, ARRAY) else column.type
            if isinstance(type_, Enum) and type_.native_enum and type_.name:
                gone = dropped or ("column", schema, str(column.name), name) in out
                users.setdefault(type_.name, []).append(gone)
    for schema, name in enums:
        if users.get(name) and all(users[name]):
            yield schema, name


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _build(
    build: Dict[str, Any], metadatas: Sequence[Any], *, schema: str, search_path: str
) -> None:
    """The models created in a database of their own. The extensions the migrations
    installed come first (the models may use their types); tables without a schema land
    where env.py's connection would put them."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    guard.allow(build["database"])
    engine = create_engine(build["url"], poolclass=NullPool)
    quote = engine.dialect.identifier_preparer.quote
    schemas = {t.schema for m in metadatas for t in m.tables.values() if t.schema}
    schemas |= {s for _, s in build["extensions"] if s != "pg_catalog"}
    schemas.add(schema)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            for name in sorted(schemas):
                connection.execute(text("CREATE SCHEMA IF NOT EXISTS " + quote(name)))
            for name, where in build["extensions"]:
                connection.execute(
                    text(f"CREATE EXTENSION IF NOT EXISTS {quote(name)} SCHEMA {quote(where)}")
                )
            connection.execute(
                text("SELECT set_config('search_path', :path, true)"), {"path": search_path}
            )
            for metadata in metadatas:
                metadata.create_all(connection)
            transaction.commit()
    finally:
        engine.dispose()
