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
from .readings import BLOCKS_WRITES, MODES, STRENGTH, Seen, read

_CONCURRENTLY = re.compile(r"\bCONCURRENTLY\b", re.IGNORECASE)
# A statement after which the prepared readings may be gone.
_DEALLOCATE = re.compile(r"\b(DEALLOCATE|DISCARD)\b", re.IGNORECASE)
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


class _Revision:
    """Where one revision's statements stand."""

    def __init__(self, revision: str, upgrade: bool, connection: Any, seen: Seen):
        self.revision = revision
        self.upgrade = upgrade
        self.driver = driver_connection(connection)
        self.before = seen.relations  # what existed as it started
        self.existed = set(seen.relations)
        self.last = seen
        self.transaction = 0  # counts the transactions its statements ran in


class Watch:
    """The statements of the revisions of one Alembic run, as records for migcheck."""

    def __init__(self, revisions: Dict[str, str], carried: "Optional[Seen]" = None):
        self.revisions = revisions  # real path of a revision file: its id
        # The last reading of the run before, when nothing unwatched ran since.
        self.carried = carried
        self.last = None  # type: Optional[Seen]
        self.error = None  # type: Optional[str]
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
        last run left it, when that run was watched to its end, is still the catalog but
        for what this run locked before its first statement: no need to read it all."""
        carried, self.carried = self.carried, None
        seen = read(connection, carried, across=True) if carried is not None else read(connection)
        self.current = _Revision(revision, upgrade, connection, seen)

    def end(self) -> None:
        current, self.current = self.current, None
        if current is not None:
            self.last = current.last

    def _line(self) -> Optional[int]:
        """The line of the revision file that is running (the innermost one)."""
        frame = sys._getframe(3)  # type: Any
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
        """After a statement on the migration's connection. What fails here is migcheck's
        own failure (``error``), never the migration's: the watch stops."""
        current = self.current
        if current is None or driver_connection(connection) is not current.driver:
            return
        try:
            self._statement(current, connection, statement)
        except Exception as error:  # any: it is reported as migcheck's
            self.error = f"{type(error).__name__}: {error}".strip()
            self.current = None

    def _statement(self, current: "_Revision", connection: Any, statement: str) -> None:
        line = self._line()
        seen = read(connection, current.last, suspect=bool(_DEALLOCATE.search(statement)))
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
        # A statement that committed (an autocommit block) holds nothing any more: what it
        # did shows in the catalog only, and its locks are those PostgreSQL takes for that.
        committed = seen.xact != last.xact and not any(oid in current.before for oid in seen.held)
        record = _facts(current, last, seen, held_before, statement, done, committed)
        record.update(
            revision=current.revision,
            upgrade=current.upgrade,
            line=line,
            sql=" ".join(statement.split())[:_SQL_LENGTH],
            transaction=current.transaction,
            # Of tables that existed: work that grows with their size.
            work=sum(count for oid, count in done.items() if oid in current.before),
            lock_timeout=seen.lock_timeout,
            statement_timeout=seen.statement_timeout,
        )
        self.records.append(record)


def _facts(
    current: _Revision,
    last: Seen,
    seen: Seen,
    held_before: Dict[int, int],
    statement: str,
    done: Dict[int, int],
    committed: bool,
) -> Dict[str, Any]:
    """What one statement did to the relations that existed before the revision."""
    before = current.before

    def name(oid: int) -> str:
        relation = seen.relations.get(oid) or before[oid]
        return _named(relation[3], relation[4])

    # Only what this reading read can have changed (what is not held did not).
    changed = sorted(seen.fresh & current.existed)
    moved = {oid for oid in changed if _moved(oid, last, seen)}
    rewritten = []  # type: List[List[str]]
    for oid in changed:
        relation = before[oid]
        if oid not in moved or _TRUNCATE.match(statement):
            continue  # TRUNCATE: new storage, empty, nothing copied (what it lost is MC601's)
        if relation[1] == "i" and relation[2] in moved:
            continue  # rebuilt with its table: the table's rewrite says it
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
    # An index PostgreSQL dropped and made again over the same storage (ALTER ... TYPE to
    # a binary-compatible type) was not built.
    dropped = [
        last.relations[oid] for oid in seen.fresh - set(seen.relations) if oid in last.relations
    ]
    reused = {relation[0] for relation in dropped if relation[1] == "i"}
    indexes = []  # type: List[List[Any]]
    for oid in new:
        relation = seen.relations[oid]
        table = relation[2]
        if relation[1] != "i" or oid in last.relations or table not in before:
            continue  # not an index, not built by this statement, or on a new table
        if table in moved or relation[0] in reused:
            continue
        if table in seen.held:
            blocking = seen.held[table] >= BLOCKS_WRITES
        else:  # committed already: how it was built is in its text
            blocking = not _CONCURRENTLY.search(statement)
        indexes.append([_named(relation[3], relation[4]), name(table), blocking])
    validated, not_null = _constraints(current, last, seen, moved, done, committed)
    existing = [(oid, mode) for oid, mode in sorted(seen.held.items()) if oid in before]
    held = [[name(oid), before[oid][1], MODES[mode]] for oid, mode in existing if mode >= 0]
    taken = [
        [name(oid), before[oid][1], MODES[mode]]
        for oid, mode in existing
        if mode >= 0 and mode > held_before.get(oid, -1)
    ]
    if committed:
        taken = _inferred(current, last, seen, moved, indexes, validated, not_null, name)
    return {
        "taken": sorted(taken),
        "held": sorted(held),
        "rewritten": rewritten,
        "recreated": recreated,
        "indexes": indexes,
        "validated": [[c, name(t), kind] for c, t, kind in validated],
        "not_null": [[name(t), column] for t, column in not_null],
    }


