"""MC701: the release running in production against the schema of the new revisions.

Each test builds a git repository: release 1 (models and a first revision), then release
2 adding a revision; ``--deploy-from HEAD~1`` checks release 1's models on release 2's
schema, on a real server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from migcheck import check
from migcheck.codes import Code
from migcheck.config import Config
from migcheck.deploy.statements import OldColumn, OldTable, again
from migcheck.errors import ProjectError, UsageError
from migcheck.findings import Finding

pytestmark = pytest.mark.server

ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

from app.models import Base

config = context.config
engine = engine_from_config(
    config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
"""

MODELS = """\
from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int | None] = mapped_column(Integer)
    mood: Mapped[str | None] = mapped_column(Enum("happy", "sad", name="mood"))


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
"""

FIRST = """\
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("quantity", sa.Integer),
        sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
        sa.CheckConstraint("name <> ''", name="name_not_empty"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer),
        sa.Column("note", sa.Text),
    )


def downgrade():
    op.drop_table("orders")
    op.drop_table("users")
    op.execute("DROP TYPE mood")
"""

SECOND = """\
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
{upgrade}


def downgrade():
{downgrade}
"""


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def _repository(
    folder: Path,
    upgrade: str,
    downgrade: str,
    *,
    env_py: str = ENV_PY,
    models: str = MODELS,
    first: str = FIRST,
) -> Path:
    """Release 1 committed (with ``env_py``), then release 2 (its second revision, and
    ENV_PY) committed on top."""
    (folder / "migrations" / "versions").mkdir(parents=True)
    (folder / "app").mkdir()
    (folder / "alembic.ini").write_text(
        # As alembic init writes it: an absolute path once read, moved into the copy.
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
        "sqlalchemy.url = postgresql+psycopg://localhost/unused\n"
    )
    (folder / "migrations" / "env.py").write_text(env_py)
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "models.py").write_text(models)
    (folder / "migrations" / "versions" / "0001_first.py").write_text(first)
    _git(folder, "init", "-q", ".")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "release 1")
    second = SECOND.format(
        upgrade=textwrap.indent(textwrap.dedent(upgrade).strip(), "    "),
        downgrade=textwrap.indent(textwrap.dedent(downgrade).strip(), "    "),
    )
    (folder / "migrations" / "versions" / "0002_second.py").write_text(second)
    (folder / "migrations" / "env.py").write_text(ENV_PY)
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "release 2")
    return folder


def _deployed(url_config: Config, folder: Path, **changes: object) -> list[Finding]:
    config = replace(
        url_config, project_dir=folder, deploy_from="HEAD~1", rows=0, locks=False, models=False
    )
    report = check(replace(config, **changes))  # type: ignore[arg-type]
    # Every statement of these releases works on their own schema: each one is checked.
    assert not [n for r in report.runs for n in r.notes if "are not checked" in n]
    return [f for f in report.findings if f.code is Code.MC701]


BREAKS = {
    "renamed_column": (
        'op.alter_column("users", "name", new_column_name="full_name")',
        'op.alter_column("users", "full_name", new_column_name="name")',
        "User (users), as the release at HEAD~1 uses it, fails after this revision: INSERT: "
        '[42703] column "name" of relation "users" does not exist',
    ),
    "dropped_column_still_mapped": (
        'op.drop_column("users", "quantity")',
        'op.add_column("users", sa.Column("quantity", sa.Integer))',
        "User (users), as the release at HEAD~1 uses it, fails after this revision: INSERT: "
        '[42703] column "quantity" of relation "users" does not exist',
    ),
    "not_null_without_server_default": (
        'op.add_column("users", sa.Column("status", sa.Text, nullable=False))',
        'op.drop_column("users", "status")',
        "User (users), as the release at HEAD~1 uses it, fails after this revision: INSERT: "
        '[23502] null value in column "status" of relation "users" violates not-null '
        "constraint",
    ),
    "narrowed_type": (
        'op.alter_column("users", "email", type_=sa.String(50))',
        'op.alter_column("users", "email", type_=sa.String(200))',
        "User (users), as the release at HEAD~1 uses it, fails after this revision: INSERT: "
        "[22001] value too long for type character varying(50)",
    ),
    "unique_over_repeated_values": (
        'op.create_unique_constraint("users_email_key", "users", ["email"])',
        'op.drop_constraint("users_email_key", "users")',
        "User (users), as the release at HEAD~1 uses it, fails after this revision: INSERT "
        "of a second row: [23505] duplicate key value violates unique constraint "
        '"users_email_key"',
    ),
    "check_the_old_inserts_violate": (
        'op.create_check_constraint("quantity_positive", "users", "quantity > 0")',
        'op.drop_constraint("quantity_positive", "users")',
        "User (users), as the release at HEAD~1 uses it, fails after this revision: INSERT "
        'with another quantity: [23514] new row for relation "users" violates check '
        'constraint "quantity_positive" (quantity = -1)',
    ),
}


