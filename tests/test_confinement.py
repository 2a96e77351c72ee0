"""Only the scratch database is written, whatever the project's code does: an env.py or
a revision that connects to a second database of the server (the developer's own) by
its own means is refused before any statement, and that database is proven unchanged:
its catalog, its rows and its server-side write counters. A write no check can refuse
(a psql subprocess) is found afterwards, naming the database and the revision."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from migcheck import ProjectError, check
from migcheck.config import Config
from migcheck.provision import Server, database_url, local

pytestmark = pytest.mark.server


@dataclass(frozen=True, slots=True)
class State:
    """What a database holds and what the server counted written into it."""

    catalog: str  # a hash of its schemas, relations, columns and types
    rows: tuple[tuple[str, int], ...]
    written: tuple[int, int, int]  # pg_stat_database: tup_inserted, tup_updated, tup_deleted
    # The same, table by table (catalogs included): which table, when they differ.
    tables: tuple[tuple[str, int, int, int], ...]


CATALOG = """
SELECT format('schema %s', nspname) FROM pg_namespace
UNION ALL
SELECT format('relation %s.%s %s', n.nspname, c.relname, c.relkind)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
UNION ALL
SELECT format('column %s.%s.%s %s %s', n.nspname, c.relname, a.attname,
              format_type(a.atttypid, a.atttypmod), a.attnum)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
UNION ALL
SELECT format('type %s.%s', n.nspname, t.typname)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
"""


def _state(server: Server, database: str) -> State:
    """Read with fresh connections, once no other session is connected to ``database``
    (a session hands over its counters as it ends)."""
    with psycopg.connect(server.url, autocommit=True) as admin:
        deadline = time.monotonic() + 60
        while admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (database,)
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, f"sessions stay connected to {database}"
            time.sleep(0.1)
        if server.pg_version >= 15:
            admin.execute("SELECT pg_stat_force_next_flush()")
        admin.execute("SELECT pg_stat_clear_snapshot()")
        written = admin.execute(
            "SELECT tup_inserted, tup_updated, tup_deleted FROM pg_stat_database"
            " WHERE datname = %s",
            (database,),
        ).fetchone()
    assert written is not None
    with psycopg.connect(database_url(server.url, database), autocommit=True) as connection:
        lines = sorted(str(row[0]) for row in connection.execute(CATALOG))
        per_table = tuple(
            (str(name), int(inserted), int(updated), int(deleted))
            for name, inserted, updated, deleted in connection.execute(
                "SELECT s.relid::regclass::text, s.n_tup_ins, s.n_tup_upd, s.n_tup_del"
                " FROM pg_stat_all_tables s JOIN pg_class c ON c.oid = s.relid"
                # The server's shared catalogs (pg_database) count every database's.
                " WHERE NOT c.relisshared AND s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0"
                " ORDER BY 1"
            )
        )
        tables = connection.execute(
            "SELECT schemaname, relname FROM pg_stat_user_tables ORDER BY 1, 2"
        ).fetchall()
        rows = tuple(
            (
                f"{schema}.{table}",
                int(
                    connection.execute(  # type: ignore[index]  # one row
                        sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
                    ).fetchone()[0]
                ),
            )
            for schema, table in tables
        )
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return State(digest, rows, (int(written[0]), int(written[1]), int(written[2])), per_table)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[Server]:
    """A server of this module's own, without autovacuum: its ANALYZE of a database
    nobody uses moves that database's row counters (pg_statistic), which the tests read."""
    with local.start(Config(), None) as server:
        with psycopg.connect(server.url, autocommit=True) as admin:
            admin.execute("ALTER SYSTEM SET autovacuum = off")
            admin.execute("SELECT pg_reload_conf()")
        yield server


@pytest.fixture(scope="module")
def url_config(pg_server: Server) -> Config:
    return Config(backend="url", urls=(pg_server.url,))


