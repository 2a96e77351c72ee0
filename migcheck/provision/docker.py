"""A throwaway server in a container: one per PostgreSQL major version, from an image template.

Containers are started with testcontainers and carry migcheck's labels, so that whatever
ends a run (an error, Ctrl-C, SIGTERM) they are found and removed by label, and
``migcheck cleanup`` finds whatever a killed run left behind. With ``reuse`` one container
per version and image stays running between runs; each run works in its own scratch
database in it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import docker  # type: ignore[import-untyped]  # docker-py ships no type information
import psycopg
from testcontainers.core.config import ConnectionMode, testcontainers_config
from testcontainers.core.container import DockerContainer
from testcontainers.core.docker_client import DockerClient, get_docker_host

from migcheck.config import SUPPORTED_VERSIONS, Config
from migcheck.errors import ServerError, UsageError
from migcheck.provision import Server, describe

LABEL = "org.migcheck"
PORT = 5432
PASSWORD_VARIABLE = "POSTGRES_PASSWORD"
# Durability buys nothing on a server that is deleted minutes later.
THROWAWAY_ARGS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
# A client interrupted halfway through password authentication (Ctrl-C during connect)
# leaves a backend waiting for its answer, and DROP DATABASE waits for every backend to
# absorb its barrier: up to authentication_timeout (default 60 s) before cleanup goes on.
THROWAWAY_ARGS += ["-c", "authentication_timeout=5s"]
# The data directory lives on a tmpfs mount; PGDATA is a folder inside it, which the
# official image's entrypoint creates and hands to the postgres user.
TMPFS = "/var/lib/postgresql/migcheck"
PING_TIMEOUT = 2.0
START_TIMEOUT = 60.0
NOT_REACHABLE_HINT = "start Docker, or use --backend local"


def engine_address() -> str:
    """Where the Docker engine is looked for, as a person would name it in a message."""
    # testcontainers reads ~/.testcontainers.properties, DOCKER_HOST, the docker context.
    host = get_docker_host()
    if host and host == os.environ.get("DOCKER_HOST"):
        return f"DOCKER_HOST={host}"
    if host:
        return host
    return "npipe:////./pipe/docker_engine" if os.name == "nt" else "unix:///var/run/docker.sock"


def _reason(error: BaseException) -> str:
    """The innermost OS-level reason of a connection failure, else the error's first line."""
    seen: list[BaseException] = [error]
    while seen:
        current = seen.pop()
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        seen += [arg for arg in current.args if isinstance(arg, BaseException)]
        seen += [link for link in (current.__cause__, current.__context__) if link is not None]
    if isinstance(error, docker.errors.APIError) and error.explanation:
        return str(error.explanation)
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _client(*, timeout: float | None = None) -> Any:
    """A Docker SDK client for the engine testcontainers uses (it also reads the context)."""
    host = get_docker_host()
    environment = {**os.environ, "DOCKER_HOST": host} if host else None
    if timeout is None:
        return docker.from_env(environment=environment)
    return docker.from_env(environment=environment, timeout=timeout)


def _ping(timeout: float) -> None:
    probe = _client(timeout=timeout)  # asks the engine its API version: a first ping
    try:
        probe.ping()
    finally:
        probe.close()


def engine() -> Any:
    """A Docker SDK client, once the engine answered a ping."""
    try:
        # A short timeout tells a dead engine quickly; pulls and removals get the default.
        _ping(PING_TIMEOUT)
        return _client()
    except (docker.errors.DockerException, OSError) as error:
        raise ServerError(
            f"Docker is not reachable at {engine_address()} ({_reason(error)}): "
            f"{NOT_REACHABLE_HINT}"
        ) from None


def reachable(*, timeout: float = PING_TIMEOUT) -> bool:
    """Whether a Docker engine answers a ping within ``timeout`` seconds."""
    try:
        _ping(timeout)
    except (docker.errors.DockerException, OSError):
        return False
    return True


def image_for(template: str, version: int) -> str:
    try:
        return template.format(version=version)
    except (KeyError, IndexError, ValueError):
        raise UsageError(
            f"--image {template!r}: not an image template (write e.g. 'postgres:{{version}}')"
        ) from None


IMAGE_HINT = "docker pull or docker tag it, or name another with --image"


def _require_image(client: Any, image: str, *, what: str = "image", hint: str = IMAGE_HINT) -> None:
    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.pull(image)
    except docker.errors.DockerException as error:
        raise ServerError(
            f"{what} {image} is not on this Docker engine and cannot be pulled "
            f"({_reason(error)}): {hint}"
        ) from None