@pytest.mark.parametrize("case", list(BREAKS))
def test_each_break_is_one_mc701_naming_the_revision(
    case: str, url_config: Config, tmp_path: Path
) -> None:
    upgrade, downgrade, message = BREAKS[case]
    (found,) = _deployed(url_config, _repository(tmp_path, upgrade, downgrade))
    assert (found.file, found.line, found.revision, found.message) == (
        "migrations/versions/0002_second.py",
        8,
        "0002",
        message,
    )


CLEAN = {
    "column_added_nullable": (
        'op.add_column("users", sa.Column("nickname", sa.Text))',
        'op.drop_column("users", "nickname")',
    ),
    "rename_expanded_with_a_trigger": (
        """
        op.add_column("users", sa.Column("full_name", sa.String(100)))
        op.execute(
            "CREATE FUNCTION users_full_name() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.full_name := coalesce(NEW.full_name, NEW.name); RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER users_full_name BEFORE INSERT OR UPDATE ON users "
            "FOR EACH ROW EXECUTE FUNCTION users_full_name()"
        )
        op.alter_column("users", "full_name", nullable=False)
        """,
        """
        op.execute("DROP TRIGGER users_full_name ON users")
        op.execute("DROP FUNCTION users_full_name()")
        op.drop_column("users", "full_name")
        """,
    ),
    "new_table": (
        'op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True), '
        'sa.Column("label", sa.Text, nullable=False))',
        'op.drop_table("tags")',
    ),
    "not_null_column_with_server_default": (
        'op.add_column("users", sa.Column("status", sa.Text, nullable=False, '
        'server_default="active"))',
        'op.drop_column("users", "status")',
    ),
    "index": (
        'op.create_index("users_email", "users", ["email"])',
        'op.drop_index("users_email", "users")',
    ),
    # What the release already kept to, spelt anew: the same check under another name and
    # over a wider type (its definition loses a cast).
    "check_renamed_and_type_widened": (
        """
        op.execute("ALTER TABLE users RENAME CONSTRAINT name_not_empty TO ck_users_name")
        op.alter_column("users", "name", type_=sa.Text)
        """,
        """
        op.alter_column("users", "name", type_=sa.String(100))
        op.execute("ALTER TABLE users RENAME CONSTRAINT ck_users_name TO name_not_empty")
        """,
    ),
    # The release writes its users' ids there: a foreign key over them holds.
    "foreign_key_over_a_column_the_release_fills": (
        'op.create_foreign_key("orders_reviewer", "orders", "users", ["reviewer_id"], ["id"])',
        'op.drop_constraint("orders_reviewer", "orders")',
    ),
    # The release sends its labels uncast: the type's name is not its business.
    "enum_type_renamed": (
        'op.execute("ALTER TYPE mood RENAME TO user_mood")',
        'op.execute("ALTER TYPE user_mood RENAME TO mood")',
    ),
}


@pytest.mark.parametrize("case", list(CLEAN))
def test_compatible_changes_break_nothing(case: str, url_config: Config, tmp_path: Path) -> None:
    upgrade, downgrade = CLEAN[case]
    assert _deployed(url_config, _repository(tmp_path, upgrade, downgrade)) == []


