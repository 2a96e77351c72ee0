"""The connection handed to env.py, across SQLAlchemy 1.3, 1.4 and 2.x.

SQLAlchemy 2 (and 1.4's future mode) commits and rolls back on the connection itself;
1.4's legacy connections through ``get_transaction()``; 1.3 keeps its transaction
private. Switching a connection to autocommit returns a copy before 2.0, so DISCARD ALL
goes through the driver's own connection instead.
"""

from typing import Any, Dict, Optional, Tuple


def _transaction(connection: Any) -> Any:
    get = getattr(connection, "get_transaction", None)
    if get is not None:
        return get()
    # SQLAlchemy 1.3: no public accessor for the transaction in progress.
    return getattr(connection, "_Connection__transaction", None)


def _finish(connection: Any, how: str) -> None:
    if connection is None or connection.closed or connection.invalidated:
        return
    if not connection.in_transaction():
        return
    if hasattr(connection, "commit") and getattr(connection, "_is_future", True):
        # SQLAlchemy 2 and 1.4's future connections: commit() / rollback() are theirs.
        getattr(connection, how)()
        return
    transaction = _transaction(connection)
    if transaction is not None:
        getattr(transaction, how)()


def commit(connection: Any) -> None:
    """Commit what a shared connection left open, as the caller of Alembic's API does."""
    _finish(connection, "commit")


def rollback(connection: Any) -> None:
    _finish(connection, "rollback")


def driver_connection(connection: Any) -> Any:
    """The DBAPI connection under a SQLAlchemy connection."""
    fairy = connection.connection
    return getattr(fairy, "dbapi_connection", None) or getattr(fairy, "connection", fairy)


# The statements the runner prepared on a driver connection (observe.py), by the id of
# the connection: (the connection, the token their names end with). A reset keeps them,
# so that they are planned once per connection, not once per run.
PREPARED: Dict[int, Tuple[Any, str]] = {}
OWN = "_migcheck_"  # how their names begin
# DISCARD ALL but DEALLOCATE ALL and DISCARD PLANS (the project's prepared statements go
# one by one).
_RESET = (
    "CLOSE ALL",
    "SET SESSION AUTHORIZATION DEFAULT",
    "RESET ALL",
    "UNLISTEN *",
    "SELECT pg_catalog.pg_advisory_unlock_all()",
    "DISCARD TEMP",
    "DISCARD SEQUENCES",
)


def prepared(raw: Any) -> Optional[str]:
    """The token of the runner's statements prepared on driver connection ``raw``."""
    entry = PREPARED.get(id(raw))
    return entry[1] if entry is not None and entry[0] is raw else None


def _discard(cursor: Any, keep: bool) -> None:
    if not keep:
        cursor.execute("DISCARD ALL")
        return
    # No LIKE: a percent sign means a parameter to some drivers (pg8000), even alone.
    cursor.execute(f"SELECT name FROM pg_catalog.pg_prepared_statements WHERE name !~ '^{OWN}'")
    for (name,) in cursor.fetchall():
        cursor.execute('DEALLOCATE "{}"'.format(name.replace('"', '""')))
    try:  # one round trip where the driver takes several statements at once
        cursor.execute("; ".join(_RESET))
    except Exception:  # it does not (pg8000): in autocommit, nothing to undo
        for statement in _RESET:
            cursor.execute(statement)


def reset(connection: Any) -> None:
    """Each ``alembic`` command starts a new session: what a migration set for its
    session (SET without LOCAL, temporary tables, prepared statements) must not reach the
    next run."""
    if connection is None or connection.closed or connection.invalidated:
        return
    rollback(connection)
    raw = driver_connection(connection)
    # SQLAlchemy before 2.0 runs statements outside a transaction of its own, and the
    # driver opens one for them: end it, autocommit cannot change inside one.
    raw.rollback()
    previous = raw.autocommit
    raw.autocommit = True
    try:
        cursor = raw.cursor()
        try:
            _discard(cursor, prepared(raw) is not None)
        finally:
            cursor.close()
    finally:
        raw.autocommit = previous
