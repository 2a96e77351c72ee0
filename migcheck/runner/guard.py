"""Only the scratch database is written: every connection the project's code opens
through SQLAlchemy is checked before it runs a statement, and one to any other database
is refused; the environment variables applications read their database from point at
the scratch database."""

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
    _allowed.add(database)
    if scratch:
        _scratch.append(database)


def _check(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(
            "SELECT current_database(), coalesce(host(inet_server_addr()), 'a local socket'),"
            " coalesce(inet_server_port(), 0)"
        )
        database, host, port = cursor.fetchone()
    finally:
        cursor.close()
        dbapi_connection.rollback()
    if database not in _allowed:
        where = host if not port else f"{host}:{port}"
        scratch = _scratch[0] if _scratch else "?"
        raise RefusedConnection(
            f"migcheck refused a connection of the project's code to database {database!r} "
            f"on {where}, before any statement ran: only the scratch database {scratch!r} "
            "may be used during a check (the project's code must take its database from "
            "what migcheck hands over)"
        )


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