def test_the_break_is_blamed_on_the_revision_since_which_it_fails(
    url_config: Config, tmp_path: Path
) -> None:
    """Release 2 has two revisions; the second one breaks: the finding points at it."""
    folder = _repository(tmp_path, 'op.create_index("users_email", "users", ["email"])', "pass")
    third = (
        SECOND.format(
            upgrade='    op.drop_column("orders", "note")',
            downgrade='    op.add_column("orders", sa.Column("note", sa.Text))',
        )
        .replace('"0002"', '"0003"')
        .replace('"0001"', '"0002"')
    )
    (folder / "migrations" / "versions" / "0003_third.py").write_text(third)
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "release 2, more")
    (found,) = _deployed(url_config, folder, deploy_from="HEAD~2")
    assert (found.revision, found.file, found.message) == (
        "0003",
        "migrations/versions/0003_third.py",
        "Order (orders), as the release at HEAD~2 uses it, fails after this revision: "
        'INSERT: [42703] column "note" of relation "orders" does not exist',
    )


TREE_MODELS = """\
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(Text)


class Employee(Base):
    __tablename__ = "employees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "employee"}


class Engineer(Employee):
    language: Mapped[str | None] = mapped_column(Text)
    __mapper_args__ = {"polymorphic_identity": "engineer"}
"""

TREE_FIRST = """\
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("categories.id")),
        sa.Column("title", sa.Text, nullable=False),
    )
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("language", sa.Text),
    )


def downgrade():
    op.drop_table("employees")
    op.drop_table("categories")
"""


def test_a_self_reference_and_a_subclass_on_one_table_are_checked(
    url_config: Config, tmp_path: Path
) -> None:
    """A table whose rows refer to each other gets NULL there; a column only a subclass
    maps (single-table inheritance) is in the table's statements."""
    folder = _repository(
        tmp_path,
        """
        op.add_column("categories", sa.Column("slug", sa.Text, nullable=False))
        op.drop_column("employees", "language")
        """,
        "pass",
        models=TREE_MODELS,
        first=TREE_FIRST,
    )
    assert [f.message for f in _deployed(url_config, folder)] == [
        "Category (categories), as the release at HEAD~1 uses it, fails after this revision: "
        'INSERT: [23502] null value in column "slug" of relation "categories" violates '
        "not-null constraint",
        "Employee (employees), as the release at HEAD~1 uses it, fails after this revision: "
        'INSERT: [42703] column "language" of relation "employees" does not exist',
    ]


ROLE = "migcheck_test_app"
# The role the application connects as, and its privileges; roles belong to the server
# (shared by the tests), so made once whoever comes first.
GRANTED = FIRST.replace(
    "\n\n\ndef downgrade():",
    f"""
    op.execute(
        "DO $$ BEGIN CREATE ROLE {ROLE} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON users, orders TO {ROLE}")
    op.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")


def downgrade():""",
)


def test_row_level_security_applies_to_the_role_the_release_connects_as(
    url_config: Config, tmp_path: Path
) -> None:
    folder = _repository(
        tmp_path,
        """
        op.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY")
        op.execute("CREATE POLICY users_own ON users USING (name = current_user)")
        """,
        """
        op.execute("DROP POLICY users_own ON users")
        op.execute("ALTER TABLE users DISABLE ROW LEVEL SECURITY")
        """,
        first=GRANTED,
    )
    # As the owner, as without --deploy-role: policies do not apply.
    assert _deployed(url_config, folder) == []
    (found,) = _deployed(url_config, folder, deploy_role=ROLE)
    assert found.message == (
        "User (users), as the release at HEAD~1 uses it, fails after this revision: INSERT: "
        '[42501] new row violates row-level security policy for table "users"'
    )
    with pytest.raises(UsageError, match=r'^--deploy-role nobody_here: role "nobody_here" does'):
        _deployed(url_config, folder, deploy_role="nobody_here")


