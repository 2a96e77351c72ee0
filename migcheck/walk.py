"""The walk's verbs, on one scratch database at a time: ``start``, ``up``,
``up_together``, ``down``, ``up_again``, ``recover``, ``down_to_base`` and ``up_all``.

Each is one Alembic run (or a few) that commits on its own, so that a failing step rolls
back alone and the catalog can be read from a second connection; each returns what it
proved as a ``Step``: the schema it left, the schema that should be, or the error. In
which order they run, and what a failure means for the rest, is ``migcheck.course``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Literal

from migcheck.errors import ProjectError
from migcheck.findings import Finding
from migcheck.observed import Statement, relations, within
from migcheck.project import Project, Revision
from migcheck.rows.filling import Filling
from migcheck.rows.reading import Rows
from migcheck.runs import MigrationError
from migcheck.scratch import Database, Scratch
from migcheck.snapshot import Head, SchemaObject, Snapshot

Action = Literal[
    "upgrade", "upgrade_with_rows", "downgrade", "reupgrade", "downgrade_to_base", "upgrade_all"
]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the walk: its resulting schema, and the schema it should equal; with
    rows in the tables, the rows it left and the rows it should have left."""

    action: Action
    revision: str | None
    snapshot: Snapshot | None = None
    expected: Snapshot | None = None
    error: MigrationError | None = None
    rows: Rows | None = None
    expected_rows: Rows | None = None
    # What each statement of the step's revision did (``migcheck.observed``).
    observed: tuple[Statement, ...] = ()


@dataclass(frozen=True, slots=True)
class Note:
    text: str


AtHead = Callable[[Database, Snapshot], Iterable[Note | Finding]]
Event = Step | Note | Head | Finding  # what a walk yields


class Stopped(Exception):
    """A fresh database could not be brought back to where the walk was: it ends, and
    ``note`` says why."""

    def __init__(self, note: Note) -> None:
        super().__init__(note.text)
        self.note = note


def adds_enum_values(before: Snapshot, after: Snapshot) -> bool:
    """Whether ``after`` has labels that an enum type of ``before`` did not have.

    PostgreSQL refuses a new value in the transaction that added it ("unsafe use of new
    value", 55P04) unless the type itself is new in that transaction.
    """

    def labels(obj: SchemaObject) -> set[str]:
        value = obj.get("labels")
        return set(value) if isinstance(value, tuple) else set()

    known = {o.key: labels(o) for o in before.objects if o.key.kind == "enum"}
    return any(
        labels(o) - known[o.key] for o in after.objects if o.key.kind == "enum" and o.key in known
    )


