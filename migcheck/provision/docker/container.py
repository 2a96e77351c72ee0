"""What a throwaway and a reused container share: labels, the superuser's password, the
published port, readiness, and what a container that stopped under a run says about it."""

from __future__ import annotations

import io
import signal
import tarfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import docker  # type: ignore[import-untyped]  # docker-py ships no type information
import psycopg

from migcheck import owners
from migcheck.config import Config
from migcheck.errors import ServerError
from migcheck.provision import LOG_PREFIX, Server, describe, stop_cause
from migcheck.provision.docker.engine import LOOPBACK, engine_address, reason

LABEL = "org.migcheck"
PORT = 5432
# Durability buys nothing on a server that is deleted minutes later.
THROWAWAY_ARGS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
# A client interrupted halfway through password authentication (Ctrl-C during connect)
# leaves a backend waiting for its answer, and DROP DATABASE waits for every backend to
# absorb its barrier: up to authentication_timeout (default 60 s) before cleanup goes on.
THROWAWAY_ARGS += ["-c", "authentication_timeout=5s"]
# The data directory lives on a tmpfs mount; PGDATA is a folder inside it, which the
# official image's entrypoint creates and hands to the postgres user.
TMPFS = "/var/lib/postgresql/migcheck"
START_TIMEOUT = 60.0
# How long a server that refuses connections may take to end (docker stop).
STOP_TIMEOUT = 10.0

# The official image takes the superuser's password from POSTGRES_PASSWORD, or from the
# file POSTGRES_PASSWORD_FILE names, which not every image that follows its conventions
# reads. Either variable in the container's configuration would show the password to
# anyone who may `docker inspect`; so the password goes into a file put in the container,
# and a shell in front of the image's own entrypoint reads it into the entrypoint's
# environment, where the official image expects it. testcontainers before 4.15 (which
# migcheck supports) starts a container as it creates it, so the file may come after the
# start: the shell waits for READY, which follows the password in the archive.
PASSWORD_FILE = "/run/migcheck/password"
READY_FILE = "/run/migcheck/ready"
PASSWORD_WAIT = 60  # seconds
_READ_PASSWORD = (
    f"i=0; while [ ! -e {READY_FILE} ]; do i=$((i + 1)); "
    f'if [ "$i" -gt {PASSWORD_WAIT * 10} ]; then echo "no {PASSWORD_FILE}" >&2; exit 1; fi; '
    "sleep 0.1; done; "
    f'POSTGRES_PASSWORD="$(cat {PASSWORD_FILE})" || exit 1; export POSTGRES_PASSWORD; '
    'exec "$@"'
)


def labels(config: Config, major: int, image: str, *, reuse: bool) -> dict[str, str]:
    """What the container is and whose it is (for cleanup, when its run is killed)."""
    me = owners.Owner.me()
    found = {
        LABEL: "true",
        f"{LABEL}.run": config.run_id,
        f"{LABEL}.host": me.host,
        f"{LABEL}.pid": str(me.pid),
        f"{LABEL}.started": me.started,
        f"{LABEL}.version": str(major),
        f"{LABEL}.image": image,
    }
    if reuse:
        found[f"{LABEL}.reuse"] = "true"
    return found


def abandoned(found: dict[str, str]) -> bool:
    """Whether the run that started a container surely ended (a process of this machine
    that no longer runs); another machine's containers (an engine shared by CI hosts)
    and those without an owner are never abandoned."""
    try:
        pid = int(found[f"{LABEL}.pid"])
        owner = owners.Owner(found[f"{LABEL}.host"], pid, found.get(f"{LABEL}.started", ""))
    except (KeyError, ValueError):
        return False
    return owner.gone()


def environment(*, tmpfs: bool) -> dict[str, str]:
    """The official image's conventions: superuser, database, initdb arguments."""
    found = {
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "postgres",
        # As the local backend does, so that both report the same catalog.
        "POSTGRES_INITDB_ARGS": "--encoding=UTF8 --locale=C --no-sync",
    }
    if tmpfs:
        found["PGDATA"] = f"{TMPFS}/pgdata"
    return found


def entrypoint(client: Any, image: str) -> list[str]:
    """The image's own entrypoint, behind the shell that reads the password file."""
    configured = client.images.get(image).attrs.get("Config", {}).get("Entrypoint") or []
    return ["sh", "-c", _READ_PASSWORD, "migcheck-password", *configured]


def password_archive(password: str) -> bytes:
    """The password file, then the file that says it is whole, for put_archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path, content, mode in (
            (PASSWORD_FILE, password.encode(), 0o400),
            (READY_FILE, b"", 0o444),
        ):
            member = tarfile.TarInfo(path.lstrip("/"))
            member.size, member.mode = len(content), mode
            archive.addfile(member, io.BytesIO(content))
    return buffer.getvalue()


def password_of(container: Any) -> str:
    """The password of a container started by an earlier run (--reuse)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            chunks, _ = container.get_archive(PASSWORD_FILE)
            with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as archive:
                member = archive.extractfile(archive.getmembers()[0])
                if member is not None:
                    return member.read().decode().strip()
        except docker.errors.NotFound:
            container.reload()
            # The run that created it puts the file in before it starts it.
            if container.status == "created" and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
        raise ServerError(
            f"container {container.name} has no {PASSWORD_FILE}: remove it with migcheck cleanup"
        )


