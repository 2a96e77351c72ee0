"""Where PostgreSQL servers come from, and the scratch databases migcheck works in.

A backend is a function ``start(config, version) -> context manager of Server``;
the dict below is the whole registry.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace

import psycopg
from psycopg import sql

from migcheck import owners, urls
from migcheck.config import Backend, Config
from migcheck.errors import MigcheckError, ServerError
from migcheck.options import DEFAULT_IMAGE, SUPPORTED_VERSIONS


@dataclass(frozen=True, slots=True)
class Server:
    """A running server and how to reach its maintenance database as a superuser."""

    url: str
    pg_version: int
    server_version: str
    backend: str
    note: str = ""  # for the run's notes: why it is not the server the backend asked for


# Server log lines that say why a server stopped, and the prefix of each line of a log.
STOP_CAUSE = re.compile(
    r"PANIC|shutdown request|terminated by signal|No space left|out of memory|"
    r"could not (?:write|extend|fsync)",
    re.IGNORECASE,
)
_FATAL = re.compile(r"FATAL")
LOG_PREFIX = re.compile(r"\d{4}-\d\d-\d\d \S+ \S+ \[\d+\] ")


def stop_cause(lines: Sequence[str], *, fatal: bool) -> str | None:
    """The last lines of a server log (at most three, each once) that say why the
    server stopped, the most telling kind first; ``fatal``: FATAL lines count when no
    line says more. None: no line does."""
    for pattern in (STOP_CAUSE, _FATAL) if fatal else (STOP_CAUSE,):
        causes = [line for line in lines if pattern.search(line)]
        if causes:
            return " | ".join(dict.fromkeys(causes[-3:]))
    return None


def safe_url(url: str) -> str:
    """The URL with its password masked, for every message a person may see."""
    return urls.mask(url)


def database_url(url: str, database: str | None = None) -> str:
    """``url`` (libpq form) pointing at ``database`` of the same server (default: the
    URL's own database, else ``postgres``)."""
    parsed = urls.parse(url)
    return parsed.with_database(database or parsed.database or "postgres").libpq()


def describe(connection: psycopg.Connection[object], backend: str, url: str) -> Server:
    number = connection.info.server_version
    version = str(connection.info.parameter_status("server_version") or number)
    return Server(url=url, pg_version=number // 10000, server_version=version, backend=backend)


def connect(url: str, **kwargs: object) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(database_url(url), **kwargs)  # type: ignore[arg-type]  # kwargs are libpq options
    except psycopg.OperationalError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise ServerError(f"cannot connect to {safe_url(url)}: {first}") from None


@contextmanager
def scratch_database(server: Server) -> Iterator[str]:
    """A new empty database on ``server``, dropped on the way out however the block exits."""
    name = f"migcheck_{secrets.token_hex(4)}"
    with connect(server.url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        # Whose it is, for a later run when this one is killed before it drops it.
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(owners.Owner.me().text())
            )
        )
    try:
        yield database_url(server.url, name)
    finally:
        with connect(server.url, autocommit=True) as admin:
            drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
            if server.pg_version < 13:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
                drop = "DROP DATABASE IF EXISTS {}"
            admin.execute(sql.SQL(drop).format(sql.Identifier(name)))


def leftovers(url: str) -> list[str]:
    """Drop the scratch databases that killed migcheck runs of this machine left on the
    server at ``url`` (their comments say whose they were); say what went."""
    removed = []
    with connect(url, autocommit=True) as admin:
        found = admin.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname LIKE 'migcheck\\_%'"
        ).fetchall()
        for name, comment in found:
            name = str(name)
            owner = owners.Owner.parse(comment if isinstance(comment, str) else None)
            if owner is None or not owner.gone():
                continue
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            removed.append(f"scratch database {name} on {safe_url(url)} (pid {owner.pid}, ended)")
    return removed


Starter = Callable[[Config, "int | None"], AbstractContextManager[Server]]


def _backends() -> dict[str, Starter]:
    from migcheck.provision import docker, local, url

    return {"docker": docker.start, "local": local.start, "url": url.start}


def _automatic(config: Config) -> Backend:
    """``--backend auto``: a URL when given, else Docker when an engine answers, else local."""
    from migcheck.provision import docker, local

    if config.urls:
        return "url"
    if config.pg_bin:
        return "local"
    if docker.reachable():
        return "docker"
    if local.installations():
        return "local"
    raise ServerError(
        f"no PostgreSQL server to be had: no Docker engine answers at {docker.engine_address()} "
        "and no PostgreSQL server binaries were found; start Docker, install server binaries "
        "(e.g. apt-get install postgresql-16, or pip install 'alembic-migcheck[embedded]'), "
        "or point migcheck at a server with --url"
    )


def versions(config: Config) -> tuple[int | None, ...]:
    """The versions a check walks: those asked for; without any, each server's named by
    several URLs (a server per version), else the backend's default."""
    if config.pg_versions:
        return config.pg_versions
    if len(config.urls) > 1 and config.backend in ("auto", "url"):
        from migcheck.provision import url

        return url.versions(config.urls)
    return (None,)


@contextmanager
def _docker_else_local(config: Config, version: int | None) -> Iterator[Server]:
    """``--backend auto`` with an engine that answers: a container, or, when the engine
    cannot have the default image (or testcontainers' reaper image) and this machine has
    the version's server binaries, a local server, with a note saying why. An image
    named on purpose (a PostGIS one, say) is never replaced by plain binaries."""
    from migcheck.provision import docker, local

    with ExitStack() as stack:
        try:
            server = stack.enter_context(docker.start(config, version))
        except docker.ImageUnavailable as error:
            wanted = version if version is not None else max(SUPPORTED_VERSIONS)
            if config.image != DEFAULT_IMAGE or wanted not in local.installations(config.pg_bin):
                raise
            server = stack.enter_context(local.start(config, wanted))
            note = f"Docker could not start a server ({error}): local server binaries instead"
            server = replace(server, note=note)
        yield server


def resolution(config: Config) -> dict[str, str]:
    """What ``backend`` auto and an empty ``pg`` come to on this machine now, as
    ``migcheck config`` shows them beside the values: by key, a line each."""
    from migcheck.provision import local, url

    found: dict[str, str] = {}
    backend: str = config.backend
    if backend == "auto":
        try:
            backend = found["backend"] = _automatic(config)
        except ServerError:
            return {"backend": "nothing on this machine: no Docker engine, no server binaries"}
    if not config.pg_versions:
        if backend == "local":
            installed = local.installations(config.pg_bin)
            found["pg"] = str(max(installed)) if installed else "none installed"
        elif backend == "docker":
            found["pg"] = str(max(SUPPORTED_VERSIONS))
        elif config.urls:
            try:
                found["pg"] = ", ".join(str(v) for v in url.versions(config.urls))
            except MigcheckError as error:
                found["pg"] = f"unknown ({error})"
    return found


def start(config: Config, version: int | None) -> AbstractContextManager[Server]:
    """Start (or reach) a server of ``version`` with the backend the config asks for."""
    backends = _backends()
    backend = config.backend
    if backend == "auto":
        backend = _automatic(config)
        if backend == "docker":
            return _docker_else_local(config, version)
    if backend not in backends:
        raise ServerError(f"--backend {backend}: not available in this version of migcheck")
    return backends[backend](config, version)