class Walk:
    """A walk's database and where it stands, and the verbs that move it.

    ``applied`` (what the database has, in the order applied) and ``schema`` (the schema
    the next step starts from, which a downgrade must restore) are the course's to keep
    as it goes; so are ``rows``, the rows the next upgrade starts from, when ``filling``
    puts rows in. Use it in a ``with`` block: the database in use is dropped on the way out.
    """

    db: Database  # the database in use; ``start`` opens the first

    def __init__(self, project: Project, scratch: Scratch, filling: Filling | None = None):
        self.project = project
        self.scratch = scratch
        self.filling = filling
        self.rows: Rows | None = None
        # The rows of the database as it is now, when just read (after a second upgrade):
        # a fill that puts nothing in need not read them again. Taken by the next fill.
        self.now: Rows | None = None
        self._stack = ExitStack()
        self.prefix: list[str] = []  # upgraded in one run before the walk, unchecked
        self.applied: list[str] = []
        self.base: Snapshot | None = None  # the schema the walk starts from
        self.schema: Snapshot | None = None  # None: not taken since an unchecked upgrade

    def __enter__(self) -> Walk:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    def fresh(self, applied: Sequence[str], *, one_run: bool = False) -> MigrationError | None:
        """A new database with ``applied`` upgraded, unchecked; the old one is dropped.

        In one run, as ``alembic upgrade REV`` does, or (to rebuild what the walk had
        built after a failure) one run each, as the walk did.
        """
        self._stack.close()
        self.db = self.scratch.open(self._stack)
        self.now = None
        if self.filling is not None:
            self.filling.forget()
        runs = [list(applied)] if one_run else [[rev] for rev in applied]
        for revisions in runs:
            error = self.db.run([(rev, True) for rev in revisions]) if revisions else None
            if error is not None:
                return error
        return None

    def start(self, prefix: Sequence[str]) -> MigrationError | None:
        """A fresh database with ``prefix`` (what comes before the walk) upgraded in one
        run, and its schema taken: the base the walk goes back to."""
        self.prefix = list(prefix)
        self.applied = list(prefix)
        error = self.fresh(self.applied, one_run=True)
        if error is None:
            self.base = self.schema = self.db.snapshot()
        return error

    def fill(self, rev: str) -> None:
        """Rows in the tables before ``rev``'s upgrade (see ``migcheck.rows``), read."""
        now, self.now = self.now, None
        if self.filling is None:
            return
        changed, schema = self.filling.before(self.db, rev, self.schema), self.schema
        # Rows going into some tables write to others only through triggers and rules.
        fires = schema is not None and any(
            o.key.kind in ("trigger", "rule") for o in schema.objects
        )
        if now is not None and changed is not None and schema is not None and not fires:
            self.rows = self.filling.reread(self.db, schema, now, changed)
        else:
            self.rows = self.read(schema)

    def read(self, schema: Snapshot | None) -> Rows | None:
        return self.filling.read(self.db, schema) if self.filling is not None else None

    def has_rows(self) -> bool:
        """Whether the tables had rows when the last upgrade started."""
        return self.rows is not None and any(t.rows for t in self.rows.tables)

    def up(self, rev: str, *, snapshot: bool = True) -> Step:
        """Upgrade one revision, and take the schema (and rows) it built (not without
        ``snapshot``: a revision passed over)."""
        error = self.db.run([(rev, True)], observe=snapshot and self.scratch.observe)
        if error is not None:
            return Step("upgrade", rev, error=error)
        if not snapshot:
            return Step("upgrade", rev)
        taken, observed = self.db.snapshot(), self.db.observed
        return Step("upgrade", rev, snapshot=taken, rows=self.read(taken), observed=observed)

    def up_without_rows(self, rev: str, *, snapshot: bool = True) -> Step:
        """After an upgrade that failed with rows in the tables: the same upgrade on a
        fresh database brought back to ``applied`` without them, as a walk without rows
        runs it (the schema and rows the next steps compare with: that database's)."""
        self.recover()
        if snapshot:
            self.schema = self.db.snapshot()
            self.rows = self.read(self.schema)
        return self.up(rev, snapshot=snapshot)

    def up_together(self, partner: str, rev: str) -> Step | None:
        """Upgrade ``rev`` in one run with ``partner``, its parent that added enum values,
        as `alembic upgrade` runs them when both are pending: in one transaction. None
        when ``partner`` cannot be downgraded first (``up`` alone tells then)."""
        if self.db.run([(partner, False)]) is not None:
            return None
        error = self.db.run([(partner, True), (rev, True)], observe=self.scratch.observe)
        if error is None:
            taken = self.db.snapshot()
            observed = tuple(s for s in self.db.observed if s.revision == rev)
            return Step("upgrade", rev, snapshot=taken, rows=self.read(taken), observed=observed)
        return Step("upgrade", error.revision or rev, error=_together(error, partner, rev))

    def down(self, rev: str) -> Step:
        """Downgrade the revision just upgraded: the schema should be ``schema`` again."""
        error = self.db.run([(rev, False)], observe=self.scratch.observe)
        if error is not None:
            return Step("downgrade", rev, error=error)
        snapshot = self.db.snapshot()
        rows = self.read(snapshot)
        # Of what existed before the upgrade only (read only when there is anything to sort).
        observed = self.db.observed
        if observed:
            existed = relations(self.schema) if self.schema is not None else frozenset()
            observed = within(observed, existed)
        return Step(
            "downgrade",
            rev,
            snapshot,
            self.schema,
            rows=rows,
            expected_rows=self.rows,
            observed=observed,
        )

    def up_again(self, rev: str, upgraded: Step) -> Step:
        """Upgrade it again after its downgrade: the schema (and rows) should be
        ``upgraded``'s again."""
        error = self.db.run([(rev, True)])
        if error is not None:
            return Step("reupgrade", rev, error=error)
        snapshot = self.db.snapshot()
        rows = self.read(snapshot)
        return Step(
            "reupgrade", rev, snapshot, upgraded.snapshot, rows=rows, expected_rows=upgraded.rows
        )

    def recover(self) -> None:
        """After a step that left the database in doubt: a fresh one, brought back to
        ``applied`` one revision at a time, as the walk applied them. Raises Stopped
        when that fails."""
        error = self.fresh(self.applied)
        if error is not None:
            raise Stopped(
                Note(
                    f"walk stopped: a fresh database could not be brought back to where "
                    f"it was: upgrade of {error.revision}: {error.message}"
                )
            )

    def down_to_base(self, walked: Sequence[Revision]) -> Step:
        """Downgrade the ``walked`` revisions, newest first, in one run: the schema
        should be the one the walk started from."""
        error = self.db.run([(r.id, False) for r in reversed(walked)])
        if error is not None:
            return Step("downgrade_to_base", error.revision, error=error)
        return Step("downgrade_to_base", None, snapshot=self.db.snapshot(), expected=self.base)

    def up_all(self, walked: Sequence[Revision], head: Snapshot | None) -> Step:
        """On a fresh database, the ``walked`` revisions upgraded in one run, as ``alembic
        upgrade head`` does on a new database: the schema should be ``head``, the one
        they built one at a time (None: whether they run is all that is asked)."""
        error = self.fresh(self.prefix, one_run=True)
        if error is None:
            error = self.db.run([(r.id, True) for r in walked])
        if error is not None:
            return Step("upgrade_all", error.revision, error=error)
        if head is None:
            return Step("upgrade_all", None)
        return Step("upgrade_all", None, snapshot=self.db.snapshot(), expected=head)


