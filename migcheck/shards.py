"""Reports of a sharded CI matrix (one job per PostgreSQL version) combined into one.

Pure. What only a comparison of versions shows is recomputed where the reports allow:
MC104 (fails on some versions only) from each version's walked revisions and failures.
MC302 (the schema at head differs across versions) needs the schemas themselves: reports
made in this process carry them (the pytest plugin's, one per version), JSON reports do
not, so a merge of CI shards has no MC302 between them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from migcheck import grouping, suppress
from migcheck.codes import Code
from migcheck.errors import UsageError
from migcheck.findings import Finding, Report, Suppression
from migcheck.matrix import Walked, head_differences, version_failures


def merge(
    reports: Mapping[str, Report],
    suppressions: Sequence[Suppression] = (),
    *,
    needed: Mapping[str, Collection[str]] | None = None,
) -> Report:
    """One report of the reports named by their files, as ``check`` on all their versions
    would give (less MC302 between shards).

    Findings present in several reports (the revision graph's, found by every shard) are
    kept once. ``suppressions`` (the project's) apply to every finding as ``check``
    applies them (``suppress.apply``), the recomputed MC104 included; what the shards
    suppressed stays suppressed. ``needed`` is the revision graph (``matrix.needs``), as
    check compares versions with it. A report of several
    versions gives back the failures of each version its MC104s replaced, so that the
    merge equals one check of every version. A version walked in two reports is an error
    that names both.
    """
    walked_in: dict[int, str] = {}
    for name, report in reports.items():
        for run in report.runs:
            other = walked_in.setdefault(run.pg_version, name)
            if other != name:
                raise UsageError(
                    f"{other} and {name} both walk PostgreSQL {run.pg_version}: merge the "
                    "reports of different versions (one per job of the matrix)"
                )
    if len(reports) > 1:
        for name, report in reports.items():
            old = next(
                (f for f in report.findings if f.code == Code.MC104 and not f.replaces), None
            )
            if old is not None:
                raise UsageError(
                    f"{name} holds an MC104 (revision {old.revision}) without the failures of "
                    "each version it replaced, which merging it with other versions needs: "
                    "a report of an older migcheck; make it again"
                )
    runs = sorted((run for r in reports.values() for run in r.runs), key=lambda r: r.pg_version)
    # A shard of several versions compared them already: its MC104s go back to the
    # failures of each version they replaced, and are made again over every version.
    found = list(
        dict.fromkeys(
            g
            for report in reports.values()
            for f in grouping.expand(report.findings)
            for g in (f.replaces if f.code == Code.MC104 and len(reports) > 1 else (f,))
        )
    )
    # A shard's accepted MC104 stays accepted; not one whose failures each carry their
    # acceptance (they come back with it, and the merged MC104 is judged on all of them:
    # a version another shard walked may fail unaccepted).
    accepted = [
        Suppression(Code.MC104, f.suppressed, f.revision, comment=f.suppressed_by == "comment")
        for report in reports.values()
        for f in report.findings
        if f.code == Code.MC104
        and f.suppressed is not None
        and not all(r.suppressed is not None for r in f.replaces)
    ]
    walks = [
        Walked(run, tuple(f for f in found if f.pg_version == run.pg_version), run.walked)
        for run in runs
    ]
    failures, replaced = version_failures(walks, needed)
    # Each version's failures of a revision that fails on some versions only: MC104 says it.
    kept = [f for f in found if (f.code, f.revision) not in replaced]
    # As check() orders them: the revision graph's, each version's, then across versions.
    shared = [f for f in kept if f.pg_version is None and f.code != Code.MC104]
    by_version = sorted((f for f in kept if f.pg_version is not None), key=_version)
    across = [f for f in kept if f.pg_version is None and f.code == Code.MC104]
    notes = tuple(dict.fromkeys(note for report in reports.values() for note in report.notes))
    findings = (*shared, *by_version, *across, *failures, *head_differences(walks))
    # Suppressions of the project first, then those a shard gave its own MC104.
    marked = suppress.apply(findings, (*suppressions, *accepted))
    return Report(runs=tuple(runs), findings=grouping.across(marked), notes=notes)


def _version(finding: Finding) -> int:
    return finding.pg_version or 0
