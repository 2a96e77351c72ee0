"""A container for one run, started with testcontainers and removed when the run ends."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import docker  # type: ignore[import-untyped]  # docker-py ships no type information
from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer

from migcheck.config import Config
from migcheck.errors import ServerError
from migcheck.provision import Server
from migcheck.provision.docker.container import (
    LABEL,
    PORT,
    THROWAWAY_ARGS,
    TMPFS,
    entrypoint,
    environment,
    labels,
    loopback_address,
    password_archive,
    wait_ready,
    watched,
)
from migcheck.provision.docker.engine import (
    LOOPBACK,
    publishes_on_loopback,
    reason,
    require_image,
)


def _remove(client: Any, selector: list[str]) -> None:
    """Remove every container that carries all the ``selector`` labels."""
    # Sparse: the engine may list a container it is still creating and not yet inspect it.
    for container in client.containers.list(all=True, filters={"label": selector}, sparse=True):
        try:
            container.remove(force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as error:
            if error.status_code != 409:  # 409: its removal is in progress (docker rm)
                raise


def _container(
    image: str,
    found: dict[str, str],
    *,
    command: list[str],
    loopback: bool,
    tmpfs: bool,
) -> DockerContainer:
    container = (
        # Extra keywords go to docker's create.
        DockerContainer(image, labels=found, entrypoint=command)
        .with_command(THROWAWAY_ARGS)
        .with_envs(**environment(tmpfs=tmpfs))
    )
    if loopback:
        # docker-py takes (host address, port); None: a port the engine picks.
        container.ports[f"{PORT}/tcp"] = (LOOPBACK, None)  # type: ignore[assignment]  # testcontainers annotates a port number only
    else:
        container.with_exposed_ports(PORT)
    return container.with_tmpfs_mount(TMPFS) if tmpfs else container


@contextmanager
def throwaway(
    config: Config, client: Any, image: str, major: int, *, pinned: bool
) -> Iterator[Server]:
    if not testcontainers_config.ryuk_disabled:
        # testcontainers starts its reaper first; say so if that is what cannot start.
        require_image(
            client,
            testcontainers_config.ryuk_image,
            what="the testcontainers reaper image",
            hint="set TESTCONTAINERS_RYUK_DISABLED=true (migcheck removes its containers itself)",
        )
    password = secrets.token_hex(16)
    found = labels(config, major, image, reuse=False)
    # Everything this block may have created, even a container whose creation Ctrl-C cut
    # short before testcontainers learned its id.
    selector = [f"{name}={value}" for name, value in found.items() if name != f"{LABEL}.image"]
    loopback = publishes_on_loopback(client)
    command = entrypoint(client, image)
    container: DockerContainer | None = None
    try:
        for tmpfs in (True, False):
            container = _container(image, found, command=command, loopback=loopback, tmpfs=tmpfs)
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
                        f"the PostgreSQL {major} container ({image}) did not start: {reason(error)}"
                    ) from None
        assert container is not None
        started = container
        wrapped = started.get_wrapped_container()
        try:
            wrapped.put_archive("/", password_archive(password))
        except docker.errors.APIError as error:
            raise ServerError(
                f"the PostgreSQL {major} container ({image}) did not start: {reason(error)}"
            ) from None

        def address() -> tuple[str, int]:
            if loopback:
                return loopback_address(wrapped)
            return started.get_container_host_ip(), started.get_exposed_port(PORT)

        try:
            server = wait_ready(wrapped, address, password, image=image, major=major, pinned=pinned)
        except docker.errors.NotFound:
            raise ServerError(
                f"the PostgreSQL {major} container ({image}) was removed as it started (docker rm)"
            ) from None
        with watched(wrapped, server, image):
            yield server
    finally:
        if container is not None:
            with suppress(docker.errors.DockerException, OSError):
                container.stop()
        _remove(client, selector)
