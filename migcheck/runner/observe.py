"""What each statement of a migration did to the relations that existed before its
revision started: the locks its transaction took, storage rewritten, indexes built,
constraints validated and columns made NOT NULL under a lock that blocks writes.

Watched where the migration runs: SQLAlchemy's ``after_cursor_execute`` event, on the
migration's own connection and inside its own transaction (``pg_locks`` of its backend),
with one catalog query per statement (``observed.sql``) through the driver's cursor, so
that SQLAlchemy sees nothing of it. What the statements mean for the project (which are
findings) is decided by migcheck, not here: each record is facts, named as the user names
them.
"""

import json
import os
import re
import sys
from typing import Any, Dict, List, Optional, Set, Tuple

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "observed.sql")) as _file:
    _QUERY = _file.read()

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
_STRENGTH = {mode: index for index, mode in enumerate(MODES)}
BLOCKS_WRITES = _STRENGTH["ShareLock"]
_CONCURRENTLY = re.compile(r"\bCONCURRENTLY\b", re.IGNORECASE)
# The one storage change the catalog cannot tell from a rewrite without a lock that could
# wait (pg_relation_size): an emptied table. Read from the statement.
_TRUNCATE = re.compile(r"\s*TRUNCATE\b", re.IGNORECASE)
_SQL_LENGTH = 300

_active = None  # type: Optional[Watch]
_listening = False


def _dbapi(connection: Any) -> Any:
    """The driver's connection under a SQLAlchemy connection (1.3 to 2.x)."""
    fairy = connection.connection
    return getattr(fairy, "dbapi_connection", None) or getattr(fairy, "connection", fairy)


def _after_cursor_execute(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
    watch = _active
    if watch is not None:
        watch.statement(connection, statement)


def listen() -> None:
    """Observe every engine of the process (env.py makes its own), once."""
    global _listening
    if _listening:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "after_cursor_execute", _after_cursor_execute)
    _listening = True


class _Seen:
    """One reading of ``observed.sql``."""

    def __init__(self, text: str):
        data = json.loads(text)
        self.xact = data["xact"]  # type: str
        self.lock_timeout = data["lock_timeout"]  # type: str
        self.statement_timeout = data["statement_timeout"]  # type: str
        # table oid: full scans and rows written by the transaction so far
        self.work = {row[0]: int(row[1]) for row in data["work"]}  # type: Dict[int, int]
        # oid: (storage file, kind, the table of an index, schema, name)
        self.relations = {
            row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in data["relations"]
        }  # type: Dict[int, Tuple[Any, str, Optional[int], str, str]]
        self.held = {
            row[0]: max(_STRENGTH.get(mode, -1) for mode in row[1]) for row in data["held"]
        }  # type: Dict[int, int]
        # oid: (columns, {attnum: name} NOT NULL, [(oid, name, type, valid, keys, def)])
        self.tables = {
            row[0]: (row[1], {a[0]: a[1] for a in row[2]}, row[3]) for row in data["tables"]
        }  # type: Dict[int, Tuple[int, Dict[int, str], List[Any]]]


def _read(connection: Any) -> _Seen:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_QUERY)
        row = cursor.fetchone()
    finally:
        cursor.close()
    value = row[0]
    return _Seen(value if isinstance(value, str) else json.dumps(value))


