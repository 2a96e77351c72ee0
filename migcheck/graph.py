"""Static checks of the revision graph (MC401-MC406): no server, no revision file imported.

Alembic refuses to load a history with a missing parent or a cycle, and importing a
revision file runs its code: the files are read by ``migcheck.revision_files`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from migcheck import suppress
from migcheck.codes import Code
from migcheck.config import Config
from migcheck.findings import Finding, Report, Suppression
from migcheck.locations import Folders, folders
from migcheck.revision_files import Parsed, parse, revisions

__all__ = [
    "BLOCKING",
    "Parsed",
    "Static",
    "check",
    "examine",
    "findings",
    "graph_findings",
    "parse",
    "revisions",
]

BLOCKING = frozenset({Code.MC401, Code.MC402, Code.MC403, Code.MC404})
"""Codes after which no server is started: the history cannot be walked."""


@dataclass(frozen=True, slots=True)
class Static:
    """The revision graph's checks, and what they read to make them: each revision file,
    once, and the project's suppressions, which apply to the walk's findings too."""

    files: tuple[Parsed, ...]
    suppressions: tuple[Suppression, ...]
    findings: tuple[Finding, ...]  # suppressions applied

    @property
    def blocking(self) -> bool:
        """Whether the history cannot be walked (MC401-MC404): no server is started."""
        return any(finding.code in BLOCKING for finding in self.findings)

    @property
    def report(self) -> Report:
        return Report(findings=self.findings)


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
    return examine(config).report


def examine(config: Config) -> Static:
    """``check``, with the revision files and suppressions it read, for the walk."""
    where = folders(config)
    parsed = tuple(revisions(where))
    accepted = suppress.accepted(config, parsed, refuse=BLOCKING)
    found = suppress.apply(graph_findings(list(parsed), where.directory), accepted)
    return Static(parsed, accepted, found)


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
                code=Code.MC403,
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
                        code=Code.MC402,
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
            code=Code.MC404,
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
                code=Code.MC405,
                message=f"upgrade() of {revision.id} does nothing: delete the revision or "
                "write its upgrade",
                revision=revision.id,
                file=where(revision),
                line=revision.upgrade_line,
            )
        elif revision.upgrade == "changes" and revision.downgrade == "empty":
            yield Finding(
                code=Code.MC406,
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
                code=Code.MC401,
                message=f"the history has {len(group)} heads that grew from the same base: "
                f'{named}. Merge them with alembic merge heads -m "merge"',
            )
