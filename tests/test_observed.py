"""What observed statements mean (MC501-MC506): the pure verdicts on hand-made records,
then the observation itself on a real server, with the settings that grade and turn it off.
Each code's own fixture (tests/projects/locks_*) proves it on a real migration."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
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
