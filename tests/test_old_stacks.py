"""Old stacks: projects written for SQLAlchemy 1.3, 1.4 and async SQLAlchemy 2, walked
with their own Python while migcheck runs in its own.

Every folder under tests/old_stacks is an Alembic project as ``alembic init`` and
autogenerate of its Alembic release wrote it, with fixed revision ids, and:

- ``requirements.txt``: its stack, installed in a virtualenv of its own (built once per
  machine and cached: see ``old_stack``). A ``# python: 3.8`` line asks for that Python
  when this machine has one (``python3.8`` on PATH or under pyenv); else migcheck's own.
- ``expected.json``: ``{"driver", "findings": [{"code", "revision", "diff", "message"?}],
  "revisions", "notes", "own_python"}``. ``driver``: the one the report names with the
  stack's Python; ``notes``: the walk's notes, each by a part of it; ``own_python``:
  ``"same"`` when the project also runs on migcheck's own Python (SQLAlchemy 2) and its
  report must be the same there, or the findings expected there instead (a project whose
  idioms SQLAlchemy 2 removed fails on it: proof that the stack's Python ran it).

The walk is migcheck's command line (``--python``, ``--format json``) on the session's
real server; the runner's own files are checked to stay Python 3.8 and free of migcheck.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from migcheck.provision import Server

HERE = Path(__file__).parent
CASES_DIR = HERE / "old_stacks"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.json").is_file())
RUNNER = HERE.parent / "migcheck" / "runner"
# Where the stacks' virtualenvs are kept between runs (one folder per requirement list).
CACHE_VARIABLE = "MIGCHECK_TEST_VENVS"
# What the project printed: each Alembic release logs its own way; not compared.
_UNCOMPARED = frozenset({"output"})


@dataclass(frozen=True, slots=True)
class Stack:
    """A requirement list and the Python its virtualenv is made from."""

    name: str
    requirements: tuple[str, ...]
    base: str


@dataclass(frozen=True, slots=True)
class OldStack:
    """A case folder and the Python of its stack."""

    folder: Path
    python: Path
    expected: dict[str, Any]


def _python_named(version: str) -> str | None:
    """An interpreter of that version on this machine: on PATH, or one of pyenv's."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [shutil.which(f"python{version}")]
    candidates += [str(p) for p in root.glob(f"versions/{version}.*/bin/python{version}")]
    for candidate in candidates:
        # pyenv's shim is on PATH even where no such version is selected: it fails.
        if candidate and _runs(candidate, version):
            return candidate
    return None


def _runs(python: str, version: str) -> bool:
    check = f"import sys; assert '%d.%d' % sys.version_info[:2] == {version!r}"
    return subprocess.run([python, "-c", check], capture_output=True, check=False).returncode == 0


def read_stack(folder: Path) -> Stack:
    lines = (folder / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = tuple(line.strip() for line in lines if line.strip() and line[0] != "#")
    wanted = next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("# python:")), None
    )
    base = (_python_named(wanted) if wanted else None) or sys.executable
    return Stack(folder.name, requirements, base)


def folder_name(stack: Stack) -> str:
    """``<case>-<hash>``: the hash of the requirement list and of the base Python (its path
    and exact version), so that a changed list or Python gets a virtualenv of its own."""
    version = subprocess.run(
        [stack.base, "-c", "import sys; print(sys.version)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = "\n".join([os.path.realpath(stack.base), version, *stack.requirements])
    return f"{stack.name}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _cache_root() -> Path:
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "migcheck-tests" / "venvs"


def _run(args: list[str], log: Path) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-20:])
        pytest.fail(f"building a virtualenv failed (exit {done.returncode}), see {log}:\n{tail}")


def _has_pip(python: str) -> bool:
    done = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, check=False)
    return done.returncode == 0


