"""Faults around the docker backend, on a real engine: a run killed outright (SIGKILL, of
its process group or of its main pid only) leaves no container that a second run or
`migcheck cleanup` does not remove, and a run in progress is never touched; a server
that dies under a run (its container stopped, killed or removed, or a --url server shut
down) ends the run with exit 3 and the server's own cause.

The moments are held, not waited for: a migration that sleeps (mid-walk), an image whose
entrypoint never starts the server (at container start)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from docker.errors import APIError, DockerException
from processes import alive, kill, killed_at_the_end, poll, tree

from migcheck.config import Config
from migcheck.provision import docker, local, safe_url

ROOT = Path(__file__).parent.parent
PROJECTS = Path(__file__).parent / "projects"
SLEEPS = str(PROJECTS / "migration_sleeps_past_step_timeout" / "alembic.ini")
CLEAN = str(PROJECTS / "clean_linear_history" / "alembic.ini")
WAITS = str(PROJECTS / "migration_waits_for_a_catalog_lock" / "alembic.ini")
PASSWORD_FILE = "/run/migcheck/password"

# How a run is killed: its whole process group, or only migcheck's own process.
KILLS = ["group", "main"]

needs_docker = pytest.mark.skipif(
    not docker.reachable(),
    reason=f"no Docker engine answers at {docker.engine_address()}: start Docker to run these",
)


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    client = docker.engine()
    yield client
    client.close()


def _migcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migcheck", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _sleeping_run(*args: str) -> subprocess.Popen[str]:
    """A docker run whose walk sleeps in its second revision, as long as the test likes.
    What it says (little: no --verbose) is read when it ends unexpectedly."""
    return subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", "-c", SLEEPS, "--step-timeout", "0",
         "--backend", "docker", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, to be killed whole
    )  # fmt: skip


def _said(run: subprocess.Popen[str]) -> str:
    if run.poll() is None or run.stderr is None:
        return "(still running)"
    return f"exit {run.returncode}: {run.stderr.read()}"


def _containers(engine: Any, group: int) -> list[Any]:
    """migcheck's containers whose run is a process of a process group (the workers')."""
    found = []
    for container in engine.containers.list(
        all=True, filters={"label": "org.migcheck=true"}, ignore_removed=True
    ):
        with contextlib.suppress(ProcessLookupError, ValueError):
            if os.getpgid(int(container.labels.get("org.migcheck.pid", ""))) == group:
                found.append(container)
    return found


def _gone(engine: Any, ids: list[str]) -> bool:
    existing = {c.id for c in engine.containers.list(all=True, sparse=True)}
    return not existing & set(ids)


def _psql(container: Any, query: str) -> str:
    """A query run by psql inside the container (its Unix socket: no password)."""
    try:
        done = container.exec_run(["psql", "-U", "postgres", "-Atc", query])
    except (APIError, DockerException):  # not running yet, or gone
        return ""
    return str(done.output.decode().strip()) if done.exit_code == 0 else ""


def _sleeps(container: Any) -> bool:
    """Whether the walk in the container is in the sleeping migration."""
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE query LIKE '%pg_sleep(3600)%' AND pid <> pg_backend_pid()"
    )
    return _psql(container, query) not in ("", "0")


def _mid_walk(engine: Any, run: subprocess.Popen[str], versions: int) -> list[Any]:
    """The run's containers, once the walk sleeps in every one of them."""

    def sleeping() -> bool:
        found = _containers(engine, run.pid)
        return len(found) == versions and all(_sleeps(c) for c in found)

    assert poll(sleeping), f"the walk did not reach the sleeping migration: {_said(run)}"
    return _containers(engine, run.pid)


def _password(container: Any) -> str:
    chunks, _ = container.get_archive(PASSWORD_FILE)
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as archive:
        member = archive.extractfile(archive.getmembers()[0])
        assert member is not None
        return member.read().decode().strip()


@pytest.fixture(scope="module")
def live(engine: Any) -> Iterator[Any]:
    """A run in progress on this machine (its walk sleeps): nothing the tests do to the
    runs they kill, the sweeps of later runs or `migcheck cleanup` may touch it."""
    run = _sleeping_run("--pg", "16")
    with killed_at_the_end(run):
        (container,) = _mid_walk(engine, run, 1)
        yield container
        # Still walking: it ends as an interrupted run does, and removes its container.
        assert run.poll() is None
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=120) == 130
        assert poll(lambda: _gone(engine, [container.id]), 30)


