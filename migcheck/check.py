"""check(config) -> Report: load the project, walk it on every version, turn steps into findings."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Literal

from migcheck import diff as diffs
from migcheck import graph, matrix, parallel, provision
from migcheck import project as projects
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Finding, Report, Run
from migcheck.matrix import Walked
from migcheck.project import Project
from migcheck.walk import Head, Note, Step, Timings, walk

_FAILURE_CODES = {
    "upgrade": "MC101",
    "downgrade": "MC102",
    "reupgrade": "MC103",
    "downgrade_to_base": "MC102",
    "upgrade_all": "MC101",
}
_MISMATCH_CODES = {
    "downgrade": "MC201",
    "reupgrade": "MC202",
    "downgrade_to_base": "MC203",
    "upgrade_all": "MC202",
}
_MISMATCH_MESSAGES = {
    "downgrade": "downgrade of {rev} did not restore the schema of its parent revision",
    "reupgrade": "upgrading {rev} again after its downgrade built a different schema",
    "downgrade_to_base": "downgrading the whole history to base left the schema changed",
    "upgrade_all": "upgrading the whole history in one run (as alembic upgrade head does on "
    "a new database) built a different schema than upgrading one revision at a time",
}
_FAILURE_CONTEXTS = {
    "downgrade_to_base": " while downgrading the whole history to base",
    "upgrade_all": " while upgrading the whole history in one run (as alembic upgrade head "
    "does on a new database); upgrading one revision at a time works",
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
        context = _FAILURE_CONTEXTS.get(step.action, "")
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


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one version's walk is, for ``check(config, progress=...)``.

    ``pg_version`` is None while the server of the default version starts (its version
    is known once it answers). ``stage``: "starting" the server, "walking" (``done`` of
    ``total`` revisions), "done" (the server is gone; ``seconds`` and ``findings`` final).
    """

    pg_version: int | None
    stage: Literal["starting", "walking", "done"]
    done: int = 0
    total: int = 0
    seconds: float = 0.0
    findings: int = 0


ProgressCallback = Callable[[Progress], None]


def _ignore(progress: Progress) -> None:
    pass


def _walk_version(
    config: Config, project: Project, version: int | None, progress: ProgressCallback
) -> Walked:
    """One version: start its server, walk, stop it. Runs in a worker process too."""
    started = time.perf_counter()
    total = len(project.select(config.from_revision, config.to_revision)[1])
    progress(Progress(version, "starting", total=total))
    timings = Timings()
    findings: list[Finding] = []
    notes: list[str] = []
    diff_seconds = 0.0
    head: Head | None = None
    checked: dict[str, None] = {}
    with projects.working_directory(project.directory), provision.start(config, version) as server:
        server_seconds = time.perf_counter() - started
        progress(Progress(server.pg_version, "walking", total=total, seconds=server_seconds))
        steps: Iterable[Step | Note | Head] = walk(
            project,
            partial(provision.scratch_database, server),
            first=config.from_revision,
            last=config.to_revision,
            timings=timings,
        )
        reported: frozenset[str] = frozenset()
        for step in steps:
            if isinstance(step, Note):
                notes.append(step.text)
                continue
            if isinstance(step, Head):
                head = step
                continue
            if step.revision and step.action in ("upgrade", "downgrade", "reupgrade"):
                checked[step.revision] = None
            diff_started = time.perf_counter()
            found = list(step_findings(step, project, server.pg_version, reported=reported))
            findings.extend(found)
            reported |= {line for f in found if f.code in ("MC201", "MC204") for line in f.diff}
            diff_seconds += time.perf_counter() - diff_started
            if step.action == "reupgrade" or step.error is not None:
                progress(
                    Progress(
                        server.pg_version,
                        "walking",
                        done=len(checked),
                        total=total,
                        seconds=time.perf_counter() - started,
                        findings=len(findings),
                    )
                )
    run = Run(
        pg_version=server.pg_version,
        server_version=server.server_version,
        backend=server.backend,
        seconds=round(time.perf_counter() - started, 3),
        revisions=len(checked),
        walked=tuple(checked),
        notes=tuple(notes),
        timings=(
            ("server", round(server_seconds, 3)),
            ("migrations", round(timings.migrations, 3)),
            ("snapshots", round(timings.snapshots, 3)),
            ("diffs", round(diff_seconds, 3)),
            ("databases", round(timings.databases, 3)),
        ),
    )
    progress(Progress(run.pg_version, "done", len(checked), total, run.seconds, len(findings)))
    return Walked(run, tuple(findings), tuple(checked), head)


def default_jobs(versions: int) -> int:
    """As many versions at a time as this process may use CPU cores, at most ``versions``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS or Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, versions))


def check(config: Config, *, progress: ProgressCallback | None = None) -> Report:
    """Check the revision graph, then walk every revision up, down and up again on each
    requested PostgreSQL version.

    Versions are walked ``config.jobs`` at a time (default: one per CPU core), each in a
    process of its own; with one job or one version, in this process. The report lists
    runs and findings by version; with several versions it adds what only comparing them
    shows (MC104, MC302). ``progress`` is called (in this process) as each walk advances.
    """
    static = graph.check(config).findings
    if any(finding.code in graph.BLOCKING for finding in static):
        return Report(findings=static)
    project = projects.load(config)
    config = replace(
        config,
        project_dir=project.directory,
        alembic_ini=project.ini_path.name,
        from_revision=config.from_revision
        and project.resolve(config.from_revision, option="--from"),
        to_revision=config.to_revision and project.resolve(config.to_revision, option="--to"),
    )
    notify = progress or _ignore
    versions: tuple[int | None, ...] = config.pg_versions or (None,)
    if config.jobs is not None and config.jobs < 1:
        raise UsageError(f"--jobs {config.jobs}: give at least 1")
    jobs = min(config.jobs, len(versions)) if config.jobs else default_jobs(len(versions))
    if jobs == 1:
        walks = [_walk_version(config, project, version, notify) for version in versions]
    else:
        walks = parallel.run(
            partial(_walk_version, config, project),
            versions,
            jobs=jobs,
            on_message=notify,
            label=lambda v: f"PostgreSQL {v}" if v else "the default PostgreSQL version",
        )
    walks.sort(key=lambda w: w.run.pg_version)
    return Report(runs=tuple(w.run for w in walks), findings=static + matrix.findings(walks))
