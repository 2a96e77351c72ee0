"""pytest --migcheck, run by pytester in a pytest process of its own on copies of fixture
projects, with servers of migcheck's local backend."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from servers import Servers

from migcheck.findings import CODES, Finding, Report, Run
from migcheck.pytest_plugin.items import render
from migcheck.reporters import text

pytest_plugins = ["pytester"]

PROJECTS = Path(__file__).parent / "projects"
LOCAL = ("--migcheck-backend", "local")


def on(servers: Servers, *versions: int) -> list[str]:
    """The options that walk ``versions`` on the session's servers of those versions."""
    given = ",".join(str(version) for version in versions)
    return ["--migcheck-pg", given, *(f"--migcheck-url={url}" for url in servers.urls(*versions))]


ENUM_DIFF = "    + enum type mood ('happy', 'sad')"


def project(pytester: pytest.Pytester, case: str, *, folder: str = ".", pg: str = "16") -> Path:
    """A copy of tests/projects/<case> in ``folder``, with [tool.migcheck] at the root."""
    target = pytester.path / folder
    shutil.copytree(PROJECTS / case, target, dirs_exist_ok=True)
    (target / "expected.json").unlink(missing_ok=True)
    pytester.makefile(".toml", pyproject=f"[tool.migcheck]\npg = [{pg}]\n")
    return target


def walks(result: pytest.RunResult) -> list[str]:
    """The lines of the migcheck summary that report a walk."""
    return [line for line in result.outlines if re.match(r"(\[gw\d\] )?PostgreSQL \d", line)]


def unprefixed(line: str) -> str:
    """A line without the worker's name xdist adds when this suite itself runs under it."""
    return re.sub(r"^\[gw\d+\] ", "", line)


@pytest.mark.server
def test_the_planted_defect_fails_its_revision_item_with_the_diff(
    pytester: pytest.Pytester,
) -> None:
    project(pytester, "enum_type_not_dropped")
    pytester.makepyfile(
        test_custom="""
        def test_report(migcheck_report):
            assert [run.pg_version for run in migcheck_report.runs] == [16]
            found = [
                (f.code, f.revision, f.pg_version)
                for f in migcheck_report.findings
                if f.severity == "error"
            ]
            assert found == [("MC201", "0002", 16)]
            assert migcheck_report.failed
        """
    )
    result = pytester.runpytest_subprocess("--migcheck", *LOCAL, "-rA")
    result.assert_outcomes(passed=4, failed=1, warnings=2)
    # Warnings (the locks 0002 takes without lock_timeout) are pytest's warnings.
    result.stdout.fnmatch_lines(["*MC506 warning: strong lock without lock_timeout*"])
    result.stdout.fnmatch_lines(
        [
            "PASSED test_custom.py::test_report",
            "PASSED alembic.ini::graph",
            "PASSED alembic.ini::pg16::0001",
            "PASSED alembic.ini::pg16::history",
            "FAILED alembic.ini::pg16::0002 - *",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(
        [
            "*_ pg16::0002 _*",
            "migrations/versions/0002_add_user_mood.py:*: MC201 error: downgrade did not restore"
            " the schema (revision 0002, PostgreSQL 16)",
            "    downgrade of 0002 did not restore the schema of its parent revision",
            ENUM_DIFF,
        ]
    )
    assert "Traceback" not in result.stdout.str()
    # The fixture's report is the items' walk, not a second one.
    assert [unprefixed(line)[:13] for line in walks(result)] == ["PostgreSQL 16"]


@pytest.mark.server
def test_rows_fail_the_revision_and_their_options_turn_them_off(
    pytester: pytest.Pytester,
) -> None:
    project(pytester, "rows_not_null_column_without_default")
    result = pytester.runpytest_subprocess("--migcheck", *LOCAL, "-rA")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "migrations/versions/0002_add_plan.py:*: MC105 error: upgrade fails on tables with"
            " rows (revision 0002, PostgreSQL 16)",
            '    [23502] column "plan" of relation "users" contains null values (with rows in the'
            " tables; on empty tables the upgrade passes)",
        ]
    )
    result.stdout.fnmatch_lines(["*walked with 10 generated rows per table (seed 0)*"])
    result = pytester.runpytest_subprocess("--migcheck", *LOCAL, "--migcheck-rows", "0")
    result.assert_outcomes(passed=4)


