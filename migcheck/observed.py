"""What each statement of a migration did on the server, as the runner observed it
(``runner/observe.py``), and what that means for a live database: MC501-MC506.

Only relations that existed before the revision count: a table the revision creates has
no reader to block. Pure: records in, findings' codes, lines and messages out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from migcheck.codes import Code
from migcheck.snapshot import Snapshot

# pg_locks' names, as the PostgreSQL documentation writes them.
MODE_NAMES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}
# From SHARE on, writes wait: what makes a lock worth a lock_timeout.
STRONG = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
KINDS = {"r": "table", "p": "table", "m": "materialized view", "i": "index", "I": "index"}
_SHOWN = 80  # characters of a statement a message quotes


@dataclass(frozen=True, slots=True)
class Lock:
    relation: str
    kind: str  # pg_class.relkind
    mode: str  # pg_locks.mode

    @property
    def table(self) -> bool:
        """A table or materialized view (what queries wait on; its indexes go with it)."""
        return self.kind in ("r", "p", "m")

    @property
    def what(self) -> str:
        return f"{KINDS.get(self.kind, 'relation')} {self.relation}"


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    table: str
    blocking: bool  # built while writes to the table waited (not CONCURRENTLY)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement a migration ran, and what it did to relations that existed before
    its revision."""

    revision: str
    upgrade: bool
    sql: str
    line: int | None = None
    transaction: int = 0  # statements of one transaction share it (within a revision)
    work: int = 0  # full scans and rows written of tables that existed
    lock_timeout: str = "0"
    statement_timeout: str = "0"
    taken: tuple[Lock, ...] = ()  # locks it took (or made stronger)
    held: tuple[Lock, ...] = ()  # locks the transaction holds after it
    rewritten: tuple[tuple[str, str], ...] = ()  # (relation, relkind): new storage
    recreated: tuple[str, ...] = ()  # tables a copy replaced under their name
    indexes: tuple[Index, ...] = ()  # built on tables that existed
    validated: tuple[tuple[str, str, str], ...] = ()  # (constraint, table, kind) under lock
    not_null: tuple[tuple[str, str], ...] = ()  # (table, column) SET NOT NULL with a scan

    @property
    def shown(self) -> str:
        text = self.sql if len(self.sql) <= _SHOWN else self.sql[: _SHOWN - 3] + "..."
        return f"`{text}`"

    @property
    def at(self) -> str:
        return f" (line {self.line})" if self.line else ""

    @property
    def reported(self) -> set[str]:
        """The tables whose rewrite, validation or scan it is reported for (MC501,
        MC504, MC505)."""
        return {
            *(name for name, _ in self.rewritten),
            *self.recreated,
            *(table for _, table, _ in self.validated),
            *(table for table, _ in self.not_null),
        }

    @property
    def works(self) -> bool:
        """Whether it scanned or wrote a table that existed, or rewrote, built or checked
        anything there: work that takes as long as the table is big."""
        return bool(
            self.work
            or self.rewritten
            or self.recreated
            or self.indexes
            or self.validated
            or self.not_null
        )


def _locks(rows: Sequence[Sequence[str]]) -> tuple[Lock, ...]:
    return tuple(Lock(str(r[0]), str(r[1]), str(r[2])) for r in rows)


def statements(records: Sequence[Mapping[str, Any]]) -> tuple[Statement, ...]:
    """The runner's records (its reply's ``observed``) as Statements."""
    return tuple(
        Statement(
            revision=str(r["revision"]),
            upgrade=bool(r["upgrade"]),
            sql=str(r["sql"]),
            line=r.get("line"),
            transaction=int(r.get("transaction", 0)),
            work=int(r.get("work", 0)),
            lock_timeout=str(r.get("lock_timeout", "0")),
            statement_timeout=str(r.get("statement_timeout", "0")),
            taken=_locks(r.get("taken", ())),
            held=_locks(r.get("held", ())),
            rewritten=tuple((str(a), str(b)) for a, b in r.get("rewritten", ())),
            recreated=tuple(str(t) for t in r.get("recreated", ())),
            indexes=tuple(Index(str(a), str(b), bool(c)) for a, b, c in r.get("indexes", ())),
            validated=tuple((str(a), str(b), str(c)) for a, b, c in r.get("validated", ())),
            not_null=tuple((str(a), str(b)) for a, b in r.get("not_null", ())),
        )
        for r in records
    )


# The snapshot's kinds whose names are relations' (constraints: their indexes).
_RELATIONS = ("table", "partitioned table", "unlogged table", "view", "index", "constraint")


def relations(schema: Snapshot) -> frozenset[str]:
    """The relations of ``schema`` as records name them (``public`` left out)."""
    return frozenset(
        o.key.name if o.key.schema == "public" else f"{o.key.schema}.{o.key.name}"
        for o in schema.objects
        if o.key.kind in _RELATIONS
    )


