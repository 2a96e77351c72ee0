"""The runner's half of the deploy check (MC701): the statements the release running in
production issues, compiled by its own SQLAlchemy for PostgreSQL from its own models.

This runs in a runner on a copy of that release's files; migcheck executes the
statements on the schema the new migrations build. Each value is a parameter cast to the
type the old model declares (``CAST(%(p0)s AS VARCHAR(100))``): what reaches the column
is a value of the old type, so a narrowed type or one without an assignment cast fails.
"""

from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from .history import load_models
from .models import dialect, metadatas, table_name


def _mapped() -> Dict[Any, Tuple[str, List[Any], Optional[str]]]:
    """Each mapped table: the name of the class mapping it (the base of an inheritance
    hierarchy on one table), the table columns any of its classes map, and the file
    the class is defined in; over every mapper registry of the process."""
    import inspect

    from sqlalchemy.orm import mapperlib

    mappers = []  # type: List[Any]
    registries = getattr(mapperlib, "_mapper_registries", None)
    if registries is not None:  # SQLAlchemy 1.4 and later
        for registry in list(registries):
            mappers.extend(getattr(registry, "mappers", ()))
    else:  # 1.3: one registry of mappers
        mappers.extend(list(getattr(mapperlib, "_mapper_registry", {})))
    found = {}  # type: Dict[Any, Tuple[str, List[Any], Optional[str]]]
    # Bases before the classes inheriting from them, then by name: the same each run.
    for mapper in sorted(mappers, key=lambda m: (len(m.class_.__mro__), m.class_.__name__)):
        table = mapper.local_table
        if table is None or not hasattr(table, "columns"):
            continue
        columns = [c for c in mapper.columns if getattr(c, "table", None) is table]
        if table in found:
            name, known, where = found[table]
            found[table] = (name, known + [c for c in columns if c not in known], where)
            continue
        try:
            path: Optional[str] = inspect.getsourcefile(mapper.class_)
        except TypeError:  # a class made at run time
            path = None
        found[table] = (mapper.class_.__name__, columns, path)
    return found


def _castable(type_: Any) -> bool:
    """Whether the value is cast to the column's old type: not for enums, domains and
    the project's own types, which a renamed or dropped type would fail where the
    release (which sends values uncast) does not."""
    from sqlalchemy.types import Enum, TypeDecorator, UserDefinedType

    while isinstance(type_, TypeDecorator):
        type_ = getattr(type_, "impl_instance", None) or type_.impl
    inner = getattr(type_, "item_type", None)  # an ARRAY's
    if inner is not None:
        return _castable(inner)
    if getattr(type_, "__visit_name__", "") == "DOMAIN":
        return False
    return not isinstance(type_, (Enum, UserDefinedType))


def _compiled(type_: Any, dialect: Any) -> Optional[str]:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type only its own dialect compiles: the value goes uncast
        return None


def _server_side(column: Any) -> bool:
    """Whether the old release leaves the column to the server on INSERT."""
    if column.server_default is not None or getattr(column, "computed", None) is not None:
        return True
    if getattr(column, "identity", None) is not None:
        return True
    return getattr(column.table, "_autoincrement_column", None) is column


def _distinct(table: Any) -> Set[str]:
    """Columns the old model declares unique (a primary key, unique constraint or index):
    the old release keeps their values distinct; any other column's values may repeat."""
    from sqlalchemy import Index, PrimaryKeyConstraint, UniqueConstraint

    names = {c.name for c in table.columns if c.unique}
    for item in list(table.constraints) + list(table.indexes):
        unique = isinstance(item, (PrimaryKeyConstraint, UniqueConstraint)) or (
            isinstance(item, Index) and item.unique
        )
        if unique:
            names.update(c.name for c in item.columns)
    return names


def _select(columns: List[Any]) -> Any:
    import sqlalchemy

    select: Any = sqlalchemy.select
    if sqlalchemy.__version__.split(".")[:2] < ["1", "4"]:
        return select(columns)  # 1.3: a list
    return select(*columns)


