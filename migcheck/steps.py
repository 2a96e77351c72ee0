"""One PostgreSQL version's walk, as findings: start its server, walk the history on it,
turn each step into the findings it proves. Runs in a worker process too."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import partial

from migcheck import drift, provision
from migcheck.codes import CODES, Code
from migcheck.config import Config
from migcheck.course import walk
from migcheck.deploy.breaks import check as deploy_check
from migcheck.deploy.release import Release
from migcheck.diff import Added, Difference, Removed, diff, is_reordering, render_all
from migcheck.findings import Finding, Run
from migcheck.grouping import AT_BASE, consequences
from migcheck.matrix import Walked
from migcheck.observed import observations
from migcheck.progress import Progress, ProgressCallback
from migcheck.project import Project
from migcheck.provision import Server
from migcheck.rows.compare import differences
from migcheck.rows.filling import Filling, Plan
from migcheck.runner_pool import Runners, runners
from migcheck.runs import MigrationError, Timings
from migcheck.scratch import Scratch
from migcheck.snapshot import Head
from migcheck.walk import Action, Event, Note, Step


@dataclass(frozen=True, slots=True)
class Verdicts:
    """What a step of one action proves: the code of its failure, and the code and
    message of a schema other than the one expected."""

    failed: Code
    differs: Code | None = None
    message: str = ""  # {rev}: the revision
    context: str = ""  # added to the message of a failure
    rows_differ: Code | None = None  # other rows than expected (with rows in the tables)
    rows_message: str = ""


ACTIONS: Mapping[Action, Verdicts] = {
    "upgrade": Verdicts(Code.MC101),
    "upgrade_with_rows": Verdicts(
        Code.MC105,
        context=" (with rows in the tables; on empty tables the upgrade passes)",
    ),
    "downgrade": Verdicts(
        Code.MC102,
        Code.MC201,
        "downgrade of {rev} did not restore the schema of its parent revision",
        rows_differ=Code.MC601,
        rows_message="downgrade of {rev} did not restore the rows of the tables it found",
    ),
    "reupgrade": Verdicts(
        Code.MC103,
        Code.MC202,
        "upgrading {rev} again after its downgrade built a different schema",
        rows_differ=Code.MC602,
        rows_message="upgrading {rev} again after its downgrade left other rows than its "
        "first upgrade",
    ),
    "downgrade_to_base": Verdicts(
        Code.MC102,
        Code.MC203,
        "downgrading the whole history to base left the schema changed",
        AT_BASE,
    ),
    "upgrade_all": Verdicts(
        Code.MC101,
        Code.MC202,
        "upgrading the whole history in one run (as alembic upgrade head does on a new "
        "database) built a different schema than upgrading one revision at a time",
        " while upgrading the whole history in one run (as alembic upgrade head does on a "
        "new database); upgrading one revision at a time works",
    ),
}

# Tables and views whose columns diff.render_all folds into their own line.
_OWNERS = ("table", "view")


def _def_line(project: Project, revision: str | None, code: Code) -> int | None:
    """The line of the function ``code`` blames (what went wrong ran, or undid too little,
    in it) in the file of ``revision``: where a finding points when no traceback line does."""
    parsed = project.parsed(revision) if revision else None
    blamed = CODES[code].blames
    return parsed.def_line(blamed) if parsed and blamed else None


def _lines(differences: tuple[Difference, ...]) -> list[list[int]]:
    """The indices of ``differences`` grouped by the line each group renders as: a table
    or view added or removed with its columns (``diff.render_all`` folds them into its
    line), else one each."""
    owners = {
        (d.key.schema, d.key.name, isinstance(d, Added))
        for d in differences
        if isinstance(d, Added | Removed) and d.key.kind in _OWNERS
    }
    groups: dict[object, list[int]] = {}
    for index, d in enumerate(differences):
        group: object = index
        if isinstance(d, Added | Removed) and d.key.kind in _OWNERS:
            group = (d.key.schema, d.key.name, isinstance(d, Added))
        elif isinstance(d, Added | Removed) and d.key.kind == "column":
            owner = (d.key.schema, d.key.parent, isinstance(d, Added))
            group = owner if owner in owners else index
        groups.setdefault(group, []).append(index)
    return list(groups.values())


def unreported(
    differences: tuple[Difference, ...], reported: Collection[str]
) -> tuple[Difference, ...]:
    """``differences`` but those rendering as a line in ``reported``, in their order. What
    a single downgrade already left behind is left behind at base too: MC203 keeps what is
    new."""
    kept = {
        index
        for group in _lines(differences)
        if render_all(tuple(differences[i] for i in group))[0] not in reported
        for index in group
    }
    return tuple(d for index, d in enumerate(differences) if index in kept)


def _failure(step: Step, error: MigrationError, project: Project, pg_version: int) -> Finding:
    """MC101-MC103: a step that raised ``error``."""
    revision, verdicts = step.revision, ACTIONS[step.action]
    where = project.get(revision).path if revision else None
    state = f"[{error.sqlstate}] " if error.sqlstate else ""
    # Which key or value the database refused is the point of a failure with rows.
    detail = error.detail.rstrip(".") if verdicts.failed is Code.MC105 and error.detail else ""
    detail = f": {detail}" if detail else ""
    return Finding(
        code=verdicts.failed,
        message=f"{state}{error.message}{detail}{verdicts.context}",
        revision=revision,
        file=project.relative(error.file or where),
        line=error.line if error.file else _def_line(project, revision, verdicts.failed),
        pg_version=pg_version,
        output=error.output,
    )


def step_findings(
    step: Step, project: Project, pg_version: int, *, reported: frozenset[str] = frozenset()
) -> Iterator[Finding]:
    """The findings one step of the walk proves (none for a clean step).

    ``reported``: diff lines of earlier MC201 and MC204 findings, which MC203 leaves out.
    """
    if step.error is not None:
        yield _failure(step, step.error, project, pg_version)
        return
    file = project.relative(project.get(step.revision).path if step.revision else None)
    for seen in observations(step.observed):
        yield Finding(
            seen.code,
            seen.message,
            revision=step.revision,
            file=file,
            line=seen.line,
            pg_version=pg_version,
        )
    if step.snapshot is None or step.expected is None:
        return
    found = diff(step.expected, step.snapshot)
    moved = tuple(d for d in found if is_reordering(d))
    rest = tuple(d for d in found if not is_reordering(d))
    if step.action == "downgrade_to_base":
        moved, rest = unreported(moved, reported), unreported(rest, reported)
    revision, verdicts = step.revision, ACTIONS[step.action]
    if rest and verdicts.differs is not None:
        yield Finding(
            code=verdicts.differs,
            message=verdicts.message.format(rev=revision),
            revision=revision,
            file=file,
            line=_def_line(project, revision, verdicts.differs),
            pg_version=pg_version,
            changes=rest,
        )
    if moved:
        yield Finding(
            code=Code.MC204,
            message=f"columns of {revision or 'the schema'} changed position after the "
            f"{step.action.replace('_', ' ')}",
            revision=revision,
            file=file,
            line=_def_line(project, revision, Code.MC204),
            pg_version=pg_version,
            changes=moved,
        )
    if step.rows is None or step.expected_rows is None or verdicts.rows_differ is None:
        return
    # What a downgrade did not restore is a loss, a backfill it keeps is not; a second
    # upgrade is not expected to give now() or gen_random_uuid() the same values again.
    down = step.action == "downgrade"
    lines = differences(step.expected_rows, step.rows, fills=not down, volatile=down)
    if lines:
        yield Finding(
            code=verdicts.rows_differ,
            message=verdicts.rows_message.format(rev=revision),
            revision=revision,
            file=file,
            line=_def_line(project, revision, verdicts.rows_differ),
            pg_version=pg_version,
            diff=lines,
        )


class _Tally:
    """What one version's walk yields, gathered as it goes, its progress reported."""

    def __init__(
        self, project: Project, pg_version: int, only: frozenset[str] | None, started: float
    ) -> None:
        self.project = project
        self.pg_version = pg_version
        self.only = only
        self.started = started
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.checked: dict[str, None] = {}  # revisions walked, in walk order
        self.head: Head | None = None
        self.reported: frozenset[str] = frozenset()  # diff lines of MC201 and MC204
        self.diff_seconds = 0.0

    def take(self, event: Event, progress: ProgressCallback, total: int) -> None:
        if isinstance(event, Note):
            self.notes.append(event.text)
        elif isinstance(event, Head):
            self.head = event
        elif isinstance(event, Finding):
            self.findings.append(replace(event, pg_version=self.pg_version))
        else:
            self.step(event)
            if event.action == "reupgrade" or event.error is not None:
                seconds = time.perf_counter() - self.started
                done, found = len(self.checked), len(self.findings)
                progress(Progress(self.pg_version, "walking", done, total, seconds, found))

    def step(self, step: Step) -> None:
        # With --changed, an unchanged revision only shows when its upgrade failed.
        walked = self.only is None or step.revision in self.only
        if step.revision and step.action in ("upgrade", "downgrade", "reupgrade") and walked:
            self.checked[step.revision] = None
        started = time.perf_counter()
        found = list(step_findings(step, self.project, self.pg_version, reported=self.reported))
        self.findings.extend(found)
        shown = (f for f in found if f.code in (Code.MC201, Code.MC204))
        self.reported |= {line for f in shown for line in render_all(f.changes)}
        self.diff_seconds += time.perf_counter() - started

    def run(self, server: Server, timings: Timings, server_seconds: float, filling: Filling) -> Run:
        handover = self.project.handover
        interpreter = handover.interpreter
        return Run(
            python=interpreter.describe(handover.driver) if interpreter else "",
            pg_version=server.pg_version,
            server_version=server.server_version,
            backend=server.backend,
            seconds=round(time.perf_counter() - self.started, 3),
            revisions=len(self.checked),
            walked=tuple(self.checked),
            notes=(*self.notes, *filling.notes()),
            rows=filling.plan.describe(),
            head=self.head,
            timings=(
                ("server", round(server_seconds, 3)),
                ("migrations", round(timings.migrations, 3)),
                ("snapshots", round(timings.snapshots, 3)),
                ("diffs", round(self.diff_seconds, 3)),
                ("databases", round(timings.databases, 3)),
                ("rows", round(filling.seconds, 3)),
            ),
        )


