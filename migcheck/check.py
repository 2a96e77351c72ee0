"""check(config) -> Report: load the project, walk it on every version, turn steps into findings."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from migcheck.runner_pool import Runners

from migcheck import changes, graph, suppress
from migcheck import project as projects
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Finding, Report
from migcheck.findings import suppress as suppressed


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
    if isinstance(config.models, str):
        from migcheck.drift import check_spec

        check_spec(config.models)
    from migcheck.runner_pool import runners

    # The project's Python starts now, and its Alembic and SQLAlchemy imports run while
    # this process reads the configuration and the server starts.
    with runners(projects.python(config)) as pool:
        return _check(config, static, pool, progress)


def _check(
    config: Config,
    static: tuple[Finding, ...],
    pool: Runners,
    progress: ProgressCallback | None,
) -> Report:
    project = projects.load(config, pool)
    # The walk's modules are imported here, not above: `import migcheck` and the static
    # checks (a pre-commit hook, the pytest plugin's options) stay well under a second.
    from migcheck import matrix, parallel, steps

    config = replace(
        config,
        project_dir=project.directory,
        alembic_ini=project.ini_path.name,
        from_revision=config.from_revision
        and project.resolve(config.from_revision, option="--from"),
        to_revision=config.to_revision and project.resolve(config.to_revision, option="--to"),
    )
    only: frozenset[str] | None = None
    if config.changed:
        found = changes.find(config, project.directory)
        selected = project.select(config.from_revision, config.to_revision)[1]
        only = frozenset(changes.revisions(project, found.files)) & {r.id for r in selected}
        if not only:
            return Report(findings=static, notes=(f"no revision {found.against}: nothing to walk",))
    notify = progress or _ignore
    versions: tuple[int | None, ...] = config.pg_versions or (None,)
    if config.jobs is not None and config.jobs < 1:
        raise UsageError(f"--jobs {config.jobs}: give at least 1")
    jobs = min(config.jobs, len(versions)) if config.jobs else default_jobs(len(versions))
    if jobs == 1:
        walks = [
            steps.walk_version(config, project, version, notify, only=only, pool=pool)
            for version in versions
        ]
    else:
        walks = parallel.run(
            partial(steps.walk_version, config, project, only=only),
            versions,
            jobs=jobs,
            on_message=notify,
            label=lambda v: f"PostgreSQL {v}" if v else "the default PostgreSQL version",
        )
    walks.sort(key=lambda w: w.run.pg_version)
    # graph.check applied them to its findings, and refused bad ones before any server.
    accepted = suppress.collect(config, [(r.id, Path(r.path)) for r in project.revisions])
    walked = suppressed(matrix.findings(walks), accepted)
    return Report(runs=tuple(w.run for w in walks), findings=static + walked)
