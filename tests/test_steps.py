"""Steps of the walk as findings (migcheck.steps): on hand-built steps and snapshots, and one
version's walk on a real server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

import pytest

from migcheck import graph
from migcheck.codes import CODES, Code, Stage
from migcheck.config import Config
from migcheck.diff import Added, Changed, diff
from migcheck.progress import Progress
from migcheck.project import Project, Revision, load
from migcheck.reporters.text import diff_lines
from migcheck.revision_files import parse
from migcheck.runs import MigrationError
from migcheck.snapshot import Key, make_snapshot
from migcheck.steps import ACTIONS, step_findings, unreported, walk_version
from migcheck.walk import Action, Step

PROJECTS = Path(__file__).parent / "projects"

REVISION = '''"""a revision"""
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute("CREATE TABLE t (a integer)")


def downgrade() -> None:
    pass
'''
UPGRADE_LINE, DOWNGRADE_LINE = 8, 12

USERS = Key("table", "public", "users")
BASE = make_snapshot([(USERS, {})])


def project(tmp_path: Path) -> Project:
    """A project of one revision file, read as the revision graph's checks read it."""
    path = tmp_path.resolve() / "versions" / "0002_t.py"
    path.parent.mkdir()
    path.write_text(REVISION)
    parsed = parse(path)
    assert parsed is not None
    return Project(
        ini_path=tmp_path.resolve() / "alembic.ini",
        ini_section="alembic",
        script_location=str(tmp_path),
        revisions=(Revision("0002", ("0001",), (), str(path), ""),),
        files=(parsed,),
    )


def table_t(*columns: str) -> list[tuple[Key, dict[str, Any]]]:
    items: list[tuple[Key, dict[str, Any]]] = [(Key("table", "public", "t"), {})]
    for position, name in enumerate(columns, 1):
        attributes = {"type": "integer", "position": position}
        items.append((Key("column", "public", name, "t"), attributes))
    return items


def test_every_action_has_a_row_of_codes_of_the_walk() -> None:
    assert set(ACTIONS) == set(get_args(Action))
    for verdicts in ACTIONS.values():
        for code in (verdicts.failed, verdicts.differs):
            assert code is None or CODES[code].stage == Stage.WALK
    assert ACTIONS["upgrade"].differs is None  # an upgrade has nothing to equal


def test_a_failed_step_points_at_the_function_its_code_blames(tmp_path: Path) -> None:
    where = project(tmp_path)
    error = MigrationError("table t does not exist", sqlstate="42P01", revision="0002")
    (down,) = step_findings(Step("downgrade", "0002", error=error), where, 16)
    assert (down.code, down.message) == (Code.MC102, "[42P01] table t does not exist")
    assert (down.revision, down.file, down.line, down.pg_version) == (
        "0002",
        "versions/0002_t.py",
        DOWNGRADE_LINE,
        16,
    )
    (up,) = step_findings(Step("reupgrade", "0002", error=error), where, 16)
    assert (up.code, up.line) == (Code.MC103, UPGRADE_LINE)


def test_a_traceback_line_wins_over_the_def_line(tmp_path: Path) -> None:
    where = project(tmp_path)
    path = where.revisions[0].path
    error = MigrationError("boom", revision="0002", file=path, line=9, output=("hello",))
    (found,) = step_findings(Step("upgrade", "0002", error=error), where, 16)
    assert (found.code, found.file, found.line, found.output) == (
        Code.MC101,
        "versions/0002_t.py",
        9,
        ("hello",),
    )


def test_a_failure_of_the_whole_history_says_so(tmp_path: Path) -> None:
    error = MigrationError("boom", revision="0002")
    (found,) = step_findings(Step("upgrade_all", "0002", error=error), project(tmp_path), 16)
    assert found.code == Code.MC101
    assert found.message.startswith("boom while upgrading the whole history in one run")


