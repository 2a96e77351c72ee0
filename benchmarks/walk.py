"""Walk a generated history and compare with running the same migrations bare.

    python benchmarks/walk.py --revisions 100 --tables 100 [--pg 16]

Generates N revisions over M tables (the first M create a table with a primary key,
defaults, a foreign key and an index; later ones add a column and an index), starts one
throwaway local server, then times on it:
  bare: alembic upgrade head; downgrade base; upgrade head (three commands, one database)
  walk: migcheck's full walk (up, snapshot, down, snapshot, diff, up, snapshot, diff...)
and prints the walk's split into migrations, snapshots, diffs and rows, and the ratios:
the walk on empty tables without observing locks (--rows 0 --no-locks), on empty tables
observing them (--rows 0), with the default rows and without observing (--no-locks), and
as a default check walks (rows, locks observed).

    --commands: also as a CI job sees it, whole commands on the same server and history:
    alembic upgrade head; alembic downgrade base; alembic upgrade head, against
    migcheck check (target: at most 2x).
    --changed N: also check --changed on the last revision of an N-revision history,
    against that history's whole walk (target: at most 10%).
    --versions: also the demo on six versions with two jobs against one version (target:
    at most 3.5x; benchmarks/matrix.py has more).

All of #18's figures at once:
    python benchmarks/walk.py --tables 50 --pg 16 --commands --changed 200 --versions
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import redirect_stderr
from dataclasses import replace
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from migcheck import check
from migcheck.config import Config
from migcheck.findings import Report
from migcheck.project import working_directory
from migcheck.provision import Server, local, scratch_database

ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    engine = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    connection = engine.connect()
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
"""


def _revision(index: int, tables: int) -> str:
    rev, parent = f"{index:04d}", f"{index - 1:04d}" if index else None
    table = f"t{index % tables:03d}"
    if index < tables:
        ref = (
            f'sa.Column("ref_id", sa.Integer, sa.ForeignKey("t{index - 1:03d}.id", '
            'ondelete="CASCADE")),'
            if index
            else ""
        )
        upgrade = f"""
            op.create_table(
                "{table}",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("name", sa.Text, nullable=False, server_default="x"),
                sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
                {ref}
            )
            op.create_index("ix_{table}_name", "{table}", ["name"])"""
        downgrade = f"""
            op.drop_index("ix_{table}_name", "{table}")
            op.drop_table("{table}")"""
    else:
        column = f"c{index:04d}"
        upgrade = f"""
            op.add_column("{table}", sa.Column("{column}", sa.Integer, server_default="0"))
            op.create_index("ix_{table}_{column}", "{table}", ["{column}"])"""
        downgrade = f"""
            op.drop_index("ix_{table}_{column}", "{table}")
            op.drop_column("{table}", "{column}")"""
    body = f'''\
        """generated revision {rev}"""
        import sqlalchemy as sa
        from alembic import op

        revision = "{rev}"
        down_revision = {parent!r}


        def upgrade():{upgrade}


        def downgrade():{downgrade}
        '''
    return textwrap.dedent(body)


def generate(folder: Path, revisions: int, tables: int) -> None:
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        "sqlalchemy.url = postgresql+psycopg://localhost/unused\n"
    )
    (folder / "migrations" / "env.py").write_text(ENV_PY)
    for index in range(revisions):
        (versions / f"{index:04d}_rev.py").write_text(_revision(index, tables))


def bare(folder: Path, url: str) -> float:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig(str(folder / "alembic.ini"))
    sa_url = make_url(url).set(drivername="postgresql+psycopg")
    config.set_main_option(
        "sqlalchemy.url", sa_url.render_as_string(hide_password=False).replace("%", "%%")
    )
    engine = create_engine(sa_url, poolclass=NullPool)
    with engine.connect() as connection, working_directory(folder):
        config.attributes["connection"] = connection
        started = time.perf_counter()
        with redirect_stderr(io.StringIO()):
            command.upgrade(config, "head")
            command.downgrade(config, "base")
            command.upgrade(config, "head")
        return time.perf_counter() - started