def build(stack: Stack, root: Path) -> Path:
    """The stack's virtualenv under ``root``, built unless a complete one is there. Safe
    when several processes (pytest-xdist workers) ask at once: one builds under a lock,
    the others wait for it and find it complete."""
    import fcntl  # POSIX only, as PostgreSQL's server binaries the tests use

    root.mkdir(parents=True, exist_ok=True)
    folder = root / folder_name(stack)
    python = folder / "bin" / "python"
    complete = folder / "migcheck-tests-complete"
    with (root / f"{folder.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if complete.is_file():
            return python
        # What a build that died left behind.
        shutil.rmtree(folder, ignore_errors=True)
        log = root / f"{folder.name}.log"
        log.write_text("", encoding="utf-8")
        if _has_pip(stack.base):
            # No pip in the virtualenv (ensurepip takes seconds): the base Python's pip
            # installs into it. That pip, not migcheck's: pip runs its own code in the
            # target Python, and pip 25 and newer need 3.9.
            _run([stack.base, "-m", "venv", "--without-pip", str(folder)], log)
            pip = [stack.base, "-m", "pip", "--python", str(python)]
        else:
            _run([stack.base, "-m", "venv", str(folder)], log)
            pip = [str(python), "-m", "pip"]
        _run([*pip, "install", "--disable-pip-version-check", *stack.requirements], log)
        complete.write_text("\n".join(stack.requirements) + "\n", encoding="utf-8")
    return python


@pytest.fixture(scope="session", params=CASES)
def old_stack(request: pytest.FixtureRequest) -> OldStack:
    """A case of tests/old_stacks with its stack's virtualenv, built at most once per
    requirement list and machine (``$MIGCHECK_TEST_VENVS``, else
    ``~/.cache/migcheck-tests/venvs``)."""
    folder = CASES_DIR / request.param
    python = build(read_stack(folder), _cache_root())
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return OldStack(folder, python, expected)


def _versions(python: Path) -> dict[str, str]:
    """The versions the stack's Python has, as its own importlib.metadata reads them."""
    script = (
        "import json, platform; from importlib.metadata import version; "
        "names = ('alembic', 'sqlalchemy', 'psycopg2-binary', 'asyncpg'); "
        "found = {}\n"
        "for name in names:\n"
        "    try: found[name] = version(name)\n"
        "    except Exception: pass\n"
        "found['python'] = platform.python_version(); print(json.dumps(found))"
    )
    done = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True)
    found: dict[str, str] = json.loads(done.stdout)
    return found


