"""A run killed outright (SIGKILL, of its process group or of its main pid only) at the
moments it is most exposed: while initdb fills a server's folder, before the postmaster
takes connections, and while migcheck reads the catalog. Afterwards a second run and
`migcheck cleanup` leave no process, folder or scratch database of the killed run; what
a live run owns (this session's server, a database of this process) stays.

Each moment is held, not waited for: an initdb is stopped (SIGSTOP) as soon as it is
seen, and the catalog read waits on a lock this test takes (see the fixture project
migration_waits_for_a_catalog_lock)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from processes import Identity, alive, kill, killed_at_the_end, poll, table, tree
from psycopg import sql

from migcheck import owners
from migcheck.config import Config
from migcheck.increments import presence
from migcheck.provision import Server, database_url
from migcheck.snapshot import catalog_queries

PROJECTS = Path(__file__).parent / "projects"
WAITS = PROJECTS / "migration_waits_for_a_catalog_lock" / "alembic.ini"
CLEAN = PROJECTS / "clean_linear_history" / "alembic.ini"
LOCAL = ("--backend", "local", "--pg", "15,16", "-j", "2")

# How a run is killed: its whole process group, or only migcheck's own process.
KILLS = ["group", "main"]


def _naming(folder: Path) -> dict[int, str]:
    """Processes whose command line names ``folder`` (initdb, a postmaster): pid -> name."""
    found = {}
    for pid, (_, _, name) in table().items():
        with contextlib.suppress(OSError):
            arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if any(a == bytes(folder) or a.startswith(bytes(folder) + b"/") for a in arguments):
                found[pid] = name
    return found


def _server_folders(group: int) -> list[Path]:
    """The local servers' folders of the processes of a process group (the workers')."""
    found = []
    for folder in Path(tempfile.gettempdir()).glob("migcheck-pg*-*"):
        owner = owners.of_folder(folder)
        with contextlib.suppress(ProcessLookupError):
            if owner is not None and os.getpgid(owner.pid) == group:
                found.append(folder)
    return sorted(found)


def _start(*args: str, cache: bool = True) -> subprocess.Popen[bytes]:
    """A run in a process group of its own; without ``cache``, every server runs initdb
    (clusters.py would copy the installation's cached data folder instead)."""
    return subprocess.Popen(
        [sys.executable, "-m", "migcheck", *args],
        env=os.environ if cache else {**os.environ, "MIGCHECK_CACHE_DIR": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a group of its own, to be killed whole
    )


def _migcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migcheck", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _second_run(*args: str) -> None:
    """A run of a clean project on the same backend: it starts by removing what killed
    runs left."""
    second = _migcheck("check", "-c", str(CLEAN), *args)
    assert second.returncode == 0, second.stderr


def _cleanup(*args: str) -> str:
    done = _migcheck("cleanup", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _live_server_untouched(server: Server) -> None:
    """This session's server is a live run's: still there, still answering."""
    with psycopg.connect(server.url, autocommit=True) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


# --- the local backend, two versions in two workers ---------------------------------


def _hold_initdb(run: subprocess.Popen[bytes], stopped: dict[int, Path]) -> None:
    """Both servers' initdb, each stopped as soon as it is seen: the run is then at
    initdb on both, before either postmaster exists. ``stopped`` (initdb pid -> server
    folder) is filled as they are, for the caller to end them whatever happens."""

    def both() -> bool:
        for folder in _server_folders(run.pid):
            for pid, name in _naming(folder).items():
                if name == "initdb" and pid not in stopped:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGSTOP)
                        stopped[pid] = folder
        return len(set(stopped.values())) == 2

    assert poll(both), f"no initdb seen running in both servers' folders: {stopped}"
    for folder in stopped.values():
        # No postmaster yet (initdb's bootstrap backend names no folder, and makes no
        # socket).
        assert "postgres" not in _naming(folder).values()
        assert not (folder / ".s.PGSQL.5432").exists()


@pytest.mark.server
@pytest.mark.parametrize("how", KILLS)
def test_local_run_killed_at_initdb(how: str, pg_server: Server) -> None:
    """Killed whole, the run leaves its initdb processes (sessions of their own) in the
    middle of their work: they stay stopped, so that the sweep meets them there, as it
    would meet an initdb still writing. With its main pid alone killed, the workers stop
    their initdb themselves: those go on."""
    run = _start("check", "-c", str(WAITS), "--step-timeout", "0", *LOCAL, cache=False)
    stopped: dict[int, Path] = {}
    try:
        with killed_at_the_end(run):
            _hold_initdb(run, stopped)
            processes = tree(run.pid) | _tree_of(stopped)
            assert len(_owned_by(processes)) >= 2  # gone later: it was there
            kill(run, how)
            if how == "main":
                for pid in stopped:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGCONT)
            _assert_gone(how, processes)
    finally:
        for pid in stopped:  # whatever failed above: none outlives the test
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    _live_server_untouched(pg_server)


def _tree_of(pids: dict[int, Path]) -> set[Identity]:
    found: set[Identity] = set()
    for pid in pids:
        found |= tree(pid)
    return found


def _owned_by(processes: set[Identity]) -> list[Path]:
    """migcheck's folders (servers', runners', under any name) that these processes made."""
    found = []
    for folder in Path(tempfile.gettempdir()).glob("migcheck-*"):
        owner = owners.of_folder(folder)
        if owner is not None and (owner.pid, owner.started) in processes:
            found.append(folder)
    return found


def _assert_gone(how: str, processes: set[Identity]) -> None:
    """After a second run and cleanup, nothing of the killed run is left. Killed whole,
    nothing of it unwinds: only those two (or a run of another test meanwhile) can have
    removed it. With its main pid alone killed, its workers unwind on their own."""
    _second_run("--backend", "local", "--pg", "16")
    said = _cleanup()
    grace = 0 if how == "group" else 90
    assert poll(lambda: not alive(processes), grace, 0.2), (alive(processes), said)
    assert poll(lambda: not _owned_by(processes), grace, 0.2), (_owned_by(processes), said)


def _hold_snapshot(
    admin_url: str, owned: Callable[[str | None], bool]
) -> psycopg.Connection[object]:
    """Wait until the walk runs the fixture's 0002 in a scratch database of the run on
    the server of ``admin_url`` (``owned`` tells the run's databases by their comment),
    lock pg_description there, and wait until migcheck's catalog read waits on that
    lock: mid-snapshot. The connection holding the lock is returned."""
    database: list[str] = []
    with psycopg.connect(admin_url, autocommit=True) as admin:

        def stepping() -> bool:
            rows = admin.execute(
                "SELECT a.datname, shobj_description(a.datid, 'pg_database')"
                " FROM pg_stat_activity a WHERE a.state = 'active'"
                " AND a.query LIKE '%WHILE NOT EXISTS%' AND a.query LIKE '%pg_catalog.pg_locks%'"
                " AND a.pid <> pg_backend_pid()"
            ).fetchall()
            database[:] = [str(name) for name, comment in rows if owned(comment)]
            return bool(database)

        assert poll(stepping, every=0.05)
        lock: psycopg.Connection[object] = psycopg.connect(database_url(admin_url, database[0]))
        lock.execute("LOCK TABLE pg_catalog.pg_description IN ACCESS EXCLUSIVE MODE")

        def reading() -> list[tuple[object, ...]]:
            return admin.execute(
                "SELECT query FROM pg_stat_activity WHERE datname = %s"
                " AND wait_event_type = 'Lock'",
                (database[0],),
            ).fetchall()

        assert poll(lambda: bool(reading()), every=0.05)
        # One of migcheck's catalog queries (shown cut at track_activity_query_size), or
        # the one that finds what changed since the last snapshot.
        waiting = str(reading()[0][0])[:200]
        texts = [text for _, text in catalog_queries()]
        texts += [presence(name) for name in ("changes", "related", "kinds")]
        assert any(text.startswith(waiting) for text in texts), waiting
    return lock


@pytest.mark.server
@pytest.mark.parametrize("how", KILLS)
def test_local_run_killed_mid_snapshot(how: str, pg_server: Server) -> None:
    run = _start("check", "-c", str(WAITS), "--step-timeout", "0", *LOCAL)
    locks = []
    with killed_at_the_end(run):
        assert poll(lambda: len(_server_folders(run.pid)) == 2)
        folders = _server_folders(run.pid)
        for folder in folders:
            assert poll(lambda f=folder: (f / "data" / "postmaster.pid").exists())  # type: ignore[misc]
            admin = f"postgresql://postgres@/postgres?host={folder}"
            assert poll(lambda a=admin: _answers(a))  # type: ignore[misc]
            # Every scratch database of this server is the run's.
            locks.append(_hold_snapshot(admin, lambda comment: True))
        processes = tree(run.pid)
        assert len(_owned_by(processes)) >= 2
        kill(run, how)
        for lock in locks:
            with contextlib.suppress(psycopg.Error):
                lock.close()
        _assert_gone(how, processes)
    _live_server_untouched(pg_server)


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


# --- the url backend: scratch databases on a server of the user's -------------------


@pytest.mark.server
@pytest.mark.parametrize("how", KILLS)
def test_url_run_killed_mid_snapshot(how: str, url_config: Config, pg_server: Server) -> None:
    assert url_config.urls
    live = f"migcheck_live{os.getpid()}"
    with psycopg.connect(pg_server.url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(live)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(live)))
        # A run in progress (this process): never dropped.
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(live), sql.Literal(owners.Owner.me().text())
            )
        )
    args = ("--backend", "url", "--url", url_config.urls[0])
    run = _start("check", "-c", str(WAITS), "--step-timeout", "0", *args)

    def owned(comment: str | None) -> bool:
        owner = owners.Owner.parse(comment)
        return owner is not None and owner.pid == run.pid

    def left() -> list[str]:
        with psycopg.connect(pg_server.url, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
            ).fetchall()
        return [str(name) for name, comment in rows if owned(comment)]

    with killed_at_the_end(run):
        lock = _hold_snapshot(pg_server.url, owned)
        processes = tree(run.pid)
        assert _owned_by(processes)  # its runners' folder
        kill(run, how)
        with contextlib.suppress(psycopg.Error):
            lock.close()
        assert left()  # nothing unwinds a killed migcheck on this backend
        _second_run(*args)
        assert left() == []
        _cleanup("--url", url_config.urls[0])
        assert _owned_by(processes) == []
        assert poll(lambda: not alive(processes), 30, 0.2), alive(processes)
    with psycopg.connect(pg_server.url, autocommit=True) as admin:
        names = {row[0] for row in admin.execute("SELECT datname FROM pg_database")}
        assert live in names
        admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(live)))