def _named(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def _not_null_check(definition: Optional[str], column: str) -> bool:
    """Whether a CHECK's text is ``col IS NOT NULL`` (what lets SET NOT NULL skip its scan)."""
    if not definition:
        return False
    quoted = '"{}"'.format(column.replace('"', '""'))
    body = definition.strip()
    while body.upper().startswith("CHECK"):
        body = body[5:].strip()
    while body.startswith("(") and body.endswith(")"):
        body = body[1:-1].strip()
    return body in (f"{column} IS NOT NULL", f"{quoted} IS NOT NULL")


class _Revision:
    """Where one revision's statements stand."""

    def __init__(self, revision: str, upgrade: bool, connection: Any, seen: _Seen):
        self.revision = revision
        self.upgrade = upgrade
        self.driver = _dbapi(connection)
        self.before = seen.relations  # what existed as it started
        self.last = seen
        self.transaction = 0  # counts the transactions its statements ran in


class Watch:
    """The statements of the revisions of one Alembic run, as records for migcheck."""

    def __init__(self, revisions: Dict[str, str]):
        self.revisions = revisions  # real path of a revision file: its id
        self.files = {}  # type: Dict[str, bool]
        self.records = []  # type: List[Dict[str, Any]]
        self.current = None  # type: Optional[_Revision]

    def __enter__(self) -> "Watch":
        global _active
        listen()
        _active = self
        return self

    def __exit__(self, *exc: Any) -> None:
        global _active
        _active = None
        self.current = None

    def begin(self, revision: str, upgrade: bool, connection: Any) -> None:
        """A revision's migration function starts, on ``connection``."""
        self.current = _Revision(revision, upgrade, connection, _read(connection))

    def end(self) -> None:
        self.current = None

    def _line(self) -> Optional[int]:
        """The line of the revision file that is running (the innermost one)."""
        frame = sys._getframe(2)  # type: Any
        while frame is not None:
            name = frame.f_code.co_filename
            known = self.files.get(name)
            if known is None:
                known = self.files[name] = os.path.realpath(name) in self.revisions
            if known:
                return int(frame.f_lineno)
            frame = frame.f_back
        return None

    def statement(self, connection: Any, statement: str) -> None:
        current = self.current
        if current is None or _dbapi(connection) is not current.driver:
            return
        line = self._line()
        seen = _read(connection)
        last, current.last = current.last, seen
        held_before = last.held  # type: Dict[int, int]
        if seen.xact != last.xact:
            current.transaction += 1
            held_before = {}
        # Scans and writes of each table in this statement. The counts are the backend's
        # not yet reported to the statistics (PostgreSQL 15+ reports them now and then,
        # between transactions): one that went down was reported, and counts from 0.
        done = {
            oid: count - last.work.get(oid, 0) if count >= last.work.get(oid, 0) else count
            for oid, count in seen.work.items()
        }
        # Of tables that existed: work that grows with their size.
        work = sum(count for oid, count in done.items() if oid in current.before)
        record = _facts(current, last, seen, held_before, statement)
        record.update(
            revision=current.revision,
            upgrade=current.upgrade,
            line=line,
            sql=" ".join(statement.split())[:_SQL_LENGTH],
            transaction=current.transaction,
            work=max(work, 0),
            lock_timeout=seen.lock_timeout,
            statement_timeout=seen.statement_timeout,
        )
        self.records.append(record)


def _facts(
    current: _Revision, last: _Seen, seen: _Seen, held_before: Dict[int, int], statement: str
) -> Dict[str, Any]:
    """What one statement did to the relations that existed before the revision."""
    before = current.before

    def name(oid: int) -> str:
        relation = seen.relations.get(oid) or before[oid]
        return _named(relation[3], relation[4])

    existing = {oid for oid in seen.held if oid in before}
    held = sorted(
        [name(oid), before[oid][1], MODES[seen.held[oid]]]
        for oid in existing
        if seen.held[oid] >= 0
    )
    taken = sorted(
        [name(oid), before[oid][1], MODES[seen.held[oid]]]
        for oid in existing
        if seen.held[oid] > held_before.get(oid, -1)
    )
    rewritten = []  # type: List[List[str]]
    for oid, relation in sorted(before.items()):
        now, then = seen.relations.get(oid), last.relations.get(oid)
        if now is None or then is None or now[0] is None or now[0] == then[0]:
            continue
        table = relation[2]
        if relation[1] == "i" and table in before and _moved(table, last, seen):
            continue  # rebuilt with its table: the table's rewrite says it
        if _TRUNCATE.match(statement):
            continue  # new storage, empty: nothing copied (what it lost is MC601's)
        rewritten.append([name(oid), relation[1]])
    # batch_alter_table(recreate="always") and the like: a copy takes the old one's name.
    gone = {(r[3], r[4]) for oid, r in before.items() if oid not in seen.relations}
    recreated = []  # type: List[str]
    for oid, relation in sorted(seen.relations.items()):
        key, then = (relation[3], relation[4]), last.relations.get(oid)
        if oid in before or relation[1] not in ("r", "p", "m") or key not in gone:
            continue
        if then is not None and (then[3], then[4]) != key:  # renamed into the name
            recreated.append(_named(*key))
    moved = {oid for oid in before if _moved(oid, last, seen)}
    indexes = []  # type: List[List[Any]]
    for oid, relation in sorted(seen.relations.items()):
        table = relation[2]
        if oid in last.relations or relation[1] != "i" or table not in before or table in moved:
            continue
        if table in seen.held:
            blocking = seen.held[table] >= BLOCKS_WRITES
        else:  # not in a transaction (an autocommit block): how it was built is in its text
            blocking = not _CONCURRENTLY.search(statement)
        indexes.append([_named(relation[3], relation[4]), name(table), blocking])
    validated, not_null = _constraints(before, last, seen, moved, name)
    return {
        "taken": taken,
        "held": held,
        "rewritten": rewritten,
        "recreated": recreated,
        "indexes": indexes,
        "validated": validated,
        "not_null": not_null,
    }


def _moved(oid: int, last: _Seen, seen: _Seen) -> bool:
    """Whether a relation got new storage in this statement."""
    now, then = seen.relations.get(oid), last.relations.get(oid)
    return now is not None and then is not None and now[0] is not None and now[0] != then[0]


def _constraints(
    before: Dict[int, Any], last: _Seen, seen: _Seen, moved: Set[int], name: Any
) -> Tuple[List[List[str]], List[List[str]]]:
    """Constraints validated, and columns made NOT NULL, on tables that existed before,
    while this transaction holds a lock on them that blocks writes (a rewrite aside:
    it reads every row anyway, and says so)."""
    validated = []  # type: List[List[str]]
    not_null = []  # type: List[List[str]]
    for oid, (_columns, required, constraints) in sorted(seen.tables.items()):
        if oid not in before or oid in moved or seen.held.get(oid, -1) < BLOCKS_WRITES:
            continue
        then = last.tables.get(oid)
        if then is None:
            continue
        valid_then = {c[0] for c in then[2] if c[3]}
        for key, conname, kind, valid, _keys, _definition in constraints:
            if kind in ("c", "f") and valid and key not in valid_then:
                validated.append([conname, name(oid), "foreign key" if kind == "f" else "check"])
        checks = [c[5] for c in constraints if c[2] == "c" and c[3]]
        for attnum, column in sorted(required.items()):
            if attnum in then[1] or attnum > then[0]:
                continue  # NOT NULL already, or a column added by this statement
            not_valid = any(c[2] == "n" and not c[3] and c[4] == [attnum] for c in constraints)
            if not_valid or any(_not_null_check(check, column) for check in checks):
                continue
            not_null.append([name(oid), column])
    return validated, not_null
