"""The project's code runs in a runner process: what it prints is captured per step, a
runner that dies or hangs is a finding of its step, nothing of it outlives migcheck,
and the driver is the project's own.

The fixture projects (tests/projects) prove the findings; these tests run the command
as users do and look at what they see: standard output, standard error, report files,
exit codes, processes left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from migcheck import interpreter
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.handover import choose_driver, named_driver
from migcheck.runners import Interpreter

PROJECTS = Path(__file__).parent / "projects"


def _migcheck(
    *args: str, config: Config, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    assert config.urls
    return subprocess.run(
        [sys.executable, "-m", "migcheck", *args, "--backend", "url", "--url", config.urls[0]],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def _processes_with(marker: str) -> list[int]:
    """The processes whose environment holds ``marker`` (migcheck's runners inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ:
            found.append(int(entry.name))
    return found


@pytest.mark.server
def test_project_output_is_shown_only_with_the_failed_step(url_config: Config) -> None:
    ini = str(PROJECTS / "project_logs_every_revision" / "alembic.ini")
    result = _migcheck("check", "-c", ini, "--no-locks", config=url_config)
    assert result.returncode == 1, result.stderr
    out = result.stdout.splitlines()
    # The report, and in it the failed step's last lines only: none of the earlier
    # revisions' log lines, no line of the project's outside the finding's block.
    assert "    the project's output, last lines:" in out
    shown = [line for line in out if line.startswith("    | ")]
    assert "    | INFO shop.migrations upgrading 0003: rename a missing column" in shown
    assert "    | stdout line of 0003" in shown
    running = "Running upgrade 0002 -> 0003, rename a missing column"
    assert f"    | INFO alembic.runtime.migration {running}" in shown
    assert not [line for line in out if "upgrading 0001" in line or "upgrading 0002" in line]
    assert "upgrading" not in result.stderr
    assert out[-1] == "FAIL: 1 error(s), 0 warning(s)"


@pytest.mark.server
def test_verbose_shows_all_the_project_printed(url_config: Config, tmp_path: Path) -> None:
    ini = str(PROJECTS / "project_logs_every_revision" / "alembic.ini")
    report = tmp_path / "report.json"
    junit = tmp_path / "report.xml"
    result = _migcheck(
        "check",
        "-c",
        ini,
        "-v",
        "--no-locks",
        "-o",
        f"json:{report}",
        "-o",
        f"junit:{junit}",
        config=url_config,
    )
    assert result.returncode == 1, result.stderr
    for rev in ("0001", "0002"):
        assert f"  | INFO shop.migrations upgrading {rev}" in result.stderr
        assert f"  | INFO shop.migrations downgrading {rev}" in result.stderr
    found = json.loads(report.read_text())["findings"]
    assert [f["code"] for f in found] == ["MC101"]
    assert "stdout line of 0003" in found[0]["output"]
    xml = junit.read_text()
    assert "stdout line of 0003" in xml
    assert f'<property name="python" value="{sys.executable} (Python ' in xml


@pytest.mark.server
def test_a_migration_ending_its_process_is_a_finding_and_nothing_stays(
    url_config: Config, tmp_path: Path
) -> None:
    ini = str(PROJECTS / "migration_ends_process_with_os_exit" / "alembic.ini")
    report = tmp_path / "report.json"
    report.write_text('{"result": "pass"}\n')  # an earlier run's
    marker = f"MIGCHECK_TEST_{uuid.uuid4().hex}"
    result = _migcheck(
        "check", "-c", ini, "-o", f"json:{report}", config=url_config, env={marker: "1"}
    )
    assert result.returncode == 1, result.stderr
    assert "MC101 error: upgrade failed (revision 0002, PostgreSQL " in result.stdout
    assert "the migration ended the process with exit code 0" in result.stdout
    written = json.loads(report.read_text())
    assert written["result"] == "fail"
    assert _processes_with(marker) == []
    assert list(tmp_path.iterdir()) == [report]  # the report was written whole, in place


@pytest.mark.server
def test_a_failed_run_leaves_no_stale_report(url_config: Config, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"result": "pass"}\n')
    ini = str(PROJECTS / "error_env_py_raises" / "alembic.ini")
    result = _migcheck("check", "-c", ini, "-o", f"json:{report}", config=url_config)
    assert result.returncode == 2
    assert not report.exists()


@pytest.mark.server
def test_keyboard_interrupt_of_a_migration_is_not_an_interrupt(url_config: Config) -> None:
    ini = str(PROJECTS / "migration_raises_keyboard_interrupt" / "alembic.ini")
    result = _migcheck("check", "-c", ini, config=url_config)
    assert result.returncode == 1, result.stderr
    assert "the migration raised KeyboardInterrupt" in result.stdout
    assert "interrupted" not in result.stderr


@pytest.mark.server
def test_a_long_step_says_which_revision_runs(url_config: Config, tmp_path: Path) -> None:
    """Off a terminal too: one line after a few seconds (here 1: MIGCHECK_NOTICE_AFTER),
    then one every ten."""
    project = tmp_path / "slow"
    source = PROJECTS / "migration_sleeps_past_step_timeout"
    for path in source.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.name != "expected.json":
            target = project / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text().replace("pg_sleep(3600)", "pg_sleep(2)"))
    result = _migcheck(
        "check",
        "-c",
        str(project / "alembic.ini"),
        "--step-timeout",
        "0",
        "--rows",
        "0",
        "--no-locks",
        config=url_config,
        env={"MIGCHECK_NOTICE_AFTER": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    notices = [line for line in result.stderr.splitlines() if "running for" in line]
    # Upgraded, upgraded again after its (empty) downgrade, and with the whole history.
    assert len(notices) == 3, result.stderr
    for notice in notices:
        assert notice.startswith("migcheck: PostgreSQL ")
        assert notice.endswith(": upgrade of 0002 running for 1 s")


@pytest.mark.server
@pytest.mark.parametrize(
    ("driver", "message"),
    [
        ("psycopg2", None),
        (
            "psycopg",
            '[42804] column "quantity" is of type integer but expression is of type '
            "character varying",
        ),
    ],
)
def test_the_same_migration_under_each_driver(
    driver: str, message: str | None, url_config: Config
) -> None:
    ini = str(PROJECTS / "literal_string_into_integer_column" / "alembic.ini")
    # Without rows: that the reset's downgrade does not give the quantities back (MC601)
    # is not what differs between drivers.
    result = _migcheck("check", "-c", ini, "--driver", driver, "--rows", "0", config=url_config)
    if message is None:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1
        assert f"    {message}\n" in result.stdout  # named on purpose: no hint


@pytest.mark.server
def test_a_guessed_driver_gets_a_hint(url_config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    """The project names no driver: migcheck takes SQLAlchemy's own choice; when that
    is psycopg, a type mismatch says that another driver may behave differently."""
    ini = str(PROJECTS / "literal_string_into_integer_column" / "alembic.ini")
    result = _migcheck("check", "-c", ini, "--format", "json", config=url_config)
    report = json.loads(result.stdout)
    python = report["runs"][0]["python"]
    if " psycopg " in python:  # SQLAlchemy 2.1 and newer: psycopg for postgresql://
        [finding] = report["findings"]
        assert finding["message"].endswith(
            "(the project's URL names no driver and migcheck used psycopg; drivers send "
            "parameters with different types: if production uses another, name it with "
            "--driver psycopg2 or pg8000)"
        )
    else:
        assert " psycopg2 " in python
        assert report["findings"] == []


def test_the_driver_the_project_names() -> None:
    assert named_driver("postgresql+psycopg2://u@h/d") == (True, "psycopg2")
    assert named_driver("postgres://u@h/d") == (True, None)
    assert named_driver("sqlite:///x.db") == (False, None)
    both = Interpreter("python", "3.11", "1.13", "2.0.30", (("psycopg", "3"), ("psycopg2", "2")))
    newer = Interpreter("python", "3.11", "1.16", "2.1.2", both.drivers)
    only3 = Interpreter("python", "3.11", "1.13", "2.0.30", (("psycopg", "3"),))
    assert choose_driver(Config(), both, None) == ("psycopg2", False)
    assert choose_driver(Config(), newer, None) == ("psycopg", False)
    assert choose_driver(Config(), only3, "postgresql://h/d") == ("psycopg", False)
    assert choose_driver(Config(), only3, "postgresql+pg8000://h/d") == ("pg8000", True)
    assert choose_driver(Config(driver="asyncpg"), both, "postgresql+pg8000://h/d") == (
        "asyncpg",
        True,
    )


def test_the_variable_env_py_reads_names_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_DB", "postgresql+asyncpg://prod/app")
    both = Interpreter("python", "3.11", "1.13", "2.0.30", (("psycopg2", "2"),))
    assert choose_driver(Config(url_env=("APP_DB",)), both, "postgresql://x/y") == (
        "asyncpg",
        True,
    )


def _venv(folder: Path) -> Path:
    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    return python


def test_which_python_runs_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    assert interpreter.choose(None, [project]) == sys.executable
    beside = _venv(project / ".venv")
    assert interpreter.choose(None, [project]) == str(beside)
    active = _venv(tmp_path / "active")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "active"))
    assert interpreter.choose(None, [project]) == str(active)
    # migcheck's own environment active (pre-commit, pipx): the project's is looked for.
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    assert interpreter.choose(None, [project]) == str(beside)
    named = _venv(tmp_path / "named")
    assert interpreter.choose(str(named), [project]) == str(named)
    assert interpreter.choose(str(tmp_path / "named"), [project]) == str(named)
    with pytest.raises(UsageError, match=r"^--python .*nowhere: no Python interpreter there$"):
        interpreter.choose(str(tmp_path / "nowhere"), [project])


@pytest.mark.server
def test_a_python_without_alembic_is_named(url_config: Config, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    ini = str(PROJECTS / "clean_linear_history" / "alembic.ini")
    result = _migcheck(
        "check", "-c", ini, "--python", str(bare / "bin" / "python"), config=url_config
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"migcheck: the project's Python {bare / 'bin' / 'python'} has no alembic installed: "
        "run migcheck with the Python that has the project's dependencies (--python PATH, "
        "or activate its virtualenv)"
    )


@pytest.mark.server
def test_runners_end_when_migcheck_is_killed(url_config: Config, tmp_path: Path) -> None:
    """SIGKILL leaves migcheck no chance to clean up: its runners end by themselves."""
    import signal
    import time

    assert url_config.urls
    ini = str(PROJECTS / "migration_sleeps_past_step_timeout" / "alembic.ini")
    marker = f"MIGCHECK_TEST_{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "migcheck",
            "check",
            "-c",
            ini,
            "--step-timeout",
            "0",
            "--backend",
            "url",
            "--url",
            url_config.urls[0],
        ],
        env={**os.environ, marker: "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Until a runner sleeps in 0002 on the server.
        deadline = time.monotonic() + 120
        with psycopg.connect(url_config.urls[0], autocommit=True) as admin:
            while time.monotonic() < deadline:
                sleeping = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3600)'"
                    " AND datname LIKE 'migcheck%'"
                ).fetchone()
                if sleeping and sleeping[0]:
                    break
                time.sleep(0.2)
        assert len(_processes_with(marker)) >= 2  # migcheck, its zygote and runners
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == []


@pytest.mark.server
def test_runners_started_directly_where_there_is_no_fork(
    url_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migcheck import check, runner_pool

    monkeypatch.setattr(runner_pool, "_FORKS", False)
    report = check(
        replace(url_config, project_dir=PROJECTS / "migration_ends_process_with_os_exit")
    )
    assert [(f.code, f.revision, f.message) for f in report.findings] == [
        ("MC101", "0002", "the migration ended the process with exit code 0")
    ]
