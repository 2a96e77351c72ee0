"""check(config) -> Report: load the project, walk it on every version, turn steps into findings."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migcheck.deploy.release import Release
    from migcheck.runner_pool import Runners

from migcheck import changes, graph, suppress
from migcheck import project as projects
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Report, graded
from migcheck.grouping import across
from migcheck.progress import Progress, ProgressCallback

__all__ = ["Progress", "ProgressCallback", "check", "default_jobs"]


def _ignore(progress: Progress) -> None:
    pass


def cores() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS or Windows
        return os.cpu_count() or 1


def default_jobs(versions: int) -> int:
    """As many versions at a time as this process may use CPU cores, at most ``versions``."""
    return max(1, min(cores(), versions))


def check(config: Config, *, progress: ProgressCallback | None = None) -> Report:
    """Check the revision graph, then walk every revision up, down and up again on each
    requested PostgreSQL version.

    Versions are walked ``config.jobs`` at a time (default: one per CPU core), each in a
    process of its own; with one job or one version, in this process. The report lists
    runs and findings by version; with several versions it adds what only comparing them
    shows (MC104, MC302). ``progress`` is called (in this process) as each walk advances.
    """
    static = graph.examine(config)
    if static.blocking:
        return graded(static.report, config.severity)
    if isinstance(config.models, str):
        from migcheck.drift import check_spec

        check_spec(config.models)
    from migcheck.runner_pool import runners

    # The project's Python starts now, and its Alembic and SQLAlchemy imports run while
    # this process reads the configuration and the server starts.
    with runners(projects.python(config)) as pool:
        return graded(_check(config, static, pool, progress), config.severity)


def _check(
    config: Config,
    static: graph.Static,
    pool: Runners,
    progress: ProgressCallback | None,
) -> Report:
    project = projects.load(config, pool, files=static.files)
    # The walk's modules are imported here, not above: `import migcheck` and the static
    # checks (a pre-commit hook, the pytest plugin's options) stay well under a second.
    from migcheck import matrix, parallel, provision, steps

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
            notes = (f"no revision {found.against}: nothing to walk",)
            return Report(findings=static.findings, notes=notes)
    notify = progress or _ignore
    release = _release(config, project, pool) if config.deploy_from else None
    versions = provision.versions(config)
    if config.jobs is not None and config.jobs < 1:
        raise UsageError(f"--jobs {config.jobs}: give at least 1")
    jobs = min(config.jobs, len(versions)) if config.jobs else default_jobs(len(versions))
    # A walk keeps about one core busy: with one to spare, it may upgrade the whole history
    # in one run on it meanwhile. Only when asked (MIGCHECK_AHEAD=1): on the same server,
    # what is the server's and not the database's (roles, tablespaces) would collide with
    # the walk's (see migcheck.ahead).
    ahead = cores() > jobs and os.environ.get("MIGCHECK_AHEAD") == "1"
    if jobs == 1:
        walks = [
            steps.walk_version(
                config,
                project,
                version,
                notify,
                only=only,
                pool=pool,
                release=release,
                ahead=ahead,
            )
            for version in versions
        ]
    else:
        walks = parallel.run(
            partial(steps.walk_version, config, project, only=only, release=release, ahead=ahead),
            versions,
            jobs=jobs,
            on_message=notify,
            label=lambda v: f"PostgreSQL {v}" if v else "the default PostgreSQL version",
        )
    walks.sort(key=lambda w: w.run.pg_version)
    # With --changed, a version that only upgraded a revision on the way to the changed
    # ones still tells that its upgrade passes there: the revision files say which (as
    # merge and the pytest plugin read them).
    compared = matrix.findings(walks, matrix.needs(static.files))
    # Read with the revision graph's checks, which refused bad ones before any server.
    walked = across(suppress.apply(compared, static.suppressions))
    return Report(runs=tuple(w.run for w in walks), findings=static.findings + walked)


def _release(config: Config, project: projects.Project, pool: Runners) -> Release:
    """The release at --deploy-from, copied into the run's folder (swept with it)."""
    from migcheck.deploy.release import export
    from migcheck.locations import folders

    assert config.deploy_from is not None
    return export(
        project,
        folders(config),
        config.deploy_from,
        pool.folder,
        base=config.base,
        models=config.deploy_models,
        role=config.deploy_role,
    )