def test_a_release_without_models_gets_a_note(url_config: Config, tmp_path: Path) -> None:
    folder = _repository(tmp_path, 'op.drop_column("users", "quantity")', "pass")
    (folder / "migrations" / "env.py").write_text(
        ENV_PY.replace("target_metadata=Base.metadata", "target_metadata=None")
    )
    _git(folder, "commit", "-qam", "no models")
    _git(folder, "tag", "raw")
    (folder / "migrations" / "versions" / "0003_x.py").write_text(
        SECOND.format(upgrade="    pass", downgrade="    pass")
        .replace('"0002"', '"0003"')
        .replace('"0001"', '"0002"')
    )
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "release 3")
    config = replace(url_config, project_dir=folder, deploy_from="raw", rows=0, locks=False)
    report = check(replace(config, models=False))
    assert [f for f in report.findings if f.code is Code.MC701] == []
    assert any("the release at raw has no models" in n for r in report.runs for n in r.notes)


def test_models_that_moved_are_exit_2_unless_named(url_config: Config, tmp_path: Path) -> None:
    """Release 1's env.py imports its models from where release 1 does not have them
    (as when they moved): the import error, unless --deploy-models says where they were."""
    moved = ENV_PY.replace("from app.models import", "from app.schema import")
    folder = _repository(tmp_path, 'op.drop_column("users", "quantity")', "pass", env_py=moved)
    with pytest.raises(
        ProjectError, match=r"^--deploy-from HEAD~1: .*No module named 'app\.schema'"
    ):
        _deployed(url_config, folder)
    (found,) = _deployed(url_config, folder, deploy_models="app.models:Base")
    assert found.message.startswith("User (users), as the release at HEAD~1 uses it, fails")


def test_at_base_is_the_commit_changed_compares_with(url_config: Config, tmp_path: Path) -> None:
    folder = _repository(tmp_path, 'op.drop_column("users", "quantity")', "pass")
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD~1"], cwd=folder, capture_output=True, text=True, check=True
    ).stdout.strip()
    (found,) = _deployed(url_config, folder, deploy_from="@base", base="HEAD~1")
    assert found.message.startswith(
        f"User (users), as the release at {commit[:10]} uses it, fails after this revision: "
    )


def test_a_bad_ref_is_a_usage_error(url_config: Config, tmp_path: Path) -> None:
    folder = _repository(tmp_path, "pass", "pass")
    with pytest.raises(UsageError, match=r"^--deploy-from nope: no such commit"):
        _deployed(url_config, folder, deploy_from="nope")


def test_the_command_line_exit_codes(url_config: Config, tmp_path: Path) -> None:
    folder = _repository(tmp_path, 'op.drop_column("users", "quantity")', "pass")
    (url,) = url_config.urls
    command = [sys.executable, "-m", "migcheck", "check", "-c", str(folder / "alembic.ini")]
    command += ["--backend", "url", "--url", url, "--rows", "0", "--no-models"]
    broken = subprocess.run([*command, "--deploy-from", "HEAD~1"], capture_output=True, text=True)
    assert broken.returncode == 1, broken.stderr
    assert (
        "migrations/versions/0002_second.py:8: MC701 error: breaks the release running in "
        "production (revision 0002, PostgreSQL" in broken.stdout
    )
    bad = subprocess.run([*command, "--deploy-from", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.strip().endswith(
        f"--deploy-from nope: no such commit, branch or tag in {folder}"
    )


def test_a_second_row_repeats_only_what_the_model_lets_repeat() -> None:
    columns = tuple(
        OldColumn(
            name,
            "TEXT",
            cast=True,
            sets=True,
            key=key,
            distinct=key or name == "email",
            nullable=not key,
            references=None,
        )
        for name, key in (("id", True), ("email", False), ("name", False))
    )
    table = OldTable("User", "users", None, "users", columns, ())
    row = {"id": "1", "email": "a", "name": "n"}
    assert again(table, row, {"id": "2", "email": "b", "name": "m"}) == {
        "id": "2",
        "email": "b",
        "name": "n",
    }
