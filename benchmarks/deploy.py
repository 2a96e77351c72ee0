"""What --deploy-from adds to a check of the demo project, against one upgrade to head.

    python benchmarks/deploy.py [--pg 16] [--repeat 3]

Copies this repository's demo project (alembic.ini, migrations/, the demo package) into a
git repository of two commits: "release 1" without the history's heads, "release 2"
with them; then, on one throwaway local server, times:
  upgrade: alembic upgrade head on a fresh database (one upgrade to head, bare), in
           this process and as the command a deploy job runs
  check: migcheck check
  deploy: migcheck check --deploy-from HEAD~1
and prints the difference deploy - check against the upgrade (target: at most 1x).
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr
from dataclasses import replace
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import make_url

from migcheck import check
from migcheck.codes import Code
from migcheck.config import Config
from migcheck.locations import Folders
from migcheck.project import working_directory
from migcheck.provision import local, scratch_database
from migcheck.revision_files import revisions

ROOT = Path(__file__).resolve().parents[1]


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=b@example.com", "-c", "user.name=b", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def repository(folder: Path) -> list[str]:
    """The demo in two commits; the head revisions the second one adds."""
    for name in ("alembic.ini", "migrations"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, folder / name)
    versions = folder / "migrations" / "versions"
    parsed = revisions(Folders(folder, (versions,), False))
    parents = {p for r in parsed for p in r.parents}
    heads = [r for r in parsed if r.id not in parents]
    kept = {r.path: r.path.read_text() for r in heads}
    for path in kept:
        path.unlink()
    _git(folder, "init", "-q", ".")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "release 1")
    for path, text in kept.items():
        path.write_text(text)
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "release 2")
    return [r.id for r in heads]


def upgrade(folder: Path, url: str) -> float:
    config = AlembicConfig(str(folder / "alembic.ini"))
    sa_url = make_url(url).set(drivername="postgresql+psycopg")
    config.set_main_option(
        "sqlalchemy.url", sa_url.render_as_string(hide_password=False).replace("%", "%%")
    )
    with working_directory(folder), redirect_stderr(io.StringIO()):
        started = time.perf_counter()
        command.upgrade(config, "head")
        return time.perf_counter() - started


def upgrade_command(folder: Path, url: str) -> float:
    """``alembic -x url=... upgrade head`` as a CI job runs it: a process of its own."""
    sa_url = make_url(url).set(drivername="postgresql+psycopg")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-x",
            f"url={sa_url.render_as_string(hide_password=False)}",
            "upgrade",
            "head",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="migcheck-bench-") as tmp:
        folder = Path(tmp)
        heads = repository(folder)
        with local.start(Config(), args.pg) as server:
            print(f"PostgreSQL {server.server_version}: the demo, release 2 adds {heads}")
            config = Config(project_dir=folder, backend="url", urls=(server.url,))
            deploy = replace(config, deploy_from="HEAD~1")
            times: dict[str, list[float]] = {
                "upgrade": [],
                "command": [],
                "check": [],
                "deploy": [],
            }
            for _ in range(args.repeat):
                with scratch_database(server) as url:
                    times["upgrade"].append(upgrade(folder, url))
                with scratch_database(server) as url:
                    times["command"].append(upgrade_command(folder, url))
                for name, one in (("check", config), ("deploy", deploy)):
                    started = time.perf_counter()
                    report = check(one)
                    times[name].append(time.perf_counter() - started)
                    unexpected = [f for f in report.findings if f.code is Code.MC701]
                    assert not unexpected, unexpected
    best = {name: min(values) for name, values in times.items()}
    added = best["deploy"] - best["check"]
    print(f"one upgrade to head, in process:            {best['upgrade']:7.3f} s")
    print(f"one upgrade to head, as a command:          {best['command']:7.3f} s")
    print(f"migcheck check:                             {best['check']:7.3f} s")
    print(f"migcheck check --deploy-from HEAD~1:        {best['deploy']:7.3f} s")
    print(
        f"added by --deploy-from: {added:7.3f} s = {added / best['command']:5.2f}x one upgrade "
        f"to head as a command (target <= 1x), {added / best['upgrade']:5.2f}x in process"
    )


if __name__ == "__main__":
    main()
