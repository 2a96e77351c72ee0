"""One reading of the catalog by a migration's own transaction (``observed.sql``): what
observe.py compares from one statement to the next. The query is prepared once per
connection: planning is most of its cost."""

import json
import os
import uuid
from typing import Any, Dict, Optional, Set, Tuple

from .connections import OWN, PREPARED, driver_connection, prepared

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "observed.sql")) as _file:
    _QUERY = _file.read()
# Connections whose statements are remembered (the oldest is forgotten: a new one
# prepares its own, under another name).
_CONNECTIONS = 4

# pg_locks' modes, weakest first; from ShareLock on, writes to the table wait.
MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
STRENGTH = {mode: index for index, mode in enumerate(MODES)}
BLOCKS_WRITES = STRENGTH["ShareLock"]


class Seen:
    """One reading of ``observed.sql``: of every relation, or of those held over an earlier
    reading of the same transaction (what is not held cannot have changed since)."""

    def __init__(self, text: str, last: "Optional[Seen]" = None):
        data = json.loads(text)
        self.xact: str = data["xact"]
        self.lock_timeout: str = data["lock_timeout"]
        self.statement_timeout: str = data["statement_timeout"]
        # table oid: full scans and rows written by the transaction so far
        self.work: Dict[int, int] = {row[0]: int(row[1]) for row in data["work"]}
        # oid: (storage file, kind, the table of an index, schema, name, columns)
        self.relations: Dict[int, Tuple[Any, str, Optional[int], str, str, int]] = {
            row[0]: (row[1], row[2], row[3], row[4], row[5], row[6]) for row in data["relations"]
        }
        # relation oid: the strongest lock the transaction holds on it
        self.held: Dict[int, int] = {
            row[0]: max(STRENGTH.get(mode, -1) for mode in row[1]) for row in data["held"]
        }
        # The tables read: each one's NOT NULL columns, constraints (CHECK and foreign
        # keys: name, type, valid) and NOT VALID not-null constraints (PostgreSQL 18).
        read = [oid for oid, relation in self.relations.items() if relation[1] in ("r", "p")]
        self.not_null: Dict[int, Dict[int, str]] = {oid: {} for oid in read}
        for table, attnum, column in data["not_null"]:
            self.not_null[table][attnum] = column
        self.constraints: Dict[int, Dict[int, Tuple[str, str, bool]]] = {oid: {} for oid in read}
        for table, constraint, name, kind, valid in data["constraints"]:
            self.constraints[table][constraint] = (name, kind, valid)
        self.not_valid_not_null: Dict[int, Set[int]] = {oid: set() for oid in read}
        for table, keys in data["not_valid_not_null"]:
            self.not_valid_not_null[table].update(keys)
        # What this reading read (the relations held, or all of them).
        self.fresh: Set[int] = set(self.relations)
        if last is not None:
            # Held and gone from the catalog: dropped by the transaction.
            dropped = {oid for oid in self.held if oid not in self.relations}
            self.fresh |= dropped
            self.relations = _keep(self.relations, last.relations, dropped)
            self.not_null = _keep(self.not_null, last.not_null, dropped)
            self.constraints = _keep(self.constraints, last.constraints, dropped)
            self.not_valid_not_null = _keep(
                self.not_valid_not_null, last.not_valid_not_null, dropped
            )
            self.work = _keep(self.work, last.work, dropped)


def _keep(mine: Dict[int, Any], earlier: Dict[int, Any], dropped: Set[int]) -> Dict[int, Any]:
    """What an earlier reading had, with what this one read over it (and what it found
    dropped left out)."""
    kept = dict(earlier)
    kept.update(mine)
    for oid in dropped:
        kept.pop(oid, None)
    return kept


def _psycopg(thing: Any) -> bool:
    """Whether ``thing`` is psycopg 3's (a connection, a cursor)."""
    return type(thing).__module__.split(".")[0] == "psycopg"


def _deallocates(raw: Any) -> bool:
    """Whether the driver may deallocate statements it did not prepare: psycopg 3, unless
    told never to prepare (as migcheck's own connection is), clears the server's prepared
    statements when its cache needs it."""
    for candidate in (raw, getattr(raw, "_connection", None)):
        if _psycopg(candidate):
            return getattr(candidate, "prepare_threshold", None) is not None
    return False


def _query(connection: Any, everything: bool, suspect: bool) -> str:
    """``observed.sql``'s reading (of ``everything``, or of the relations held), through
    its statement prepared on the migration's connection: planned once per connection,
    not once per statement."""
    raw = driver_connection(connection)
    token = prepared(raw)
    cursor = connection.connection.cursor()
    try:
        if token is not None and (suspect or _deallocates(raw)):
            # Gone if the driver deallocated all it prepared (psycopg 3 does, on its own
            # cache's behalf, after a DROP or an ALTER): EXECUTE would abort the migration.
            _execute(
                cursor,
                "SELECT count(*) FROM pg_catalog.pg_prepared_statements "
                f"WHERE name = '{OWN}observed_{token}'",
            )
            if not cursor.fetchone()[0]:
                token = None
        if token is None:
            token = uuid.uuid4().hex[:12]  # never a name the connection has
            _execute(cursor, f"PREPARE {OWN}observed_{token}(boolean) AS {_QUERY}")
            PREPARED[id(raw)] = (raw, token)
            while len(PREPARED) > _CONNECTIONS:
                del PREPARED[next(iter(PREPARED))]
        _execute(cursor, f"EXECUTE {OWN}observed_{token}({'true' if everything else 'false'})")
        row = cursor.fetchone()
    finally:
        cursor.close()
    value = row[0]
    return value if isinstance(value, str) else json.dumps(value)


def _execute(cursor: Any, statement: str) -> None:
    """Not prepared by psycopg 3 itself (it would, after a few runs of the same text, and
    then deallocate everything on the next DDL of the migration's)."""
    if _psycopg(cursor):
        cursor.execute(statement, prepare=False)
    else:
        cursor.execute(statement)


def read(
    connection: Any, last: Optional[Seen] = None, across: bool = False, suspect: bool = False
) -> Seen:
    """The catalog now: what ``last`` read, and what the transaction holds since, while
    it is the same transaction (or ``across`` one that only ended); all of it when not (a
    statement that committed may have changed what it no longer holds). ``suspect``: the
    last statement may have deallocated prepared statements."""
    if last is not None:
        seen = Seen(_query(connection, False, suspect), last)
        if across or seen.xact == last.xact:
            return seen
    return Seen(_query(connection, True, suspect))