@pytest.mark.server
def test_versions_given_on_the_command_line_replace_the_settings(
    pytester: pytest.Pytester, pg_servers: Servers
) -> None:
    project(pytester, "enum_type_not_dropped", folder="app", pg="15")
    result = pytester.runpytest_subprocess(
        "--migcheck", *on(pg_servers, 16, 17), "--migcheck-config", "app/alembic.ini"
    )
    # graph, 0001 and history on each version, and the comparison of the versions
    result.assert_outcomes(passed=6, failed=2)
    result.stdout.fnmatch_lines(
        ["FAILED app/alembic.ini::pg16::0002 - *", "FAILED app/alembic.ini::pg17::0002 - *"]
    )
    assert [unprefixed(line)[:13] for line in walks(result)] == ["PostgreSQL 16", "PostgreSQL 17"]


@pytest.mark.server
def test_xdist_walks_each_version_once_in_one_worker(
    pytester: pytest.Pytester, pg_servers: Servers
) -> None:
    project(pytester, "enum_type_not_dropped")
    result = pytester.runpytest_subprocess("--migcheck", *on(pg_servers, 16, 17), "-n", "2", "-v")
    result.assert_outcomes(passed=6, failed=2)
    ran: dict[str, set[str]] = defaultdict(set)  # version -> the workers that ran its items
    for line in result.outlines:
        found = re.match(r"\[(gw\d)\] .*(?:PASSED|FAILED) alembic\.ini::pg(\d+)::", line)
        if found:
            ran[found[2]].add(found[1])
    assert ran.keys() == {"16", "17"}
    assert all(len(workers) == 1 for workers in ran.values())
    assert ran["16"] != ran["17"]
    # Each worker walked the version whose items it ran, and no version twice. The worker
    # that compared the versions also walked the version it did not run the items of.
    walked = {
        m.groups()
        for m in (re.match(r"\[(gw\d)\] PostgreSQL (\d+)\.", line) for line in walks(result))
        if m
    }
    assert {(*ran[v], v) for v in ran} <= walked
    compared = next(
        m[1]
        for m in (
            re.match(r"\[(gw\d)\] .*PASSED alembic\.ini::versions", line)
            for line in result.outlines
        )
        if m
    )
    assert walked - {(*ran[v], v) for v in ran} <= {(compared, "16"), (compared, "17")}
    assert len(walks(result)) == len(walked)  # no version walked twice in one worker


