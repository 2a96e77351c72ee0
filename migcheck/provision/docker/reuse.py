"""``--reuse``: one container per version and image stays running between runs; each run
works in its own scratch database in it."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import docker  # type: ignore[import-untyped]  # docker-py ships no type information
from testcontainers.core.config import ConnectionMode
from testcontainers.core.docker_client import DockerClient

from migcheck import owners
from migcheck.config import Config
from migcheck.errors import ServerError
from migcheck.provision import Server
from migcheck.provision.docker.container import (
    LABEL,
    PORT,
    THROWAWAY_ARGS,
    TMPFS,
    abandoned,
    entrypoint,
    environment,
    labels,
    loopback_address,
    password_archive,
    password_of,
    wait_ready,
    watched,
)
from migcheck.provision.docker.engine import LOOPBACK, publishes_on_loopback, reason


def _address(container_id: str) -> tuple[str, int]:
    """Host and port of a container this process did not start, published on every
    interface (a remote engine).

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


# The owners of the scratch databases in a container, as their comments say.
_OWNERS = (
    "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
    " WHERE datname LIKE 'migcheck\\_%'"
)


def in_use(container: Any) -> bool:
    """Whether a run of this machine that has not ended works in a kept container: the
    one that made it, or one whose scratch database is in it."""
    if not abandoned(container.labels):
        return True
    try:
        # psql inside the container, over its Unix socket: no password needed.
        done = container.exec_run(["psql", "-U", "postgres", "-d", "postgres", "-Atc", _OWNERS])
    except docker.errors.DockerException:
        return False  # not running: nothing works in it
    if done.exit_code != 0:
        return False
    found = [owners.Owner.parse(line) for line in done.output.decode().splitlines()]
    return any(owner is not None and not owner.gone() for owner in found)


def _fits(container: Any, *, loopback: bool, command: list[str]) -> bool:
    """Made as this run would make it: its password read from its file (earlier versions
    of migcheck put it in the container's environment), its port published where this
    run connects."""
    if container.attrs.get("Config", {}).get("Entrypoint") != command:
        return False
    bindings = (container.attrs.get("HostConfig", {}).get("PortBindings") or {}).get(
        f"{PORT}/tcp"
    ) or [{}]
    wanted = (LOOPBACK,) if loopback else ("", "0.0.0.0")
    return all((binding.get("HostIp") or "") in wanted for binding in bindings)


def _find(client: Any, image: str, major: int, *, loopback: bool) -> Any:
    """The running container an earlier run left for this image and version, if any."""
    selector = [f"{LABEL}=true", f"{LABEL}.reuse=true", f"{LABEL}.version={major}"]
    current = client.images.get(image).id
    command = entrypoint(client, image)
    found = client.containers.list(all=True, filters={"label": selector}, ignore_removed=True)
    for container in found:
        if container.labels.get(f"{LABEL}.image") != image:
            continue
        # Created and not started: usable while the run that creates it goes on.
        starting = container.status == "created" and not abandoned(container.labels)
        if (
            (container.status == "running" or starting)
            and container.attrs["Image"] == current
            and _fits(container, loopback=loopback, command=command)
        ):
            return container
        # Stopped (its tmpfs data is gone), made from an image since rebuilt, published
        # elsewhere, or left half made by a killed run: start afresh.
        _discard(container)
    return None


def _discard(container: Any) -> None:
    try:
        container.remove(force=True, v=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as error:
        if error.status_code != 409:  # 409: another run (or cleanup) is removing it
            raise


def _create(config: Config, client: Any, image: str, major: int, *, loopback: bool) -> Any:
    # testcontainers labels every container it starts with its session, and its reaper
    # removes the session's containers when the process ends: a container meant to
    # outlive the run is created with the Docker SDK instead.
    digest = hashlib.sha256(image.encode()).hexdigest()[:12]
    name = f"migcheck-pg{major}-{digest}"  # two runs racing to create it get one container
    password = secrets.token_hex(16)
    for tmpfs in (True, False):
        try:
            container = client.containers.create(
                image,
                THROWAWAY_ARGS,
                name=name,
                entrypoint=entrypoint(client, image),
                environment=environment(tmpfs=tmpfs),
                labels=labels(config, major, image, reuse=True),
                ports={f"{PORT}/tcp": (LOOPBACK, None) if loopback else None},
                tmpfs={TMPFS: ""} if tmpfs else None,
            )
        except docker.errors.APIError as error:
            if error.status_code == 409:
                return client.containers.get(name)
            if not tmpfs:
                raise ServerError(
                    f"the PostgreSQL {major} container ({image}) did not start: {reason(error)}"
                ) from None
            continue
        try:
            container.put_archive("/", password_archive(password))
            container.start()
            return container
        except docker.errors.APIError as error:
            # An engine without tmpfs support: start again on the container's disk.
            with suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)
            if not tmpfs:
                raise ServerError(
                    f"the PostgreSQL {major} container ({image}) did not start: {reason(error)}"
                ) from None
        except BaseException:
            # Interrupted half made: nobody could use it, nobody would start it.
            with suppress(docker.errors.DockerException, OSError):
                container.remove(force=True, v=True)
            raise
    raise AssertionError("unreachable")


# A container removed under a run as it starts on it (a cleanup, or another run that
# found it stale) is looked for, or made, again this many times.
ATTEMPTS = 3


def _ready(
    config: Config, client: Any, image: str, major: int, *, pinned: bool
) -> tuple[Any, Server]:
    """The kept container, running and answering, with its server."""
    loopback = publishes_on_loopback(client)
    for attempt in range(ATTEMPTS):
        container = _find(client, image, major, loopback=loopback)
        created = container is None
        if container is None:
            container = _create(config, client, image, major, loopback=loopback)

        def address(container: Any = container) -> tuple[str, int]:
            if loopback:
                return loopback_address(container)
            return _address(container.id)

        try:
            password = password_of(container)
            server = wait_ready(
                container, address, password, image=image, major=major, pinned=pinned
            )
            return container, server
        except docker.errors.NotFound:
            if attempt + 1 == ATTEMPTS:
                raise ServerError(
                    f"the PostgreSQL {major} container ({image}) kept for reuse was removed "
                    f"{ATTEMPTS} times as this run started on it (docker rm, migcheck cleanup): "
                    "run again when they are done"
                ) from None
        except BaseException:
            if created:  # a container that never served a run is not worth keeping
                with suppress(docker.errors.DockerException, OSError):
                    container.remove(force=True, v=True)
            raise
    raise AssertionError("unreachable")


@contextmanager
def reused(
    config: Config, client: Any, image: str, major: int, *, pinned: bool
) -> Iterator[Server]:
    container, server = _ready(config, client, image, major, pinned=pinned)
    with watched(container, server, image):
        yield server
