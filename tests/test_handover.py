"""What env.py is handed: URLs per driver, environment variables, -x arguments, the
project's modules; and what happens when env.py does not use what it was handed."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from migcheck import ProjectError, check, cli, settings, urls
from migcheck.config import Config
from migcheck.handover import Handover, driver_url

PROJECTS = Path(__file__).parent / "projects"
SOCKET_URL = "postgresql://postgres@/migcheck_1a2b?host=/tmp/migcheck-pg18-x"
TCP_URL = "postgresql://app:s%40cret@db.internal:6543/migcheck_1a2b?sslmode=require"


@pytest.mark.parametrize(
    ("url", "driver", "rendered"),
    [
        (
            SOCKET_URL,
            "psycopg",
            "postgresql+psycopg://postgres@/migcheck_1a2b?host=/tmp/migcheck-pg18-x",
        ),
        (
            SOCKET_URL,
            "psycopg2",
            "postgresql+psycopg2://postgres@/migcheck_1a2b?host=/tmp/migcheck-pg18-x",
        ),
        (
            SOCKET_URL,
            "asyncpg",
            "postgresql+asyncpg://postgres@/migcheck_1a2b?host=/tmp/migcheck-pg18-x",
        ),
        (
            SOCKET_URL,
            "pg8000",
            "postgresql+pg8000://postgres@/migcheck_1a2b?unix_sock=/tmp/migcheck-pg18-x/.s.PGSQL.5432",
        ),
        (
            TCP_URL,
            "psycopg",
            "postgresql+psycopg://app:s%40cret@db.internal:6543/migcheck_1a2b?sslmode=require",
        ),
        (
            TCP_URL,
            "asyncpg",
            "postgresql+asyncpg://app:s%40cret@db.internal:6543/migcheck_1a2b?ssl=require",
        ),
        (
            TCP_URL,
            "pg8000",
            "postgresql+pg8000://app:s%40cret@db.internal:6543/migcheck_1a2b?sslmode=require",
        ),
    ],
)
def test_driver_urls(url: str, driver: str, rendered: str) -> None:
    assert driver_url(url, driver) == rendered  # type: ignore[arg-type]


@pytest.mark.server
def test_the_project_runs_in_a_process_of_its_own(
    url_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's modules, its environment variables and its working directory stay
    in the runner: migcheck's process is as it was."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://prod-db/app")
    environment, cwd, path = dict(os.environ), os.getcwd(), list(sys.path)
    modules = set(sys.modules)
    for case in ("url_from_settings_read_at_import", "url_from_environment", "flask_app_context"):
        folder = PROJECTS / case
        expected = json.loads((folder / "expected.json").read_text())
        fields = expected.get("config", {})
        configured = replace(url_config, project_dir=folder, **fields)
        report = check(settings.apply(configured, keep=fields))
        found = sorted((f.code, f.revision or "") for f in report.findings)
        assert found == sorted((f["code"], f["revision"] or "") for f in expected["findings"])
    assert dict(os.environ) == environment
    assert os.getcwd() == cwd
    assert sys.path == path
    imported = [sys.modules[name] for name in set(sys.modules) - modules]
    projects = str(PROJECTS.resolve())
    assert not [m for m in imported if str(getattr(m, "__file__", "")).startswith(projects)]


def test_forms_name_every_handover() -> None:
    handover = Handover(url_env=("DATABASE_URL",), x_args=("dburl={url}",), driver="psycopg2")
    assert handover.forms() == (
        "config.attributes['connection'], sqlalchemy.url, $DATABASE_URL, -x dburl={url}"
    )
    assert Handover(driver="asyncpg", sync_driver="psycopg").forms() == "sqlalchemy.url"


def _check(case: str, config: Config, **fields: object) -> list[tuple[str, str | None, str]]:
    folder = PROJECTS / case
    expected = json.loads((folder / "expected.json").read_text()).get("config", {})
    configured = settings.apply(replace(config, project_dir=folder, **expected), keep=expected)
    report = check(replace(configured, **fields))  # type: ignore[arg-type]
    return [(f.code, f.revision, f.message) for f in report.findings]


@pytest.mark.server
@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
def test_async_env_py_with_either_async_driver(driver: str, url_config: Config) -> None:
    """Alembic's async template builds its engine from sqlalchemy.url, with the driver in
    it; the database's message and SQLSTATE come out the same."""
    found = _check("async_template", url_config, driver=driver)
    assert [code for code, _, _ in found] == ["MC506", "MC506", "MC101"]
    assert found[-1] == ("MC101", "b1c2d3e4f5a6", '[42703] column "owner" does not exist')
    # The statements of the async connection are observed too: notes references users.
    assert found[0][2].startswith("`CREATE TABLE notes (")
    assert found[0][2].endswith(" took a SHARE ROW EXCLUSIVE lock on table users with no "
                                "lock_timeout: queued behind a long transaction, it makes "
                                "every query on users wait behind it")  # fmt: skip


