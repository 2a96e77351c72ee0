"""The Docker engine: where it is, whether it answers, its images, and whether the ports it
publishes on 127.0.0.1 are this machine's."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any
from urllib.parse import urlparse

import docker  # type: ignore[import-untyped]  # docker-py ships no type information
from testcontainers.core.config import testcontainers_config
from testcontainers.core.docker_client import get_docker_host
from testcontainers.core.utils import inside_container

from migcheck.errors import ServerError, UsageError

PING_TIMEOUT = 2.0
NOT_REACHABLE_HINT = "start Docker, or use --backend local"
IMAGE_HINT = "docker pull or docker tag it, or name another with --image"
LOOPBACK = "127.0.0.1"
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def engine_address() -> str:
    """Where the Docker engine is looked for, as a person would name it in a message."""
    # testcontainers reads ~/.testcontainers.properties, DOCKER_HOST, the docker context.
    host = get_docker_host()
    if host and host == os.environ.get("DOCKER_HOST"):
        return f"DOCKER_HOST={host}"
    if host:
        return host
    return "npipe:////./pipe/docker_engine" if os.name == "nt" else "unix:///var/run/docker.sock"


def reason(error: BaseException) -> str:
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
            f"Docker is not reachable at {engine_address()} ({reason(error)}): {NOT_REACHABLE_HINT}"
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


class ImageUnavailable(ServerError):
    """An image the engine does not have and cannot pull: the engine answers, but it
    cannot start the container (``--backend auto`` may use local binaries instead)."""


def require_image(client: Any, image: str, *, what: str = "image", hint: str = IMAGE_HINT) -> None:
    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.pull(image)
    except docker.errors.DockerException as error:
        raise ImageUnavailable(
            f"{what} {image} is not on this Docker engine and cannot be pulled "
            f"({reason(error)}): {hint}"
        ) from None


def _own_address(address: str) -> bool:
    """Whether ``address`` belongs to an interface of this network namespace."""
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
        with socket.socket(family) as probe:
            probe.bind((address, 0))  # EADDRNOTAVAIL for another machine's address
    except (ValueError, OSError):
        return False
    return True


def _bridge_gateway(client: Any) -> str | None:
    try:
        configs = client.networks.get("bridge").attrs.get("IPAM", {}).get("Config") or []
    except docker.errors.DockerException:
        return None
    return next((str(c["Gateway"]) for c in configs if c.get("Gateway")), None)


def publishes_on_loopback(client: Any) -> bool:
    """Whether the engine's 127.0.0.1 is this machine's, so that a container's port bound
    to it reaches migcheck and nothing beyond this machine.

    A remote engine (DOCKER_HOST=tcp://host, ssh://) publishes on its own machine, and
    there only every interface is reachable from here. So does the engine of the host
    when migcheck runs in a container with the host's socket mounted in; testcontainers
    then connects through the container's gateway. /.dockerenv alone does not tell that
    case apart from a VM sandbox or a pod that runs its own engine (a dind sidecar):
    there the engine's bridge gateway is an address of this very network namespace.
    """
    if testcontainers_config.tc_host_override or testcontainers_config.connection_mode_override:
        return False  # the user told testcontainers where containers are reached
    host = get_docker_host()
    if host:
        parsed = urlparse(host)
        if parsed.scheme not in ("unix", "npipe") and parsed.hostname not in _LOCAL_HOSTS:
            return False
    if not inside_container():
        return True
    gateway = _bridge_gateway(client)
    return gateway is not None and _own_address(gateway)
