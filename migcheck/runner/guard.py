"""Only the scratch database is written: every connection the project's code opens is
checked before it runs a statement, and one to any other database is refused; the
environment variables applications read their database from point at the scratch
database.

Two checks, for the two ways code reaches PostgreSQL: SQLAlchemy's pool (every driver,
whatever built the engine), and the drivers' own ``connect`` functions (psycopg,
psycopg2, asyncpg) for code that bypasses SQLAlchemy. Anything else (pg8000 used
directly, a ``psql`` subprocess) is not checked here: migcheck compares the other
databases' statistics around each step instead (see migcheck/scratch.py)."""

import contextlib
import functools
import importlib
from typing import Any, Dict, List, Set

# The variables applications and libpq commonly read, besides the project's url_env.
URL_VARIABLES = ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI")

_allowed: Set[str] = set()
_scratch: List[str] = []


class RefusedConnection(Exception):
    """The project's code connected to a database that is not migcheck's scratch database."""


def allow(database: str, *, scratch: bool = False) -> None:
    """Let connections to ``database`` through (the scratch database, the models')."""
    if not _allowed:
        from sqlalchemy import event
        from sqlalchemy.pool import Pool

        event.listen(Pool, "connect", _check)
        _confine_drivers()
    _allowed.add(database)
    if scratch:
        _scratch.append(database)


def _refuse(database: Any, host: Any, port: Any) -> None:
    """Raise RefusedConnection unless ``database`` is allowed; ``host`` None, empty or a
    folder is a Unix socket."""
    if database in _allowed:
        return
    local = not host or str(host).startswith(("/", "@"))
    where = "a local socket" if local else str(host) if not port else f"{host}:{port}"
    scratch = _scratch[0] if _scratch else "?"
    raise RefusedConnection(
        f"migcheck refused a connection of the project's code to database {database!r} "
        f"on {where}, before any statement ran: only the scratch database {scratch!r} "
        "may be used during a check (the project's code must take its database from "
        "what migcheck hands over)"
    )


def _check(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT current_database(), host(inet_server_addr()), inet_server_port()")
        database, host, port = cursor.fetchone()
    finally:
        cursor.close()
        dbapi_connection.rollback()
    _refuse(database, host, port)


def _closing(connection: Any, database: Any, host: Any, port: Any) -> Any:
    """``connection``, or closed and refused."""
    try:
        _refuse(database, host, port)
    except RefusedConnection:
        connection.close()
        raise
    return connection


def _confine_drivers() -> None:
    """Wrap the drivers' connect functions, in the modules and classes they are reached
    through (SQLAlchemy's dialects call them there too). A driver that is not installed,
    or whose layout differs, is left as it is: SQLAlchemy's check still holds."""
    for confine in (_psycopg, _psycopg2, _asyncpg):
        with contextlib.suppress(Exception):  # not installed, or unlike what we know
            confine()


def _psycopg() -> None:
    psycopg: Any = importlib.import_module("psycopg")
    sync = psycopg.Connection.__dict__["connect"].__func__

    @functools.wraps(sync)
    def connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
        connection = sync(cls, *args, **kwargs)
        info = connection.info
        return _closing(connection, info.dbname, info.host, info.port)

    # psycopg.connect is Connection.connect, bound when psycopg was imported.
    psycopg.Connection.connect = classmethod(connect)
    psycopg.connect = psycopg.Connection.connect
    asynchronous = psycopg.AsyncConnection.__dict__["connect"].__func__

    @functools.wraps(asynchronous)
    async def connect_async(cls: Any, *args: Any, **kwargs: Any) -> Any:
        connection = await asynchronous(cls, *args, **kwargs)
        info = connection.info
        try:
            _refuse(info.dbname, info.host, info.port)
        except RefusedConnection:
            await connection.close()
            raise
        return connection

    psycopg.AsyncConnection.connect = classmethod(connect_async)


def _psycopg2() -> None:
    psycopg2: Any = importlib.import_module("psycopg2")

    original = psycopg2.connect

    @functools.wraps(original)
    def connect(*args: Any, **kwargs: Any) -> Any:
        connection = original(*args, **kwargs)
        found = connection.get_dsn_parameters()
        return _closing(connection, found.get("dbname"), found.get("host"), found.get("port"))

    psycopg2.connect = connect


def _asyncpg() -> None:
    asyncpg: Any = importlib.import_module("asyncpg")
    module: Any = importlib.import_module("asyncpg.connection")
    original = module.connect

    @functools.wraps(original)
    async def connect(*args: Any, **kwargs: Any) -> Any:
        connection = await original(*args, **kwargs)
        try:
            row = await connection.fetchrow(
                "SELECT current_database(), host(inet_server_addr()), inet_server_port()"
            )
            _refuse(row[0], row[1], row[2])
        except RefusedConnection:
            await connection.close()
            raise
        return connection

    # asyncpg.create_pool reaches it through asyncpg.connection.
    asyncpg.connect = module.connect = connect


def environment(url: str, libpq: Dict[str, Any]) -> Dict[str, str]:
    """The common variables, pointing at the scratch database: ``url`` (with the
    project's driver) and libpq's PG* from ``libpq`` (host, port, dbname, user, password)."""
    found = {name: url for name in URL_VARIABLES}
    for key, name in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("dbname", "PGDATABASE"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
    ):
        value = libpq.get(key)
        if value is not None:
            found[name] = str(value)
    return found
