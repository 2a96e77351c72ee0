"""The version matrix: cross-version findings on records, worker processes, real servers.

The fixture projects tests/projects/matrix_* have no expected.json: what they prove
depends on the versions walked, so their expectations are here.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from servers import Servers

from migcheck import check, cli, progress
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Finding, Report, Run
from migcheck.matrix import Walked, findings
from migcheck.parallel import RemoteTraceback, run
from migcheck.progress import Progress
from migcheck.reporters.text import diff_lines
from migcheck.snapshot import Head, Key, make_snapshot

ROOT = Path(__file__).parent.parent
PROJECTS = Path(__file__).parent / "projects"
UNIQUE_NULLS_FAILURE = '[42601] syntax error at or near "NULLS"'


def walked(version: int, *found: Finding, checked: tuple[str, ...] = ("1", "2", "3")) -> Walked:
    run = Run(pg_version=version, server_version=f"{version}.1", backend="local", seconds=1.0)
    return Walked(run, found, checked)


def failure(code: str, revision: str, version: int, message: str = "boom") -> Finding:
    return Finding(code, message, revision=revision, file=f"{revision}.py", pg_version=version)


# --- MC104, on records ---------------------------------------------------------------


def test_failure_on_some_versions_is_one_finding() -> None:
    other = Finding("MC201", "not restored", revision="3", file="3.py", pg_version=13)
    walks = [
        walked(13, failure("MC101", "2", 13, UNIQUE_NULLS_FAILURE), other, checked=("1", "2")),
        walked(14, failure("MC101", "2", 14, UNIQUE_NULLS_FAILURE), checked=("1", "2")),
        walked(15),
        walked(16),
    ]
    found = findings(walks)
    assert [f.code for f in found] == ["MC201", "MC104"]
    mc104 = found[1]
    assert mc104.message == (
        f"fails on PostgreSQL 13, 14; passes on 15, 16: upgrade failed: {UNIQUE_NULLS_FAILURE}"
    )
    assert (mc104.revision, mc104.file, mc104.pg_version) == ("2", "2.py", None)


def test_failure_on_every_version_stays_per_version() -> None:
    walks = [walked(v, failure("MC102", "2", v)) for v in (13, 14, 15)]
    assert [(f.code, f.pg_version) for f in findings(walks)] == [
        ("MC102", 13),
        ("MC102", 14),
        ("MC102", 15),
    ]


def test_versions_that_never_reached_the_revision_are_named() -> None:
    walks = [
        walked(13, failure("MC101", "1", 13), checked=("1",)),
        walked(14, failure("MC101", "2", 14)),
        walked(15),
    ]
    found = {f.revision: f for f in findings(walks)}
    assert found["2"].message == (
        "fails on PostgreSQL 14; passes on 15; not checked on 13 (an earlier revision "
        "failed): upgrade failed: boom"
    )
    assert found["1"].message.startswith("fails on PostgreSQL 13; passes on 14, 15: ")


def test_a_version_that_failed_another_step_does_not_pass() -> None:
    walks = [
        walked(13, failure("MC101", "2", 13)),
        walked(14),
        walked(15, failure("MC102", "2", 15)),
    ]
    assert [f.message for f in findings(walks)] == [
        "fails on PostgreSQL 13; passes on 14; fails with MC102 on 15: upgrade failed: boom",
        "fails on PostgreSQL 15; passes on 14; fails with MC101 on 13: downgrade failed: boom",
    ]


def test_each_versions_own_message_is_kept() -> None:
    walks = [
        walked(13, failure("MC103", "2", 13, "type exists")),
        walked(14, failure("MC103", "2", 14, "relation exists")),
        walked(15),
    ]
    (found,) = findings(walks)
    assert found.message.endswith("second upgrade failed: type exists (on 14: relation exists)")


def test_one_version_is_reported_as_it_is() -> None:
    only = walked(16, failure("MC101", "2", 16))
    assert findings([only]) == only.findings


# --- MC302, on records ---------------------------------------------------------------

COLUMN = Key("column", "public", "value", "counters")


def at_head(
    version: int, attributes: dict[str, Any], revisions: tuple[str, ...] = ("1", "2")
) -> Walked:
    head = Head(make_snapshot([(COLUMN, attributes)]), revisions)
    before = walked(version)
    return replace(before, run=replace(before.run, head=head))


def test_heads_that_differ_are_reported_against_the_lowest_version() -> None:
    walks = [
        at_head(13, {"type": "integer", "default": "0"}),
        at_head(14, {"type": "integer", "default": "0"}),
        at_head(15, {"type": "bigint", "default": "'0'::bigint"}),
    ]
    (found,) = findings(walks)
    assert (found.code, found.pg_version, found.revision) == ("MC302", 15, None)
    assert "PostgreSQL 15 differs from the one built on PostgreSQL 13" in found.message
    assert diff_lines(found) == (
        "~ column counters.value default: 0 -> '0'::bigint",
        "~ column counters.value type: integer -> bigint",
    )


def test_heads_that_only_print_differently_are_equal() -> None:
    walks = [
        at_head(13, {"default": "\"substring\"('abc'::text, 2)"}),
        at_head(14, {"default": "SUBSTRING('abc'::text FROM 2)"}),
    ]
    assert findings(walks) == ()


def test_heads_of_different_revisions_are_not_compared() -> None:
    walks = [
        at_head(13, {"type": "integer"}, revisions=("1",)),
        at_head(15, {"type": "bigint"}, revisions=("1", "2")),
    ]
    assert findings(walks) == ()


# --- worker processes ----------------------------------------------------------------


def square(item: int, send: Callable[[Any], None]) -> int:
    send(("working on", item))
    return item * item


def refuse(item: int, send: Callable[[Any], None]) -> int:
    if item == 2:
        raise UsageError(f"--pg {item}: no")
    return item


class Unpicklable(Exception):
    def __init__(self, reason: str, *, where: object) -> None:
        super().__init__(reason)
        self.where = where


def unpicklable(item: int, send: Callable[[Any], None]) -> int:
    raise Unpicklable("a socket", where=lambda: None)


def test_results_come_back_in_order_with_their_messages() -> None:
    messages: list[Any] = []
    assert run(square, [3, 1, 2], jobs=2, on_message=messages.append) == [9, 1, 4]
    assert sorted(messages) == [("working on", 1), ("working on", 2), ("working on", 3)]


def test_a_workers_error_is_raised_with_its_traceback() -> None:
    with pytest.raises(UsageError, match="--pg 2: no") as raised:
        run(refuse, [1, 2], jobs=2, on_message=print)
    assert isinstance(raised.value.__cause__, RemoteTraceback)
    assert "in refuse" in str(raised.value.__cause__)


def test_an_error_that_does_not_pickle_is_told() -> None:
    with pytest.raises(RuntimeError, match="Unpicklable: a socket"):
        run(unpicklable, [1], jobs=1, on_message=print)


# --- jobs and progress ---------------------------------------------------------------


def test_jobs_below_one_are_refused() -> None:
    with pytest.raises(UsageError, match="--jobs 0: give at least 1"):
        check(Config(project_dir=ROOT, pg_versions=(13, 14), jobs=0))


def test_jobs_option_is_checked_by_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["check", "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_progress_log_lines() -> None:
    stream = io.StringIO()
    log = progress.Log(stream)
    log(Progress(None, "starting", total=10))
    log(Progress(16, "walking", done=0, total=10))
    log(Progress(16, "walking", done=5, total=10, findings=1))  # within 10 s: not logged
    log(Progress(16, "done", done=10, total=10, seconds=3.21, findings=1))
    assert stream.getvalue().splitlines() == [
        "migcheck: PostgreSQL: starting the server",
        "migcheck: PostgreSQL 16: 0/10 revisions",
        "migcheck: PostgreSQL 16: done in 3.2 s: 10 revisions, 1 finding",
    ]


def test_progress_lines_are_redrawn_in_place() -> None:
    stream = io.StringIO()
    lines = progress.Lines(stream)
    lines(Progress(13, "starting", total=4))
    lines(Progress(14, "starting", total=4))
    lines(Progress(13, "walking", done=2, total=4))
    lines.close()
    last = stream.getvalue().rsplit("\x1b[2F", 1)[1]
    assert last.replace("\x1b[2K", "").splitlines() == [
        "PostgreSQL 13  [##########..........] 2/4 revisions",
        "PostgreSQL 14  starting the server",
    ]


# --- real servers --------------------------------------------------------------------


def matrix(servers: Servers, case: str, *versions: int, jobs: int | None = None) -> Report:
    """A check of ``case`` on the session's servers of ``versions``."""
    folder = ROOT if case == "demo" else PROJECTS / case
    # What versions differ in is the subject: the locks each takes are test_observed's.
    return check(servers.config(*versions, project_dir=folder, jobs=jobs, locks=False))