def published(container: Any) -> list[dict[str, str]]:
    """The host addresses and ports the server's port is published on (docker port)."""
    return list((container.ports or {}).get(f"{PORT}/tcp") or [])


def loopback_address(container: Any) -> tuple[str, int]:
    """Where a container whose port is bound to loopback answers (testcontainers would
    name the engine's gateway inside a container: not where a loopback port listens)."""
    for binding in published(container):
        if binding.get("HostIp") == LOOPBACK and binding.get("HostPort"):
            return LOOPBACK, int(binding["HostPort"])
    raise ConnectionError("the port is not published yet")


def tail(container: Any, lines: int = 5) -> str:
    try:
        text = container.logs(tail=40).decode(errors="replace")
    except docker.errors.DockerException:
        return ""
    return " | ".join([line.strip() for line in text.splitlines() if line.strip()][-lines:])


def _url(password: str, host: str, port: int) -> str:
    host = f"[{host}]" if ":" in host else host
    return f"postgresql://postgres:{password}@{host}:{port}/postgres"


def wait_ready(
    container: Any,
    address: Callable[[], tuple[str, int]],
    password: str,
    *,
    image: str,
    major: int,
    pinned: bool,
) -> Server:
    """Connect until the server answers; readiness is migcheck's own connection succeeding."""
    deadline = time.monotonic() + START_TIMEOUT
    url: str | None = None
    last = "no answer"
    while True:
        container.reload()
        if container.status in ("exited", "dead"):
            code = container.attrs.get("State", {}).get("ExitCode")
            raise ServerError(
                f"the PostgreSQL {major} container ({image}) exited during start "
                f"(exit code {code}): {tail(container)}"
            )
        try:
            if url is None:
                url = _url(password, *address())
            with psycopg.connect(url, connect_timeout=5) as connection:
                server = describe(connection, "docker", url)
            break
        except psycopg.OperationalError as error:
            last = (str(error).strip().splitlines() or ["no answer"])[-1]
        except (ConnectionError, TimeoutError, docker.errors.DockerException):
            pass  # no port mapping yet: the container is still starting (or just exited)
        if time.monotonic() > deadline:
            raise ServerError(
                f"the PostgreSQL {major} container ({image}) did not accept connections within "
                f"{START_TIMEOUT:.0f} s ({last}): {tail(container)}"
            )
        time.sleep(0.1)
    if pinned and server.pg_version != major:
        raise ServerError(
            f"--pg {major}: image {image} runs PostgreSQL {server.pg_version}; "
            "name the right image with --image"
        )
    return server


def _cause(container: Any) -> str:
    """Why the server stopped, as its log says; the log's last lines if it does not."""
    try:
        text = container.logs(tail=200).decode(errors="replace")
    except (docker.errors.DockerException, OSError):
        return "its log is gone"
    # A line may hold another process's words before the server's prefix ("Session
    # terminated, killing shell...", su's, on docker stop): the server's come last.
    lines = [LOG_PREFIX.split(line)[-1].strip() for line in text.splitlines() if line.strip()]
    # FATAL lines are no cause here: the container's log also holds those of connections
    # refused while it started.
    return stop_cause(lines, fatal=False) or "its log ends: " + " | ".join(lines[-3:])


def _refuses(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return False
    except psycopg.OperationalError:
        return True


_REMOVED = "was removed during the check (docker rm, or migcheck cleanup of a --reuse one)"


def _stopped(container: Any, url: str) -> str | None:
    """How the container ended under the run, or None while its server still answers."""
    try:
        container.reload()
        if container.status == "running" and _refuses(url):
            # Shutting down (docker stop): it is about to be gone.
            deadline = time.monotonic() + STOP_TIMEOUT
            while container.status == "running" and time.monotonic() < deadline:
                time.sleep(0.2)
                container.reload()
    except docker.errors.NotFound:
        return _REMOVED
    except (docker.errors.DockerException, OSError) as error:  # requests' errors are OSErrors
        return f"became unreachable: the Docker engine at {engine_address()} ({reason(error)})"
    if container.status == "removing":
        return _REMOVED
    if container.status not in ("exited", "dead"):
        return None
    state = container.attrs.get("State") or {}
    code = state.get("ExitCode")
    how = [f"exit code {code}"]
    if isinstance(code, int) and code > 128:
        with suppress(ValueError):
            how.append(signal.Signals(code - 128).name)
    if state.get("OOMKilled"):
        how.append("OOMKilled: the container ran out of memory")
    if state.get("Error"):
        how.append(str(state["Error"]))
    return f"stopped during the check ({', '.join(how)}): {_cause(container)}"


@contextmanager
def watched(container: Any, server: Server, image: str) -> Iterator[None]:
    """A walk on the container's server: when the walk fails because the container stopped
    (docker stop or kill, the OOM killer, docker rm), that is the error, with the
    container's state and its server's own words, not what the walk tripped over next."""
    try:
        yield
    except Exception as error:  # an interrupt stays one, whatever the container did
        stopped = _stopped(container, server.url)
        if stopped is None:
            raise
        raise ServerError(
            f"PostgreSQL {server.server_version} (docker, container {container.short_id}, "
            f"{image}) {stopped}"
        ) from error
