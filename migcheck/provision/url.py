"""An existing server named by URL: migcheck only ever works in scratch databases on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.provision import Server, connect, describe, safe_url


@contextmanager
def start(config: Config, version: int | None) -> Iterator[Server]:
    if not config.url:
        raise UsageError("--backend url needs --url postgresql://user@host/database")
    with connect(config.url) as connection:
        server = describe(connection, "url", config.url)
    if version is not None and version != server.pg_version:
        raise UsageError(
            f"--pg {version}: the server at {safe_url(config.url)} runs PostgreSQL "
            f"{server.pg_version}"
        )
    yield server