def walk_version(
    config: Config,
    project: Project,
    version: int | None,
    progress: ProgressCallback,
    *,
    only: frozenset[str] | None = None,
    pool: Runners | None = None,
    release: Release | None = None,
    ahead: bool = False,
) -> Walked:
    """One version: start its server, walk, stop it. Runs in a worker process too.

    ``only``: the revisions to check (--changed); None: all of the range. ``ahead``: a
    core is free for this walk (``migcheck.ahead``)."""
    started = time.perf_counter()
    selected = project.select(config.from_revision, config.to_revision)[1]
    total = len(only) if only is not None else len(selected)
    progress(Progress(version, "starting", total=total))
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
            observe=config.locks,
        )
        tally = _Tally(project, server.pg_version, only, started)
        filling = Filling(Plan.of(config))
        if server.note:
            tally.notes.append(server.note)
        for event in walk(
            project,
            scratch,
            first=config.from_revision,
            last=config.to_revision,
            at_head=partial(drift.at_head, config, scratch),
            only=only,
            filling=filling if filling.plan.active else None,
            ahead=ahead,
        ):
            tally.take(event, progress, total)
        if release is not None:
            prefix, order = project.select(None, config.to_revision)
            for event in deploy_check(project, scratch, release, [*prefix, *order]):
                tally.take(event, progress, total)
    run = tally.run(server, scratch.timings, server_seconds, filling)
    checked, found = len(tally.checked), len(tally.findings)
    progress(Progress(run.pg_version, "done", checked, total, run.seconds, found))
    return Walked(run, consequences(tally.findings), tuple(tally.checked))
