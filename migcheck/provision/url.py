"""An existing server named by URL: migcheck only ever works in scratch databases on it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def _describe(url: str) -> tuple[Server, str | None]:
    """The server at ``url``, and the role it connects as if that role may not create
    databases."""
    check(url)
    with connect(url) as connection:
        server = describe(connection, "url", url)
        row = connection.execute(
            "SELECT current_user::text, rolcreatedb OR rolsuper FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
    return server, str(row[0]) if row is not None and not row[1] else None


def versions(given: Sequence[str]) -> tuple[int, ...]:
    """The major versions of the servers at ``given``: each is walked on its own server
    (one server per version)."""
    found: dict[int, str] = {}
    for url in given:
        version = _describe(url)[0].pg_version
        if version in found:
            raise UsageError(
                f"--url {safe_url(found[version])} and --url {safe_url(url)} both run "
                f"PostgreSQL {version}: give one server per version"
            )
        found[version] = url
    return tuple(sorted(found))


def _choose(
    given: Sequence[str], version: int | None, pg: str = "--pg"
) -> tuple[str, Server, str | None]:
    """The URL of ``given`` whose server runs ``version`` (None: the first); ``pg``: how
    messages name the option that asked for it."""
    if not given:
        raise UsageError("--backend url needs --url postgresql://user@host/database")
    seen: list[tuple[str, int]] = []
    for url in given:
        server, lacking = _describe(url)
        if version is None or version == server.pg_version:
            return url, server, lacking
        seen.append((url, server.pg_version))
    if len(seen) == 1:
        url, other = seen[0]
        raise UsageError(f"{pg} {version}: the server at {safe_url(url)} runs PostgreSQL {other}")
    others = ", ".join(str(v) for _, v in seen)
    raise UsageError(
        f"{pg} {version}: no --url names a server that runs PostgreSQL {version} "
        f"(they run {others})"
    )


@contextmanager
def start(config: Config, version: int | None) -> Iterator[Server]:
    url, server, lacking = _choose(config.urls, version, config.named("pg", "--pg"))
    if lacking is not None:
        raise ServerError(
            f"--url {safe_url(url)}: role {lacking!r} lacks CREATEDB, and migcheck "
            f"creates a scratch database for each walk (ALTER ROLE {lacking} CREATEDB, or give "
            "the URL of a role that has it)"
        )
    # What killed runs of this machine left on the user's server goes first.
    leftovers(url)
    try:
        yield server
    except Exception as error:  # an interrupt stays one
        refused = _refusal(url)
        if refused is None:
            raise
        # What the walk tripped over next (a step's lost connection, the scratch
        # database's removal) is a consequence; the server's refusal says why.
        raise ServerError(
            f"the server at {safe_url(url)} (PostgreSQL {server.server_version}) "
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
