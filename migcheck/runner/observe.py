"""What each statement of a migration did to the relations that existed before its
revision started: the locks its transaction took, storage rewritten, indexes built,
constraints validated and columns made NOT NULL under a lock that blocks writes.

Watched where the migration runs: SQLAlchemy's ``after_cursor_execute`` event, on the
migration's own connection and inside its own transaction (``pg_locks`` of its backend),
with one catalog query per statement (``readings.py``) through the driver's cursor, so
that SQLAlchemy sees nothing of it. What the statements mean for the project (which are
findings) is decided by migcheck, not here: each record is facts, named as the user names
them.
"""

import os
import re
import sys
from typing import Any, Dict, List, Optional, Set, Tuple

from .connections import driver_connection
from .readings import BLOCKS_WRITES, MODES, Seen, read

_CONCURRENTLY = re.compile(r"\bCONCURRENTLY\b", re.IGNORECASE)
# The one storage change the catalog cannot tell from a rewrite without a lock that could
# wait (pg_relation_size): an emptied table. Read from the statement.
_TRUNCATE = re.compile(r"\s*TRUNCATE\b", re.IGNORECASE)
_SQL_LENGTH = 300

_active = None  # type: Optional[Watch]
_listening = False


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

    def __init__(self, revision: str, upgrade: bool, connection: Any, seen: Seen, carried: bool):
        self.revision = revision
        self.upgrade = upgrade
        self.driver = driver_connection(connection)
        self.before = seen.relations  # what existed as it started
        self.last = seen
        self.transaction = 0  # counts the transactions its statements ran in
        self.carried = carried  # ``last`` is the run before's: its transaction ended


class Watch:
    """The statements of the revisions of one Alembic run, as records for migcheck."""

    def __init__(self, revisions: Dict[str, str], carried: "Optional[Seen]" = None):
        self.revisions = revisions  # real path of a revision file: its id
        # The last reading of the run before, when nothing unwatched ran since.
        self.carried = carried
        self.last = None  # type: Optional[Seen]
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
        """A revision's migration function starts, on ``connection``. The catalog as the
        last run left it, when that run was watched to its end, is still the catalog: no
        need to read it all again."""
        carried, self.carried = self.carried, None
        seen = carried if carried is not None else read(connection)
        self.current = _Revision(revision, upgrade, connection, seen, carried is not None)

    def end(self) -> None:
        current, self.current = self.current, None
        if current is not None:
            self.last = current.last

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
        if current is None or driver_connection(connection) is not current.driver:
            return
        line = self._line()
        seen = read(connection, current.last, across=current.carried)
        current.carried = False
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
    current: _Revision, last: Seen, seen: Seen, held_before: Dict[int, int], statement: str
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
    # Only what this reading read can have changed (what is not held did not).
    changed = sorted(seen.fresh & set(before))
    rewritten = []  # type: List[List[str]]
    for oid in changed:
        relation = before[oid]
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
    new = sorted(oid for oid in seen.fresh if oid in seen.relations and oid not in before)
    renamed = []
    for oid in new:
        relation, then = seen.relations[oid], last.relations.get(oid)
        key = (relation[3], relation[4])
        if relation[1] in ("r", "p", "m") and then is not None and (then[3], then[4]) != key:
            renamed.append(key)
    gone = (
        {(r[3], r[4]) for oid, r in before.items() if oid not in seen.relations}
        if renamed
        else set()
    )
    recreated = [_named(*key) for key in renamed if key in gone]
    moved = {oid for oid in changed if _moved(oid, last, seen)}
    indexes = []  # type: List[List[Any]]
    for oid in new:
        relation, table = seen.relations[oid], seen.relations[oid][2]
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


def _moved(oid: int, last: Seen, seen: Seen) -> bool:
    """Whether a relation got new storage in this statement."""
    now, then = seen.relations.get(oid), last.relations.get(oid)
    return now is not None and then is not None and now[0] is not None and now[0] != then[0]


def _constraints(
    before: Dict[int, Any], last: Seen, seen: Seen, moved: Set[int], name: Any
) -> Tuple[List[List[str]], List[List[str]]]:
    """Constraints validated, and columns made NOT NULL, on tables that existed before,
    while this transaction holds a lock on them that blocks writes (a rewrite aside:
    it reads every row anyway, and says so)."""
    validated = []  # type: List[List[str]]
    not_null = []  # type: List[List[str]]
    for oid, (names, constraints) in sorted(seen.tables.items()):
        if oid not in before or oid in moved or seen.held.get(oid, -1) < BLOCKS_WRITES:
            continue
        then = last.relations.get(oid)
        if then is None:
            continue
        valid_then = last.valid.get(oid, set())
        for key, conname, kind, valid, _keys, _definition in constraints:
            if kind in ("c", "f") and valid and key not in valid_then:
                validated.append([conname, name(oid), "foreign key" if kind == "f" else "check"])
        checks = [c[5] for c in constraints if c[2] == "c" and c[3]]
        made = seen.not_null.get(oid, set()) - last.not_null.get(oid, set())
        for attnum in sorted(made):
            if attnum > then[5]:
                continue  # a column added by this statement
            column = names.get(attnum, str(attnum))
            not_valid = any(c[2] == "n" and not c[3] and c[4] == [attnum] for c in constraints)
            if not_valid or any(_not_null_check(check, column) for check in checks):
                continue
            not_null.append([name(oid), column])
    return validated, not_null