def _labels(config: Config, major: int, image: str, *, reuse: bool) -> dict[str, str]:
    labels = {
        LABEL: "true",
        f"{LABEL}.run": config.run_id,
        f"{LABEL}.pid": str(os.getpid()),
        f"{LABEL}.host": socket.gethostname(),
        f"{LABEL}.version": str(major),
        f"{LABEL}.image": image,
    }
    if reuse:
        labels[f"{LABEL}.reuse"] = "true"
    return labels


def _environment(password: str, *, tmpfs: bool) -> dict[str, str]:
    """The official image's conventions: superuser, password, database, initdb arguments."""
    environment = {
        "POSTGRES_USER": "postgres",
        PASSWORD_VARIABLE: password,
        "POSTGRES_DB": "postgres",
        # As the local backend does, so that both report the same catalog.
        "POSTGRES_INITDB_ARGS": "--encoding=UTF8 --locale=C --no-sync",
    }
    if tmpfs:
        environment["PGDATA"] = f"{TMPFS}/pgdata"
    return environment


def _remove(client: Any, selector: list[str]) -> None:
    """Remove every container that carries all the ``selector`` labels."""
    # Sparse: the engine may list a container it is still creating and not yet inspect it.
    for container in client.containers.list(all=True, filters={"label": selector}, sparse=True):
        with suppress(docker.errors.NotFound):
            container.remove(force=True, v=True)


def _tail(container: Any, lines: int = 5) -> str:
    try:
        text = container.logs(tail=40).decode(errors="replace")
    except docker.errors.DockerException:
        return ""
    return " | ".join([line.strip() for line in text.splitlines() if line.strip()][-lines:])


def _url(password: str, host: str, port: int) -> str:
    host = f"[{host}]" if ":" in host else host
    return f"postgresql://postgres:{password}@{host}:{port}/postgres"


def _wait_ready(
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
                f"(exit code {code}): {_tail(container)}"
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
                f"{START_TIMEOUT:.0f} s ({last}): {_tail(container)}"
            )
        time.sleep(0.1)
    if pinned and server.pg_version != major:
        raise ServerError(
            f"--pg {major}: image {image} runs PostgreSQL {server.pg_version}; "
            "name the right image with --image"
        )
    return server


def _container(
    image: str, labels: dict[str, str], password: str, *, tmpfs: bool
) -> DockerContainer:
    container = (
        DockerContainer(image, labels=labels)  # extra keywords go to docker's create
        .with_command(THROWAWAY_ARGS)
        .with_envs(**_environment(password, tmpfs=tmpfs))
        .with_exposed_ports(PORT)
    )
    return container.with_tmpfs_mount(TMPFS) if tmpfs else container


@contextmanager
def _throwaway(
    config: Config, client: Any, image: str, major: int, *, pinned: bool
) -> Iterator[Server]:
    if not testcontainers_config.ryuk_disabled:
        # testcontainers starts its reaper first; say so if that is what cannot start.
        _require_image(
            client,
            testcontainers_config.ryuk_image,
            what="the testcontainers reaper image",
            hint="set TESTCONTAINERS_RYUK_DISABLED=true (migcheck removes its containers itself)",
        )
    password = secrets.token_hex(16)
    labels = _labels(config, major, image, reuse=False)
    # Everything this block may have created, even a container whose creation Ctrl-C cut
    # short before testcontainers learned its id.
    selector = [f"{name}={value}" for name, value in labels.items() if name != f"{LABEL}.image"]
    container: DockerContainer | None = None
    try:
        for tmpfs in (True, False):
            container = _container(image, labels, password, tmpfs=tmpfs)
            try:
                container.start()
                break
            except docker.errors.APIError as error:
                # An engine without tmpfs support: start again on the container's disk.
                with suppress(docker.errors.DockerException, OSError):
                    container.stop()
                _remove(client, selector)
                if not tmpfs:
                    raise ServerError(
                        f"the PostgreSQL {major} container ({image}) did not start: "
                        f"{_reason(error)}"
                    ) from None
        assert container is not None
        started = container
        yield _wait_ready(
            started.get_wrapped_container(),
            lambda: (started.get_container_host_ip(), started.get_exposed_port(PORT)),
            password,
            image=image,
            major=major,
            pinned=pinned,
        )
    finally:
        if container is not None:
            with suppress(docker.errors.DockerException, OSError):
                container.stop()
        _remove(client, selector)


def _address(container_id: str) -> tuple[str, int]:
    """Host and port of a container this process did not start (``--reuse``).

    DockerContainer.get_container_host_ip() answers this only for containers it started;
    ask testcontainers' client the same questions, so both paths reach the same place.
    """
    client = DockerClient()
    try:
        mode = client.get_connection_mode()
        if mode == ConnectionMode.gateway_ip:
            host = client.gateway_ip(container_id)
        elif mode == ConnectionMode.bridge_ip:
            host = client.bridge_ip(container_id)
        else:
            host = client.host()
        return host, int(client.port(container_id, PORT)) if mode.use_mapped_port else PORT
    finally:
        client.client.close()


