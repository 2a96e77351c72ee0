"""Drive Alembic through a project's history, one revision at a time, on a real database.

For every revision: upgrade, snapshot, downgrade, snapshot, upgrade again, snapshot.
Each step is one Alembic run (env.py included) that commits on its own, so a failing
step rolls back alone and the catalog can be read from a second connection.

When a step fails the walk goes on where it can: the descendants of a revision whose
upgrade failed are skipped; after a failed downgrade or second upgrade the walk
continues on a fresh database brought to the same revisions without checks.
"""

from __future__ import annotations

import io
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psycopg
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, RevisionStep
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from migcheck import snapshot as snapshots
from migcheck.project import Project, Revision
from migcheck.snapshot import Snapshot

Action = Literal["upgrade", "downgrade", "reupgrade", "downgrade_to_base"]


@dataclass(frozen=True, slots=True)
class MigrationError:
    """What the database (or the migration's Python code) said when a step failed."""

    message: str
    sqlstate: str | None = None
    revision: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the walk: its resulting schema, and the schema it should equal."""

    action: Action
    revision: str | None
    snapshot: Snapshot | None = None
    expected: Snapshot | None = None
    error: MigrationError | None = None


@dataclass(frozen=True, slots=True)
class Note:
    text: str


@dataclass(frozen=True, slots=True)
class Head:
    """The schema with every walked revision applied, before the final downgrade."""

    snapshot: Snapshot
    revisions: tuple[str, ...]


@dataclass
class Timings:
    """Seconds spent in each part of the walk, for reports and benchmarks."""

    migrations: float = 0.0
    snapshots: float = 0.0
    databases: float = 0.0
    output: list[str] = field(default_factory=list)


Databases = Callable[[], AbstractContextManager[str]]


def _sqlstate(error: BaseException) -> tuple[str | None, str | None]:
    """(SQLSTATE, primary message) of a database error, whatever the driver."""
    current: BaseException | None = error
    while current is not None:
        orig = getattr(current, "orig", None) or current
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if code:
            diag = getattr(orig, "diag", None)
            primary = getattr(diag, "message_primary", None) if diag is not None else None
            return str(code), primary or str(orig).strip().splitlines()[0]
        current = current.__cause__ or current.__context__
    return None, None


def describe_error(error: BaseException, revisions_by_path: dict[str, str]) -> MigrationError:
    sqlstate, primary = _sqlstate(error)
    if primary is None:
        primary = traceback.format_exception_only(type(error), error)[-1].strip()
    revision = file = None
    line = None
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        found = revisions_by_path.get(str(Path(frame.filename).resolve()))
        if found is not None:
            revision, file, line = found, frame.filename, frame.lineno
            break
    return MigrationError(primary, sqlstate, revision, file, line)


class _Database:
    """One scratch database: a SQLAlchemy connection for Alembic, a psycopg one for the catalog."""

    def __init__(
        self,
        url: str,
        project: Project,
        script: ScriptDirectory,
        timings: Timings,
        stack: ExitStack,
    ):
        """Every resource is handed to ``stack`` as soon as it exists, so that an
        interrupt between two of them cannot leave a connection open (an open
        connection makes DROP DATABASE ... WITH (FORCE) wait)."""
        self.project, self.script, self.timings = project, script, timings
        self.sa_url = make_url(url).set(drivername="postgresql+psycopg")
        self.engine = create_engine(self.sa_url, poolclass=NullPool)
        stack.callback(self.engine.dispose)
        self.connection: Connection = self.engine.connect()
        stack.callback(lambda: self.connection.close())
        self.catalog_connection = psycopg.connect(url, autocommit=True)
        stack.callback(self.catalog_connection.close)
        self.catalog = snapshots.Catalog(
            self.catalog_connection, version_table=project.version_table
        )
        self.by_path = {r.path: r.id for r in project.revisions}
        self.config = project.alembic_config()
        self.config.attributes["connection"] = self.connection
        # configparser interpolation: a literal % in a URL must be doubled.
        self.config.set_main_option(
            "sqlalchemy.url", self.sa_url.render_as_string(hide_password=False).replace("%", "%%")
        )

    def snapshot(self) -> Snapshot:
        started = time.perf_counter()
        try:
            return self.catalog.take()
        finally:
            self.timings.snapshots += time.perf_counter() - started

    def run(self, steps: Sequence[tuple[str, bool]]) -> MigrationError | None:
        """Apply exactly these (revision, is_upgrade) steps in one Alembic run."""
        revision_map = self.script.revision_map

        def plan(heads: Any, context: MigrationContext) -> list[RevisionStep]:
            return [
                RevisionStep(revision_map, self.script.get_revision(rev), up) for rev, up in steps
            ]

        output = io.StringIO()
        started = time.perf_counter()
        try:
            # env.py usually calls logging.fileConfig, whose handlers bind to the
            # sys.stderr of that moment: Alembic's chatter lands in `output`.
            with (
                redirect_stdout(output),
                redirect_stderr(output),
                EnvironmentContext(self.config, self.script, fn=plan, destination_rev=steps[-1][0]),
            ):
                self.script.run_env()
            return None
        except Exception as error:
            self._recover()
            return describe_error(error, self.by_path)
        finally:
            self.timings.migrations += time.perf_counter() - started
            if output.tell():
                self.timings.output.append(output.getvalue())

    def _recover(self) -> None:
        if self.connection.invalidated or self.connection.closed:
            self.connection = self.engine.connect()
            self.config.attributes["connection"] = self.connection
        elif self.connection.in_transaction():
            self.connection.rollback()


def walk(
    project: Project,
    databases: Databases,
    *,
    first: str | None = None,
    last: str | None = None,
    timings: Timings | None = None,
) -> Iterator[Step | Note | Head]:
    """Yield the steps of the walk over ``first``..``last`` (whole history by default)."""
    timings = timings if timings is not None else Timings()
    prefix, order = project.select(first, last)
    script = project.script_directory()
    with ExitStack() as stack:

        def fresh(applied: Sequence[str]) -> tuple[_Database, MigrationError | None]:
            """A new database with ``applied`` upgraded, unchecked; the old one is dropped."""
            stack.close()
            started = time.perf_counter()
            url = stack.enter_context(databases())
            database = _Database(url, project, script, timings, stack)
            timings.databases += time.perf_counter() - started
            error = database.run([(rev, True) for rev in applied]) if applied else None
            return database, error

        applied = [r.id for r in prefix]
        db, error = fresh(applied)
        if error is not None:
            yield Note(f"could not upgrade to the start of the range ({first}): {error.message}")
            return
        base = current = db.snapshot()
        unavailable: set[str] = set()
        downgrade_failed = False
        walked: list[Revision] = []
        for revision in order:
            rev = revision.id
            blocked = [p for p in revision.parents + revision.dependencies if p in unavailable]
            if blocked:
                unavailable.add(rev)
                yield Note(f"{rev} not checked: it needs {', '.join(blocked)}, which failed")
                continue
            error = db.run([(rev, True)])
            if error is not None:
                yield Step("upgrade", rev, error=error)
                unavailable.add(rev)
                if db.snapshot() != current:
                    # Not everything rolled back (autocommit blocks, COMMITs in the migration).
                    db, _ = fresh(applied)
                continue
            upgraded = db.snapshot()
            yield Step("upgrade", rev, snapshot=upgraded)
            error = db.run([(rev, False)])
            if error is not None:
                yield Step("downgrade", rev, error=error)
                downgrade_failed = True
                applied.append(rev)
                walked.append(revision)
                db, error = fresh(applied)
                current = db.snapshot()
                continue
            yield Step("downgrade", rev, snapshot=db.snapshot(), expected=current)
            error = db.run([(rev, True)])
            if error is not None:
                yield Step("reupgrade", rev, error=error)
                applied.append(rev)
                walked.append(revision)
                db, error = fresh(applied)
                current = db.snapshot()
                continue
            current = db.snapshot()
            yield Step("reupgrade", rev, snapshot=current, expected=upgraded)
            applied.append(rev)
            walked.append(revision)
        if walked:
            yield Head(current, tuple(r.id for r in walked))
        if downgrade_failed:
            yield Note("downgrade to base not attempted: a downgrade already failed")
            return
        if not walked:
            return
        error = db.run([(r.id, False) for r in reversed(walked)])
        if error is not None:
            yield Step("downgrade_to_base", error.revision, error=error)
            return
        yield Step("downgrade_to_base", None, snapshot=db.snapshot(), expected=base)
