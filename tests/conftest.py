"""Session-scoped real PostgreSQL servers, started with migcheck's own local backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from servers import Servers

from migcheck.config import Config
from migcheck.provision import Server, local

os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")


def _test_version() -> int | None:
    wanted = os.environ.get("MIGCHECK_TEST_PG")
    return int(wanted) if wanted else None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """One throwaway server for the whole session; each walk gets its own scratch database."""
    with local.start(Config(), _test_version()) as server:
        yield server


@pytest.fixture(scope="session")
def url_config(pg_server: Server) -> Config:
    """A Config that walks on the session's server (backend url: a scratch database each)."""
    return Config(backend="url", urls=(pg_server.url,))


@pytest.fixture(scope="session")
def pg_servers() -> Iterator[Servers]:
    with ExitStack() as stack:
        yield Servers(stack)
