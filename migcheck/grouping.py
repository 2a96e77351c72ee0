"""One finding per defect: what a defect made fail next goes under it, and a defect found
alike on several versions is one finding naming them all.

Pure. Both happen after suppressions were applied to each version's findings, so that a
suppression for one version keeps its finding apart from the others'.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from migcheck.codes import Code, Stage
from migcheck.diff import Added
from migcheck.findings import Finding

# A code, and the codes of the same revision and version it is the cause of: after a
# downgrade that left something behind (MC201, or rows: MC601), the second upgrade failing
# on it (MC103) or ending with other rows (MC602) says nothing more about the migration.
# Where two causes claim one consequence, the first found (the schema's) keeps it.
CAUSES: dict[Code, frozenset[Code]] = {
    Code.MC201: frozenset({Code.MC103, Code.MC602}),
    Code.MC601: frozenset({Code.MC103, Code.MC602}),
}
# What a failure of the final downgrade to base adds to its message (steps.ACTIONS), and
# the SQLSTATE of a DROP that other objects still depend on: an earlier revision's
# downgrade failing on what a later revision's downgrade left behind.
AT_BASE = " while downgrading the whole history to base"
DEPENDENTS = "[2BP01]"


def consequences(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """``findings`` (of one version) with each consequence moved under its cause."""
    causes: dict[tuple[str | None, int | None, Code], int] = {}
    for index, f in enumerate(findings):
        for consequence in CAUSES.get(f.code, ()) if f.revision is not None else ():
            causes.setdefault((f.revision, f.pg_version, consequence), index)
    attached: dict[int, list[Finding]] = {}
    kept: list[tuple[int, Finding]] = []
    for index, finding in enumerate(findings):
        cause = causes.get((finding.revision, finding.pg_version, finding.code))
        if cause is None:
            cause = _left_behind(findings, index)
        if cause is None or finding.suppressed is not None:
            kept.append((index, finding))
        else:
            attached.setdefault(cause, []).append(finding)
    return tuple(
        replace(f, consequences=f.consequences + tuple(attached[i])) if i in attached else f
        for i, f in kept
    )


def _left_behind(findings: Sequence[Finding], index: int) -> int | None:
    """For a downgrade to base refused because other objects depend on what it drops:
    the one MC201 walked before it, of the same version, whose downgrade left objects
    behind (with several, which one is not known: the failure stays a finding)."""
    failed = findings[index]
    if failed.code != Code.MC102 or AT_BASE not in failed.message:
        return None
    if DEPENDENTS not in failed.message:
        return None
    leftovers = [
        i
        for i, f in enumerate(findings[:index])
        if f.code == Code.MC201
        and f.pg_version == failed.pg_version
        and any(isinstance(change, Added) for change in f.changes)
    ]
    return leftovers[0] if len(leftovers) == 1 else None


def _key(finding: Finding) -> tuple[object, ...]:
    """What two versions' findings of one defect share (the project's output aside)."""
    return (
        finding.code,
        finding.revision,
        finding.file,
        finding.line,
        finding.message,
        finding.diff,
        finding.changes,
        finding.suppressed,
        finding.suppressed_by,
        tuple(_key(c) for c in finding.consequences),
    )


def across(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per defect: those of several versions that say the same (code,
    revision, message, differences) become one, at the place of the first, naming every
    version. What only comparing versions shows (MC104, MC302) stays as it is."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    order: list[tuple[object, ...] | Finding] = []
    for finding in findings:
        if finding.pg_version is None or finding.stage is Stage.ACROSS:
            order.append(finding)
            continue
        key = _key(finding)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(finding)
    grouped: list[Finding] = []
    for entry in order:
        if isinstance(entry, Finding):
            grouped.append(entry)
            continue
        alike = groups[entry]
        versions = tuple(sorted({v for f in alike for v in f.versions}))
        first = min(alike, key=lambda f: f.pg_version or 0)
        grouped.append(first if len(versions) == 1 else replace(first, pg_versions=versions))
    return tuple(grouped)


def expand(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Each version's own findings again (a merge recomputes what needs them apart)."""
    return tuple(
        replace(f, pg_version=v, pg_versions=()) if len(f.versions) > 1 else f
        for f in findings
        for v in (f.versions if len(f.versions) > 1 else (None,))
    )


def versions_text(versions: Sequence[int]) -> str:
    """``13-18``, ``13, 14``, ``13-15, 17``: runs of three or more as a range."""
    runs: list[list[int]] = []
    for version in sorted(versions):
        if runs and version == runs[-1][-1] + 1:
            runs[-1].append(version)
        else:
            runs.append([version])
    parts = [
        f"{run[0]}-{run[-1]}" if len(run) >= 3 else ", ".join(str(v) for v in run) for run in runs
    ]
    return ", ".join(parts)
