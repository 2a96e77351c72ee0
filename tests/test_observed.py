"""What observed statements mean (MC501-MC506): the pure verdicts on hand-made records,
then the observation itself on a real server, with the settings that grade and turn it off.
Each code's own fixture (tests/projects/locks_*) proves it on a real migration."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from servers import Servers

from migcheck import check
from migcheck.codes import Code
from migcheck.config import Config
from migcheck.observed import Index, Lock, Statement, observations, statements, within

PROJECTS = Path(__file__).parent / "projects"
EXCLUSIVE = Lock("users", "r", "AccessExclusiveLock")


def _statement(sql: str, **fields: object) -> Statement:
    return Statement("0002", True, sql, **fields)  # type: ignore[arg-type]


def _codes(found: list[Statement]) -> list[Code]:
    return [seen.code for seen in observations(found)]


def test_a_lock_held_while_a_later_statement_of_its_transaction_works_is_mc502() -> None:
    add = _statement(
        "ALTER TABLE users ADD COLUMN status TEXT", line=20, taken=(EXCLUSIVE,), held=(EXCLUSIVE,)
    )
    fill = _statement("UPDATE users SET status = 'x'", line=21, work=10, held=(EXCLUSIVE,))
    (seen,) = [s for s in observations([replace(add, lock_timeout="5s"), fill])]
    assert seen.code is Code.MC502
    assert seen.line == 20
    assert seen.message == (
        "`ALTER TABLE users ADD COLUMN status TEXT` took an ACCESS EXCLUSIVE lock on table "
        "users, held while `UPDATE users SET status = 'x'` (line 21) read, wrote or rebuilt "
        "rows: no query on users runs until it commits"
    )


def test_no_mc502_when_the_work_ran_in_another_transaction_or_did_nothing() -> None:
    add = _statement("ALTER TABLE users ADD COLUMN status TEXT", taken=(EXCLUSIVE,),
                     held=(EXCLUSIVE,), lock_timeout="5s")  # fmt: skip
    later = _statement("UPDATE users SET status = 'x'", work=10, transaction=1)
    idle = _statement("COMMENT ON TABLE users IS 'x'", held=(EXCLUSIVE,))
    assert _codes([add, later]) == []
    assert _codes([add, idle]) == []


def test_mc506_once_per_revision_and_only_for_locks_that_block_writes() -> None:
    share = Lock("users", "r", "ShareUpdateExclusiveLock")
    first = _statement("ALTER TABLE users ADD COLUMN a INT", taken=(EXCLUSIVE,))
    second = _statement("ALTER TABLE users ADD COLUMN b INT", taken=(EXCLUSIVE,))
    validate = _statement("ALTER TABLE users VALIDATE CONSTRAINT c", taken=(share,))
    assert _codes([validate]) == []
    assert _codes([first, second]) == [Code.MC506]
    bounded = replace(first, lock_timeout="5s")
    assert _codes([bounded]) == []
    (message,) = [s.message for s in observations([replace(first, statement_timeout="1min")])]
    assert "statement_timeout 1min bounds the wait" in message


def test_an_index_lock_alone_is_not_a_table_lock() -> None:
    index = Lock("ix_users_email", "i", "AccessExclusiveLock")
    assert _codes([_statement("DROP INDEX ix_users_email", taken=(index,))]) == []


def test_a_table_recreated_under_its_name_is_mc501_and_not_mc502() -> None:
    drop = _statement("ALTER TABLE users DROP CONSTRAINT users_pkey", taken=(EXCLUSIVE,),
                      held=(EXCLUSIVE,), lock_timeout="5s")  # fmt: skip
    copy = _statement("INSERT INTO _alembic_tmp_users SELECT * FROM users", work=10,
                      held=(EXCLUSIVE,))  # fmt: skip
    rename = _statement("ALTER TABLE _alembic_tmp_users RENAME TO users", recreated=("users",))
    assert _codes([drop, copy, rename]) == [Code.MC501]


def test_each_kind_of_work_names_its_code_and_a_downgrade_says_so() -> None:
    found = _statement(
        "ALTER TABLE orders ...",
        lock_timeout="5s",
        rewritten=(("orders", "r"),),
        indexes=(Index("ix_a", "orders", True), Index("ix_b", "orders", False)),
        validated=(("fk_orders_user", "orders", "foreign key"),),
        not_null=(("orders", "total"),),
    )
    assert _codes([found]) == [Code.MC501, Code.MC503, Code.MC504, Code.MC505]
    messages = [s.message for s in observations([replace(found, upgrade=False)])]
    assert all(m.startswith("downgrade: `ALTER TABLE orders ...` ") for m in messages)


def test_a_downgrade_keeps_what_it_did_to_relations_that_existed_before_its_upgrade() -> None:
    orders = Lock("orders", "r", "AccessExclusiveLock")
    found = _statement("DROP TABLE orders; ALTER TABLE users ...", taken=(orders, EXCLUSIVE),
                       rewritten=(("orders", "r"), ("users", "r")))  # fmt: skip
    (kept,) = within([found], {"users"})
    assert kept.taken == (EXCLUSIVE,)
    assert kept.rewritten == (("users", "r"),)


def test_records_of_the_runner_read_as_statements() -> None:
    record = {
        "revision": "0002",
        "upgrade": False,
        "sql": "CREATE INDEX ix ON users (email)",
        "line": 12,
        "transaction": 1,
        "work": 3,
        "lock_timeout": "0",
        "statement_timeout": "0",
        "taken": [["users", "r", "ShareLock"]],
        "held": [["users", "r", "ShareLock"]],
        "rewritten": [],
        "recreated": [],
        "indexes": [["ix", "users", True]],
        "validated": [],
        "not_null": [],
    }
    (found,) = statements([record])
    assert found == Statement(
        "0002",
        False,
        "CREATE INDEX ix ON users (email)",
        line=12,
        transaction=1,
        work=3,
        taken=(Lock("users", "r", "ShareLock"),),
        held=(Lock("users", "r", "ShareLock"),),
        indexes=(Index("ix", "users", True),),
    )


@pytest.mark.server
def test_a_settings_severity_makes_a_lock_finding_fail_the_check(url_config: Config) -> None:
    project = replace(url_config, project_dir=PROJECTS / "locks_column_type_rewrites_table")
    passed = check(project)
    assert {f.code for f in passed.findings} == {Code.MC501}
    assert passed.exit_code == 0
    failed = check(replace(project, severity=(("MC501", "error"),)))
    assert [f.severity for f in failed.findings] == ["error", "error"]
    assert failed.exit_code == 1


@pytest.mark.server
def test_no_locks_observes_nothing(url_config: Config) -> None:
    project = replace(url_config, project_dir=PROJECTS / "locks_without_lock_timeout")
    assert [f.code for f in check(project).findings] == [Code.MC506]
    assert check(replace(project, locks=False)).findings == ()


@pytest.mark.server
def test_an_emptied_table_is_not_a_rewrite(url_config: Config, tmp_path: Path) -> None:
    """TRUNCATE gives the table new storage without reading the old: nothing is copied
    (the rows lost are MC601's)."""
    folder = tmp_path / "project"
    shutil.copytree(PROJECTS / "locks_without_lock_timeout", folder)
    revision = next((folder / "migrations" / "versions").glob("0002_*.py"))
    revision.write_text(
        'revision = "0002"\ndown_revision = "0001"\n\nfrom alembic import op\n\n\n'
        "def upgrade():\n"
        "    op.execute(\"SET lock_timeout = '5s'\")\n"
        '    op.execute("TRUNCATE users")\n\n\n'
        "def downgrade():\n    pass\n"
    )
    found = check(replace(url_config, project_dir=folder)).findings
    assert [f.code for f in found] == [Code.MC601]


@pytest.mark.server
def test_on_every_version_of_the_matrix_each_lock_finding_names_them_all(
    pg_servers: Servers,
) -> None:
    """A rewrite is one finding naming every version it happened on; the safe patterns
    (ADD COLUMN ... DEFAULT 0 among them: no rewrite since PostgreSQL 11) stay silent on
    all of them."""
    versions = (13, 14, 15, 16, 17, 18)
    rewrites = check(
        pg_servers.config(*versions, project_dir=PROJECTS / "locks_column_type_rewrites_table")
    )
    assert [(f.code, f.versions) for f in rewrites.findings] == [(Code.MC501, versions)] * 2
    safe = pg_servers.config(*versions, project_dir=PROJECTS / "clean_locks_safe_patterns", rows=0)
    assert check(safe).findings == ()


@pytest.mark.server
@pytest.mark.parametrize("driver", ["psycopg2", "pg8000"])
def test_every_sync_driver_is_observed_alike(driver: str, url_config: Config) -> None:
    """The observation queries go through the migration's own driver (prepared once per
    connection): the same finding whatever it is."""
    project = replace(url_config, project_dir=PROJECTS / "locks_without_lock_timeout")
    (found,) = check(replace(project, driver=driver)).findings  # type: ignore[arg-type]
    (expected,) = check(project).findings
    assert (found.code, found.message, found.line) == (
        expected.code,
        expected.message,
        expected.line,
    )


def _project(folder: Path, upgrade: str, downgrade: str = "pass") -> Path:
    """Alembic's generic template (env.py builds its own engine from the URL), with
    0001 creating users and orders and 0002 doing ``upgrade``."""
    command.init(AlembicConfig(str(folder / "alembic.ini")), str(folder / "migrations"))
    versions = folder / "migrations" / "versions"
    (versions / "0001_tables.py").write_text(
        'revision = "0001"\ndown_revision = None\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n\n"
        "def upgrade():\n"
        '    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                    sa.Column("code", sa.String(20), unique=True),\n'
        '                    sa.Column("name", sa.Text),\n'
        '                    sa.Column("email", sa.String(50), index=True))\n'
        '    op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                    sa.Column("user_code", sa.String(20),\n'
        '                              sa.ForeignKey("users.code")))\n\n\n'
        'def downgrade():\n    op.drop_table("orders")\n    op.drop_table("users")\n'
    )
    body = textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")
    undo = textwrap.indent(textwrap.dedent(downgrade).strip(), "    ")
    (versions / "0002_change.py").write_text(
        'revision = "0002"\ndown_revision = "0001"\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n\n"
        f"def upgrade():\n{body}\n\n\ndef downgrade():\n{undo}\n"
    )
    return folder


def _found(url_config: Config, folder: Path) -> list[tuple[Code, str | None, str]]:
    """The lock findings of 0002's upgrade (its downgrade is not the subject here)."""
    report = check(replace(url_config, project_dir=folder, rows=0))
    return [
        (f.code, f.revision, f.message)
        for f in report.findings
        if f.code.startswith("MC5") and not f.message.startswith("downgrade: ")
    ]


@pytest.mark.server
def test_a_driver_that_deallocates_its_statements_does_not_fail_the_migration(
    url_config: Config, tmp_path: Path
) -> None:
    """psycopg 3 prepares a statement run five times, and then deallocates everything on
    the next ALTER or DROP (migcheck's prepared readings with it); a migration may also run
    DEALLOCATE ALL itself. The readings are prepared again: no failure."""
    columns = "\n".join(f'op.add_column("users", sa.Column("c{n}", sa.Integer))' for n in range(9))
    upgrade = (
        "op.execute(\"SET lock_timeout = '5s'\")\n" + columns + '\nop.execute("DEALLOCATE ALL")'
    )
    downgrade = "op.execute(\"SET lock_timeout = '5s'\")\n" + "\n".join(
        f'op.drop_column("users", "c{n}")' for n in range(9)
    )
    assert _found(url_config, _project(tmp_path, upgrade, downgrade)) == []


@pytest.mark.server
def test_a_type_widened_in_place_builds_and_validates_nothing(
    url_config: Config, tmp_path: Path
) -> None:
    """varchar(50) -> varchar(100) keeps the storage of the index over the column and the
    foreign key over it, which PostgreSQL makes again without building or checking."""
    upgrade = """
        op.execute("SET lock_timeout = '5s'")
        op.alter_column("users", "email", type_=sa.String(100), existing_type=sa.String(50))
        op.alter_column("orders", "user_code", type_=sa.String(40), existing_type=sa.String(20))
        op.alter_column("users", "code", type_=sa.String(40), existing_type=sa.String(20))
    """
    downgrade = """
        op.execute("SET lock_timeout = '5s'")
        op.alter_column("users", "code", type_=sa.String(20), existing_type=sa.String(40))
        op.alter_column("orders", "user_code", type_=sa.String(20), existing_type=sa.String(40))
        op.alter_column("users", "email", type_=sa.String(50), existing_type=sa.String(100))
    """
    assert _found(url_config, _project(tmp_path, upgrade, downgrade)) == []


@pytest.mark.server
def test_an_autocommit_block_hides_nothing(url_config: Config, tmp_path: Path) -> None:
    """Committed at once, the statements hold no lock afterwards: what they did to the
    catalog says which locks they took."""
    upgrade = """
        with op.get_context().autocommit_block():
            op.execute("UPDATE users SET name = 'x' WHERE name IS NULL")
            op.alter_column("users", "name", nullable=False, existing_type=sa.Text)
            op.create_check_constraint("ck_users_email", "users", "email <> ''")
    """
    downgrade = """
        op.execute("SET lock_timeout = '5s'")
        op.drop_constraint("ck_users_email", "users", type_="check")
        op.alter_column("users", "name", nullable=True, existing_type=sa.Text)
    """
    found = _found(url_config, _project(tmp_path, upgrade, downgrade))
    assert [(code, message.split("` ", 1)[1]) for code, _, message in found] == [
        (
            Code.MC505,
            "made users.name NOT NULL by reading every row under an ACCESS EXCLUSIVE lock "
            "(no valid CHECK (name IS NOT NULL) spares the scan)",
        ),
        (
            Code.MC506,
            "took an ACCESS EXCLUSIVE lock on table users with no lock_timeout: queued behind "
            "a long transaction, it makes every query on users wait behind it",
        ),
        (
            Code.MC504,
            "validated check ck_users_email on table users while writes to it wait (every "
            "row is checked under the lock)",
        ),
    ]


@pytest.mark.server
def test_set_not_null_that_a_check_spares_reads_no_row(url_config: Config, tmp_path: Path) -> None:
    """PostgreSQL skips the scan when a valid CHECK implies NOT NULL, whatever else it
    says: the table's scan count tells, not the CHECK's wording. (``name <> ''`` alone
    does not spare it: PostgreSQL scans, and MC505 says so.)"""
    upgrade = """
        op.execute("SET lock_timeout = '5s'")
        with op.get_context().autocommit_block():
            op.execute("UPDATE users SET name = 'x' WHERE name IS NULL")
            op.execute(
                "ALTER TABLE users ADD CONSTRAINT ck_name "
                "CHECK (name IS NOT NULL AND name <> '') NOT VALID"
            )
            op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_name")
        op.alter_column("users", "name", nullable=False, existing_type=sa.Text)
    """
    downgrade = """
        op.execute("SET lock_timeout = '5s'")
        op.alter_column("users", "name", nullable=True, existing_type=sa.Text)
        op.drop_constraint("ck_name", "users", type_="check")
    """
    assert _found(url_config, _project(tmp_path, upgrade, downgrade)) == []
