"""Real servers the tests share: one per PostgreSQL version for the session."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from migcheck.config import Config
from migcheck.provision import Server, local


class Servers:
    """One local server per PostgreSQL version for the session, each started when a test
    first needs its version: the multi-version tests walk on them (backend url, a server
    per version) instead of starting their own."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._started: dict[int, Server] = {}

    def urls(self, *versions: int) -> tuple[str, ...]:
        for version in versions:
            if version not in self._started:
                self._started[version] = self._stack.enter_context(local.start(Config(), version))
        return tuple(self._started[version].url for version in versions)

    def config(self, *versions: int, **fields: Any) -> Config:
        """A Config that walks ``versions``, each on its session server."""
        return Config(backend="url", urls=self.urls(*versions), pg_versions=versions, **fields)
