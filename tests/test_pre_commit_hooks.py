"""The hooks of .pre-commit-hooks.yaml, run by pre-commit itself on a throwaway repository.

pre-commit installs the hooks' repository into a virtualenv of its own (dependencies
from PyPI). That repository is a git snapshot of the working tree under test, new files
included: ``pre-commit try-repo`` on the working tree itself would leave out files not
yet staged. The project's code does not run there but in the project's Python (its
``.venv``), which has what the hook's environment lacks.
"""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PROJECTS = Path(__file__).parent / "projects"
# A Flask application whose env.py imports it: Flask is no dependency of migcheck's.
FLASK_PROJECT = Path(__file__).parent / "pre_commit_project"

pytestmark = pytest.mark.network


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=migcheck", "-c", "user.email=tests@migcheck.invalid", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@contextmanager
def shared(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """(a folder all xdist workers of this run share, whether it is new), under a lock:
    the first worker fills it while any other waits, then they reuse it. (xdist's
    loadgroup would keep the tests in one worker, but it cannot rename items under
    pytest 9.2.)"""
    base = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        base = base.parent  # the run's folder, above each worker's own
    folder = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder, not folder.exists()


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(a git repository holding the code under test, its commit): one for the run, so
    that every worker's pre-commit finds the hooks it installed."""
    with shared(tmp_path_factory, "hook-repo") as (folder, new):
        if new:
            folder.mkdir()
            listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
            for name in listed.split("\0"):
                source = ROOT / name
                if name and not name.startswith("tests/") and source.is_file():  # not deleted
                    (folder / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, folder / name)
            git(folder, "init", "-q", "-b", "main")
            git(folder, "add", "-A")
            git(folder, "commit", "-q", "-m", "the code under test")
        return folder, git(folder, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where pre-commit keeps the hook environments: one for the run, so that the hooks
    (a pip install of migcheck and its dependencies, about 20 s) are installed once;
    pre-commit's own lock makes a second worker wait for the first's install."""
    with shared(tmp_path_factory, "pre-commit-home") as (folder, _):
        folder.mkdir(exist_ok=True)
        return folder


def commit_with_hooks(folder: Path, hook_repo: tuple[Path, str]) -> None:
    """Configure both hooks in ``folder`` (no additional_dependencies) and commit it all."""
    repo, rev = hook_repo
    (folder / ".pre-commit-config.yaml").write_text(
        f"repos:\n"
        f"  - repo: {repo}\n"
        f"    rev: {rev}\n"
        f"    hooks:\n"
        f"      - id: migcheck\n"
        f"        args: [--backend, local]\n"
        f"      - id: migcheck-static\n"
    )
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "initial")


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    """A committed copy of a fixture project, configured to run both hooks."""
    folder = tmp_path / "shop"
    shutil.copytree(
        PROJECTS / "clean_linear_history",
        folder,
        ignore=shutil.ignore_patterns("__pycache__", "expected.json"),
    )
    commit_with_hooks(folder, hook_repo)
    return folder


@pytest.fixture
def flask_project(tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    """A committed copy of the Flask project, configured to run both hooks; its
    ``.venv`` (ignored by git) is made by ``make_venv``."""
    folder = tmp_path / "flask-shop"
    shutil.copytree(FLASK_PROJECT, folder, ignore=shutil.ignore_patterns("__pycache__"))
    commit_with_hooks(folder, hook_repo)
    return folder


def make_venv(folder: Path) -> Path:
    """A virtualenv at ``folder`` with this session's packages (Alembic, SQLAlchemy,
    psycopg, Flask); its Python.

    ``venv --without-pip`` takes a tenth of a second, and a ``.pth`` line naming this
    session's site-packages lends it the packages without installing any: no index, no
    cache, and the same versions the rest of the tests use. ``--system-site-packages``
    would not do: it adds the site-packages of the base interpreter this virtualenv was
    made from, not this virtualenv's, and whether that one has Flask depends on the machine.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lent = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(own) / "migcheck-tests.pth").write_text("".join(f"{path}\n" for path in lent))
    return python


def pre_commit(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, PRE_COMMIT_HOME=str(home), TESTCONTAINERS_RYUK_DISABLED="true")
    return subprocess.run(
        ["pre-commit", *args, "--color", "never"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.server
def test_migcheck_hook_walks_the_staged_revisions_only(
    project: Path, pre_commit_home: Path
) -> None:
    revision = project / "migrations" / "versions" / "0002_order_numbers_and_updated_at.py"
    edit(revision, "def downgrade() -> None:\n", "def downgrade() -> None:\n    # reviewed\n")
    git(project, "add", "-A")
    done = pre_commit(project, pre_commit_home, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    results = {line.split(".")[0]: line.rsplit(".", 1)[-1] for line in done.stdout.splitlines()}
    assert results["migcheck (changed revisions)"] == "Passed"
    assert results["migcheck (revision graph)"] == "Passed"

    # The downgrade forgets the sequence the upgrade creates.
    edit(revision, '    op.execute("DROP SEQUENCE order_number_seq")\n', "")
    git(project, "add", "-A")
    done = pre_commit(project, pre_commit_home, "run", "migcheck", "--verbose")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "migrations/versions/0002_order_numbers_and_updated_at.py" in done.stdout
    assert (
        "MC201 error: downgrade did not restore the schema (revision 0002, PostgreSQL "
        in done.stdout
    )
    assert "    + sequence order_number_seq bigint" in done.stdout
    assert "(local): 1 revision walked" in done.stdout


def test_static_hook_refuses_a_second_head(project: Path, pre_commit_home: Path) -> None:
    versions = project / "migrations" / "versions"
    second_head = versions / "0005_second_head.py"
    text = (versions / "0004_tighten_customers.py").read_text()
    second_head.write_text(text.replace('revision = "0004"', 'revision = "0005"'))
    git(project, "add", "-A")
    done = pre_commit(project, pre_commit_home, "run", "migcheck-static")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "migcheck (revision graph)....." in done.stdout
    assert "project: MC401 error: more than one head" in done.stdout
    assert "0005 (migrations/versions/0005_second_head.py)" in done.stdout


@pytest.mark.server
def test_migcheck_hook_runs_env_py_in_the_projects_venv(
    flask_project: Path, pre_commit_home: Path
) -> None:
    python = make_venv(flask_project / ".venv")
    revision = flask_project / "migrations" / "versions" / "0002_create_orders.py"
    edit(revision, "def downgrade() -> None:\n", "def downgrade() -> None:\n    # reviewed\n")
    git(flask_project, "add", "-A")
    done = pre_commit(flask_project, pre_commit_home, "run", "migcheck", "--verbose")
    assert done.returncode == 0, done.stdout + done.stderr
    versions = ", ".join(
        [
            f"Python {platform.python_version()}",
            f"Alembic {metadata.version('alembic')}",
            f"SQLAlchemy {metadata.version('sqlalchemy')}",
            f"psycopg {metadata.version('psycopg')}",
        ]
    )
    assert f"project's Python: {python} ({versions})\n" in done.stdout
    assert "(local): 1 revision walked" in done.stdout
    # 0002 creates orders with a foreign key to customers: SHARE ROW EXCLUSIVE on
    # customers, without lock_timeout, up and down (MC506).
    assert "OK: 0 error(s), 2 warning(s)" in done.stdout

    # Without the .venv, env.py runs in the hook's own environment: it has no Flask.
    shutil.rmtree(flask_project / ".venv")
    done = pre_commit(flask_project, pre_commit_home, "run", "migcheck", "--verbose")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "- exit code: 2\n" in done.stdout
    failure = [line for line in done.stdout.splitlines() if line.startswith("migcheck: ")]
    assert len(failure) == 1, done.stdout
    assert failure[0].startswith(
        "migcheck: myapp/__init__.py:4: env.py failed before running any migration: "
        "ModuleNotFoundError: No module named 'flask' (the project's code ran in "
        f"{pre_commit_home}"
    ), done.stdout
    assert failure[0].endswith(
        ": if the project has a virtualenv of its own, name its Python with --python, or "
        "keep it in .venv beside the Alembic configuration)"
    )
