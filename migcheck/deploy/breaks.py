"""MC701: does the release running in production survive the new migrations?

On a scratch database of its own, the migrations are upgraded to the revisions the
release at --deploy-from had (the schema it ran on). Its models' statements run there
first: what fails already is the release's own business and is left out. Then each newer
revision is upgraded one at a time and the statements run again; a statement that fails
at the end is a break, blamed on the revision since which it has failed. The same
question covers a rollback of the code (old code on the new schema): it is asked once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg

from migcheck.codes import Code
from migcheck.deploy import constraints, outcomes
from migcheck.deploy.outcomes import Failure, Outcomes, Plan
from migcheck.deploy.release import Release
from migcheck.deploy.statements import OldTable, rows, tables, value_types
from migcheck.errors import ProjectError, UsageError
from migcheck.findings import Finding
from migcheck.project import Project, Revision
from migcheck.scratch import Database, Scratch
from migcheck.walk import Note


@dataclass(frozen=True, slots=True)
class Break:
    table: OldTable
    label: str  # the statement: INSERT, UPDATE of name...
    revision: str  # since which it fails
    failure: Failure


class Tracker:
    """Which statements fail, and since which revision; those failing on the release's
    own schema are not followed."""

    def __init__(self, baseline: Outcomes) -> None:
        self.excluded = {key for key, outcome in baseline.items() if outcome is not None}
        self.since: dict[tuple[str, str], tuple[str, Failure]] = {}

    def take(self, revision: str, found: Outcomes) -> None:
        for key, outcome in found.items():
            if key in self.excluded:
                continue
            if outcome is None:
                self.since.pop(key, None)
            elif key not in self.since:
                self.since[key] = (revision, outcome)

    def breaks(self, plans: Sequence[Plan]) -> list[Break]:
        by_key = {p.table.key: p.table for p in plans}
        return [
            Break(by_key[table], label, revision, failure)
            for (table, label), (revision, failure) in self.since.items()
        ]


def release_project(project: Project, release: Release) -> Project:
    """``project`` as it was in the release: its files in the copy."""
    handover = project.handover
    location = Path(project.script_location)
    return replace(
        project,
        # %(here)s/migrations, as alembic init writes it, is absolute: moved too.
        script_location=str(release.moved(location))
        if location.is_absolute()
        else project.script_location,
        ini_path=release.moved(project.ini_path),
        toml_path=project.toml_path and release.moved(project.toml_path),
        handover=replace(handover, roots=tuple(release.moved(r) for r in handover.roots)),
    )


def _plans(
    connection: psycopg.Connection[psycopg.rows.TupleRow],
    found: Sequence[OldTable],
    role: str | None,
) -> tuple[list[Plan], Outcomes]:
    """Each table's values (wide ones, else ordinary ones where the release's own schema
    refuses those), and what the statements give on the release's schema."""
    types = value_types(connection, [c.type for t in found for c in t.columns if c.type])
    checks = constraints.read(connection, found).checks
    plans = []
    for index, table in enumerate(found):
        wide, plain, fresh = rows(table, types, 1000 * (index + 1))
        checked = frozenset(name for _, _, columns in checks[table.key] for name in columns)
        plans.append(Plan(table, wide, fresh, types, checked, plain))
    try:
        baseline = outcomes.run(connection, plans, role)
    except psycopg.Error as error:  # only SET ROLE fails outside a savepoint
        raise UsageError(
            f"--deploy-role {role}: {error.diag.message_primary or error} (create it in "
            "bootstrap_sql or a migration)"
        ) from None
    refused = {p.table.key for p in plans if baseline.get((p.table.key, "INSERT")) is not None}
    if refused:
        plans = [replace(p, row=p.other) if p.table.key in refused else p for p in plans]
        baseline = outcomes.run(connection, plans, role)
    return plans, baseline


def _finding(project: Project, release: Release, found: Sequence[Break]) -> Finding:
    first = found[0]
    revision = project.get(first.revision)
    parsed = project.parsed(first.revision)
    lines: list[str] = []
    for one in found:
        lines.append(f"{one.label}: {one.failure.shown}")
        statement = next(
            (s for s in one.table.statements if s.label == one.label),
            one.table.statement("INSERT"),
        )
        lines.append(f"  {' '.join(statement.sql.split())}")
    return Finding(
        code=Code.MC701,
        message=f"{first.table.shown}, as the release at {release.short} uses it, fails "
        f"after this revision: {first.label}: {first.failure.shown}",
        revision=first.revision,
        file=project.relative(revision.path),
        line=parsed.def_line("upgrade") if parsed else None,
        diff=tuple(lines),
    )


