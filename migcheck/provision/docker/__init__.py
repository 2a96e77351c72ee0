"""A throwaway server in a container: one per PostgreSQL major version, from an image template.

Containers carry migcheck's labels (what they are, and whose: host, pid, start time), so
that whatever ends a run (an error, Ctrl-C, SIGTERM) they are found and removed by label,
and what a killed run left is removed by the next run or by ``migcheck cleanup``. The
server's port is published on 127.0.0.1 only where the engine runs on this machine, and
its password never enters the container's configuration. With ``reuse`` one container per
version and image stays running between runs (reuse.py); otherwise each run starts its
own (throwaway.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import docker  # type: ignore[import-untyped]  # docker-py ships no type information

from migcheck.config import SUPPORTED_VERSIONS, Config
from migcheck.provision import Server
from migcheck.provision.docker.container import LABEL, TMPFS, abandoned
from migcheck.provision.docker.engine import (
    ImageUnavailable,
    engine,
    engine_address,
    image_for,
    reachable,
    require_image,
)
from migcheck.provision.docker.reuse import in_use, reused
from migcheck.provision.docker.throwaway import throwaway

__all__ = [
    "TMPFS",
    "ImageUnavailable",
    "cleanup",
    "engine",
    "engine_address",
    "image_for",
    "reachable",
    "start",
]


def _leftovers(client: Any, *, kept: bool) -> list[str]:
    """Remove the containers of runs of this machine that were killed before they could,
    and with ``kept`` those kept for reuse that no run in progress works in; say what
    went."""
    removed = []
    selector = {"label": f"{LABEL}=true"}
    for container in client.containers.list(all=True, filters=selector, ignore_removed=True):
        found = container.labels
        reuse = found.get(f"{LABEL}.reuse") == "true"
        if reuse and (not kept or in_use(container)):
            continue
        if not reuse and not abandoned(found):
            continue  # a run in progress (or another machine's) removes its own
        try:
            container.remove(force=True, v=True)
        except docker.errors.DockerException:
            continue  # removed meanwhile, by a run sweeping as this one does
        what = ", kept for reuse" if reuse else ", ended"
        removed.append(
            f"{container.short_id} {container.name} (PostgreSQL "
            f"{found.get(f'{LABEL}.version', '?')}, {found.get(f'{LABEL}.image', '?')}, "
            f"pid {found.get(f'{LABEL}.pid', '?')}{what})"
        )
    return removed


@contextmanager
def start(config: Config, version: int | None) -> Iterator[Server]:
    major = version if version is not None else max(SUPPORTED_VERSIONS)
    image = image_for(config.image, major)
    client = engine()
    try:
        with suppress(docker.errors.DockerException):  # a sweep that fails stops no run
            _leftovers(client, kept=False)
        require_image(client, image)
        run = reused if config.reuse else throwaway
        with run(config, client, image, major, pinned=version is not None) as server:
            yield server
    finally:
        client.close()


def cleanup() -> list[str]:
    """Remove what migcheck runs left behind: containers kept for reuse, and those of
    runs that were killed; containers runs still in progress work in are left to them."""
    client = engine()
    try:
        return _leftovers(client, kept=True)
    finally:
        client.close()
