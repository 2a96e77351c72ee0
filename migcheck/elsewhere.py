"""What a step wrote outside its scratch database, as the server counts it.

The runner refuses the project's connections to other databases (SQLAlchemy's and the
drivers' own, see migcheck/runner/guard.py); what it cannot see (pg8000 used directly,
a psql subprocess) shows in the other databases' statistics. They are read before and
after each step on the scratch database's own connection, and a database whose count
of rows written grew, with no session of anyone else connected to it, is named with
the revisions that ran.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

# The other databases of the server: the rows written in each, the client sessions
# opened to it so far, and whether any process is connected to it. Other scratch
# databases (other runs') and the server's shared catalogs (CREATE DATABASE) are not
# watched. The functions, not the pg_stat_database view: a tenth of the planning, on
# each new connection.
QUERY = (
    "SELECT d.datname::text, pg_catalog.pg_stat_get_db_tuples_inserted(d.oid),"
    " pg_catalog.pg_stat_get_db_tuples_updated(d.oid),"
    " pg_catalog.pg_stat_get_db_tuples_deleted(d.oid),"
    " pg_catalog.pg_stat_get_db_sessions(d.oid),"
    " pg_catalog.pg_stat_get_db_numbackends(d.oid) > 0"
    " FROM pg_catalog.pg_database d"
    " WHERE d.datname <> pg_catalog.current_database() AND d.datname NOT LIKE 'migcheck\\_%'"
)
# From 15 on, a session's statistics are in shared memory at most once a second after
# its transactions end, and as it exits (its first flush is at its start: what a
# session that connects, writes and ends did shows as it ends). Before, they reach a
# collector process, read from a file up to half a second old: a step's writes would
# show in a later step's, and name the wrong revision. Not watched there.
WATCHED_FROM = 150000
# How long a session that connected to another database during a step may take to end
# (and hand its counters over) before the databases are compared without it.
SETTLE = 2.0


@dataclass(frozen=True, slots=True)
class Written:
    """One database's rows written so far, the client sessions opened to it (not the
    autovacuum workers, whose ANALYZE writes too), and whether any process is connected
    to it."""

    inserted: int
    updated: int
    deleted: int
    sessions: int
    busy: bool

    def since(self, before: Written) -> tuple[int, int, int]:
        return (
            self.inserted - before.inserted,
            self.updated - before.updated,
            self.deleted - before.deleted,
        )


Counts = dict[str, Written]


def counts(connection: psycopg.Connection[Any]) -> Counts | None:
    """Each other database's counts; None where they are not watched."""
    if connection.info.server_version < WATCHED_FROM:
        return None
    rows = connection.execute(QUERY).fetchall()
    return {
        str(name): Written(int(inserted), int(updated), int(deleted), int(sessions), bool(busy))
        for name, inserted, updated, deleted, sessions, busy in rows
    }


def written(
    connection: psycopg.Connection[Any], before: Counts | None, steps: Sequence[tuple[str, bool]]
) -> str | None:
    """Which other databases of the server the step wrote to, and by which revisions;
    None if none.

    A database counts when rows were written in it and a client session was opened to
    it while the step ran (autovacuum opens none). One a process is connected to, when
    the step begins or SETTLE seconds after it ended, is left out: that process may have
    written (an application's session, or one the project's code kept open). A session
    that ends meanwhile has handed its counts over.
    """
    if before is None or not steps:
        return None
    after = counts(connection) or {}
    idle = [name for name, found in before.items() if not found.busy and name in after]
    deadline = time.monotonic() + SETTLE
    while any(after[name].busy for name in idle) and time.monotonic() < deadline:
        time.sleep(0.02)
        after = counts(connection) or {}
        idle = [name for name in idle if name in after]
    changed = []
    for name in idle:
        if after[name].busy or after[name].sessions <= before[name].sessions:
            continue
        inserted, updated, deleted = after[name].since(before[name])
        if inserted > 0 or updated > 0 or deleted > 0:
            changed.append(
                f"database {name!r} ({inserted} rows inserted, {updated} updated, "
                f"{deleted} deleted)"
            )
    if not changed:
        return None
    info = connection.info
    server = info.host if info.host.startswith("/") else f"{info.host}:{info.port}"
    revisions = ", ".join(revision for revision, _ in steps)
    action = "upgrade" if steps[0][1] else "downgrade"
    run = f"the {action} of {revisions}" + (" (one Alembic run)" if len(steps) > 1 else "")
    return (
        f"{' and '.join(changed)} on the server {server} changed while {run} ran, as "
        "pg_stat_database counts them, with no other session connected"
    )
