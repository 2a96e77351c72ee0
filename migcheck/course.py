"""The walk's course: a project's history, one revision at a time, on a real database.

For every revision: upgrade, snapshot, downgrade, snapshot, upgrade again, snapshot (the
verbs are ``migcheck.walk``'s).

When a step fails the walk goes on where it can: the descendants of a revision whose
upgrade failed are skipped; after a failed downgrade or second upgrade the walk
continues on a fresh database brought to the same revisions without checks.

Each Alembic run is one transaction (unless env.py asks for one per migration), and
``alembic upgrade`` runs all pending revisions in one. What works one revision at a
time may not work then, and the reverse: a revision that adds a value to an existing
enum type is upgraded once more together with the next revision (a new enum value
cannot be used in the transaction that added it), and last, on a fresh database, the
whole history is upgraded in one run, as ``alembic upgrade head`` does on a new
database (settings a revision leaves to the next ones show there).

A walk of some revisions only (``check --changed``) upgrades the ones before the first
of them in one run and the others in between one at a time, unchecked, so that each is
checked exactly as in a whole walk; the steps over the whole history are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import replace

from migcheck.ahead import Ahead
from migcheck.project import Project, Revision
from migcheck.rows.filling import Filling
from migcheck.runs import MigrationError
from migcheck.scratch import Scratch
from migcheck.snapshot import Head, Snapshot
from migcheck.walk import AtHead, Event, Note, Step, Stopped, Walk, adds_enum_values, narrow

# From this many revisions on, the whole-history upgrade is worth a database and a runner
# of its own while the walk goes on (below, it costs about what it saves).
AHEAD_FROM = 12


class Course:
    """One walk's course over a ``Walk``: which verb runs next, and what each failure
    means for the rest."""

    def __init__(self, walk: Walk) -> None:
        self.walk = walk
        self.failed: set[str] = set()  # not applied: their upgrade failed, or one they need
        self.walked: list[Revision] = []  # upgraded, downgraded and upgraded again
        self.enum_values: str | None = None  # the last revision, when it added enum values
        self.downgrade_failed = False
        self.together_failed = False  # two revisions failed in one run, as `alembic upgrade`
        self.diverged = False  # a second upgrade built another schema than the first
        # The whole history upgraded in one run, done on another core meanwhile.
        self.ahead: Ahead | None = None

    def run(
        self, prefix: Sequence[str], order: Sequence[Revision], *, only: Collection[str] | None
    ) -> Iterator[Step | Note]:
        """Start, then each revision of ``order``: checked, or (not in ``only``) passed
        over."""
        error = self.walk.start(prefix)
        if error is not None:
            # Nothing can be checked, and a full walk would fail there too: a finding.
            yield Step("upgrade", error.revision, error=_before(error, order[0].id))
            return
        for index, revision in enumerate(order):
            checked = only is None or revision.id in only
            blocked = [p for p in revision.parents + revision.dependencies if p in self.failed]
            if blocked:
                self.failed.add(revision.id)
                if checked:
                    needs = ", ".join(blocked)
                    yield Note(f"{revision.id} not checked: it needs {needs}, which failed")
            elif checked:
                yield from self.check(revision)
            else:
                following = order[index + 1] if index + 1 < len(order) else None
                needed = _checked_child(revision, following, only)
                yield from self.pass_over(revision, needed=needed)

    def check(self, revision: Revision) -> Iterator[Step]:
        """Up, down and up again: the three checked steps of one revision."""
        walk, rev = self.walk, revision.id
        if walk.schema is None:
            walk.schema = walk.db.snapshot()
        walk.fill(rev)
        up = yield from self._up(revision)
        if up is None or up.snapshot is None:
            return
        yield up
        walk.applied.append(rev)
        self.walked.append(revision)
        down = walk.down(rev)
        yield down
        if down.error is not None:
            self.downgrade_failed = True
            walk.recover()
            walk.schema = walk.db.snapshot()
            return
        again = walk.up_again(rev, up)
        yield again
        if again.error is not None or again.snapshot is None:
            walk.recover()
            walk.schema = walk.db.snapshot()
            return
        if adds_enum_values(walk.schema, up.snapshot):
            self.enum_values = rev
        walk.schema, walk.now = again.snapshot, again.rows
        self.diverged = self.diverged or again.snapshot != up.snapshot

    def _up(self, revision: Revision) -> Generator[Step, None, Step | None]:
        """The first upgrade of a checked revision: together with its parent when that
        one added enum values, else alone. Yields the failures; returns the upgrade, or
        None when it failed."""
        walk, rev = self.walk, revision.id
        partner = self.enum_values if self.enum_values in revision.parents else None
        self.enum_values = None
        together = walk.up_together(partner, rev) if partner is not None else None
        if together is not None and together.error is None:
            return together
        if together is not None and partner is not None:
            self.together_failed = True
            yield together
            # The partner upgraded again alone, as before; anything else: a fresh database.
            if walk.db.run([(partner, True)]) is not None or walk.db.snapshot() != walk.schema:
                walk.recover()
                walk.schema = walk.db.snapshot()
            walk.rows = walk.read(walk.schema)  # what the partner's round trip left
        up = yield from _with_rows(walk, rev)
        if up.error is None:
            return up
        yield up
        self.failed.add(rev)
        if walk.db.snapshot() != walk.schema:
            # Not everything rolled back (autocommit blocks, COMMITs in the migration).
            walk.recover()
        return None

    def pass_over(self, revision: Revision, *, needed: bool) -> Iterator[Step]:
        """Upgrade a revision that is not checked (``check --changed``) alone, as the full
        walk does. ``needed``: the next revision checked is its child, which is upgraded
        together with it when it adds enum values, so its schemas are taken to tell."""
        walk, rev = self.walk, revision.id
        before = walk.schema
        if needed and before is None:
            before = walk.db.snapshot()
        walk.fill(rev)
        # Passing only without rows is a finding of its own, not reported unchecked.
        error = _outcome(_with_rows(walk, rev, snapshot=False)).error
        walk.schema = None
        if error is not None:
            yield Step("upgrade", rev, error=error)
            self.failed.add(rev)
            walk.recover()
            return
        walk.applied.append(rev)
        self.enum_values = None
        if needed and before is not None:
            walk.schema = walk.db.snapshot()
            self.enum_values = rev if adds_enum_values(before, walk.schema) else None

    def history(self, at_head: AtHead | None) -> Iterator[Event]:
        """After the last revision: the head, the models at head, the whole history
        downgraded to base, then upgraded in one run."""
        walk = self.walk
        if not self.walked or walk.schema is None:
            return
        head = walk.schema
        yield Head(head, tuple(r.id for r in self.walked))
        if at_head is not None:
            missing = {r.id for r in walk.project.revisions} - set(walk.applied)
            if missing:
                yield Note(
                    f"models not compared: {len(missing)} revision(s) of the history not "
                    "applied (failed, or outside --from/--to)"
                )
            else:
                yield from at_head(walk.db, head)
        if self.downgrade_failed:
            yield Note("downgrade to base not attempted: a downgrade already failed")
        else:
            yield walk.down_to_base(self.walked)
        if self.failed:
            return
        if self.together_failed:
            yield Note(
                "the whole history was not upgraded in one run: two revisions already "
                "fail in one run"
            )
            return
        yield from self._up_all(head)

    def _up_all(self, head: Snapshot) -> Iterator[Step | Note]:
        expected = None if self.diverged else head
        done = self.ahead.result([r.id for r in self.walked]) if self.ahead else None
        if isinstance(done, MigrationError):
            step = Step("upgrade_all", done.revision, error=done)
        elif done is not None and expected is not None:
            step = Step("upgrade_all", None, snapshot=done, expected=expected)
        elif done is not None:
            step = Step("upgrade_all", None)
        else:
            step = self.walk.up_all(self.walked, expected)
        if step.error is None and self.diverged:
            # The step-by-step head already differs from what the first upgrades built,
            # and that is reported: comparing with it again would report it twice.
            yield Note(
                "the schema built in one run was not compared: a second upgrade "
                "already built a different schema"
            )
        else:
            yield step


def walk(
    project: Project,
    scratch: Scratch,
    *,
    first: str | None = None,
    last: str | None = None,
    at_head: AtHead | None = None,
    only: Collection[str] | None = None,
    filling: Filling | None = None,
    ahead: bool = False,
) -> Iterator[Event]:
    """Yield the steps of the walk over ``first``..``last`` (whole history by default).

    ``at_head`` is called with the database at head, once every revision of the history
    is applied, and what it yields is passed on (the models comparison).

    ``only``: check just these revisions (``check --changed``); the others are upgraded
    without checks, and the steps over the whole history and at head are left out.

    ``filling``: what puts rows in the tables before each revision, and reads them.

    ``ahead``: upgrade the whole history in one run on another database meanwhile (a
    core is free), instead of at the end (``migcheck.ahead``).
    """
    prefix, order = project.select(first, last)
    if only is not None:
        prefix, order = narrow(prefix, order, only)
        if not order:
            return
    with Walk(project, scratch, filling) as state, ExitStack() as stack:
        course = Course(state)
        if ahead and only is None and len(order) >= AHEAD_FROM:
            course.ahead = Ahead(scratch, [r.id for r in prefix], [r.id for r in order])
            stack.callback(course.ahead.close)
        try:
            yield from course.run([r.id for r in prefix], order, only=only)
            if state.base is None:  # the revisions before the walk failed: nothing checked
                return
            if only is None:
                yield from course.history(at_head)
                return
            yield Note(
                "only some revisions were checked: downgrading the whole history to base, "
                "upgrading it in one run and the checks at head are left to a full check"
            )
        except Stopped as stopped:
            yield stopped.note


def _with_rows(walk: Walk, rev: str, *, snapshot: bool = True) -> Generator[Step, None, Step]:
    """Upgrade ``rev``; when it fails with rows in the tables, upgrade it again on a fresh
    database without them, as a walk on empty tables would: passing there, the failure
    with rows is yielded (MC105) and the upgrade without them returned. A failure the
    database did not name (no SQLSTATE: a timeout, the process ending) is not retried."""
    up = walk.up(rev, snapshot=snapshot)
    if up.error is None or up.error.sqlstate is None or not walk.has_rows():
        return up
    empty = walk.up_without_rows(rev, snapshot=snapshot)
    if empty.error is None:
        yield replace(up, action="upgrade_with_rows")
    return empty


def _outcome(steps: Generator[Step, None, Step]) -> Step:
    """What ``steps`` returns, what it yields left aside."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def _checked_child(
    revision: Revision, following: Revision | None, only: Collection[str] | None
) -> bool:
    """Whether ``following`` is checked and a child of ``revision``."""
    return (
        following is not None
        and (only is None or following.id in only)
        and revision.id in following.parents
    )


def _before(error: MigrationError, revision: str) -> MigrationError:
    return replace(
        error,
        message=f"{error.message} while upgrading the revisions before {revision} in one run "
        "(nothing was checked)",
    )