@contextmanager
def walking(folder: Path, python: str, url: str) -> Iterator[subprocess.Popen[str]]:
    """migcheck's command line on the case, running (walks run side by side); ended
    (SIGTERM: migcheck unwinds) if the test stops before it does."""
    args = [sys.executable, "-m", "migcheck", "check", "--python", python]
    args += ["--backend", "url", "--url", url, "--format", "json", "-c", "alembic.ini"]
    process = subprocess.Popen(
        args, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate()


def _report(process: subprocess.Popen[str], exit_code: int) -> dict[str, Any]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == exit_code, f"exit {process.returncode}\n{err}\n{out}"
    report: dict[str, Any] = json.loads(out)
    return report


def _exit_code(findings: list[dict[str, Any]]) -> int:
    return 1 if findings else 0


def _found(report: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (
            {
                "code": f["code"],
                "revision": f["revision"],
                "diff": f["diff"],
                "consequences": [then["code"] for then in f["consequences"]],
            }
            for f in report["findings"]
        ),
        key=lambda f: (f["code"], f["revision"] or ""),
    )


def _assert_findings(report: dict[str, Any], wanted: list[dict[str, Any]]) -> None:
    """Exactly these findings (code, revision, diff lines), with these messages."""
    expected = sorted(
        (
            {
                "code": f["code"],
                "revision": f["revision"],
                "diff": f.get("diff", []),
                "consequences": [then["code"] for then in f.get("consequences", [])],
            }
            for f in wanted
        ),
        key=lambda f: (f["code"], f["revision"] or ""),
    )
    assert _found(report) == expected
    for want in wanted:
        if "message" in want:
            messages = [
                f["message"]
                for f in report["findings"]
                if (f["code"], f["revision"]) == (want["code"], want["revision"])
            ]
            assert any(want["message"] in message for message in messages), messages
        for then in want.get("consequences", []):
            messages = [
                c["message"]
                for f in report["findings"]
                if (f["code"], f["revision"]) == (want["code"], want["revision"])
                for c in f["consequences"]
            ]
            assert any(then.get("message", "") in message for message in messages), messages


def _assert_notes(run: dict[str, Any], wanted: list[str]) -> None:
    """As many notes as wanted, each with a wanted part."""
    notes = run["notes"]
    assert len(notes) == len(wanted), notes
    assert all(any(part in note for note in notes) for part in wanted), notes


def _comparable(value: Any) -> Any:
    """Findings without what the project printed."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in _UNCOMPARED}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


@pytest.mark.server
@pytest.mark.network
def test_old_stack(old_stack: OldStack, pg_server: Server) -> None:
    expected = old_stack.expected
    own = expected["own_python"]
    own_findings = expected["findings"] if own == "same" else own["findings"]
    with (
        walking(old_stack.folder, str(old_stack.python), pg_server.url) as walk,
        walking(old_stack.folder, sys.executable, pg_server.url) as own_walk,
    ):
        report = _report(walk, _exit_code(expected["findings"]))
        own_report = _report(own_walk, _exit_code(own_findings))

    _assert_findings(report, expected["findings"])
    (run,) = report["runs"]
    assert run["revisions"] == expected["revisions"]
    _assert_notes(run, expected["notes"])

    # The report names the stack's Python, and what it has.
    versions = _versions(old_stack.python)
    driver = expected["driver"]
    driver_version = versions["psycopg2-binary" if driver == "psycopg2" else driver]
    assert run["python"] == (
        f"{old_stack.python} (Python {versions['python']}, Alembic {versions['alembic']}, "
        f"SQLAlchemy {versions['sqlalchemy']}, {driver} {driver_version})"
    )

    # The same project in migcheck's own Python: SQLAlchemy 2, a recent Alembic, and
    # psycopg where the project's URL names no driver.
    _assert_findings(own_report, own_findings)
    (own_run,) = own_report["runs"]
    assert own_run["python"].startswith(f"{sys.executable} (Python ")
    if own == "same":
        _assert_notes(own_run, expected["notes"])
        # Notes aside: why the models were not compared may depend on the drivers each
        # Python has (sqla20_asyncpg has no synchronous one).
        assert _comparable(own_report["findings"]) == _comparable(report["findings"])
        assert own_report["result"] == report["result"]
        assert own_run["walked"] == run["walked"]


@pytest.mark.parametrize("path", sorted(RUNNER.glob("*.py")), ids=lambda p: p.name)
def test_runner_is_python_38(path: Path) -> None:
    """The runner runs in the project's Python: 3.8 syntax (ruff checks it too, through
    per-file-target-version), and no import of migcheck, which the project's Python lacks."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 8))
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level == 0
            else []
        )
    ]
    assert not [name for name in imported if name.split(".")[0] == "migcheck"]


@pytest.mark.server
@pytest.mark.network
def test_a_driver_the_projects_python_lacks_is_named(pg_server: Server) -> None:
    """The project's URL names psycopg; its Python has asyncpg only: exit 2 before any
    walk, saying what it has and what to do."""
    python = build(read_stack(CASES_DIR / "sqla20_asyncpg"), _cache_root())
    ini = Path(__file__).parent / "projects" / "upgrade_fails" / "alembic.ini"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "migcheck",
            "check",
            "-c",
            str(ini),
            "--python",
            str(python),
            "--backend",
            "url",
            "--url",
            pg_server.url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"migcheck: the project's URL names psycopg, which the project's Python {python} does "
        "not have (it has asyncpg): install it there, or name another with --driver\n"
    )
