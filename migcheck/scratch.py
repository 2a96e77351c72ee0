"""One scratch database as the walk uses it: its connections, what env.py is handed, and
one Alembic run at a time with exactly the steps asked for.

Each run executes the project's own env.py, as ``alembic upgrade`` would, and must leave
its work committed: the catalog is read on a connection of its own. After each run the
version table is read back, so that an env.py that migrated another database (or did
not commit) is reported as such instead of as a clean history.
"""

from __future__ import annotations

import io
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, RevisionStep
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from migcheck import handover as handovers
from migcheck import snapshot as snapshots
from migcheck.errors import ProjectError
from migcheck.handover import driver_url, render
from migcheck.project import Project
from migcheck.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class MigrationError:
    """What the database (or the migration's Python code) said when a step failed."""

    message: str
    sqlstate: str | None = None
    revision: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass
class Timings:
    """Seconds spent in each part of the walk, for reports and benchmarks."""

    migrations: float = 0.0
    snapshots: float = 0.0
    databases: float = 0.0
    output: list[str] = field(default_factory=list)


def _database_error(error: BaseException) -> tuple[str | None, str | None]:
    """(SQLSTATE, primary message) of a database error, whatever the driver."""
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        orig = getattr(current, "orig", None) or current
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        fields = orig.args[0] if orig.args else None
        if not code and isinstance(fields, dict) and "C" in fields:
            return str(fields["C"]), str(fields.get("M", ""))  # pg8000: the server's fields
        if code:
            diag = getattr(orig, "diag", None)
            primary = getattr(diag, "message_primary", None) if diag is not None else None
            # asyncpg, under SQLAlchemy's adapter: the driver's error is the cause.
            primary = primary or getattr(orig.__cause__, "message", None)
            return str(code), primary or str(orig).strip().splitlines()[0]
        current = current.__cause__ or current.__context__
    return None, None


def describe_error(error: BaseException, revisions_by_path: dict[str, str]) -> MigrationError:
    sqlstate, primary = _database_error(error)
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


