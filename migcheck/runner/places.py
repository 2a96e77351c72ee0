"""Where the models are defined, for MC301 to point at: the line of the class mapping
each table (or of the module-level name holding a Table without a class), and the place
of the models themselves (the declarative base, else the name holding the MetaData) for
a table no model declares.

Found by looking through the loaded modules for the classes and names holding the
models' objects, then reading their source files with ``ast`` (once per file): a class
made at run time, or a Table no name holds, has no place of its own and takes the
models'; migcheck falls back to env.py when the models have none either.
"""

import ast
import inspect
import sys
import tokenize
from typing import Any, Dict, List, Optional, Sequence, Tuple

Place = Tuple[str, int]  # an absolute file, a line


class _Sources:
    """Each source file read once: its classes by qualified name, its module-level
    assignments by name, each with its line."""

    def __init__(self) -> None:
        self.files = {}  # type: Dict[str, Tuple[Dict[str, int], Dict[str, Tuple[int, bool]]]]

    def read(self, file: str) -> Tuple[Dict[str, int], Dict[str, Tuple[int, bool]]]:
        if file not in self.files:
            classes = {}  # type: Dict[str, int]
            names = {}  # type: Dict[str, Tuple[int, bool]]
            try:
                with tokenize.open(file) as source:
                    tree = ast.parse(source.read(), file)
            except (OSError, SyntaxError, ValueError):  # no source to read: no place
                tree = ast.Module(body=[], type_ignores=[])
            _visit(tree.body, "", classes)
            for node in tree.body:
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AnnAssign)
                    else []
                )
                for target in targets:
                    if isinstance(target, ast.Name):
                        made = isinstance(getattr(node, "value", None), ast.Call)
                        names.setdefault(target.id, (node.lineno, made))
            self.files[file] = (classes, names)
        return self.files[file]

    def of_class(self, cls: Any) -> Optional[Place]:
        file = _file(cls)
        line = self.read(file)[0].get(cls.__qualname__) if file else None
        return (file, line) if file and line else None

    def of_name(self, module: Any, name: str) -> Optional[Tuple[str, int, bool]]:
        file = _file(module)
        found = self.read(file)[1].get(name) if file else None
        return (file, found[0], found[1]) if file and found else None


def _visit(body: Sequence[ast.AST], prefix: str, classes: Dict[str, int]) -> None:
    """Classes by ``__qualname__``, wherever they are (under an ``if``, in a function)."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            classes.setdefault(prefix + node.name, node.lineno)
            _visit(node.body, f"{prefix}{node.name}.", classes)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _visit(node.body, f"{prefix}{node.name}.<locals>.", classes)
        else:
            children = ast.iter_child_nodes(node)
            _visit(
                [c for c in children if isinstance(c, (ast.stmt, ast.excepthandler))],
                prefix,
                classes,
            )


def _file(obj: Any) -> Optional[str]:
    try:
        return inspect.getsourcefile(obj)
    except (TypeError, OSError):  # built in, or made where no file is
        return None


def _holders(
    tables: Dict[int, Any], metadatas: Sequence[Any]
) -> Tuple[Dict[int, Any], Dict[int, Tuple[Any, str]], List[Any], List[Tuple[Any, str]]]:
    """In every loaded module: the classes that map a table (it is their own
    ``__table__``), the names holding a Table, the declarative bases whose own
    ``metadata`` is one of the models', and the names holding a MetaData."""
    classes = {}  # type: Dict[int, Any]
    named = {}  # type: Dict[int, Tuple[Any, str]]
    bases = []  # type: List[Any]
    holding = []  # type: List[Tuple[Any, str]]
    ours = {id(m) for m in metadatas}
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for name, value in list(namespace.items()):
            if isinstance(value, type):
                own = value.__dict__
                table = own.get("__table__")
                if id(table) in tables and tables[id(table)] is table:
                    classes.setdefault(id(table), value)
                if id(own.get("metadata")) in ours:
                    bases.append(value)
            elif id(value) in tables and tables[id(value)] is value:
                named.setdefault(id(value), (module, name))
            elif id(value) in ours:
                holding.append((module, name))
    for base in bases:  # SQLAlchemy 1.4+: classes mapped anywhere, not only at module level
        for mapper in getattr(getattr(base, "registry", None), "mappers", ()):
            table = mapper.local_table
            inherited = mapper.inherits is not None and table is mapper.inherits.local_table
            if id(table) in tables and not inherited:  # not single table inheritance's
                classes.setdefault(id(table), mapper.class_)
    return classes, named, bases, holding


def find(metadatas: Sequence[Any], default_schema: str) -> Dict[str, Any]:
    """``tables``: [schema, name, file, line] of each model table found; ``models``:
    [file, line] of the models (None: not found); ``enums``: [schema, name, table's
    schema, table's name] for each native enum type, the first table using it."""
    from sqlalchemy import Enum
    from sqlalchemy.types import ARRAY

    every = sorted(
        (t for m in metadatas for t in m.tables.values()),
        key=lambda t: (t.schema or default_schema, t.name),
    )
    tables = {id(t): t for t in every}
    classes, named, bases, holding = _holders(tables, metadatas)
    sources = _Sources()
    models = next((p for p in map(sources.of_class, bases) if p is not None), None)
    if models is None:
        # The name the MetaData was made under, before one it was only handed to
        # (env.py's target_metadata = Base.metadata).
        found = [p for p in (sources.of_name(m, n) for m, n in holding) if p is not None]
        found.sort(key=lambda p: not p[2])
        models = (found[0][0], found[0][1]) if found else None
    places = []  # type: List[List[Any]]
    enums = {}  # type: Dict[Tuple[str, str], List[Any]]
    for table in every:
        schema = table.schema or default_schema
        place = None  # type: Optional[Any]
        if id(table) in classes:
            place = sources.of_class(classes[id(table)])
        elif id(table) in named:
            place = sources.of_name(*named[id(table)])
        if place is not None:
            places.append([schema, str(table.name), place[0], place[1]])
        for column in table.columns:
            type_ = column.type.item_type if isinstance(column.type, ARRAY) else column.type
            if isinstance(type_, Enum) and type_.native_enum and type_.name:
                key = (type_.schema or default_schema, str(type_.name))
                enums.setdefault(key, [key[0], key[1], schema, str(table.name)])
    return {
        "tables": places,
        "models": list(models) if models else None,
        "enums": list(enums.values()),
    }
