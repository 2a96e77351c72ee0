"""What the sessions of a scratch database are doing when a step overruns --step-timeout:
the statement running, what it waits for and who holds that, said before the step is
stopped on the server; and when a long step says that it runs."""

from __future__ import annotations

import os
from typing import Any

import psycopg
from psycopg import sql

NOTICE_AFTER, NOTICE_EVERY = 5.0, 10.0  # a step running this long says so, then every 10 s


def notice_after() -> float:
    """NOTICE_AFTER, or MIGCHECK_NOTICE_AFTER's seconds (undocumented: the suite's test of
    the notice need not sleep 5 s three times)."""
    try:
        return max(0.5, float(os.environ.get("MIGCHECK_NOTICE_AFTER", NOTICE_AFTER)))
    except ValueError:
        return NOTICE_AFTER


def cancel(connection: psycopg.Connection[Any], limit: float) -> str:
    """Describe the overrunning step, then cancel and end every session of the scratch
    database ``connection`` (migcheck's own, which is left alone) is in."""
    found = connection.execute(
        "SELECT a.pid, a.state, a.wait_event_type, a.wait_event, a.query,"
        " pg_catalog.pg_blocking_pids(a.pid)"
        " FROM pg_catalog.pg_stat_activity a"
        " WHERE a.datname = pg_catalog.current_database()"
        " AND a.pid <> pg_catalog.pg_backend_pid() AND a.backend_type = 'client backend'"
        " ORDER BY a.backend_start"
    ).fetchall()
    by_pid = {row[0]: row for row in found}
    active = [row for row in found if row[1] == "active"]
    message = f"the step ran longer than --step-timeout {limit:g} s and was cancelled"
    if active:
        pid, _, wait_type, wait_event, query, blockers = active[0]
        message += f": still running `{statement(query)}`"
        if wait_type == "Lock":
            holders = [by_pid[b] for b in blockers if b in by_pid] if blockers else []
            message += f", waiting for a lock ({wait_event})"
            if holders:
                holder = holders[0]
                message += (
                    f" held by another session of the scratch database (pid {holder[0]}, "
                    f"{holder[1]}, last statement `{statement(holder[4])}`)"
                )
            elif blockers:
                message += f" held by pid {', '.join(str(b) for b in blockers)}"
        elif wait_type:
            message += f" (waiting: {wait_type} {wait_event})"
    else:
        message += " while the project's Python code ran (no statement was running)"
    for function in ("pg_cancel_backend", "pg_terminate_backend"):
        for pid in by_pid:
            connection.execute(
                sql.SQL("SELECT pg_catalog.{}(%s)").format(sql.Identifier(function)), (pid,)
            )
    return message


def statement(query: object) -> str:
    """A statement on one line, at most 200 characters."""
    text = " ".join(str(query or "").split())
    return text if len(text) <= 200 else text[:197] + "..."