def test_a_schema_not_restored_is_mc201_with_the_differences_as_records(tmp_path: Path) -> None:
    left = make_snapshot([(USERS, {}), *table_t("a")])
    step = Step("downgrade", "0002", snapshot=left, expected=BASE)
    (found,) = step_findings(step, project(tmp_path), 16)
    assert (found.code, found.line, found.diff) == (Code.MC201, DOWNGRADE_LINE, ())
    assert found.message == "downgrade of 0002 did not restore the schema of its parent revision"
    assert found.changes == diff(BASE, left)
    assert all(isinstance(d, Added) for d in found.changes)
    assert diff_lines(found) == ("+ table t (a integer)",)


def test_columns_that_only_moved_are_mc204(tmp_path: Path) -> None:
    before = make_snapshot(table_t("a", "b"))
    after = make_snapshot(
        [*table_t("b"), (Key("column", "public", "a", "t"), {"type": "integer", "position": 2})]
    )
    (found,) = step_findings(
        Step("reupgrade", "0002", snapshot=after, expected=before), project(tmp_path), 16
    )
    assert (found.code, found.line) == (Code.MC204, DOWNGRADE_LINE)
    assert found.message == "columns of 0002 changed position after the reupgrade"
    assert all(isinstance(d, Changed) and d.attribute == "position" for d in found.changes)


def test_base_keeps_only_what_no_single_downgrade_left(tmp_path: Path) -> None:
    mood = (Key("enum", "public", "mood"), {"labels": ["happy"]})
    left = make_snapshot([(USERS, {}), *table_t("a"), mood])
    step = Step("downgrade_to_base", None, snapshot=left, expected=BASE)
    where = project(tmp_path)
    (everything,) = step_findings(step, where, 16)
    assert (everything.code, everything.revision, everything.file, everything.line) == (
        Code.MC203,
        None,
        None,
        None,
    )
    assert diff_lines(everything) == ("+ enum type mood ('happy')", "+ table t (a integer)")
    reported = frozenset({"+ table t (a integer)"})
    (new,) = step_findings(step, where, 16, reported=reported)
    assert diff_lines(new) == ("+ enum type mood ('happy')",)
    assert list(step_findings(step, where, 16, reported=frozenset(diff_lines(everything)))) == []


def test_a_table_and_its_columns_are_one_line_reported_or_not() -> None:
    found = diff(BASE, make_snapshot([(USERS, {}), *table_t("a", "b")]))
    assert unreported(found, {"+ table t (a integer, b integer)"}) == ()
    assert unreported(found, {"+ column t.a integer"}) == found
    # A column added to a table that was there stays a line of its own.
    grown = diff(make_snapshot(table_t("a")), make_snapshot(table_t("a", "b")))
    assert unreported(grown, {"+ column t.b integer"}) == ()


@pytest.mark.server
def test_one_version_walked_as_findings_with_its_progress(url_config: Config) -> None:
    config = replace(url_config, project_dir=PROJECTS / "enum_type_not_dropped", locks=False)
    static = graph.examine(config)
    walked = load(config, files=static.files)
    seen: list[Progress] = []
    result = walk_version(config, walked, None, seen.append)
    (found,) = result.findings
    assert (found.code, found.revision, diff_lines(found)) == (
        Code.MC201,
        "0002",
        ("+ enum type mood ('happy', 'sad')",),
    )
    parsed = walked.parsed("0002")
    assert parsed is not None
    assert found.line == parsed.downgrade_line
    assert result.checked == ("0001", "0002")
    assert (result.run.revisions, result.run.walked) == (2, ("0001", "0002"))
    assert result.head is not None
    assert result.head.revisions == ("0001", "0002")
    assert seen[0].stage == "starting"
    assert seen[-1] == Progress(result.run.pg_version, "done", 2, 2, result.run.seconds, 1)
    assert [p.done for p in seen if p.stage == "walking"][-1] == 2
