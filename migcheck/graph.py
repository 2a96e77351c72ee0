"""Static checks of the revision graph (MC401-MC406): no server, no revision file imported.

Alembic refuses to load a history with a missing parent or a cycle, and importing a
revision file runs its code: the files are parsed with ``ast`` instead, and only literal
``revision``, ``down_revision``, ``depends_on`` and ``branch_labels`` are read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from migcheck import suppress
from migcheck.config import Config
from migcheck.errors import ProjectError
from migcheck.findings import Finding, Report
from migcheck.findings import suppress as suppressed
from migcheck.project import Folders, folders

BLOCKING = frozenset({"MC401", "MC402", "MC403", "MC404"})
"""Codes after which no server is started: the history cannot be walked."""

# The files Alembic takes for revisions (alembic.script.base, _only_source_rev_file).
_REVISION_FILE = re.compile(r"(?!\.#|__init__)(.*\.py)$")
_EXECUTES = frozenset({"execute", "exec_driver_sql"})

Body = Literal["missing", "empty", "changes", "other"]


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


def _files(folders: Folders) -> Iterator[Path]:
    seen: set[Path] = set()
    for folder in folders.versions:
        if not folder.is_dir():
            continue
        found = folder.rglob("*.py") if folders.recursive else folder.glob("*.py")
        for path in sorted(found):
            if "__pycache__" in path.parts or not _REVISION_FILE.match(path.name):
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
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if (isinstance(target, ast.Name) and target.id == "op") or (
                node.func.attr in _EXECUTES
            ):
                return "changes"
    return "other"


def parse(path: Path) -> Parsed | None:
    """The revision in ``path``, or None when the file assigns no ``revision``."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as error:
        raise ProjectError(f"{path}:{error.lineno}: cannot parse revision: {error.msg}") from None
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
    )


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with a cycle (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if position < len(successors):
                work.append((node, position + 1))
                successor = successors[position]
                if successor not in index:
                    work.append((successor, 0))
                elif successor in on_stack:
                    low[node] = min(low[node], index[successor])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in successors:
                    found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def check(config: Config) -> Report:
    """Only the checks of the revision graph (MC401-MC406): no server, no revision file
    imported. ``migcheck.check`` runs them first and starts no server after MC401-MC404.
    Suppressions apply (and a bad one is an error before anything else runs)."""
    where = folders(config)
    parsed = revisions(where)
    accepted = suppress.collect(config, [(p.id, p.path) for p in parsed], refuse=BLOCKING)
    return Report(findings=suppressed(graph_findings(parsed, where.directory), accepted))


def revisions(where: Folders) -> list[Parsed]:
    """Every revision file in ``where``, parsed."""
    return [p for p in map(parse, _files(where)) if p is not None]


def findings(where: Folders) -> tuple[Finding, ...]:
    """MC401-MC406 for the revision files in ``where``, by file name."""
    return tuple(graph_findings(revisions(where), where.directory))


def graph_findings(parsed: list[Parsed], directory: Path) -> Iterator[Finding]:
    """The findings of already parsed revisions; paths are reported relative to
    ``directory``."""

    def where(revision: Parsed) -> str:
        try:
            return str(revision.path.resolve().relative_to(directory.resolve()))
        except ValueError:
            return str(revision.path)

    by_id: dict[str, Parsed] = {}
    for revision in parsed:
        first = by_id.setdefault(revision.id, revision)
        if first is not revision:
            yield Finding(
                code="MC403",
                message=f"revision id {revision.id} is declared by both {where(first)} and "
                f"{where(revision)}: give one of them a new id (and update the down_revision "
                "of its children)",
                revision=revision.id,
                file=where(revision),
                line=revision.line,
            )
    labels = {label: r.id for r in by_id.values() for label in r.labels}

    def resolve(reference: str) -> str | None:
        if reference in by_id:
            return reference
        if reference in labels:
            return labels[reference]
        matches = [i for i in by_id if i.startswith(reference)]
        return matches[0] if len(matches) == 1 else None

    edges: dict[str, list[str]] = {}
    for revision in by_id.values():
        edges[revision.id] = []
        for kind, references, line in (
            ("down_revision", revision.parents, revision.parents_line),
            ("depends_on", revision.dependencies, revision.dependencies_line),
        ):
            for reference in references:
                # down_revision must be an exact id; depends_on may be a label or prefix.
                target = reference if reference in by_id else None
                if kind == "depends_on":
                    target = resolve(reference)
                if target is None:
                    yield Finding(
                        code="MC402",
                        message=f"{kind} of {revision.id} names {reference!r}, which no "
                        "revision file declares: restore the missing file or point "
                        f"{kind} at an existing revision",
                        revision=revision.id,
                        file=where(revision),
                        line=line,
                    )
                else:
                    edges[revision.id].append(target)
    for component in _cycles(edges):
        ordered = [r.id for r in by_id.values() if r.id in component]
        first = by_id[ordered[0]]
        yield Finding(
            code="MC404",
            message=f"the revisions {', '.join(ordered)} depend on each other in a cycle "
            "(through down_revision or depends_on): break it by pointing one of them at an "
            "older revision",
            revision=first.id,
            file=where(first),
            line=first.parents_line,
        )
    yield from _heads(by_id, where)
    for revision in by_id.values():
        if revision.upgrade == "empty" and len(revision.parents) < 2:  # not a merge
            yield Finding(
                code="MC405",
                message=f"upgrade() of {revision.id} does nothing: delete the revision or "
                "write its upgrade",
                revision=revision.id,
                file=where(revision),
                line=revision.upgrade_line,
            )
        elif revision.upgrade == "changes" and revision.downgrade == "empty":
            yield Finding(
                code="MC406",
                message=f"upgrade() of {revision.id} changes the schema but its downgrade() "
                "does nothing: write a downgrade that undoes the upgrade in reverse order "
                "(or raise NotImplementedError if it cannot be undone)",
                revision=revision.id,
                file=where(revision),
                line=revision.upgrade_line,
            )


def _heads(by_id: dict[str, Parsed], where: Callable[[Parsed], str]) -> Iterator[Finding]:
    """MC401 for each set of heads that grew from the same base and were never merged.

    Heads of independent trees (several bases, each with its branch label) are a design
    Alembic supports (``alembic upgrade heads``), not a forgotten merge.
    """
    children = {parent for r in by_id.values() for parent in r.parents}
    heads = [r for r in by_id.values() if r.id not in children]
    bases: dict[str, set[str]] = {}
    for head in heads:
        seen: set[str] = set()
        stack = [head.id]
        while stack:
            current = stack.pop()
            if current in seen or current not in by_id:
                continue
            seen.add(current)
            stack.extend(by_id[current].parents)
        bases[head.id] = {r for r in seen if not set(by_id[r].parents) & by_id.keys()}
    groups: list[list[Parsed]] = []
    for head in heads:
        joined = [g for g in groups if any(bases[h.id] & bases[head.id] for h in g)]
        merged = [head]
        for group in joined:
            groups.remove(group)
            merged = group + merged
        groups.append(merged)
    for group in groups:
        if len(group) > 1:
            named = ", ".join(f"{r.id} ({where(r)})" for r in sorted(group, key=heads.index))
            yield Finding(
                code="MC401",
                message=f"the history has {len(group)} heads that grew from the same base: "
                f'{named}. Merge them with alembic merge heads -m "merge"',
            )