def without_timings(report: Report) -> Report:
    runs = tuple(replace(r, seconds=0.0, timings=()) for r in report.runs)
    return replace(report, runs=runs)


@pytest.mark.server
def test_unique_nulls_not_distinct_fails_before_15(pg_servers: Servers) -> None:
    report = matrix(pg_servers, "matrix_nulls_not_distinct", 13, 14, 15, jobs=2)
    (found,) = report.findings
    assert (found.code, found.revision, found.pg_version) == ("MC104", "0002", None)
    assert found.file == "migrations/versions/0002_unique_email_per_tenant.py"
    assert found.message == (
        "fails on PostgreSQL 13, 14; passes on 15: upgrade failed: " + UNIQUE_NULLS_FAILURE
    )
    assert [r.pg_version for r in report.runs] == [13, 14, 15]
    assert report.runs[0].notes[0] == "0003 not checked: it needs 0002, which failed"
    assert report.exit_code == 1
    # In this process, one version after another: the same report.
    sequential = matrix(pg_servers, "matrix_nulls_not_distinct", 13, 14, 15, jobs=1)
    assert without_timings(sequential) == without_timings(report)


@pytest.mark.server
def test_what_versions_print_differently_is_no_finding(pg_servers: Servers) -> None:
    report = matrix(pg_servers, "matrix_renders_differently", 13, 14, 15, 16, 17, 18)
    assert report.findings == ()
    assert [r.revisions for r in report.runs] == [3] * 6


