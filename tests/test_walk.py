"""The walk's verbs (migcheck.walk) one at a time, and its course (migcheck.course), on a
real server with the fixture projects; the pure parts on hand-built records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from migcheck import provision
from migcheck.config import Config
from migcheck.course import walk
from migcheck.diff import Added, diff
from migcheck.project import load
from migcheck.provision import Server
from migcheck.runner_pool import runners
from migcheck.scratch import Scratch
from migcheck.snapshot import Head, Key, make_snapshot
from migcheck.walk import Note, Step, Stopped, Walk, adds_enum_values

PROJECTS = Path(__file__).parent / "projects"


@contextmanager
def scratch_for(case: str, server: Server) -> Iterator[Scratch]:
    """What a walk of the fixture project ``case`` on ``server`` opens databases with."""
    project = load(Config(project_dir=PROJECTS / case))
    with runners(project.handover.python) as pool:
        yield Scratch(project, partial(provision.scratch_database, server), pool)


@contextmanager
def walking(case: str, server: Server) -> Iterator[Walk]:
    """A walk of ``case`` started: a fresh database at base."""
    with scratch_for(case, server) as scratch, Walk(scratch.project, scratch) as state:
        assert state.start([]) is None
        yield state


# The verbs, one at a time.


@pytest.mark.server
def test_up_down_and_up_again_of_a_clean_revision(pg_server: Server) -> None:
    with walking("clean_linear_history", pg_server) as state:
        base = state.schema
        assert base is not None
        assert base == state.base
        up = state.up("0001")
        assert (up.action, up.revision, up.error, up.expected) == ("upgrade", "0001", None, None)
        assert up.snapshot is not None
        assert {o.key.name for o in up.snapshot.objects if o.key.kind == "table"} >= {
            "customers",
            "orders",
        }
        down = state.down("0001")
        assert (down.action, down.expected) == ("downgrade", base)
        assert down.snapshot == base
        again = state.up_again("0001", up)
        assert (again.action, again.expected) == ("reupgrade", up.snapshot)
        assert again.snapshot == up.snapshot


@pytest.mark.server
def test_a_downgrade_that_leaves_an_enum_type_says_so_in_its_snapshot(pg_server: Server) -> None:
    with walking("enum_type_not_dropped", pg_server) as state:
        assert state.up("0001").error is None
        state.schema = state.db.snapshot()
        assert state.up("0002").error is None
        down = state.down("0002")
        assert down.snapshot is not None
        assert down.expected is not None
        (left,) = diff(down.expected, down.snapshot)
        assert isinstance(left, Added)
        assert left.key == Key("enum", "public", "mood")


@pytest.mark.server
def test_a_failed_upgrade_is_a_step_with_the_database_s_error(pg_server: Server) -> None:
    with walking("upgrade_fails", pg_server) as state:
        assert state.up("0001").error is None
        failed = state.up("0002")
        assert (failed.action, failed.revision, failed.snapshot) == ("upgrade", "0002", None)
        assert failed.error is not None
        assert (failed.error.sqlstate, failed.error.message) == (
            "42P01",
            'relation "order" does not exist',
        )


@pytest.mark.server
def test_upgrading_an_enum_value_with_its_user_in_one_run_fails(pg_server: Server) -> None:
    with walking("enum_value_used_in_same_transaction", pg_server) as state:
        for rev in ("0001", "0002"):
            assert state.up(rev).error is None
        together = state.up_together("0002", "0003")
        assert together is not None
        assert together.error is not None
        assert (together.action, together.revision) == ("upgrade", "0003")
        assert together.error.sqlstate == "55P04"
        assert "while upgrading 0002 and 0003 in one run" in together.error.message
        # One at a time they work: the run rolled back, 0002 is downgraded.
        assert state.up("0002").error is None
        assert state.up("0003").error is None


@pytest.mark.server
def test_recover_brings_a_fresh_database_back_to_what_was_applied(pg_server: Server) -> None:
    with walking("clean_linear_history", pg_server) as state:
        for rev in ("0001", "0002"):
            assert state.up(rev).error is None
            state.applied.append(rev)
        built, old = state.db.snapshot(), state.db
        state.recover()
        assert state.db is not old
        assert state.db.snapshot() == built


@pytest.mark.server
def test_recover_stops_the_walk_when_the_history_no_longer_applies(pg_server: Server) -> None:
    with walking("upgrade_fails", pg_server) as state:
        state.applied = ["0001", "0002"]
        with pytest.raises(Stopped) as stopped:
            state.recover()
        assert stopped.value.note.text.startswith(
            "walk stopped: a fresh database could not be brought back to where it was: "
            'upgrade of 0002: relation "order" does not exist'
        )


@pytest.mark.server
def test_the_whole_history_down_to_base_and_up_in_one_run(pg_server: Server) -> None:
    with walking("clean_linear_history", pg_server) as state:
        walked = list(state.project.revisions)
        for r in walked:
            assert state.up(r.id).error is None
        head = state.db.snapshot()
        down = state.down_to_base(walked)
        assert (down.action, down.revision, down.expected) == (
            "downgrade_to_base",
            None,
            state.base,
        )
        assert down.snapshot == state.base
        up = state.up_all(walked, head)
        assert (up.action, up.expected) == ("upgrade_all", head)
        assert up.snapshot == head
        # Without a schema to compare with: only whether it runs, no snapshot taken.
        assert state.up_all(walked, None) == Step("upgrade_all", None)


# The course.


def actions(events: list[object]) -> list[str]:
    return [f"{e.action} {e.revision}" if isinstance(e, Step) else type(e).__name__ for e in events]


@pytest.mark.server
def test_a_clean_history_is_walked_up_down_and_up_again_then_as_a_whole(
    pg_server: Server,
) -> None:
    with scratch_for("clean_linear_history", pg_server) as scratch:
        events = list(walk(scratch.project, scratch))
    each = ["upgrade {}", "downgrade {}", "reupgrade {}"]
    revisions = ("0001", "0002", "0003", "0004")
    assert actions(events) == [
        *(step.format(rev) for rev in revisions for step in each),
        "Head",
        "downgrade_to_base None",
        "upgrade_all None",
    ]
    steps = [e for e in events if isinstance(e, Step)]
    assert all(s.snapshot == s.expected for s in steps if s.expected is not None)
    head = next(e for e in events if isinstance(e, Head))
    assert head.revisions == revisions


@pytest.mark.server
def test_after_a_failed_upgrade_its_descendants_are_not_checked(pg_server: Server) -> None:
    with scratch_for("upgrade_fails", pg_server) as scratch:
        events = list(walk(scratch.project, scratch))
    assert actions(events) == [
        "upgrade 0001",
        "downgrade 0001",
        "reupgrade 0001",
        "upgrade 0002",
        "Note",
        "Head",
        "downgrade_to_base None",
    ]
    assert events[4] == Note("0003 not checked: it needs 0002, which failed")


@pytest.mark.server
def test_a_changed_walk_checks_only_its_revisions(pg_server: Server) -> None:
    with scratch_for("clean_linear_history", pg_server) as scratch:
        events = list(walk(scratch.project, scratch, only={"0003"}))
    # 0001 in one run first; 0002, the parent of 0003, upgraded alone, unchecked.
    assert actions(events) == ["upgrade 0003", "downgrade 0003", "reupgrade 0003", "Note"]
    assert isinstance(events[-1], Note)
    assert events[-1].text.startswith("only some revisions were checked")


@pytest.mark.server
def test_models_are_compared_at_head_with_every_revision_applied(pg_server: Server) -> None:
    seen = []

    def at_head(database: object, head: object) -> Iterator[Note]:
        seen.append(head)
        yield Note("at head")

    with scratch_for("clean_linear_history", pg_server) as scratch:
        events = list(walk(scratch.project, scratch, at_head=at_head))
        partial_walk = list(walk(scratch.project, scratch, last="0002", at_head=at_head))
    head = next(e for e in events if isinstance(e, Head))
    assert seen[0] == head.snapshot
    assert Note("at head") in events
    assert Note("at head") not in partial_walk
    assert any(
        isinstance(e, Note) and e.text.startswith("models not compared: 2 revision(s)")
        for e in partial_walk
    )


# Pure parts.


def enum(*labels: str) -> tuple[Key, dict[str, object]]:
    return Key("enum", "public", "mood"), {"labels": list(labels)}


def test_new_labels_of_an_existing_enum_type_are_enum_values_added() -> None:
    before = make_snapshot([enum("happy")])
    assert adds_enum_values(before, make_snapshot([enum("happy", "sad")]))
    assert not adds_enum_values(before, make_snapshot([enum("happy")]))
    # A new type may use its labels in the transaction that created it.
    assert not adds_enum_values(make_snapshot([]), make_snapshot([enum("happy", "sad")]))