def _findings(project: Project, release: Release, found: list[Break]) -> Iterator[Finding]:
    grouped: dict[tuple[str, str], list[Break]] = {}
    for one in found:
        grouped.setdefault((one.table.key, one.revision), []).append(one)
    order = {r.id: i for i, r in enumerate(project.revisions)}
    for key in sorted(grouped, key=lambda k: (order.get(k[1], 0), k[0])):
        yield _finding(project, release, grouped[key])


def check(
    project: Project,
    scratch: Scratch,
    release: Release,
    order: Sequence[Revision],
) -> Iterator[Note | Finding]:
    """MC701 for the revisions of ``order`` (the walk's, oldest first) the release did
    not have."""
    known = {r.id for r in project.revisions}
    unknown = sorted(release.revisions - known)
    if unknown:
        yield Note(
            f"deploy check skipped: the release at {release.short} has revisions this "
            f"history has not ({', '.join(unknown[:3])}): rewritten or squashed"
        )
        return
    old = [r.id for r in order if r.id in release.revisions]
    new = [r.id for r in order if r.id not in release.revisions]
    if not new:
        yield Note(f"deploy check: no revision after {release.short}, nothing to check")
        return
    with ExitStack() as stack:
        database = scratch.open(stack)
        if old and (error := database.run([(rev, True) for rev in old])) is not None:
            yield Note(
                f"deploy check skipped: upgrading to {release.short} failed at {error.revision}"
            )
            return
        found = _models(project, scratch, release, database, stack)
        if not found:
            yield Note(
                f"deploy check: the release at {release.short} has no models (env.py passes "
                "no target_metadata; name them with --deploy-models): nothing to check"
            )
            return
        # The release's statements wait no longer than a step may.
        timeout = int((scratch.step_timeout or 0) * 1000)
        connection = stack.enter_context(
            psycopg.connect(
                database.libpq_url, autocommit=True, options=f"-c statement_timeout={timeout}"
            )
        )
        plans, baseline = _plans(connection, found, release.role)
        if refused := _refused(plans, baseline):
            yield Note(
                f"deploy check: {refused} fail on the schema of the release at "
                f"{release.short} already, and are not checked"
            )
        tracker = Tracker(baseline)
        for rev in new:
            error = database.run([(rev, True)])
            if error is not None:
                yield Note(f"deploy check stopped at {rev}: its upgrade failed")
                break
            tracker.take(rev, outcomes.run(connection, plans, release.role))
        yield from _findings(project, release, tracker.breaks(plans))


def _models(
    project: Project, scratch: Scratch, release: Release, database: Database, stack: ExitStack
) -> tuple[OldTable, ...]:
    """The release's tables and statements, from a runner on the copy of its files."""
    deployed = Scratch(release_project(project, release), scratch.databases, scratch.runners)
    reply = Database(database.libpq_url, deployed, stack, bootstrap=False).ask(
        {"verb": "deployed", "models": release.models}, code=f"the models at {release.short}"
    )
    if not reply.get("ok"):
        why = (
            reply.get("project_error")
            or reply.get("internal")
            or (reply.get("error") or {}).get("message")
        )
        raise ProjectError(f"--deploy-from {release.ref}: {why}")
    for model, path in reply.get("files", ()):
        if not Path(path).resolve().is_relative_to(release.root.resolve()):
            raise ProjectError(
                f"--deploy-from {release.ref}: {model} was imported from {path}, not from the "
                f"release's files (an installed copy of the project comes first on sys.path): "
                "add the models' folder to prepend_sys_path in alembic.ini, or name them with "
                "--deploy-models"
            )
    return tables(reply)


def _refused(plans: Sequence[Plan], baseline: Outcomes) -> str:
    """The statements that fail on the release's own schema, for a note ("" if none)."""
    models = {p.table.key: p.table.model for p in plans}
    failed = [
        f"{models[table]} {label} ({outcome.shown})"
        for (table, label), outcome in baseline.items()
        if outcome is not None
    ]
    if not failed:
        return ""
    more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
    return "; ".join(failed[:3]) + more