@pytest.mark.server
def test_a_schema_that_depends_on_the_version_is_reported(pg_servers: Servers) -> None:
    report = matrix(pg_servers, "matrix_version_dependent_type", 13, 14, 15)
    (found,) = report.findings
    assert (found.code, found.pg_version, found.revision) == ("MC302", 15, None)
    assert diff_lines(found) == (
        "~ column counters.value default: 0 -> '0'::bigint",
        "~ column counters.value type: integer -> bigint",
    )


@pytest.mark.server
def test_demo_passes_on_every_version(pg_servers: Servers) -> None:
    report = matrix(pg_servers, "demo", 13, 14, 15, 16, 17, 18)
    assert report.findings == ()
    assert [r.pg_version for r in report.runs] == [13, 14, 15, 16, 17, 18]
    assert all(r.revisions >= 10 for r in report.runs)


def _servers_under(folder: Path) -> list[str]:
    """Command lines of running processes that mention ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(folder) in command:
                found.append(command)
    return found


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder the server can reach when it runs as 'nobody' (tests as root)."""
    folder = Path(tempfile.mkdtemp(prefix="migcheck-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.server
@pytest.mark.parametrize(("signum", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False)])
def test_interrupted_matrix_leaves_no_server(open_tmp: Path, signum: int, group: bool) -> None:
    """Ctrl-C (to the whole process group) or SIGTERM (to migcheck alone) mid-walk."""
    tmp_path = open_tmp
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", "--backend", "local", "--pg", "13,14"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    # The servers' sockets (postmaster.pid alone also exists while initdb runs).
    while len(list(tmp_path.glob("migcheck-pg*/.s.PGSQL.*[0-9]"))) < 2:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the servers did not start"
        time.sleep(0.05)
    time.sleep(1.0)  # into the walk
    if group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err.strip().endswith("migcheck: interrupted")
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
    assert _servers_under(tmp_path) == []


# --- several servers named by URL: one per version ------------------------------------


@pytest.mark.server
def test_urls_without_versions_walk_each_server_on_its_own_version(
    pg_servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = pg_servers.urls(13, 16)
    args = ["check", "-c", str(PROJECTS / "clean_linear_history" / "alembic.ini")]
    assert cli.run([*args, "--url", second, "--url", first]) == 0
    out = capsys.readouterr().out
    assert "PostgreSQL 13." in out
    assert "PostgreSQL 16." in out
    assert out.count(" (url): 4 revisions walked") == 2

    assert cli.run([*args, "--url", first, "--url", second, "--pg", "15"]) == 2
    assert capsys.readouterr().err == (
        "migcheck: --pg 15: no --url names a server that runs PostgreSQL 15 (they run 13, 16)\n"
    )
    assert cli.run([*args, "--url", first, "--url", first]) == 2
    err = capsys.readouterr().err
    assert err.startswith("migcheck: --url postgresql://postgres@/postgres?host=")
    assert err.endswith(" both run PostgreSQL 13: give one server per version\n")


def test_a_failure_listed_under_its_cause_still_failed_on_its_version() -> None:
    """13: MC201 with its MC103 under it; 14: MC103 alone. Neither version passes 0002."""
    leftover = Finding("MC201", "left", revision="2", file="2.py", pg_version=13)
    second = failure("MC103", "2", 13, "type exists")
    walks = [
        walked(13, replace(leftover, consequences=(second,))),
        walked(14, failure("MC103", "2", 14, "type exists")),
    ]
    assert not [f for f in findings(walks) if f.code == "MC104"]