@pytest.mark.server
@pytest.mark.parametrize("driver", ["psycopg", "psycopg2", "pg8000"])
def test_every_sync_driver_reports_the_same_failure(driver: str, url_config: Config) -> None:
    """The connection handed over uses the driver."""
    found = _check("upgrade_fails", url_config, driver=driver)
    assert found == [("MC101", "0002", '[42P01] relation "order" does not exist')]


# The broken runs leave coroutines of the driver unawaited; collected within the test.
NEVER_AWAITED = "ignore:coroutine .* was never awaited:RuntimeWarning"


@pytest.mark.server
@pytest.mark.filterwarnings(NEVER_AWAITED)
@pytest.mark.parametrize(
    ("case", "driver", "hint"),
    [
        ("upgrade_fails", "asyncpg", "env.py is synchronous: the driver asyncpg needs an async"),
        ("async_template", "pg8000", "env.py is async: the driver must be asyncpg or psycopg"),
    ],
)
def test_a_driver_that_does_not_fit_env_py_is_named(
    case: str, driver: str, hint: str, url_config: Config
) -> None:
    with pytest.raises(
        ProjectError, match=r"env\.py failed before running any migration"
    ) as raised:
        _check(case, url_config, driver=driver)
    assert hint in str(raised.value)
    gc.collect()


def _project(folder: Path, env: str, *, ini_extra: str = "") -> Path:
    (folder / "migrations" / "versions").mkdir(parents=True)
    (folder / "alembic.ini").write_text(
        f"[alembic]\nscript_location = %(here)s/migrations\n{ini_extra}"
    )
    (folder / "migrations" / "env.py").write_text(env)
    (folder / "migrations" / "versions" / "0001_create_t.py").write_text(
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "0001"\n'
        "down_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
        'def upgrade():\n    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))\n'
        '\n\ndef downgrade():\n    op.drop_table("t")\n'
    )
    return folder


OWN_ENGINE = """
import os
from alembic import context
from sqlalchemy import create_engine, pool

engine = create_engine(os.environ["OTHER_DATABASE_URL"], poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    {body}
"""


@pytest.mark.server
def test_env_py_reaching_for_another_database_is_refused(
    tmp_path: Path, url_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """env.py ignores what it is handed and connects to the database its variable names
    (a developer's own): refused before any statement, and that database is unchanged."""
    import psycopg

    from migcheck.provision import Server, scratch_database

    assert url_config.urls
    server = Server(url_config.urls[0], 0, "", "url")
    body = "with context.begin_transaction():\n        context.run_migrations()"
    folder = _project(tmp_path, OWN_ENGINE.format(body=body))
    with scratch_database(server) as other:
        name = urls.parse(other).database
        with psycopg.connect(other, autocommit=True) as connection:
            connection.execute("CREATE TABLE precious (id int)")
            connection.execute("INSERT INTO precious VALUES (1)")
        monkeypatch.setenv(
            "OTHER_DATABASE_URL", other.replace("postgresql://", "postgresql+psycopg://")
        )
        with pytest.raises(ProjectError) as raised:
            check(replace(url_config, project_dir=folder))
        with psycopg.connect(other, autocommit=True) as connection:
            tables = connection.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                "'public'::regnamespace ORDER BY 1"
            ).fetchall()
            assert tables == [("precious",)]
            assert connection.execute("SELECT * FROM precious").fetchall() == [(1,)]
    message = str(raised.value)
    assert message.startswith(
        "migrations/env.py:7: env.py failed before running any migration: migcheck: "
        f"RefusedConnection: migcheck refused a connection of the project's code to database "
        f"'{name}' on "
    )
    assert "before any statement ran: only the scratch database 'migcheck_" in message


