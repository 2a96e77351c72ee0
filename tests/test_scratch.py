"""One scratch database as the walk uses it (migcheck.scratch): Alembic runs of exactly the
steps asked for, and the catalog read from a connection of migcheck's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path

import pytest

from migcheck import provision
from migcheck.config import Config
from migcheck.project import load
from migcheck.provision import Server
from migcheck.runner_pool import runners
from migcheck.scratch import Database, Scratch

PROJECTS = Path(__file__).parent / "projects"

pytestmark = pytest.mark.server


@contextmanager
def database(case: str, server: Server) -> Iterator[Database]:
    project = load(Config(project_dir=PROJECTS / case))
    with runners(project.handover.python) as pool, ExitStack() as stack:
        scratch = Scratch(project, partial(provision.scratch_database, server), pool)
        yield scratch.open(stack)


def tables(db: Database) -> set[str]:
    return {o.key.name for o in db.snapshot().objects if o.key.kind == "table"}


def test_a_run_applies_exactly_the_steps_asked_for(pg_server: Server) -> None:
    with database("clean_linear_history", pg_server) as db:
        assert tables(db) == set()
        assert db.run([("0001", True), ("0002", True)]) is None
        built = db.snapshot()
        assert {"customers", "orders"} <= tables(db)
        assert db.run([("0002", False)]) is None
        assert db.run([("0002", True)]) is None
        assert db.snapshot() == built
        assert db.scratch.timings.migrations > 0


def test_a_failing_step_is_returned_and_rolls_back_alone(pg_server: Server) -> None:
    with database("upgrade_fails", pg_server) as db:
        assert db.run([("0001", True)]) is None
        before = db.snapshot()
        error = db.run([("0002", True)])
        assert error is not None
        assert (error.revision, error.sqlstate) == ("0002", "42P01")
        assert error.file is not None
        assert error.file.endswith("0002_create_order_notes.py")
        assert db.snapshot() == before


def test_a_migration_that_ends_the_process_fails_its_step_only(pg_server: Server) -> None:
    with database("migration_calls_sys_exit", pg_server) as db:
        assert db.run([("0001", True), ("0002", True)]) is None
        error = db.run([("0002", False)])
        assert error is not None
        assert error.revision == "0002"
        assert "tried to end the process with exit code 3" in error.message
        # A fresh runner on the same database takes the next step.
        assert db.run([("0003", True)]) is None
