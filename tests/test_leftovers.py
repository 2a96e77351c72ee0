"""A migcheck run killed without a chance to clean up (SIGKILL) leaves nothing that a
later run or `migcheck cleanup` does not find and remove; what live runs own stays."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from migcheck import owners
from migcheck.config import Config
from migcheck.provision import Server

PROJECTS = Path(__file__).parent / "projects"
SLEEPS = str(PROJECTS / "migration_sleeps_past_step_timeout" / "alembic.ini")


def _wait(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _folders(group: int, pattern: str) -> list[Path]:
    """The folders the processes of a process group made (the identity of the one that
    made each is written in it: the worker's, with -j)."""
    found = []
    for folder in Path(tempfile.gettempdir()).glob(pattern):
        owner = owners.of_folder(folder)
        with contextlib.suppress(ProcessLookupError):
            if owner is not None and os.getpgid(owner.pid) == group:
                found.append(folder)
    return found


def _processes_under(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (a server's postmaster)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(folder).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", "-c", SLEEPS, "--step-timeout", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a group of its own, killed whole below
    )


def _cleanup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migcheck", "cleanup", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.server
def test_a_killed_local_run_is_removed_by_cleanup() -> None:
    process = _start("--backend", "local", "--pg", "15,16", "-j", "2")
    try:
        assert _wait(lambda: len(_folders(process.pid, "migcheck-pg*-*")) == 2)
        servers = _folders(process.pid, "migcheck-pg*-*")
        made_by = [owners.of_folder(folder) for folder in servers]
        # Both servers up and walking (the migration sleeps in 0002 meanwhile).
        assert _wait(lambda: all((f / "data" / "postmaster.pid").exists() for f in servers))
        time.sleep(2)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    done = _cleanup()
    assert done.returncode == 0, done.stderr
    for folder, owner in zip(servers, made_by, strict=True):
        # Removed by this cleanup, or already by a run that started meanwhile (another
        # test of this suite, with pytest -n): either way by a sweep, not by the killed run.
        assert f"removed local server {folder} (pid " in done.stdout or not folder.exists()
        assert not folder.exists()
        # Under no other name either (a sweep renames what it removes).
        assert not [f for f in folder.parent.glob("migcheck-*") if owners.of_folder(f) == owner]
        assert _wait(lambda folder=folder: not _processes_under(folder), 15)  # type: ignore[misc]


@pytest.mark.server
def test_workers_of_a_killed_migcheck_remove_their_servers() -> None:
    """Only migcheck's own pid killed: its workers notice and unwind."""
    process = _start("--backend", "local", "--pg", "15,16", "-j", "2")
    try:
        assert _wait(lambda: len(_folders(process.pid, "migcheck-pg*-*")) == 2)
        servers = _folders(process.pid, "migcheck-pg*-*")
        assert _wait(lambda: all((f / "data" / "postmaster.pid").exists() for f in servers))
        time.sleep(2)
        process.send_signal(signal.SIGKILL)
        process.wait()
        # The workers interrupt themselves: their servers stop and their folders go.
        assert _wait(lambda: not any(folder.exists() for folder in servers), 45)
        assert _wait(lambda: not any(_processes_under(folder) for folder in servers), 15)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.server
def test_a_killed_url_run_leaves_a_database_that_cleanup_drops(
    url_config: Config, pg_server: Server
) -> None:
    assert url_config.urls
    live = "migcheck_livetest"
    with psycopg.connect(pg_server.url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(live)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(live)))
        # A run in progress (this process): never dropped.
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(live), sql.Literal(owners.Owner.me().text())
            )
        )
    process = _start("--backend", "url", "--url", url_config.urls[0])

    def scratch() -> list[str]:
        with psycopg.connect(pg_server.url, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
            ).fetchall()
        return [
            str(name)
            for name, comment in rows
            if (owner := owners.Owner.parse(comment if isinstance(comment, str) else None))
            and owner.pid == process.pid
        ]

    try:
        assert _wait(lambda: bool(scratch()))
        time.sleep(2)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    left = scratch()
    assert left
    done = _cleanup("--url", url_config.urls[0])
    assert done.returncode == 0, done.stderr
    for name in left:
        assert f"removed scratch database {name} on " in done.stdout
    assert scratch() == []
    with psycopg.connect(pg_server.url, autocommit=True) as admin:
        names = {row[0] for row in admin.execute("SELECT datname FROM pg_database")}
        assert live in names
        admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(live)))


def test_owners_of_other_machines_or_live_processes_are_never_gone() -> None:
    me = owners.Owner.me()
    assert not me.gone()
    assert not owners.Owner("another-host", 999999, "").gone()
    assert owners.Owner.parse(me.text()) == me
    assert owners.Owner.parse("something else") is None
    # A pid no process has (beyond pid_max), on this machine: gone.
    assert owners.Owner(me.host, 2**22 + 1, "").gone()
    # This pid, started at another time (a reused pid): gone.
    assert owners.Owner(me.host, me.pid, "1").gone()


def test_folders_are_removed_marker_last_and_unmarked_ones_only_when_abandoned() -> None:
    from migcheck import runner_pool

    made = [Path(tempfile.mkdtemp(prefix="migcheck-run-")) for _ in range(4)]
    try:
        marked, fresh, old, kept = made
        owners.mark(marked)
        (marked / "data").mkdir()
        (marked / "data" / "file").write_text("x")
        assert owners.remove(marked)
        assert not marked.exists()
        assert list(Path(tempfile.gettempdir()).glob(f"{marked.name}*")) == []
        assert not owners.remove(marked)  # gone already (another run's sweep): not this one
        # Made by a run killed before it wrote the marker (or emptied by a removal cut
        # short): removed once nobody can be about to mark it; never when it holds
        # anything.
        (kept / "something").write_text("x")
        for folder in (old, kept):
            os.utime(folder, (time.time() - 2 * owners.UNMARKED_GRACE,) * 2)
        removed = runner_pool.leftovers()
        # By this sweep, or by a run of another test that swept meanwhile.
        assert f"empty folder {old} (no owner)" in removed or not old.exists()
        assert not old.exists()
        assert fresh.exists()
        assert kept.exists()
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