def _untouched(live: Any) -> None:
    live.reload()
    assert live.status == "running"
    assert _sleeps(live)


def _second_run() -> None:
    """A run of a clean project on the same backend: it starts by removing what killed
    runs left."""
    second = _migcheck("check", "-c", CLEAN, "--backend", "docker", "--pg", "16")
    assert second.returncode == 0, second.stderr


def _cleanup(engine: Any, ids: list[str]) -> None:
    done = _migcheck("cleanup")
    assert done.returncode == 0, done.stderr
    for container_id in ids:
        # Removed by this cleanup, or already by a sweep of a run that started meanwhile
        # (another test of this suite, with pytest -n): either way not by the killed run.
        assert f"removed {container_id[:10]}" in done.stdout or _gone(engine, [container_id])
    assert _gone(engine, ids)


# --- killed runs ----------------------------------------------------------------------


@needs_docker
@pytest.mark.server
@pytest.mark.parametrize("how", KILLS)
def test_docker_run_killed_mid_snapshot(engine: Any, live: Any, how: str) -> None:
    """Killed while migcheck reads the catalog: the fixture's migration waits for a lock
    on pg_description, which the test takes (inside the container) and keeps, so the
    snapshot after the step waits on it."""
    run = subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", "-c", WAITS, "--step-timeout", "0",
         "--backend", "docker", "--pg", "16"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    with killed_at_the_end(run):
        found: list[Any] = []
        database: list[str] = []

        def stepping() -> bool:
            found[:] = _containers(engine, run.pid)
            query = (
                "SELECT datname FROM pg_stat_activity WHERE state = 'active'"
                " AND query LIKE '%WHILE NOT EXISTS%' AND pid <> pg_backend_pid()"
            )
            database[:] = [_psql(found[0], query)] if found else []
            return bool(database and database[0])

        assert poll(stepping), f"the walk did not reach the waiting migration: {_said(run)}"
        (container,) = found
        lock = "BEGIN; LOCK TABLE pg_catalog.pg_description IN ACCESS EXCLUSIVE MODE;"
        container.exec_run(
            ["psql", "-U", "postgres", "-d", database[0], "-c", f"{lock} SELECT pg_sleep(600)"],
            detach=True,
        )
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            f" AND datname = '{database[0]}' AND query NOT LIKE '%pg_sleep(600)%'"
        )
        assert poll(lambda: _psql(container, waiting) not in ("", "0")), _said(run)
        processes = tree(run.pid)
        kill(run, how)
        # One version walks in migcheck's own process: killed, nothing of it removes the
        # container (testcontainers' reaper would; the tests run without it), cleanup does.
        _cleanup(engine, [container.id])
        assert poll(lambda: not alive(processes), 30), alive(processes)
    _untouched(live)


@needs_docker
@pytest.mark.server
@pytest.mark.parametrize("how", KILLS)
def test_docker_run_killed_mid_walk(engine: Any, live: Any, how: str) -> None:
    run = _sleeping_run("--pg", "15,16", "-j", "2")
    with killed_at_the_end(run):
        ids = [c.id for c in _mid_walk(engine, run, 2)]
        processes = tree(run.pid)
        kill(run, how)
        if how == "main":
            # The workers interrupt themselves: they remove their containers.
            assert poll(lambda: _gone(engine, ids), 60)
        _cleanup(engine, ids)
        assert poll(lambda: not alive(processes), 30), alive(processes)
    _untouched(live)


@needs_docker
@pytest.mark.server
def test_a_second_docker_run_removes_what_a_killed_one_left(engine: Any, live: Any) -> None:
    run = _sleeping_run("--pg", "16")
    with killed_at_the_end(run):
        ids = [c.id for c in _mid_walk(engine, run, 1)]
        kill(run, "group")
        assert not _gone(engine, ids)  # nothing removed it: that is the second run's job
        _second_run()
        assert _gone(engine, ids)
    _untouched(live)


