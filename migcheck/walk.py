"""Drive Alembic through a project's history, one revision at a time, on a real database.

For every revision: upgrade, snapshot, downgrade, snapshot, upgrade again, snapshot.
Each step is one Alembic run (env.py included) that commits on its own, so a failing
step rolls back alone and the catalog can be read from a second connection.

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

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Literal

from migcheck.errors import ProjectError
from migcheck.findings import Finding
from migcheck.project import Project, Revision
from migcheck.scratch import Database, MigrationError, Scratch, Timings
from migcheck.snapshot import Head, SchemaObject, Snapshot

__all__ = ["Head", "MigrationError", "Note", "Scratch", "Step", "Timings", "build", "walk"]

Action = Literal["upgrade", "downgrade", "reupgrade", "downgrade_to_base", "upgrade_all"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the walk: its resulting schema, and the schema it should equal."""

    action: Action
    revision: str | None
    snapshot: Snapshot | None = None
    expected: Snapshot | None = None
    error: MigrationError | None = None


@dataclass(frozen=True, slots=True)
class Note:
    text: str


AtHead = Callable[[Database, Snapshot], Iterable[Note | Finding]]


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


def walk(
    project: Project,
    scratch: Scratch,
    *,
    first: str | None = None,
    last: str | None = None,
    at_head: AtHead | None = None,
    only: Collection[str] | None = None,
) -> Iterator[Step | Note | Head | Finding]:
    """Yield the steps of the walk over ``first``..``last`` (whole history by default).

    ``at_head`` is called with the database at head, once every revision of the history
    is applied, and what it yields is passed on (the models comparison).

    ``only``: check just these revisions (``check --changed``); the others are upgraded
    without checks, and the steps over the whole history and at head are left out.
    """
    prefix, order = project.select(first, last)
    if only is not None:
        prefix, order = narrow(prefix, order, only)
        if not order:
            return
    with ExitStack() as stack:

        def fresh(
            applied: Sequence[str], *, one_run: bool = False
        ) -> tuple[Database, MigrationError | None]:
            """A new database with ``applied`` upgraded, unchecked; the old one is dropped.

            In one run, as ``alembic upgrade REV`` does, or (to rebuild what the walk had
            built after a failure) one run each, as the walk did.
            """
            stack.close()
            database = scratch.open(stack)
            runs = [applied] if one_run else [[rev] for rev in applied]
            for revisions in runs:
                error = database.run([(rev, True) for rev in revisions]) if revisions else None
                if error is not None:
                    return database, error
            return database, None

        def lost(error: MigrationError) -> Note:
            return Note(
                f"walk stopped: a fresh database could not be brought back to where "
                f"it was: upgrade of {error.revision}: {error.message}"
            )

        start = [r.id for r in prefix]
        applied = list(start)
        db, error = fresh(applied, one_run=True)
        if error is not None:
            # Nothing can be checked, and a full walk would fail there too: a finding.
            yield Step("upgrade", error.revision, error=_before(error, order[0].id))
            return
        base = db.snapshot()
        current: Snapshot | None = base  # None: not taken since the last unchecked upgrade
        unavailable: set[str] = set()
        downgrade_failed = diverged = together_failed = False
        walked: list[Revision] = []
        enum_values: str | None = None  # the last revision, when it added enum values
        for index, revision in enumerate(order):
            rev = revision.id
            blocked = [p for p in revision.parents + revision.dependencies if p in unavailable]
            if blocked:
                unavailable.add(rev)
                if only is None or rev in only:
                    yield Note(f"{rev} not checked: it needs {', '.join(blocked)}, which failed")
                continue
            if only is not None and rev not in only:
                # Upgraded alone, as the full walk does, unchecked. Snapshots around it only
                # when the next revision checked is its child: whether it adds enum values
                # decides how that child is upgraded (see partner below).
                after = order[index + 1] if index + 1 < len(order) else None
                needed = after is not None and after.id in only and rev in after.parents
                if needed and current is None:
                    current = db.snapshot()
                error = db.run([(rev, True)])
                if error is not None:
                    yield Step("upgrade", rev, error=error)
                    unavailable.add(rev)
                    db, error = fresh(applied)
                    if error is not None:
                        yield lost(error)
                        return
                    current = None
                    continue
                applied.append(rev)
                enum_values = None
                if needed and current is not None:
                    built = db.snapshot()
                    enum_values = rev if adds_enum_values(current, built) else None
                    current = built
                else:
                    current = None
                continue
            if current is None:
                current = db.snapshot()
            partner = enum_values if enum_values in revision.parents else None
            enum_values = None
            upgraded: Snapshot | None = None
            if partner is not None and db.run([(partner, False)]) is None:
                # As `alembic upgrade` runs them when both are pending: in one transaction.
                error = db.run([(partner, True), (rev, True)])
                if error is None:
                    upgraded = db.snapshot()
                else:
                    together_failed = True
                    failed = _together(error, partner, rev)
                    yield Step("upgrade", error.revision or rev, error=failed)
                    if db.run([(partner, True)]) is not None or db.snapshot() != current:
                        db, error = fresh(applied)
                        if error is not None:
                            yield lost(error)
                            return
            if upgraded is None:
                error = db.run([(rev, True)])
                if error is not None:
                    yield Step("upgrade", rev, error=error)
                    unavailable.add(rev)
                    if db.snapshot() != current:
                        # Not everything rolled back (autocommit blocks, COMMITs in the
                        # migration).
                        db, error = fresh(applied)
                        if error is not None:
                            yield lost(error)
                            return
                    continue
                upgraded = db.snapshot()
            yield Step("upgrade", rev, snapshot=upgraded)
            error = db.run([(rev, False)])
            if error is None:
                yield Step("downgrade", rev, snapshot=db.snapshot(), expected=current)
                error = db.run([(rev, True)])
                action: Action = "reupgrade"
            else:
                downgrade_failed = True
                action = "downgrade"
            applied.append(rev)
            walked.append(revision)
            if error is not None:
                yield Step(action, rev, error=error)
                db, error = fresh(applied)
                if error is not None:
                    yield lost(error)
                    return
                current = db.snapshot()
                continue
            if adds_enum_values(current, upgraded):
                enum_values = rev
            current = db.snapshot()
            diverged = diverged or current != upgraded
            yield Step("reupgrade", rev, snapshot=current, expected=upgraded)
        if only is not None:
            yield Note(
                "only some revisions were checked: downgrading the whole history to base, "
                "upgrading it in one run and the checks at head are left to a full check"
            )
            return
        if not walked or current is None:
            return
        head = current
        yield Head(head, tuple(r.id for r in walked))
        if at_head is not None:
            missing = {r.id for r in project.revisions} - set(applied)
            if missing:
                yield Note(
                    f"models not compared: {len(missing)} revision(s) of the history not "
                    "applied (failed, or outside --from/--to)"
                )
            else:
                yield from at_head(db, head)
        if downgrade_failed:
            yield Note("downgrade to base not attempted: a downgrade already failed")
        else:
            error = db.run([(r.id, False) for r in reversed(walked)])
            if error is not None:
                yield Step("downgrade_to_base", error.revision, error=error)
            else:
                yield Step("downgrade_to_base", None, snapshot=db.snapshot(), expected=base)
        if unavailable:
            return
        if together_failed:
            yield Note(
                "the whole history was not upgraded in one run: two revisions already "
                "fail in one run"
            )
            return
        db, error = fresh(start, one_run=True)
        if error is None:
            error = db.run([(r.id, True) for r in walked])
        if error is not None:
            yield Step("upgrade_all", error.revision, error=error)
        elif diverged:
            # The step-by-step head already differs from what the first upgrades built,
            # and that is reported: comparing with it again would report it twice.
            yield Note(
                "the schema built in one run was not compared: a second upgrade "
                "already built a different schema"
            )
        else:
            yield Step("upgrade_all", None, snapshot=db.snapshot(), expected=head)


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
    before it, which stays to be upgraded alone (see the partner of an enum value in
    walk); nothing after the last revision to check is needed.
    """
    positions = [i for i, r in enumerate(order) if r.id in only]
    if not positions:
        return prefix, []
    start = positions[0]
    if start and order[start - 1].id in order[start].parents:
        start -= 1
    return prefix + order[:start], order[start : positions[-1] + 1]


def _before(error: MigrationError, revision: str) -> MigrationError:
    return replace(
        error,
        message=f"{error.message} while upgrading the revisions before {revision} in one run "
        "(nothing was checked)",
    )


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
