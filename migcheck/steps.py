"""One PostgreSQL version's walk, as findings: start its server, walk the history on it,
turn each step into the findings it proves. Runs in a worker process too."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path

from migcheck import drift, graph, provision
from migcheck.check import Progress, ProgressCallback
from migcheck.config import Config
from migcheck.diff import diff, is_reordering, render_all
from migcheck.findings import Finding, Run
from migcheck.matrix import Walked
from migcheck.project import Project
from migcheck.runner_pool import Runners, runners
from migcheck.scratch import Database, Scratch
from migcheck.snapshot import Snapshot
from migcheck.walk import Head, Note, Step, walk

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


# The function of the revision file a finding points at when no traceback line does:
# what went wrong ran (or undid too little) in it.
_FUNCTIONS = {
    "MC101": "upgrade",
    "MC103": "upgrade",
    "MC202": "upgrade",
    "MC102": "downgrade",
    "MC201": "downgrade",
    "MC203": "downgrade",
    "MC204": "downgrade",
}


def _function_line(path: str | None, code: str) -> int | None:
    """The ``def upgrade`` or ``def downgrade`` line of a revision file, if it has one."""
    parsed = graph.parse(Path(path)) if path else None
    if parsed is None:
        return None
    line = parsed.upgrade_line if _FUNCTIONS[code] == "upgrade" else parsed.downgrade_line
    return line or None


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
        line = error.line if error.file else _function_line(where, code)
        yield Finding(
            code=code,
            message=f"{state}{error.message}{context}",
            revision=revision,
            file=_relative(error.file or where, project),
            line=line,
            pg_version=pg_version,
            output=error.output,
        )
        return
    if step.snapshot is None or step.expected is None:
        return
    found = diff(step.expected, step.snapshot)
    if not found:
        return
    moved = render_all(tuple(d for d in found if is_reordering(d)))
    rest = render_all(tuple(d for d in found if not is_reordering(d)))
    if step.action == "downgrade_to_base":
        moved = tuple(line for line in moved if line not in reported)
        rest = tuple(line for line in rest if line not in reported)
    common = {"revision": revision, "file": _relative(where, project), "pg_version": pg_version}
    if rest:
        code = _MISMATCH_CODES[step.action]
        yield Finding(
            code=code,
            message=_MISMATCH_MESSAGES[step.action].format(rev=revision),
            diff=rest,
            line=_function_line(where, code),
            **common,  # type: ignore[arg-type]
        )
    if moved:
        yield Finding(
            code="MC204",
            message=f"columns of {revision or 'the schema'} changed position after the "
            f"{step.action.replace('_', ' ')}",
            diff=moved,
            line=_function_line(where, "MC204"),
            **common,  # type: ignore[arg-type]
        )


def _models(
    config: Config, scratch: Scratch, database: Database, head: Snapshot
) -> Iterator[Note | Finding]:
    """MC301 at head: the models against the schema the migrations built."""
    project = scratch.project
    if config.models is False:
        yield Note("models not compared: turned off (--no-models, or models = false)")
        return
    try:
        found = drift.compare(database, scratch, head, models=config.models)
    except drift.ModelsFailed as failed:
        yield Note(f"models not compared: the comparison failed: {failed}")
        return
    if found is None:
        yield Note(
            "models not compared: env.py passes no target_metadata to context.configure "
            "(pass it, or name the models with --models package.module:attribute)"
        )
        return
    if found.note:
        yield Note(found.note)
    if found.lines:
        yield Finding(
            code="MC301",
            message=f"the schema at head differs from the models ({found.source}): + only "
            "in the models, - only in what the migrations build, ~ from the migrations' "
            "to the models'",
            file=_relative(str(project.env_py), project),
            diff=found.lines,
        )


def walk_version(
    config: Config,
    project: Project,
    version: int | None,
    progress: ProgressCallback,
    *,
    only: frozenset[str] | None = None,
    pool: Runners | None = None,
) -> Walked:
    """One version: start its server, walk, stop it. Runs in a worker process too.

    ``only``: the revisions to check (--changed); None: all of the range."""
    started = time.perf_counter()
    selected = project.select(config.from_revision, config.to_revision)[1]
    total = len(only) if only is not None else len(selected)
    progress(Progress(version, "starting", total=total))
    findings: list[Finding] = []
    notes: list[str] = []
    diff_seconds = 0.0
    head: Head | None = None
    checked: dict[str, None] = {}
    with (
        nullcontext(pool) if pool else runners(project.handover.python) as pool,
        provision.start(config, version) as server,
    ):
        server_seconds = time.perf_counter() - started
        progress(Progress(server.pg_version, "walking", total=total, seconds=server_seconds))
        scratch = Scratch(
            project,
            partial(provision.scratch_database, server),
            pool,
            step_timeout=config.step_timeout,
            verbose=config.verbose,
            label=f"PostgreSQL {server.pg_version}",
        )
        timings = scratch.timings
        steps: Iterable[Step | Note | Head | Finding] = walk(
            project,
            scratch,
            first=config.from_revision,
            last=config.to_revision,
            at_head=partial(_models, config, scratch),
            only=only,
        )
        reported: frozenset[str] = frozenset()
        for step in steps:
            if isinstance(step, Note):
                notes.append(step.text)
                continue
            if isinstance(step, Head):
                head = step
                continue
            if isinstance(step, Finding):
                findings.append(replace(step, pg_version=server.pg_version))
                continue
            # With --changed, an unchanged revision only shows when its upgrade failed.
            walked = only is None or step.revision in only
            if step.revision and step.action in ("upgrade", "downgrade", "reupgrade") and walked:
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
    handover = project.handover
    interpreter = handover.interpreter
    run = Run(
        python=interpreter.describe(handover.driver) if interpreter else "",
        pg_version=server.pg_version,
        server_version=server.server_version,
        backend=server.backend,
        seconds=round(time.perf_counter() - started, 3),
        revisions=len(checked),
        walked=tuple(checked),
        notes=tuple(notes),
        head=head,
        timings=(
            ("server", round(server_seconds, 3)),
            ("migrations", round(timings.migrations, 3)),
            ("snapshots", round(timings.snapshots, 3)),
            ("diffs", round(diff_seconds, 3)),
            ("databases", round(timings.databases, 3)),
        ),
    )
    progress(Progress(run.pg_version, "done", len(checked), total, run.seconds, len(findings)))
    return Walked(run, tuple(findings), tuple(checked))
