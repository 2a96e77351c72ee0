"""An existing server named by URL: migcheck only ever works in scratch databases on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from migcheck import urls
from migcheck.config import Config
from migcheck.errors import ServerError, UsageError
from migcheck.provision import Server, connect, describe, leftovers, safe_url


def check(url: str, *, where: str | None = "--url") -> None:
    """Refuse, naming ``where``, a URL that is none or names another database than
    PostgreSQL (SQLAlchemy would parse mysql://... and psycopg connect to PostgreSQL)."""
    try:
        backend = urls.parse(url).backend
    except urls.UrlError as error:
        raise UsageError(f"{where}: {error}" if where else str(error)) from None
    if backend not in urls.POSTGRES_SCHEMES:
        needs = f"migcheck needs a PostgreSQL URL (postgresql://...), not {backend}"
        raise UsageError(f"{where}: {needs}" if where else needs)


@contextmanager
def start(config: Config, version: int | None) -> Iterator[Server]:
    if not config.url:
        raise UsageError("--backend url needs --url postgresql://user@host/database")
    check(config.url)
    with connect(config.url) as connection:
        server = describe(connection, "url", config.url)
        row = connection.execute(
            "SELECT current_user::text, rolcreatedb OR rolsuper FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
    if row is not None and not row[1]:
        role = str(row[0])
        raise ServerError(
            f"--url {safe_url(config.url)}: role {role!r} lacks CREATEDB, and migcheck "
            f"creates a scratch database for each walk (ALTER ROLE {role} CREATEDB, or give "
            "the URL of a role that has it)"
        )
    if version is not None and version != server.pg_version:
        raise UsageError(
            f"--pg {version}: the server at {safe_url(config.url)} runs PostgreSQL "
            f"{server.pg_version}"
        )
    # What killed runs of this machine left on the user's server goes first.
    leftovers(config.url)
    try:
        yield server
    except Exception as error:  # an interrupt stays one
        refused = _refusal(config.url)
        if refused is None:
            raise
        # What the walk tripped over next (a step's lost connection, the scratch
        # database's removal) is a consequence; the server's refusal says why.
        raise ServerError(
            f"the server at {safe_url(config.url)} (PostgreSQL {server.server_version}) "
            f"stopped accepting connections during the check: {refused}"
        ) from error


def _refusal(url: str) -> str | None:
    """Why the server at ``url`` refuses a connection now (the shutdown in progress,
    the connection refused), or None when it accepts one."""
    try:
        with connect(url, connect_timeout=5):
            return None
    except ServerError as error:
        # libpq: 'connection to server at "host", port 5432 failed: <why>'
        return " ".join(str(error).rsplit("failed: ", 1)[-1].split())