def _together(error: MigrationError, partner: str, rev: str) -> MigrationError:
    return replace(
        error,
        message=f"{error.message} while upgrading {partner} and {rev} in one run, as "
        f"`alembic upgrade` does when both are pending: a value {partner} adds to an enum "
        "type cannot be used before it is committed (one at a time they work; add it in "
        "op.get_context().autocommit_block())",
    )


def narrow(
    prefix: list[Revision], order: list[Revision], only: Collection[str]
) -> tuple[list[Revision], list[Revision]]:
    """(revisions to upgrade in one run first, revisions to walk) to check only ``only``.

    What comes before the first revision to check joins the prefix, but its parent right
    before it, which stays to be upgraded alone (see ``Walk.up_together``); nothing after
    the last revision to check is needed.
    """
    positions = [i for i, r in enumerate(order) if r.id in only]
    if not positions:
        return prefix, []
    start = positions[0]
    if start and order[start - 1].id in order[start].parents:
        start -= 1
    return prefix + order[:start], order[start : positions[-1] + 1]


def build(scratch: Scratch, targets: Sequence[str]) -> Snapshot:
    """The schema with ``targets`` (and everything they need) applied, without checks.

    ``targets`` are revision ids; none means the empty database (``base``).
    """
    project = scratch.project
    needed = set(targets)
    for target in targets:
        needed |= project.ancestors(target)
    order = [r.id for r in project.revisions if r.id in needed]
    with ExitStack() as stack:
        database = scratch.open(stack)
        error = database.run([(rev, True) for rev in order]) if order else None
        if error is not None:
            where = f" ({error.file}:{error.line})" if error.file else ""
            state = f"[{error.sqlstate}] " if error.sqlstate else ""
            raise ProjectError(
                f"cannot build the schema at {', '.join(targets)}: upgrade of "
                f"{error.revision or 'a revision'} failed{where}: {state}{error.message}"
            )
        return database.snapshot()