@pytest.fixture
def second_database(pg_server: Server) -> Iterator[str]:
    """A database of the test server that is not migcheck's: a developer's own, with
    a table and rows in it."""
    name = f"app_{secrets.token_hex(4)}"
    with psycopg.connect(pg_server.url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(database_url(pg_server.url, name), autocommit=True) as connection:
            connection.execute("CREATE TABLE precious (id int PRIMARY KEY, note text)")
            connection.execute("INSERT INTO precious VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        yield name
    finally:
        with psycopg.connect(pg_server.url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


ENV_PY = """
import os
from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
{connect}
"""

# env.py's ways to its own database, each ignoring what migcheck hands over.
OWN_ENGINE = """
engine = create_engine({url}, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""
DRIVER = """
import {driver}
raw = {driver}.connect(config.get_main_option("app_url"))
cursor = raw.cursor()
cursor.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
cursor.execute("DELETE FROM precious")
raw.commit()
"""

REVISION = """
import subprocess
from alembic import context, op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
{extra}

def downgrade():
    op.drop_table("t")
"""


def _project(folder: Path, *, env: str, app_url: str, extra: str = "") -> Path:
    (folder / "migrations" / "versions").mkdir(parents=True)
    (folder / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        f"app_url = {app_url.replace('%', '%%')}\n"
    )
    (folder / "migrations" / "env.py").write_text(ENV_PY.format(connect=env))
    (folder / "migrations" / "versions" / "0001_t.py").write_text(REVISION.format(extra=extra))
    return folder


HANDED = """
connection = config.attributes["connection"]
context.configure(connection=connection)
with context.begin_transaction():
    context.run_migrations()
"""


ASYNCPG = """
import asyncio
import asyncpg


async def main():
    raw = await asyncpg.connect(config.get_main_option("app_url"))
    await raw.execute("DELETE FROM precious")


asyncio.run(main())
"""

# env.py's ways to a database of its own choosing.
ENVS = {
    "database_url": OWN_ENGINE.format(url='os.environ["DATABASE_URL"]'),
    "own_config": OWN_ENGINE.format(url='config.get_main_option("app_url")'),
    "psycopg": DRIVER.format(driver="psycopg"),
    "psycopg2": DRIVER.format(driver="psycopg2"),
    "asyncpg": ASYNCPG,
}


@pytest.mark.parametrize("case", ENVS)
def test_env_py_cannot_write_to_a_second_database(
    case: str,
    second_database: str,
    tmp_path: Path,
    url_config: Config,
    pg_server: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DATABASE_URL of the developer's shell names their database: env.py reading it
    gets the scratch database. Read from env.py's own configuration, with SQLAlchemy or
    with a driver directly: refused before any statement of env.py's, naming the
    database."""
    app_url = database_url(pg_server.url, second_database)
    monkeypatch.setenv("DATABASE_URL", app_url.replace("postgresql://", "postgresql+psycopg://"))
    folder = _project(tmp_path, env=ENVS[case], app_url=app_url)
    before = _state(pg_server, second_database)
    if case == "database_url":
        report = check(replace(url_config, project_dir=folder))
        assert report.findings == ()
        assert report.runs[0].walked == ("0001",)
    else:
        with pytest.raises(ProjectError) as raised:
            check(replace(url_config, project_dir=folder))
        message = str(raised.value)
        assert message.startswith("migrations/env.py:"), message
        assert (
            ": env.py failed before running any migration: migcheck: RefusedConnection: "
            f"migcheck refused a connection of the project's code to database "
            f"'{second_database}' on a local socket, before any statement ran: only the "
            "scratch database 'migcheck_"
        ) in message
    assert _state(pg_server, second_database) == before


def test_a_revision_cannot_write_to_a_second_database(
    second_database: str, tmp_path: Path, url_config: Config, pg_server: Server
) -> None:
    """A revision that connects to another database with a driver directly fails,
    before any statement ran there: a finding of that revision naming the database."""
    extra = (
        "    import psycopg\n"
        '    with psycopg.connect(context.config.get_main_option("app_url")) as raw:\n'
        '        raw.execute("DELETE FROM precious")\n'
    )
    app_url = database_url(pg_server.url, second_database)
    folder = _project(tmp_path, env=HANDED, app_url=app_url, extra=extra)
    before = _state(pg_server, second_database)
    report = check(replace(url_config, project_dir=folder))
    assert [(f.code, f.revision) for f in report.findings] == [("MC101", "0001")]
    assert report.findings[0].message.startswith(
        "migcheck: RefusedConnection: migcheck refused a connection of the project's code "
        f"to database '{second_database}' on a local socket, before any statement ran"
    )
    assert _state(pg_server, second_database) == before


def test_a_write_no_check_can_refuse_is_found_naming_database_and_revision(
    second_database: str, tmp_path: Path, url_config: Config, pg_server: Server
) -> None:
    """psql, started by a revision, is no connection of the project's Python: nothing
    refuses it. The server's counters show it: the revision's finding names the
    database it wrote to."""
    if pg_server.pg_version < 15:
        pytest.skip("PostgreSQL 14 and older hand statistics over late: not watched")
    extra = (
        '    url = context.config.get_main_option("app_url")\n'
        "    sql = \"INSERT INTO precious VALUES (4, 'd'), (5, 'e')\"\n"
        '    subprocess.run(["psql", url, "-c", sql], check=True)\n'
    )
    app_url = database_url(pg_server.url, second_database)
    folder = _project(tmp_path, env=HANDED, app_url=app_url, extra=extra)
    before = _state(pg_server, second_database)
    report = check(replace(url_config, project_dir=folder))
    assert [(f.code, f.revision) for f in report.findings] == [("MC101", "0001")]
    message = report.findings[0].message
    assert message.startswith(
        f"database '{second_database}' (2 rows inserted, 0 updated, 0 deleted) on the server /"
    ), message
    assert " changed while the upgrade of 0001 ran, as pg_stat_database counts them" in message
    after = _state(pg_server, second_database)
    assert after.rows == (("public.precious", 5),)  # it did write: found, not prevented
    assert after.written[0] - before.written[0] == 2