def _moved(oid: int, last: Seen, seen: Seen) -> bool:
    """Whether a relation got new storage in this statement."""
    now, then = seen.relations.get(oid), last.relations.get(oid)
    return now is not None and then is not None and now[0] is not None and now[0] != then[0]


def _constraints(
    current: _Revision,
    last: Seen,
    seen: Seen,
    moved: Set[int],
    done: Dict[int, int],
    committed: bool,
) -> Tuple[List[Tuple[str, int, str]], List[Tuple[int, str]]]:
    """Constraints validated, and columns made NOT NULL with a scan, on tables that
    existed, while writes to them waited: (constraint, table, kind), (table, column). A
    table rewritten is left out: the rewrite reads every row anyway, and says so."""
    validated = []  # type: List[Tuple[str, int, str]]
    not_null = []  # type: List[Tuple[int, str]]
    for oid in sorted(seen.fresh & current.existed):
        then = last.relations.get(oid)
        if then is None or oid in moved or oid not in seen.constraints:
            continue
        if not committed and seen.held.get(oid, -1) < BLOCKS_WRITES:
            continue  # VALIDATE CONSTRAINT alone: writes go on
        old, now = last.constraints.get(oid, {}), seen.constraints[oid]
        # Dropped by this statement and made again valid under the same name: what ALTER
        # ... TYPE does to the constraints over a column, without checking the rows again.
        remade = {c[0] for key, c in old.items() if key not in now and c[2]}
        for key, (conname, kind, valid) in sorted(now.items()):
            if not valid or (key in old and old[key][2]):
                continue
            if (committed and key in old) or (key not in old and conname in remade):
                continue  # VALIDATE in a transaction of its own: writes went on
            validated.append((conname, oid, "foreign key" if kind == "f" else "check"))
        made = set(seen.not_null.get(oid, {})) - set(last.not_null.get(oid, {}))
        checks = any(kind == "c" and valid for _, kind, valid in now.values())
        for attnum in sorted(made):
            if attnum > then[5] or attnum in seen.not_valid_not_null.get(oid, set()):
                continue  # added by this statement, or NOT NULL NOT VALID (no scan)
            # In a transaction, the scan shows in the table's counts; a valid CHECK that
            # implies NOT NULL spares it. After a commit the counts may be gone: a table
            # with a valid CHECK is given the benefit of the doubt.
            if (not committed and not done.get(oid)) or (committed and checks):
                continue
            not_null.append((oid, seen.not_null[oid][attnum]))
    return validated, not_null


def _inferred(
    current: _Revision,
    last: Seen,
    seen: Seen,
    moved: Set[int],
    indexes: List[List[Any]],
    validated: List[Tuple[str, int, str]],
    not_null: List[Tuple[int, str]],
    name: Any,
) -> List[List[str]]:
    """The locks a statement that committed took on tables that existed, from what it
    did there (pg_locks shows them no more): those PostgreSQL takes for each."""
    modes = {}  # type: Dict[int, str]
    before = current.before

    def took(oid: int, mode: str) -> None:
        if oid in before and STRENGTH[mode] > STRENGTH.get(modes.get(oid, ""), -1):
            modes[oid] = mode

    for oid in moved:
        took(oid, "AccessExclusiveLock")
    for oid in seen.fresh & current.existed:
        now, then = seen.relations.get(oid), last.relations.get(oid)
        if now is not None and then is not None and now[5] > then[5] and now[1] in ("r", "p"):
            took(oid, "AccessExclusiveLock")  # a column added
    by_name = {name(oid): oid for oid in before}
    for _, table, blocking in indexes:
        if blocking and table in by_name:
            took(by_name[table], "ShareLock")
    for _, oid, kind in validated:
        took(oid, "ShareRowExclusiveLock" if kind == "foreign key" else "AccessExclusiveLock")
    for oid, _ in not_null:
        took(oid, "AccessExclusiveLock")
    return [[name(oid), before[oid][1], mode] for oid, mode in sorted(modes.items())]
