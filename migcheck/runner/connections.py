"""The connection handed to env.py, across SQLAlchemy 1.3, 1.4 and 2.x.

SQLAlchemy 2 (and 1.4's future mode) commits and rolls back on the connection itself;
1.4's legacy connections through ``get_transaction()``; 1.3 keeps its transaction
private. Switching a connection to autocommit returns a copy before 2.0, so DISCARD ALL
goes through the driver's own connection instead.
"""

from typing import Any


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


def reset(connection: Any) -> None:
    """Each ``alembic`` command starts a new session: what a migration set for its
    session (SET without LOCAL, temporary tables) must not reach the next run."""
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
            cursor.execute("DISCARD ALL")
        finally:
            cursor.close()
    finally:
        raw.autocommit = previous
