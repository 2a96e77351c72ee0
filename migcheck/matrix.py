"""What only a comparison of the walks on several PostgreSQL versions shows: MC104, MC302.

Pure: takes each version's walk as records and returns findings.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from migcheck.codes import Code
from migcheck.findings import Finding, Run
from migcheck.normalize import differences, for_comparison
from migcheck.snapshot import Head, Snapshot

# A migration that fails on some versions only is reported once, as MC104, in place of
# these per-version codes. One that fails on every version it was walked on keeps its
# per-version findings: each names its version and says what that server answered.
FAILURES = frozenset({Code.MC101, Code.MC102, Code.MC103})


@dataclass(frozen=True, slots=True)
class Walked:
    """One version's walk, as check() needs it after the server is gone (picklable)."""

    run: Run
    findings: tuple[Finding, ...]
    checked: tuple[str, ...]  # revisions walked (not skipped), in walk order

    @property
    def head(self) -> Head | None:
        return self.run.head


class _Node(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def parents(self) -> tuple[str, ...]: ...
    @property
    def dependencies(self) -> tuple[str, ...]: ...


def needs(revisions: Iterable[_Node]) -> dict[str, tuple[str, ...]]:
    """What each revision needs applied before it: its parents and dependencies."""
    return {r.id: r.parents + r.dependencies for r in revisions}


def _applied(checked: Collection[str], needed: Mapping[str, Collection[str]]) -> set[str]:
    """The revisions a walk upgraded: those it checked, and every one they need."""
    found = set(checked)
    stack = [n for revision in checked for n in needed.get(revision, ())]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(needed.get(current, ()))
    return found


def _versions(versions: Sequence[int]) -> str:
    return ", ".join(str(v) for v in versions)


def version_failures(
    walks: Sequence[Walked], needed: Mapping[str, Collection[str]] | None = None
) -> tuple[tuple[Finding, ...], set[tuple[str, str]]]:
    """MC104 findings, and the (code, revision) of the per-version findings they replace.

    ``needed`` (``needs``: the revision graph) tells which revisions a walk upgraded
    without checking them, on its way to those it checked (``check --changed``, revisions
    before ``--from``): an upgrade that failed elsewhere passed there.
    """
    versions = [w.run.pg_version for w in walks]
    failed: dict[tuple[Code, str], dict[int, Finding]] = {}
    for walk in walks:
        # A failure listed under its cause (grouping.consequences) still failed there.
        listed = (*walk.findings, *(c for f in walk.findings for c in f.consequences))
        for finding in listed:
            if finding.code in FAILURES and finding.revision is not None:
                key = (Code(finding.code), finding.revision)
                failed.setdefault(key, {}).setdefault(walk.run.pg_version, finding)
    found: list[Finding] = []
    replaced: set[tuple[str, str]] = set()
    checked = {w.run.pg_version: set(w.checked) for w in walks}
    upgraded = {w.run.pg_version: _applied(w.checked, needed or {}) for w in walks}
    for (code, revision), failing in failed.items():
        reached = upgraded if code == Code.MC101 else checked
        # Another step of the revision failed there (its upgrade, before this downgrade).
        otherwise = {
            v: other
            for (other, rev), where in failed.items()
            for v in where
            if rev == revision and other != code and v not in failing
        }
        passing = [
            v
            for v in versions
            if v not in failing and v not in otherwise and revision in reached[v]
        ]
        if not passing:
            continue
        unchecked = [v for v in versions if v not in failing and v not in passing]
        first = failing[min(failing)]
        message = (
            f"fails on PostgreSQL {_versions(sorted(failing))}; passes on {_versions(passing)}"
        )
        for version in sorted(otherwise):
            unchecked.remove(version)
            message += f"; fails with {otherwise[version]} on {version}"
        if unchecked:
            message += f"; not checked on {_versions(unchecked)} (an earlier revision failed)"
        message += f": {first.title}: {first.message}"
        other = [
            f"on {v}: {f.message}" for v, f in sorted(failing.items()) if f.message != first.message
        ]
        if other:
            message += " (" + "; ".join(other) + ")"
        replaces = tuple(
            f for w in walks for f in w.findings if (f.code, f.revision) == (code, revision)
        )
        found.append(
            Finding(
                Code.MC104,
                message,
                revision=revision,
                file=first.file,
                line=first.line,
                replaces=replaces,
            )
        )
        replaced.add((code, revision))
    return tuple(found), replaced


def head_differences(walks: Sequence[Walked]) -> Iterator[Finding]:
    """MC302: each version's head against the lowest version's that applied the same revisions.

    Heads that applied different revisions (a migration failed on one version) are not
    compared: the failure is the finding.
    """
    references: dict[tuple[str, ...], tuple[int, Snapshot, Snapshot]] = {}
    for walk in sorted(walks, key=lambda w: w.run.pg_version):
        head = walk.head
        if head is None:
            continue
        version = walk.run.pg_version
        reference = references.get(head.revisions)
        if reference is None:
            references[head.revisions] = (version, head.snapshot, for_comparison(head.snapshot))
            continue
        first, raw, normalised = reference
        found = differences(raw, head.snapshot, old_canonical=normalised)
        if not found:
            continue
        yield Finding(
            code=Code.MC302,
            message=f"at head, the schema built on PostgreSQL {version} differs from the one "
            f"built on PostgreSQL {first} (each line reads {first} -> {version})",
            pg_version=version,
            changes=found,
        )


def findings(
    walks: Sequence[Walked], needed: Mapping[str, Collection[str]] | None = None
) -> tuple[Finding, ...]:
    """Every finding of a run, ordered by version, then what only the comparison shows
    (``needed``: see ``version_failures``)."""
    ordered = sorted(walks, key=lambda w: w.run.pg_version)
    if len(ordered) < 2:
        return tuple(f for w in ordered for f in w.findings)
    failures, replaced = version_failures(ordered, needed)
    kept = tuple(
        f
        for w in ordered
        for f in w.findings
        if f.revision is None or (f.code, f.revision) not in replaced
    )
    return kept + failures + tuple(head_differences(ordered))