@pytest.mark.server
def test_the_common_variables_point_at_the_scratch_database(
    tmp_path: Path, url_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DATABASE_URL of the developer's shell: env.py reading it gets the scratch database."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/production")
    env = OWN_ENGINE.replace('"OTHER_DATABASE_URL"', '"DATABASE_URL"')
    body = "with context.begin_transaction():\n        context.run_migrations()"
    folder = _project(tmp_path, env.format(body=body))
    report = check(replace(url_config, project_dir=folder))
    assert report.findings == ()
    assert report.runs[0].walked == ("0001",)


@pytest.mark.server
def test_env_py_not_committing_is_a_project_error(
    tmp_path: Path, url_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "context.run_migrations()  # no begin_transaction(): rolled back at close"
    folder = _project(tmp_path, OWN_ENGINE.format(body=body))
    monkeypatch.setenv("OTHER_DATABASE_URL", "placeholder")
    with pytest.raises(ProjectError, match="did not commit"):
        check(replace(url_config, project_dir=folder, url_env=("OTHER_DATABASE_URL",)))


@pytest.mark.server
def test_env_py_running_nothing_is_a_project_error(tmp_path: Path, url_config: Config) -> None:
    folder = _project(tmp_path, "from alembic import context\nconfig = context.config\n")
    with pytest.raises(ProjectError, match=r"env.py ran no migration \(it did not call"):
        check(replace(url_config, project_dir=folder))


@pytest.mark.server
def test_env_py_exiting_is_exit_2_naming_the_file(
    tmp_path: Path, url_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _project(tmp_path, "import sys\nsys.exit('set APP_ENV first')\n")
    assert url_config.urls
    code = cli.run(["check", "-c", str(folder / "alembic.ini"), "--url", url_config.urls[0]])
    err = capsys.readouterr().err
    assert code == 2
    assert "migrations/env.py:2: env.py failed before running any migration: " in err
    assert "SystemExit: set APP_ENV first" in err
    assert "Traceback" not in err


@pytest.mark.server
@pytest.mark.filterwarnings(NEVER_AWAITED)
def test_async_env_py_reusing_its_engine_gets_a_hint(tmp_path: Path, url_config: Config) -> None:
    """`alembic` starts a process per command; migcheck runs env.py many times in one."""
    source = (PROJECTS / "async_own_engine").resolve()
    target = tmp_path / "polls"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    env = target / "migrations" / "env.py"
    env.write_text(env.read_text().replace("    await engine.dispose()\n", ""))
    config = settings.apply(replace(url_config, project_dir=target))
    with pytest.raises(
        ProjectError, match=r"end run_async_migrations\(\) with `await engine.dispose\(\)`"
    ):
        check(config)
    gc.collect()


@pytest.mark.server
def test_env_py_putting_the_handed_url_into_its_config_as_it_is(
    tmp_path: Path, url_config: Config
) -> None:
    """The README's env.py: ``config.set_main_option("sqlalchemy.url", os.environ[...])``.
    Alembic's ConfigParser takes ``%`` for interpolation, so the URL of a server on a
    Unix socket is handed with the folder's slashes as they are."""
    env = (
        "import os\n"
        "from alembic import context\n"
        "from sqlalchemy import engine_from_config, pool\n\n"
        "config = context.config\n"
        'config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])\n'
        "engine = engine_from_config(\n"
        '    config.get_section(config.config_ini_section), prefix="sqlalchemy.",\n'
        "    poolclass=pool.NullPool,\n"
        ")\n"
        "with engine.connect() as connection:\n"
        "    context.configure(connection=connection)\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n"
    )
    folder = _project(tmp_path, env)
    assert "?host=/" in url_config.urls[0]
    report = check(replace(url_config, project_dir=folder, url_env=("DATABASE_URL",)))
    assert report.findings == ()
    assert [run.revisions for run in report.runs] == [1]
    # A URL that holds a % (a password's special character, say) fails there: the hint
    # says why and what to do.
    env_py = folder / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            'os.environ["DATABASE_URL"]', 'os.environ["DATABASE_URL"] + "&application_name=a%2Fb"'
        )
    )
    with pytest.raises(ProjectError) as raised:
        check(replace(url_config, project_dir=folder, url_env=("DATABASE_URL",)))
    assert "invalid interpolation syntax" in str(raised.value)
    assert str(raised.value).endswith(
        "double them, set_main_option(name, url.replace('%', '%%')), or hand the URL to "
        "create_engine() instead)"
    )