def _password(container: Any) -> str:
    for variable in container.attrs.get("Config", {}).get("Env") or []:
        name, _, value = str(variable).partition("=")
        if name == PASSWORD_VARIABLE:
            return value
    raise ServerError(
        f"container {container.name} has no {PASSWORD_VARIABLE}: remove it with migcheck cleanup"
    )


def _find_reusable(client: Any, image: str, major: int) -> Any:
    """The running container an earlier run left for this image and version, if any."""
    selector = [f"{LABEL}=true", f"{LABEL}.reuse=true", f"{LABEL}.version={major}"]
    current = client.images.get(image).id
    found = client.containers.list(all=True, filters={"label": selector}, ignore_removed=True)
    for container in found:
        if container.labels.get(f"{LABEL}.image") != image:
            continue
        if container.status in ("created", "running") and container.attrs["Image"] == current:
            return container
        # Stopped (its tmpfs data is gone) or made from an image since rebuilt: start afresh.
        with suppress(docker.errors.NotFound):
            container.remove(force=True, v=True)
    return None


def _create_reusable(config: Config, client: Any, image: str, major: int) -> Any:
    # testcontainers labels every container it starts with its session, and its reaper
    # removes the session's containers when the process ends: a container meant to
    # outlive the run is created with the Docker SDK instead.
    digest = hashlib.sha256(image.encode()).hexdigest()[:12]
    name = f"migcheck-pg{major}-{digest}"  # two runs racing to create it get one container
    password = secrets.token_hex(16)
    for tmpfs in (True, False):
        try:
            return client.containers.run(
                image,
                THROWAWAY_ARGS,
                name=name,
                detach=True,
                environment=_environment(password, tmpfs=tmpfs),
                labels=_labels(config, major, image, reuse=True),
                ports={f"{PORT}/tcp": None},
                tmpfs={TMPFS: ""} if tmpfs else None,
            )
        except docker.errors.APIError as error:
            if error.status_code == 409:
                return client.containers.get(name)
            with suppress(docker.errors.NotFound):
                client.containers.get(name).remove(force=True, v=True)
            if not tmpfs:
                raise ServerError(
                    f"the PostgreSQL {major} container ({image}) did not start: {_reason(error)}"
                ) from None
    raise AssertionError("unreachable")


@contextmanager
def _reused(
    config: Config, client: Any, image: str, major: int, *, pinned: bool
) -> Iterator[Server]:
    container = _find_reusable(client, image, major)
    created = container is None
    if container is None:
        container = _create_reusable(config, client, image, major)
    try:
        server = _wait_ready(
            container,
            lambda: _address(container.id),
            _password(container),
            image=image,
            major=major,
            pinned=pinned,
        )
    except BaseException:
        if created:  # a container that never served a run is not worth keeping
            with suppress(docker.errors.DockerException, OSError):
                container.remove(force=True, v=True)
        raise
    yield server


@contextmanager
def start(config: Config, version: int | None) -> Iterator[Server]:
    major = version if version is not None else max(SUPPORTED_VERSIONS)
    image = image_for(config.image, major)
    client = engine()
    try:
        _require_image(client, image)
        run = _reused if config.reuse else _throwaway
        with run(config, client, image, major, pinned=version is not None) as server:
            yield server
    finally:
        client.close()


def _run_in_progress(labels: dict[str, str]) -> bool:
    """Whether the migcheck process that started a container may still run: on another
    machine (an engine shared by CI hosts) it may, whatever this one knows."""
    if labels.get(f"{LABEL}.host") != socket.gethostname():
        return True
    try:
        os.kill(int(labels.get(f"{LABEL}.pid", "")), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def cleanup() -> list[str]:
    """Remove what migcheck runs left behind: containers kept for reuse, and those of
    runs that were killed; containers of runs still in progress are left to them."""
    client = engine()
    removed = []
    try:
        selector = {"label": f"{LABEL}=true"}
        for container in client.containers.list(all=True, filters=selector, ignore_removed=True):
            labels = container.labels
            reused = labels.get(f"{LABEL}.reuse") == "true"
            if not reused and _run_in_progress(labels):
                continue  # that run removes its own container when it ends
            kind = ", kept for reuse" if reused else ""
            with suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)
            removed.append(
                f"{container.short_id} {container.name} (PostgreSQL "
                f"{labels.get(f'{LABEL}.version', '?')}, {labels.get(f'{LABEL}.image', '?')}"
                f"{kind}, pid {labels.get(f'{LABEL}.pid', '?')})"
            )
    finally:
        client.close()
    return removed