def _command(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", *args], check=True, capture_output=True)
    return time.perf_counter() - started


def commands(folder: Path, server: Server, repeat: int) -> None:
    """What a CI job sees: three alembic commands against one database, and migcheck
    check as a command (its defaults: rows in the tables, locks observed)."""
    ini = str(folder / "alembic.ini")
    bare_runs, check_runs, plain_runs = [], [], []
    for _ in range(repeat):
        with scratch_database(server) as url:
            x = f"url={make_url(url).set(drivername='postgresql+psycopg').render_as_string(False)}"
            bare_runs.append(
                sum(
                    _command("alembic", "-c", ini, "-x", x, *action)
                    for action in (("upgrade", "head"), ("downgrade", "base"), ("upgrade", "head"))
                )
            )
        line = ("migcheck", "check", "-c", ini, "--backend", "url", "--url", server.url)
        check_runs.append(_command(*line))
        plain_runs.append(_command(*line, "--rows", "0", "--no-locks"))
    bare_best, check_best, plain_best = min(bare_runs), min(check_runs), min(plain_runs)
    print(f"as commands: alembic upgrade/downgrade/upgrade {bare_best:8.3f} s")
    print(f"as commands: migcheck check                   {check_best:8.3f} s")
    print(f"as commands: migcheck check --rows 0 --no-locks {plain_best:6.3f} s")
    print(f"ratio check / bare commands:    {check_best / bare_best:8.2f}x (target <= 2.0x)")
    print(f"  without rows and locks:       {plain_best / bare_best:8.2f}x")


def changed(server_url: str, revisions: int, tables: int, repeat: int) -> None:
    """check --changed on the last revision of a longer history, against the full walk."""
    with tempfile.TemporaryDirectory(prefix="migcheck-bench-") as tmp:
        folder = Path(tmp)
        generate(folder, revisions, tables)
        config = Config(project_dir=folder, backend="url", urls=(server_url,))
        last = sorted((folder / "migrations" / "versions").glob("*.py"))[-1]
        one = replace(config, changed=True, changed_files=(last,))
        (full, _), (narrow, _) = _best([config, one], repeat)
    print(f"{revisions} revisions: full walk {full:8.3f} s, --changed on one {narrow:8.3f} s")
    print(f"ratio --changed one / full:     {narrow / full:8.2f}x (target <= 0.10x)")


def versions() -> None:
    """The demo on the six versions with two jobs, against one version alone."""
    from matrix import VERSIONS, measure

    one = min(measure((VERSIONS[0],), "local", 1)[0] for _ in range(2))
    six = min(measure(tuple(sorted(VERSIONS)), "local", 2)[0] for _ in range(2))
    print(f"the demo: one version {one:6.2f} s, six with --jobs 2 {six:6.2f} s")
    print(f"ratio six (-j 2) / one:         {six / one:8.2f}x (target <= 3.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--pg", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is shown")
    parser.add_argument(
        "--commands", action="store_true", help="also as commands: alembic x3 vs migcheck check"
    )
    parser.add_argument(
        "--versions",
        action="store_true",
        help="also the demo on six versions with --jobs 2 against one version alone",
    )
    parser.add_argument(
        "--changed",
        type=int,
        default=0,
        metavar="REVISIONS",
        help="also check --changed on one revision of a history this long, against its walk",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="migcheck-bench-") as tmp:
        folder = Path(tmp)
        generate(folder, args.revisions, args.tables)
        with local.start(Config(), args.pg) as server:
            print(
                f"PostgreSQL {server.server_version}: {args.revisions} revisions, "
                f"{args.tables} tables"
            )
            bare_times = []
            for _ in range(args.repeat):
                with scratch_database(server) as url:
                    bare_times.append(bare(folder, url))
            config = Config(project_dir=folder, backend="url", urls=(server.url,))
            best_bare = min(bare_times)
            plain, empty, unwatched, rows = _best(
                [
                    replace(config, rows=0, locks=False),
                    replace(config, rows=0),
                    replace(config, locks=False),
                    config,
                ],
                args.repeat,
            )
            if args.commands:
                commands(folder, server, args.repeat)
            if args.changed:
                changed(server.url, args.changed, args.tables, args.repeat)
    if args.versions:
        versions()
    print(f"bare upgrade/downgrade/upgrade: {best_bare:8.3f} s")
    walks = (("without locks", plain), ("on empty tables", empty), ("with rows", rows))
    for label, (seconds, report) in walks:
        print(f"migcheck walk {label + ' (total):':<17} {seconds:8.3f} s")
        for name, value in dict(report.runs[0].timings).items():
            print(f"  {name:<28}  {value:8.3f} s")
        print(f"ratio walk / bare:              {seconds / best_bare:8.2f}x")
    print(f"rows: {report.runs[0].rows}")
    print(f"ratio with rows / empty tables: {rows[0] / empty[0]:8.2f}x (target <= 1.30x)")
    print(f"ratio locks observed / not:     {empty[0] / plain[0]:8.2f}x on empty tables")
    print(f"migcheck walk with rows, no locks: {unwatched[0]:8.3f} s")
    print(
        f"ratio locks observed / not:     {rows[0] / unwatched[0]:8.2f}x with rows, as a "
        "default check walks (target <= 1.10x)"
    )


def _best(configs: list[Config], repeat: int) -> list[tuple[float, Report]]:
    """The fastest of ``repeat`` checks of each config: (seconds, its report). The configs
    take turns, so that a slow spell of the machine slows all of them alike. The history
    takes locks (MC5xx warnings: the same in every run); any other finding is a bug here."""
    walks: list[list[tuple[float, Report]]] = [[] for _ in configs]
    for _ in range(repeat):
        for config, done in zip(configs, walks, strict=True):
            started = time.perf_counter()
            report = check(config)
            done.append((time.perf_counter() - started, report))
            unexpected = [f for f in report.findings if not f.code.startswith("MC5")]
            assert not unexpected, unexpected
    return [min(done, key=lambda item: item[0]) for done in walks]


if __name__ == "__main__":
    main()