def within(found: Sequence[Statement], names: Collection[str]) -> tuple[Statement, ...]:
    """What ``found`` did to the relations ``names`` only: a downgrade's statements, of
    the relations that existed before its upgrade (what the upgrade created and the
    downgrade drops again is the revision's own)."""
    return tuple(
        replace(
            s,
            taken=tuple(lock for lock in s.taken if lock.relation in names),
            held=tuple(lock for lock in s.held if lock.relation in names),
            rewritten=tuple(r for r in s.rewritten if r[0] in names),
            recreated=tuple(r for r in s.recreated if r in names),
            indexes=tuple(i for i in s.indexes if i.table in names),
            validated=tuple(v for v in s.validated if v[1] in names),
            not_null=tuple(n for n in s.not_null if n[0] in names),
        )
        for s in found
    )


@dataclass(frozen=True, slots=True)
class Observation:
    """A finding's makings: its code, the statement's line, the message."""

    code: Code
    line: int | None
    message: str


def observations(found: Sequence[Statement]) -> Iterator[Observation]:
    """What the statements of one revision's upgrade (or downgrade) did that a live
    database would feel, statement by statement."""
    unbounded = False
    for index, statement in enumerate(found):
        yield from _rewrites(statement)
        yield from _held(statement, found[index + 1 :])
        for built in statement.indexes:
            if built.blocking:
                yield _seen(
                    Code.MC503,
                    statement,
                    f"built index {built.name} on table {built.table} without CONCURRENTLY: "
                    f"writes to {built.table} wait until it is built",
                )
        for name, table, kind in statement.validated:
            yield _seen(
                Code.MC504,
                statement,
                f"validated {kind} {name} on table {table} while writes to it wait (every "
                "row is checked under the lock)",
            )
        for table, column in statement.not_null:
            yield _seen(
                Code.MC505,
                statement,
                f"made {table}.{column} NOT NULL by reading every row under an ACCESS "
                f"EXCLUSIVE lock (no valid CHECK ({column} IS NOT NULL) spares the scan)",
            )
        strong = [lock for lock in statement.taken if lock.mode in STRONG and lock.table]
        if strong and not unbounded and _unbounded(statement.lock_timeout):
            unbounded = True  # the first one says it for the revision
            lock = max(strong, key=lambda lock: STRONG.index(lock.mode))
            bound = (
                f"; statement_timeout {statement.statement_timeout} bounds the wait, and the "
                "statement's own work"
                if not _unbounded(statement.statement_timeout)
                else ""
            )
            yield _seen(
                Code.MC506,
                statement,
                f"took {_article(MODE_NAMES[lock.mode])} lock on {lock.what} with no "
                "lock_timeout: "
                f"queued behind a long transaction, it makes every query on {lock.relation} "
                f"wait behind it{bound}",
            )


def _article(mode: str) -> str:
    return f"an {mode}" if mode[0] in "AEIOU" else f"a {mode}"


def _unbounded(setting: str) -> bool:
    return setting.strip() in ("0", "0ms", "0s", "")


def _seen(code: Code, statement: Statement, what: str) -> Observation:
    side = "" if statement.upgrade else "downgrade: "
    return Observation(code, statement.line, f"{side}{statement.shown} {what}")


def _rewrites(statement: Statement) -> Iterator[Observation]:
    for name, kind in statement.rewritten:
        what = KINDS.get(kind, "relation")
        yield _seen(
            Code.MC501,
            statement,
            f"rewrote {what} {name}: every row copied to new storage while reads and writes wait",
        )
    for name in statement.recreated:
        yield _seen(
            Code.MC501,
            statement,
            f"replaced table {name} with a copy under its name (as batch_alter_table "
            "does): every row copied to a new table, the old one dropped under an ACCESS "
            "EXCLUSIVE lock",
        )


def _held(statement: Statement, later: Sequence[Statement]) -> Iterator[Observation]:
    """MC502: an ACCESS EXCLUSIVE lock this statement took on a relation that existed,
    still held while later statements of its transaction did work."""
    recreated = {name for s in later for name in s.recreated}
    for lock in statement.taken:
        if lock.mode != "AccessExclusiveLock" or not lock.table or lock.relation in recreated:
            continue  # a table copied under its name: MC501 says it
        during = [
            s
            for s in later
            if s.transaction == statement.transaction
            and s.works
            and any(h.relation == lock.relation and h.mode == lock.mode for h in s.held)
            # Rewriting or checking the table needs that lock anyway, and says so itself.
            and lock.relation not in s.reported
        ]
        if not during:
            continue
        shown = ", ".join(f"{s.shown}{s.at}" for s in during[:2])
        more = f" and {len(during) - 2} more" if len(during) > 2 else ""
        yield _seen(
            Code.MC502,
            statement,
            f"took an ACCESS EXCLUSIVE lock on {lock.what}, held while {shown}{more} "
            f"read, wrote or rebuilt rows: no query on {lock.relation} runs until it commits",
        )
