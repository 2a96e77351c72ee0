"""One scratch database as the walk uses it: a runner process that runs the project's
env.py on it (one Alembic run at a time, with exactly the steps asked for), and a
connection of migcheck's own that reads the catalog.

After each run the version table is read back, so that an env.py that migrated another
database (or did not commit) is reported as such instead of as a clean history. A
runner that dies or overruns ``step_timeout`` in a step makes a failed step (the
process is replaced by a fresh one on the same database); what the project printed is
kept with the step.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from typing import Any

import psycopg

from migcheck import activity, elsewhere
from migcheck import snapshot as snapshots
from migcheck.errors import ProjectError
from migcheck.handover import (
    display,
    driver_url,
    libpq,
    missing_module_hint,
    run_bootstrap_sql,
)
from migcheck.observed import Statement, statements
from migcheck.project import Project
from migcheck.runner_pool import Runners
from migcheck.runners import Runner, RunnerDied, RunnerLate
from migcheck.runs import MigrationError, Timings
from migcheck.snapshot import Snapshot

# Lines of a failed step's output shown with its finding (all of it with --verbose).
OUTPUT_LINES = 20


Databases = Callable[[], AbstractContextManager[str]]


def _notice(text: str) -> None:
    print(f"migcheck: {text}", file=sys.stderr, flush=True)


@dataclass
class Scratch:
    """What one version's walk opens scratch databases with."""

    project: Project
    databases: Databases
    runners: Runners
    timings: Timings = field(default_factory=Timings)
    step_timeout: float | None = None
    verbose: bool = False
    label: str = ""  # "PostgreSQL 16", for what is said while a step runs
    # What each statement of the checked steps did (locks, rewrites): ``migcheck.observed``.
    observe: bool = False
    notice: Callable[[str], None] = _notice

    def open(self, stack: ExitStack, *, bootstrap: bool = True) -> Database:
        """A new scratch database, its runner ready; both go when ``stack`` closes."""
        started = time.perf_counter()
        url = stack.enter_context(self.databases())
        database = Database(url, self, stack, bootstrap=bootstrap)
        self.timings.databases += time.perf_counter() - started
        return database


