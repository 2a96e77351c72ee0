"""Revision files read without running them, each once: ``ast`` gives the literal
``revision``, ``down_revision``, ``depends_on`` and ``branch_labels``, where ``upgrade()``
and ``downgrade()`` are and what they do, roughly; ``tokenize`` gives the
``# migcheck: ...`` comments (``migcheck.suppress`` reads what they say).

The bytes are handed to ``ast`` and ``tokenize``, which honour a coding cookie
(``# -*- coding: latin-1 -*-``) as Python, and so Alembic, does.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from migcheck.codes import Function
from migcheck.errors import ProjectError
from migcheck.locations import Folders

# The files Alembic takes for revisions (alembic.script.base, _only_source_rev_file).
_REVISION_FILE = re.compile(r"(?!\.#|__init__)(.*\.py)$")
_EXECUTES = frozenset({"execute", "exec_driver_sql"})
# op.* calls that change the schema besides these prefixes; get_bind, f, inline_literal,
# bulk_insert and the like do not.
_OP_PREFIXES = ("create_", "drop_")
_OP_CHANGES = frozenset({"add_column", "alter_column", "rename_table", "batch_alter_table"})
# SQL statements that change the schema; UPDATE, INSERT, DELETE, TRUNCATE change data.
_DDL = re.compile(r"\s*(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE)\b", re.IGNORECASE)
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_MIGCHECK_COMMENT = re.compile(r"#\s*migcheck\s*:\s*(?P<text>.*)$")

Body = Literal["missing", "empty", "changes", "other"]


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``# migcheck: ...`` comment: its line and what follows ``migcheck:``."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one revision file says about itself, read without running it."""

    id: str
    parents: tuple[str, ...]
    dependencies: tuple[str, ...]
    labels: tuple[str, ...]
    path: Path
    line: int  # of the revision assignment
    parents_line: int
    dependencies_line: int
    upgrade: Body
    downgrade: Body
    upgrade_line: int
    downgrade_line: int  # 0: no downgrade()
    comments: tuple[Comment, ...] = ()

    def def_line(self, function: Function) -> int | None:
        """The ``def`` line of ``upgrade()`` or ``downgrade()``, if the file has one."""
        return (self.upgrade_line if function == "upgrade" else self.downgrade_line) or None


def read(path: Path) -> bytes:
    """The bytes of a revision file; an unreadable one is a ProjectError naming it."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise ProjectError(f"{path}: cannot read: {error.strerror or error}") from None


def comments(source: bytes, path: Path) -> tuple[Comment, ...]:
    """The ``# migcheck:`` comments of a file's bytes: real comments only, not text in a
    docstring."""
    if b"migcheck" not in source:  # most files: no need to tokenize
        return ()
    try:
        tokens = list(tokenize.tokenize(io.BytesIO(source).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError) as error:
        raise ProjectError(f"{path}: cannot read its comments: {error}") from None
    found = []
    for token in tokens:
        match = _MIGCHECK_COMMENT.match(token.string) if token.type == tokenize.COMMENT else None
        if match is not None:
            found.append(Comment(token.start[0], match["text"]))
    return tuple(found)


def files(folders: Folders) -> Iterator[Path]:
    """The revision files of ``folders``, as Alembic lists them (directories skipped)."""
    seen: set[Path] = set()
    for folder in folders.versions:
        if not folder.is_dir():
            continue
        found = folder.rglob("*.py") if folders.recursive else folder.glob("*.py")
        for path in sorted(found):
            if "__pycache__" in path.parts or not _REVISION_FILE.match(path.name):
                continue
            if path.is_dir():
                continue
            if path.resolve() not in seen:
                seen.add(path.resolve())
                yield path


def _strings(node: ast.expr, path: Path) -> tuple[str, ...]:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        raise ProjectError(
            f"{path}:{node.lineno}: migcheck reads revision identifiers without running the "
            "file: write them as string literals (or a tuple of them, or None)"
        ) from None
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ProjectError(f"{path}:{node.lineno}: expected a string, a tuple of strings or None")


def _literal_sql(call: ast.Call) -> str | None:
    """The SQL an execute call runs when it is written out: ``"..."`` or ``text("...")``."""
    if not call.args:
        return None
    argument = call.args[0]
    if isinstance(argument, ast.Call) and argument.args:
        name = argument.func
        called = name.attr if isinstance(name, ast.Attribute) else getattr(name, "id", "")
        if called == "text":
            argument = argument.args[0]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    return None


def is_ddl(sql: str) -> bool:
    """Whether one of the statements of ``sql`` changes the schema."""
    return any(_DDL.match(part) for part in _SQL_COMMENT.sub(" ", sql).split(";"))


def _changes_schema(call: ast.Call) -> bool:
    """Whether ``call`` surely changes the schema: a schema op.* call, or an execute of
    literal DDL. Whatever cannot be told statically does not count: MC406 is a warning
    that must not cry wolf."""
    if not isinstance(call.func, ast.Attribute):
        return False
    name = call.func.attr
    if name in _EXECUTES:
        sql = _literal_sql(call)
        return sql is not None and is_ddl(sql)
    target = call.func.value
    if isinstance(target, ast.Name) and target.id == "op":
        return name.startswith(_OP_PREFIXES) or name in _OP_CHANGES
    return False


def _body(function: ast.FunctionDef | None) -> Body:
    if function is None:
        return "missing"
    empty = all(
        isinstance(s, ast.Pass)
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))  # docstring, ...
        for s in function.body
    )
    if empty:
        return "empty"
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _changes_schema(node):
            return "changes"
    return "other"


def parse(path: Path) -> Parsed | None:
    """The revision in ``path``, or None when the file assigns no ``revision``."""
    source = read(path)
    if b"\0" in source:  # Python refuses the file: binary, or UTF-16 text
        line = source[: source.index(b"\0")].count(b"\n") + 1
        raise ProjectError(
            f"{path}:{line}: cannot parse revision: a NUL byte (save it as UTF-8 text)"
        )
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        where = f"{path}:{error.lineno}" if error.lineno else str(path)
        raise ProjectError(f"{where}: cannot parse revision: {error.msg}") from None
    except ValueError as error:
        raise ProjectError(f"{path}: cannot parse revision: {error}") from None
    values: dict[str, ast.expr] = {}
    functions: dict[str, ast.FunctionDef] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = statement.value
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value is not None
        ):
            values[statement.target.id] = statement.value
        elif isinstance(statement, ast.FunctionDef):
            functions[statement.name] = statement
    if "revision" not in values:
        return None
    ids = _strings(values["revision"], path)
    if len(ids) != 1:
        raise ProjectError(f"{path}:{values['revision'].lineno}: revision must be one string")
    empty = ast.Constant(None, lineno=0)
    parents = values.get("down_revision", empty)
    dependencies = values.get("depends_on", empty)
    upgrade = functions.get("upgrade")
    downgrade = functions.get("downgrade")
    return Parsed(
        id=ids[0],
        parents=_strings(parents, path),
        dependencies=_strings(dependencies, path),
        labels=_strings(values.get("branch_labels", empty), path),
        path=path,
        line=values["revision"].lineno,
        parents_line=parents.lineno,
        dependencies_line=dependencies.lineno,
        upgrade=_body(upgrade),
        downgrade=_body(downgrade),
        upgrade_line=upgrade.lineno if upgrade else 0,
        downgrade_line=downgrade.lineno if downgrade else 0,
        comments=comments(source, path),
    )


def revisions(where: Folders) -> list[Parsed]:
    """Every revision file in ``where``, each read once."""
    return [p for p in map(parse, files(where)) if p is not None]