@pytest.mark.server
def test_versions_item_reports_what_fails_on_some_versions_only(
    pytester: pytest.Pytester, pg_servers: Servers
) -> None:
    project(pytester, "matrix_nulls_not_distinct")
    result = pytester.runpytest_subprocess("--migcheck", *on(pg_servers, 14, 15), "-rA")
    result.stdout.fnmatch_lines(
        [
            "FAILED alembic.ini::pg14::0002 - *",
            "FAILED alembic.ini::versions - *",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(
        [
            "*: MC104 error: fails on some PostgreSQL versions only (revision 0002)",
            "    fails on PostgreSQL 14; passes on 15: upgrade failed: *",
        ]
    )
    assert "PASSED alembic.ini::pg15::0002" in result.stdout.str()


def test_warnings_pass_and_are_shown(pytester: pytest.Pytester) -> None:
    project(pytester, "graph_empty_migration")
    result = pytester.runpytest_subprocess("--migcheck", *LOCAL, "-k", "graph")
    result.assert_outcomes(passed=1, deselected=3, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*migrations/versions/0002_empty.py:*: MigcheckWarning: migrations/versions/"
            "0002_empty.py:*: MC405 warning: empty migration (revision 0002)",
            "*upgrade() of 0002 does nothing*",
        ]
    )
    assert walks(result) == []  # the graph item needs no server


@pytest.mark.server
def test_suppressed_findings_do_not_fail(pytester: pytest.Pytester) -> None:
    migration = project(pytester, "enum_type_not_dropped") / "migrations/versions"
    path = migration / "0002_add_user_mood.py"
    path.write_text(
        path.read_text() + "\n# migcheck: ignore MC201 -- the enum is kept for old clients\n"
    )
    result = pytester.runpytest_subprocess("--migcheck", *LOCAL, "-rP")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*migcheck suppressed*", "*suppressed: the enum is kept*"])


def test_without_the_option_nothing_heavy_is_imported(pytester: pytest.Pytester) -> None:
    project(pytester, "enum_type_not_dropped")
    pytester.makepyfile(
        test_cost="""
        import sys

        def test_nothing_heavy_was_imported(migcheck_report):
            pass

        def test_modules():
            heavy = {"migcheck.pytest_plugin.items", "migcheck.pytest_plugin.session", "alembic"}
            heavy |= {"sqlalchemy", "psycopg"}
            assert not heavy & set(sys.modules)
        """
    )
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * migcheck_report needs pytest --migcheck"])


def test_a_bad_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    project(pytester, "enum_type_not_dropped")
    result = pytester.runpytest_subprocess("--migcheck", "--migcheck-pg", "sixteen")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: migcheck: --migcheck-pg: 'sixteen' is not a major*"])


def test_a_project_that_does_not_load_is_a_collection_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--migcheck", *LOCAL)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting alembic.ini*", "migcheck: *alembic.ini*"])
    assert "Traceback" not in result.stdout.str()


def test_a_server_that_cannot_start_fails_the_items_of_its_version(
    pytester: pytest.Pytester,
) -> None:
    project(pytester, "enum_type_not_dropped", pg="12")  # no binaries for 12 here
    result = pytester.runpytest_subprocess("--migcheck", *LOCAL)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(["*_ pg12::0001 _*", "migcheck: *12*"])
    assert "Traceback" not in result.stdout.str()


def test_settings_config_and_revision_range_choose_the_items(pytester: pytest.Pytester) -> None:
    """``config``, ``from`` and ``to`` of [tool.migcheck] as migcheck check reads them;
    --migcheck-config still wins. Collecting needs no server."""
    project(pytester, "enum_type_not_dropped", folder="app")
    pytester.makefile(
        ".toml", pyproject='[tool.migcheck]\nconfig = "app/alembic.ini"\nfrom = "0002"\n'
    )
    result = pytester.runpytest_subprocess("--migcheck", "--collect-only", "-q", *LOCAL)
    assert [line for line in result.outlines if "::" in line] == [
        "app/alembic.ini::graph",
        "app/alembic.ini::pg::0002",
        "app/alembic.ini::pg::history",
    ]
    result = pytester.runpytest_subprocess(
        "--migcheck", "--collect-only", "-q", "--migcheck-config", "nowhere.ini", *LOCAL
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["migcheck: *nowhere.ini: no such file*"])


def test_a_finding_reads_as_in_the_text_report() -> None:
    finding = Finding(
        code="MC201",
        message="downgrade of 0002 did not restore the schema",
        revision="0002",
        file="versions/0002.py",
        line=3,
        pg_version=16,
        diff=("+ enum type mood",),
    )
    block = render(finding).split("\n")
    assert text.render(Report(findings=(finding,))).startswith("\n".join(block) + "\n")
    assert block[-2:] == [f"    help: {CODES['MC201'].fix}", f"    see {CODES['MC201'].docs}"]


def test_one_revision_walked_is_singular() -> None:
    run = Run(pg_version=16, server_version="16.4", backend="local", revisions=1, seconds=0.5)
    assert text.run_line(run) == "PostgreSQL 16.4 (local): 1 revision walked in 0.5 s"
    two = Run(pg_version=16, server_version="16.4", backend="local", revisions=2, seconds=0.5)
    assert "2 revisions walked" in text.run_line(two)
