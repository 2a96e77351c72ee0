"""Time ``migcheck check --static`` on a generated history.

    python benchmarks/graph.py --revisions 500

Writes an Alembic project with N revisions (each creates a table and drops it in its
downgrade; every 50th is a branch merged by the next revision) to a temporary folder,
then times the graph checks in process and the whole command in a new process (Python
start and imports included), as a pre-commit hook runs it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migcheck import check_static
from migcheck.config import Config

REVISION = '''"""revision {n}"""
from alembic import op
import sqlalchemy as sa

revision = "{rid}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("t{n}", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("t{n}")
'''


def generate(folder: Path, revisions: int) -> None:
    (folder / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "migrations" / "env.py").write_text("")
    previous: str | tuple[str, ...] | None = None
    for n in range(1, revisions + 1):
        rid = f"{n:012x}"
        down: str | tuple[str, ...] | None = previous
        if n % 50 == 2 and n > 2:  # merges the branch that n - 1 opened next to n - 2
            down = (f"{n - 1:012x}", f"{n - 2:012x}")
        elif n % 50 == 1 and n > 1:  # a branch beside n - 1
            down = f"{n - 2:012x}"
        (versions / f"{rid}_r{n}.py").write_text(REVISION.format(n=n, rid=rid, down=down))
        previous = rid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.revisions)
        started = time.perf_counter()
        report = check_static(Config(project_dir=folder))
        in_process = time.perf_counter() - started
        assert not report.findings, report.findings
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "migcheck",
                "check",
                "--static",
                "-c",
                str(folder / "alembic.ini"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        command = time.perf_counter() - started
        assert result.returncode == 0, result.stdout + result.stderr
    print(
        f"{args.revisions} revisions: graph checks {in_process:.3f} s in process, "
        f"migcheck check --static {command:.3f} s as a command"
    )


if __name__ == "__main__":
    main()