class Database:
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
        connection makes DROP DATABASE ... WITH (FORCE) wait). The database is
        bootstrapped when the project asks for it."""
        self.project, self.script, self.timings = project, script, timings
        self.handover = handover = project.handover
        stack.enter_context(handovers.importing(handover.roots))
        self.url = render(driver_url(url, handover.driver))
        # No automatic prepared statements on psycopg's side: DISCARD ALL between runs
        # drops them on the server's, and psycopg notices only the first time.
        options = {"prepare_threshold": None} if handover.sync_driver == "psycopg" else {}
        self.engine = create_engine(
            driver_url(url, handover.sync_driver), poolclass=NullPool, connect_args=options
        )
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
        self.config.cmd_opts = handovers.cmd_opts(handover, self.url)
        if handover.hands_connection:
            self.config.attributes["connection"] = self.connection
        # configparser interpolation: a literal % in a URL must be doubled.
        self.config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        self.locations = self._folders(script.version_locations or [script.versions])
        handovers.run_bootstrap(handover, self.connection, self.url, url)
        self._reset_session()

    def snapshot(self) -> Snapshot:
        started = time.perf_counter()
        try:
            return self.catalog.take()
        finally:
            self.timings.snapshots += time.perf_counter() - started

    def run(self, steps: Sequence[tuple[str, bool]]) -> MigrationError | None:
        """Apply exactly these (revision, is_upgrade) steps in one Alembic run.

        A failure of a migration is returned; env.py failing before any migration ran
        (an import, the application, the connection) raises ProjectError.
        """
        revision_map = self.script.revision_map

        def plan(context: MigrationContext) -> list[RevisionStep]:
            return [
                RevisionStep(revision_map, self.script.get_revision(rev), up) for rev, up in steps
            ]

        return self._run_env(plan, steps)

    def inspect(self, use: Callable[[MigrationContext], object]) -> MigrationError | None:
        """Run env.py without migrating, calling ``use`` with the migration context it
        configured (its connection, target_metadata and autogenerate options)."""

        def plan(context: MigrationContext) -> list[RevisionStep]:
            use(context)
            return []

        return self._run_env(plan, ())

    def _run_env(
        self,
        plan: Callable[[MigrationContext], list[RevisionStep]],
        steps: Sequence[tuple[str, bool]],
    ) -> MigrationError | None:
        planned = False

        def planner(heads: Any, context: MigrationContext) -> list[RevisionStep]:
            nonlocal planned
            planned = True
            return plan(context)

        output = io.StringIO()
        started = time.perf_counter()
        environment = EnvironmentContext(
            self.config,
            self.script,
            fn=planner,
            destination_rev=steps[-1][0] if steps else None,
        )
        try:
            # env.py usually calls logging.fileConfig, whose handlers bind to the
            # sys.stderr of that moment: Alembic's chatter lands in `output`.
            with (
                redirect_stdout(output),
                redirect_stderr(output),
                handovers.scope(self.handover, self.url),
                environment,
            ):
                self.script.run_env()
            if not planned:
                raise ProjectError(
                    f"{self._env_py}: env.py ran no migration (it did not call "
                    "context.run_migrations() in online mode)"
                )
            self._finish(environment.get_context(), steps)
            return None
        except ProjectError:
            self._recover()
            raise
        except (Exception, SystemExit) as error:
            self._recover()
            if not planned:
                raise ProjectError(self._env_failure(error)) from None
            return describe_error(error, self.by_path)
        finally:
            self.timings.migrations += time.perf_counter() - started
            if output.tell():
                self.timings.output.append(output.getvalue())
            self._reset_session()

    @property
    def _env_py(self) -> str:
        return handovers.display(self.script.env_py_location, self.handover.roots)

    def _forms(self) -> str:
        forms = ["sqlalchemy.url"]
        if self.handover.hands_connection:
            forms.insert(0, "config.attributes['connection']")
        forms += [f"${name}" for name in self.handover.url_env]
        forms += [f"-x {arg}" for arg in self.handover.x_args]
        return ", ".join(forms)

    def _env_failure(self, error: BaseException) -> str:
        where = handovers.location(error, self.handover.roots, self.script.env_py_location)
        message = f"{where}: env.py failed before running any migration: "
        return message + handovers.last_line(error) + self._hint(error)

    def _hint(self, error: BaseException) -> str:
        """What to change, for the ways env.py commonly fails under migcheck."""
        text, driver = str(error), self.handover.driver
        if "attached to a different loop" in text or "Event loop is closed" in text:
            return (
                " (env.py reuses an async engine across asyncio.run() calls: `alembic` starts "
                "a new process for each command, migcheck runs env.py many times in one; end "
                "run_async_migrations() with `await engine.dispose()`, as Alembic's async "
                "template does)"
            )
        if "requires an async driver" in text:
            return f" (env.py is async: the driver must be asyncpg or psycopg, not {driver})"
        if "greenlet_spawn has not been called" in text:
            return f" (env.py is synchronous: the driver {driver} needs an async env.py)"
        sqlstate, _ = _database_error(error)
        if sqlstate is None and isinstance(error, ImportError | SyntaxError):
            return ""
        if sqlstate is None or sqlstate[:2] in ("08", "28", "3D"):
            return (
                f" (migcheck hands env.py the scratch database as {self._forms()}; if env.py "
                "finds its database elsewhere, set url_env, x or context)"
            )
        return ""

    def _finish(self, context: MigrationContext, steps: Sequence[tuple[str, bool]]) -> None:
        """Commit what a shared connection left open (as the caller of Alembic's API
        does), then check that the run is visible where migcheck reads the catalog."""
        if self.connection.in_transaction():
            self.connection.commit()
        added = self._folders(self.script.version_locations) - self.locations
        if added:
            folders = sorted(handovers.display(str(f), self.handover.roots) for f in added)
            raise ProjectError(
                f"{self._env_py}: env.py added version_locations while running "
                f"({', '.join(folders)}); migcheck reads the history before running env.py "
                "and would miss their revisions: list the folders in version_locations of "
                "the Alembic configuration instead (alembic.ini, or [tool.alembic] in "
                "pyproject.toml)"
            )
        table, schema = context.version_table, context.version_table_schema
        self.catalog.params["version_table"] = table
        if not steps:
            return
        recorded = self._recorded(table, schema)
        revision, upgrade = steps[-1]
        if (revision in recorded) != upgrade:
            done = "upgrading to" if upgrade else "downgrading"
            raise ProjectError(
                f"{self._env_py}: after {done} {revision}, the version table {table} of the "
                "scratch database migcheck handed over does not show it: env.py migrated "
                f"another database, or did not commit. migcheck hands it over as "
                f"{self._forms()}; if env.py finds its database elsewhere, set url_env, x or "
                "context"
            )

    @staticmethod
    def _folders(locations: Sequence[str] | None) -> set[Path]:
        return {Path(location).resolve() for location in locations or ()}

    def _recorded(self, table: str, schema: str | None) -> set[str]:
        """Every revision recorded in version tables of that name (schema: any, when None;
        env.py may have chosen its search_path)."""
        found = self.catalog_connection.execute(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = %(table)s AND c.relkind IN ('r', 'p')"
            " AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)",
            {"table": table, "schema": schema},
        ).fetchall()
        recorded: set[str] = set()
        for namespace, name in found:
            query = sql.SQL("SELECT version_num FROM {}").format(sql.Identifier(namespace, name))
            recorded |= {str(row[0]) for row in self.catalog_connection.execute(query)}
        return recorded

    def _recover(self) -> None:
        if self.connection.invalidated or self.connection.closed:
            self.connection = self.engine.connect()
            if self.handover.hands_connection:
                self.config.attributes["connection"] = self.connection
        elif self.connection.in_transaction():
            self.connection.rollback()

    def _reset_session(self) -> None:
        """Each ``alembic`` command starts a new session: what a migration set for its
        session (SET without LOCAL, temporary tables) must not reach the next run."""
        connection = self.connection
        if connection.closed or connection.invalidated:
            return
        if connection.in_transaction():
            connection.rollback()
        level = connection.default_isolation_level
        connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            connection.exec_driver_sql("DISCARD ALL")
            connection.commit()
        finally:
            connection.execution_options(isolation_level=level)