class Database:
    """One scratch database: a runner for Alembic, a psycopg connection for the catalog."""

    def __init__(self, url: str, scratch: Scratch, stack: ExitStack, *, bootstrap: bool):
        """Every resource is handed to ``stack`` as soon as it exists, so that an
        interrupt between two of them cannot leave a connection open (an open
        connection makes DROP DATABASE ... WITH (FORCE) wait). The database is
        bootstrapped when the project asks for it."""
        self.scratch = scratch
        self.project = project = scratch.project
        self.handover = handover = project.handover
        self.libpq_url = url
        self.url = driver_url(url, handover.driver)
        self.catalog_connection = psycopg.connect(url, autocommit=True)
        stack.callback(self.catalog_connection.close)
        self.catalog = snapshots.Catalog(
            self.catalog_connection, version_table=project.version_table
        )
        self._runner: Runner | None = None
        # The version table's revisions as read after the last run (None: unknown).
        self.heads: dict[str, Any] | None = None
        stack.callback(self._close_runner)
        if bootstrap:
            run_bootstrap_sql(handover, url)
        self.env_py = display(str(project.env_py), handover.roots)
        self._start_runner(bootstrap=bootstrap)

    def _open_request(self, *, bootstrap: bool) -> dict[str, Any]:
        handover = self.handover
        sync = handover.sync_driver
        parts = libpq(self.libpq_url)
        return {
            "verb": "open",
            "project": self.project.spec(),
            "url": self.url,
            "database": parts["dbname"],
            "libpq": parts,
            "sync_url": driver_url(self.libpq_url, sync) if sync else None,
            "driver": handover.driver,
            "hands_connection": handover.hands_connection,
            "url_env": list(handover.url_env),
            "x_args": list(handover.x_args),
            "context": handover.context,
            "bootstrap": bootstrap,
            "bootstrap_hook": handover.bootstrap,
            "forms": handover.forms(),
            "revisions": {r.path: r.id for r in self.project.revisions},
        }

    def _start_runner(self, *, bootstrap: bool) -> None:
        runner = self._runner = self.scratch.runners.take()
        try:
            reply = runner.request(self._open_request(bootstrap=bootstrap))
        except RunnerDied as died:
            raise ProjectError(
                f"{self.env_py}: the project's code ended the process while migcheck set up "
                f"the database ({died.describe().removeprefix('the migration ended the process')})"
                f"{self._last_output(runner)}"
            ) from None
        finally:
            self._echo(runner)
        self._check(reply)

    def kill_runner(self) -> None:
        """Kill the runner from another thread (the run waiting on it fails, and the
        thread that waits ends it as after any runner that died)."""
        runner = self._runner
        if runner is not None:
            runner.kill()

    def _close_runner(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            runner.close()

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            # The last one died in a step: a fresh one on the same database.
            self._start_runner(bootstrap=False)
        assert self._runner is not None
        return self._runner

    def _echo(self, runner: Runner) -> str:
        """What the project printed since the last request (shown with --verbose)."""
        text = runner.output()
        if self.scratch.verbose and text:
            for line in text.splitlines():
                print(f"  | {line}", file=sys.stderr)
        return text

    def _last_output(self, runner: Runner) -> str:
        lines = runner.output().strip().splitlines()
        return f": {lines[-1]}" if lines else ""

    def _check(self, reply: dict[str, Any]) -> None:
        if reply.get("project_error"):
            message = str(reply["project_error"])
            raise ProjectError(message + missing_module_hint(message, self.handover.python))
        if reply.get("internal"):
            raise RuntimeError(f"migcheck's runner failed:\n{reply['internal']}")

    def snapshot(self) -> Snapshot:
        started = time.perf_counter()
        try:
            return self.catalog.take()
        finally:
            self.scratch.timings.snapshots += time.perf_counter() - started

    def run(
        self, steps: Sequence[tuple[str, bool]], *, observe: bool = False
    ) -> MigrationError | None:
        """Apply exactly these (revision, is_upgrade) steps in one Alembic run; with
        ``observe``, what each statement did is ``observed`` after it.

        A failure of a migration is returned (the process ending or overrunning the step
        timeout included); env.py failing before any migration ran (an import, the
        application, the connection) raises ProjectError.
        """
        started = time.perf_counter()
        runner = self.runner
        noticed = [activity.notice_after()]

        def waiting(seconds: float, revision: str | None) -> None:
            if seconds < noticed[0]:
                return
            noticed[0] = seconds + activity.NOTICE_EVERY
            rev, up = revision or steps[0][0], runner.upgrade if revision else steps[0][1]
            where = f"{self.scratch.label}: " if self.scratch.label else ""
            action = "upgrade" if up is not False else "downgrade"
            self.scratch.notice(f"{where}{action} of {rev} running for {seconds:.0f} s")

        timeout = self.scratch.step_timeout or None
        others = elsewhere.counts(self.catalog_connection)
        self.observed: tuple[Statement, ...] = ()
        heads, self.heads = self.heads, None  # known again once this run is read back
        try:
            reply = runner.request(
                {
                    "verb": "run",
                    "steps": [[rev, up] for rev, up in steps],
                    "observe": observe,
                    "heads": heads,
                },
                timeout=timeout,
                on_wait=waiting,
            )
        except RunnerDied as died:
            return self._lost(runner, died.describe(), died.revision, steps)
        except RunnerLate as late:
            message = self._cancel(late.seconds)
            return self._lost(runner, message, late.revision, steps)
        finally:
            self.scratch.timings.migrations += time.perf_counter() - started
        output = self._echo(runner)
        written = elsewhere.written(self.catalog_connection, others, steps)
        blame = written and (
            f"{written}: the project's code wrote there, not only to the scratch database "
            f"migcheck handed over ({self.handover.forms()})"
        )
        if reply.get("ok"):
            self.observed = statements(reply.get("observed", ()))
            self._finish(reply, steps, written)
            if not blame:
                return None
            return MigrationError(blame, None, steps[0][0], None, None, _tail(output))
        self._check(reply)
        error = reply["error"]
        message = str(error["message"]) + self.handover.type_hint(error.get("sqlstate"))
        if blame:
            message += f"; besides, {blame}"
        return MigrationError(
            message=message,
            sqlstate=error.get("sqlstate"),
            revision=error.get("revision"),
            file=error.get("file"),
            line=error.get("line"),
            output=_tail(output),
            detail=error.get("detail"),
        )

    def _lost(
        self,
        runner: Runner,
        message: str,
        revision: str | None,
        steps: Sequence[tuple[str, bool]],
    ) -> MigrationError:
        """A step whose runner is gone (or about to be): a failure of the revision that
        was running, the runner replaced for the next step."""
        output = self._echo(runner)
        self._close_runner()
        if revision is None:
            revision = steps[0][0]
            message += " (in env.py, before the migration started)"
        # No file: the finding points at the def line of the function that ran.
        return MigrationError(message, None, revision, None, None, _tail(output))

    def _cancel(self, seconds: float) -> str:
        """Say what the overrunning step is doing, then stop it on the server."""
        message = activity.cancel(self.catalog_connection, self.scratch.step_timeout or seconds)
        if self._runner is not None:
            self._runner.kill()
        return message

    def ask(self, request: dict[str, Any], *, code: str = "the models' code") -> dict[str, Any]:
        """A request other than a run (models, rows hook) to the project's ``code``: the
        runner ending or overrunning the step timeout is a failed reply."""
        runner = self.runner
        try:
            reply = runner.request(request, timeout=self.scratch.step_timeout or None)
        except RunnerDied as died:
            self._echo(runner)
            self._close_runner()
            return {"ok": False, "project_error": died.describe().replace("the migration", code)}
        except RunnerLate as late:
            message = self._cancel(late.seconds)
            self._echo(runner)
            self._close_runner()
            return {"ok": False, "project_error": message}
        self._echo(runner)
        return reply

    def rows_hook(self, hook: str, revision: str) -> None:
        """The project's rows hook before ``revision``'s upgrade; its failure: ProjectError."""
        self.heads = None  # the project's code: anything may change
        named = f"rows_hook = {hook!r}"
        reply = self.ask({"verb": "rows", "hook": hook, "revision": revision}, code=named)
        if not str(reply.get("project_error") or named).startswith(named):  # it overran
            reply["project_error"] = f"{named}: {reply['project_error']}"
        self._check(reply)

    def _finish(
        self, reply: dict[str, Any], steps: Sequence[tuple[str, bool]], written: str | None
    ) -> None:
        """Check that the run is visible where migcheck reads the catalog (``written``:
        what the step changed outside it, said when it is not)."""
        table, schema = reply["version_table"], reply["version_table_schema"]
        self.catalog.params["version_table"] = table
        if not steps:
            return
        by_schema = self.catalog.recorded(table, schema)
        recorded = set().union(*by_schema.values())
        # One version table: what the next run starts from, read here (runner.heads).
        self.heads = (
            {"revisions": sorted(recorded), "table": table, "schema": schema}
            if len(by_schema) <= 1
            else None
        )
        revision, upgrade = steps[-1]
        if (revision in recorded) != upgrade:
            done = "upgrading to" if upgrade else "downgrading"
            cause = "env.py migrated another database, or did not commit"
            if written:
                cause = f"env.py migrated another database: {written}"
            raise ProjectError(
                f"{self.env_py}: after {done} {revision}, the version table {table} of the "
                f"scratch database migcheck handed over does not show it: {cause}. migcheck "
                f"hands it over as {self.handover.forms()}; if env.py finds its database "
                "elsewhere, set url_env, x or context"
            )


def _tail(output: str) -> tuple[str, ...]:
    return tuple(output.rstrip().splitlines()[-OUTPUT_LINES:]) if output.strip() else ()