def _references(column: Any) -> Optional[List[str]]:
    for key in column.foreign_keys:
        try:
            target = key.column
        except Exception:  # a reference to a table the models do not hold
            return None
        return [table_name(target.table), target.name]
    return None


def _table(
    table: Any, model: str, mapped: List[Any], referenced: Set[Tuple[str, str]], dialect: Any
) -> Dict[str, Any]:
    from sqlalchemy import bindparam, cast

    columns = mapped or list(table.columns)
    types = [_compiled(c.type, dialect) for c in columns]
    casts = [bool(types[i]) and _castable(c.type) for i, c in enumerate(columns)]

    def value(index: int, prefix: str = "p") -> Any:
        parameter: Any = bindparam(f"{prefix}{index}")
        return cast(parameter, columns[index].type) if casts[index] else parameter

    sets = [i for i, c in enumerate(columns) if not _server_side(c)]
    keys = [i for i, c in enumerate(columns) if c.primary_key]
    returns = keys + [
        i
        for i, c in enumerate(columns)
        if (table_name(table), c.name) in referenced and i not in keys
    ]
    where = None
    for i in keys:
        condition = columns[i] == value(i, "k")
        where = condition if where is None else where & condition

    def filtered(statement: Any) -> Any:
        return statement if where is None else statement.where(where)

    insert = table.insert().values({columns[i]: value(i) for i in sets})
    if returns:
        insert = insert.returning(*[columns[i] for i in returns])
    statements = [
        {"kind": "INSERT", "sql": insert, "returns": [columns[i].name for i in returns]},
        {"kind": "SELECT", "sql": filtered(_select(columns))},
    ]
    for i in sets:
        if i not in keys:
            update = filtered(table.update().values({columns[i]: value(i)}))
            statements.append({"kind": "UPDATE", "sql": update, "column": columns[i].name})
    statements.append({"kind": "DELETE", "sql": filtered(table.delete())})
    for statement in statements:
        statement["sql"] = str(statement["sql"].compile(dialect=dialect))
    distinct = _distinct(table)
    return {
        "model": model,
        "table": table_name(table),
        "schema": table.schema,
        "name": table.name,
        "columns": [
            {
                "name": c.name,
                "type": types[i],
                "cast": casts[i],
                "sets": i in sets,
                "key": c.primary_key,
                "distinct": c.name in distinct,
                "nullable": bool(c.nullable),
                "references": _references(c),
            }
            for i, c in enumerate(columns)
        ],
        "statements": statements,
    }


def _referenced(tables: Iterable[Any]) -> Set[Tuple[str, str]]:
    """(table, column) of each column a foreign key of the models names."""
    found = set()  # type: Set[Tuple[str, str]]
    for table in tables:
        for column in table.columns:
            target = _references(column)
            if target is not None:
                found.add((target[0], target[1]))
    return found


def statements(context: Any, models: Optional[str]) -> Dict[str, Any]:
    """The tables of the models at the deployed release (env.py's target_metadata, or
    ``models``), parents first, each with the statements the release issues."""
    from sqlalchemy.schema import sort_tables

    metadata = load_models(models, "--deploy-models") if models else None
    if metadata is None:
        metadata = context.opts.get("target_metadata")
        # A declarative base where a MetaData belongs: its metadata, as --models takes.
        if isinstance(metadata, (list, tuple)):
            metadata = [getattr(m, "metadata", m) for m in metadata]
        else:
            metadata = getattr(metadata, "metadata", metadata)
    if not metadata:
        return {"declared": False, "tables": []}
    postgresql = dialect()
    mapped = _mapped()
    # Parents first across every MetaData.
    tables = sort_tables([t for m in metadatas(metadata) for t in m.tables.values()])
    referenced = _referenced(tables)
    found = []
    files = []
    for table in tables:
        model, columns, path = mapped.get(table, (table_name(table), [], None))
        found.append(_table(table, model, columns, referenced, postgresql))
        if path:
            files.append([model, path])
    return {"declared": True, "tables": found, "files": files}
