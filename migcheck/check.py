"""check(config) -> Report: load the project, walk it on every version, turn steps into findings."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

from migcheck import diff as diffs
from migcheck import project as projects
from migcheck import provision
from migcheck.config import Config
from migcheck.findings import Finding, Report, Run
from migcheck.project import Project
from migcheck.walk import Head, Note, Step, Timings, walk

_FAILURE_CODES = {
    "upgrade": "MC101",
    "downgrade": "MC102",
    "reupgrade": "MC103",
    "downgrade_to_base": "MC102",
}
_MISMATCH_CODES = {"downgrade": "MC201", "reupgrade": "MC202", "downgrade_to_base": "MC203"}
_MISMATCH_MESSAGES = {
    "downgrade": "downgrade of {rev} did not restore the schema of its parent revision",
    "reupgrade": "upgrading {rev} again after its downgrade built a different schema",
    "downgrade_to_base": "downgrading the whole history to base left the schema changed",
}


def _relative(path: str | None, project: Project) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(project.directory))
    except ValueError:
        return path


def step_findings(
    step: Step, project: Project, pg_version: int, *, reported: frozenset[str] = frozenset()
) -> Iterator[Finding]:
    """The findings one step of the walk proves (none for a clean step).

    ``reported``: diff lines of earlier MC201 findings. What a single downgrade already
    left behind is left behind at base too; MC203 keeps only what is new.
    """
    revision = step.revision
    where = project.get(revision).path if revision else None
    if step.error is not None:
        error = step.error
        code = _FAILURE_CODES[step.action]
        state = f"[{error.sqlstate}] " if error.sqlstate else ""
        context = (
            " while downgrading the whole history to base"
            if (step.action == "downgrade_to_base")
            else ""
        )
        yield Finding(
            code=code,
            message=f"{state}{error.message}{context}",
            revision=revision,
            file=_relative(error.file or where, project),
            line=error.line,
            pg_version=pg_version,
        )
        return
    if step.snapshot is None or step.expected is None:
        return
    found = diffs.diff(step.expected, step.snapshot)
    if not found:
        return
    moved = diffs.render_all(tuple(d for d in found if diffs.is_reordering(d)))
    rest = diffs.render_all(tuple(d for d in found if not diffs.is_reordering(d)))
    if step.action == "downgrade_to_base":
        moved = tuple(line for line in moved if line not in reported)
        rest = tuple(line for line in rest if line not in reported)
    common = {"revision": revision, "file": _relative(where, project), "pg_version": pg_version}
    if rest:
        yield Finding(
            code=_MISMATCH_CODES[step.action],
            message=_MISMATCH_MESSAGES[step.action].format(rev=revision),
            diff=rest,
            **common,  # type: ignore[arg-type]
        )
    if moved:
        yield Finding(
            code="MC204",
            message=f"columns of {revision or 'the schema'} changed position after the "
            f"{step.action.replace('_', ' ')}",
            diff=moved,
            **common,  # type: ignore[arg-type]
        )


def _walk_version(
    config: Config, project: Project, version: int | None
) -> tuple[Run, list[Finding]]:
    started = time.perf_counter()
    timings = Timings()
    findings: list[Finding] = []
    notes: list[str] = []
    diff_seconds = 0.0
    with provision.start(config, version) as server:
        steps: Iterable[Step | Note | Head] = walk(
            project,
            partial(provision.scratch_database, server),
            first=config.from_revision,
            last=config.to_revision,
            timings=timings,
        )
        checked: set[str] = set()
        reported: frozenset[str] = frozenset()
        for step in steps:
            if isinstance(step, Note):
                notes.append(step.text)
                continue
            if isinstance(step, Head):
                continue
            if step.revision:
                checked.add(step.revision)
            diff_started = time.perf_counter()
            found = list(step_findings(step, project, server.pg_version, reported=reported))
            findings.extend(found)
            reported |= {line for f in found if f.code in ("MC201", "MC204") for line in f.diff}
            diff_seconds += time.perf_counter() - diff_started
    run = Run(
        pg_version=server.pg_version,
        server_version=server.server_version,
        backend=server.backend,
        seconds=round(time.perf_counter() - started, 3),
        revisions=len(checked),
        notes=tuple(notes),
        timings=(
            ("migrations", round(timings.migrations, 3)),
            ("snapshots", round(timings.snapshots, 3)),
            ("diffs", round(diff_seconds, 3)),
            ("databases", round(timings.databases, 3)),
        ),
    )
    return run, findings


def check(config: Config) -> Report:
    """Walk every revision up, down and up again on each requested PostgreSQL version."""
    project = projects.load(config)
    config = replace(
        config,
        from_revision=config.from_revision
        and project.resolve(config.from_revision, option="--from"),
        to_revision=config.to_revision and project.resolve(config.to_revision, option="--to"),
    )
    runs: list[Run] = []
    findings: list[Finding] = []
    versions: tuple[int | None, ...] = config.pg_versions or (None,)
    with projects.working_directory(project.directory):
        for version in versions:
            run, found = _walk_version(config, project, version)
            runs.append(run)
            findings.extend(found)
    return Report(runs=tuple(runs), findings=tuple(findings))