@pytest.fixture(scope="module")
def holding_image(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An image whose entrypoint never starts the server: a run waits at container start
    for as long as the test likes. One per test process (pytest -n), removed after."""
    folder = tmp_path_factory.mktemp("holding-image")
    (folder / "Dockerfile").write_text(
        'FROM postgres:16\nENTRYPOINT ["sh", "-c", "sleep 3600", "hold"]\n'
    )
    repository = f"migcheck-test/hold-{os.getpid()}"
    engine.images.build(path=str(folder), tag=f"{repository}:16", rm=True)
    yield repository
    engine.images.remove(f"{repository}:16", force=True)


@needs_docker
@pytest.mark.server
@pytest.mark.parametrize("how", KILLS)
def test_docker_run_killed_at_container_start(
    engine: Any, live: Any, holding_image: str, how: str
) -> None:
    run = _sleeping_run("--pg", "16", "--image", f"{holding_image}:{{version}}")
    with killed_at_the_end(run):

        def started() -> bool:
            found = _containers(engine, run.pid)
            for container in found:
                container.reload()
            return bool(found) and all(c.status == "running" for c in found)

        assert poll(started), f"no container was started: {_said(run)}"
        ids = [c.id for c in _containers(engine, run.pid)]
        processes = tree(run.pid)
        kill(run, how)
        _cleanup(engine, ids)
        assert poll(lambda: not alive(processes), 30), alive(processes)
    _untouched(live)


# --- servers that die under a run -----------------------------------------------------


@needs_docker
@pytest.mark.server
@pytest.mark.parametrize(
    ("verb", "expected"),
    [
        ("kill", "stopped during the check (exit code 137, SIGKILL): "),
        ("stop", "stopped during the check (exit code "),
        (
            "remove",
            "was removed during the check (docker rm, or migcheck cleanup of a --reuse one)",
        ),
    ],
)
def test_container_dying_mid_walk_is_exit_3_with_its_cause(
    engine: Any, verb: str, expected: str
) -> None:
    run = subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", "-c", SLEEPS, "--step-timeout", "0",
         "--backend", "docker", "--pg", "16", "--verbose", "--debug"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    with killed_at_the_end(run):
        (container,) = _mid_walk(engine, run, 1)
        password = _password(container)
        if verb == "kill":
            container.kill()
        elif verb == "stop":
            container.stop()
        else:
            container.remove(force=True)
        out, err = run.communicate(timeout=120)
    assert run.returncode == 3, err
    message = err.strip().splitlines()[-1]  # after the traceback --debug adds
    server = (
        rf"migcheck: PostgreSQL 16\.\d+ \(docker, container {container.short_id}, postgres:16\) "
    )
    assert re.match(server + re.escape(expected), message), message
    if verb == "stop":
        assert "shutdown request" in message  # the server's own words: why it stopped
    assert password not in out + err
    assert _gone(engine, [container.id])


@pytest.mark.server
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGQUIT])  # fast, immediate
def test_url_server_shutting_down_mid_walk_is_exit_3_with_its_cause(signum: int) -> None:
    """A --url server of this test's own, shut down under the run."""
    with local.start(Config(), 16) as server:
        root = Path(server.url.split("host=", 1)[1])
        run = subprocess.Popen(
            [sys.executable, "-m", "migcheck", "check", "-c", SLEEPS, "--step-timeout", "0",
             "--backend", "url", "--url", server.url],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        with killed_at_the_end(run):

            def sleeping() -> bool:
                with psycopg.connect(server.url) as connection:
                    query = (
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE query LIKE '%pg_sleep(3600)%' AND pid <> pg_backend_pid()"
                    )
                    return connection.execute(query).fetchone() != (0,)

            assert poll(sleeping), "the walk did not reach the sleeping migration"
            postmaster = int((root / "data" / "postmaster.pid").read_text().splitlines()[0])
            os.kill(postmaster, signum)
            _, err = run.communicate(timeout=120)
    assert run.returncode == 3, err
    (message,) = err.strip().splitlines()
    prefix = (
        f"migcheck: the server at {safe_url(server.url)} (PostgreSQL {server.server_version}) "
        "stopped accepting connections during the check: "
    )
    assert message.startswith(prefix), message
    # As far as the shutdown got when migcheck asked: in progress, or done.
    assert message.removeprefix(prefix) in (
        "FATAL: the database system is shutting down",
        "No such file or directory",
        "Connection refused",
        "server closed the connection unexpectedly",
    ), message
