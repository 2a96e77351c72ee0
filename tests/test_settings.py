"""[tool.migcheck] and migcheck.toml: where they are found, what they may hold, and how the
command line overrides them."""

from __future__ import annotations

from pathlib import Path

import pytest

from migcheck import cli, settings
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Report

INI = "[alembic]\nscript_location = %(here)s/migrations\n"


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def test_pyproject_table_sets_config_fields(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "alembic.ini": INI,
            "pyproject.toml": (
                '[project]\nname = "app"\n\n[tool.migcheck]\n'
                'url_env = ["DATABASE_URL", "MYAPP__DB__URL"]\n'
                'x = "dburl={url}"\ndriver = "asyncpg"\n'
                'context = "myapp.testing:app_context"\n'
                'bootstrap = "myapp.schema:create_all"\nbootstrap_sql = "db/schema.sql"\n'
            ),
        },
    )
    config = settings.apply(Config(project_dir=tmp_path))
    assert config.url_env == ("DATABASE_URL", "MYAPP__DB__URL")
    assert config.x_args == ("dburl={url}",)
    assert config.driver == "asyncpg"
    assert config.context == "myapp.testing:app_context"
    assert config.bootstrap == "myapp.schema:create_all"
    assert config.bootstrap_sql == str(tmp_path.resolve() / "db" / "schema.sql")
    assert config.settings_file == tmp_path.resolve() / "pyproject.toml"


def test_migcheck_toml_for_projects_without_pyproject(tmp_path: Path) -> None:
    write(tmp_path, {"alembic.ini": INI, "migcheck.toml": 'driver = "pg8000"\n'})
    config = settings.apply(Config(project_dir=tmp_path))
    assert config.driver == "pg8000"
    assert config.settings_file == tmp_path.resolve() / "migcheck.toml"


def test_found_above_the_alembic_folder_up_to_the_project_root(tmp_path: Path) -> None:
    """Flask-Migrate keeps alembic.ini in migrations/; the settings are at the root."""
    write(
        tmp_path,
        {
            "repo/pyproject.toml": '[tool.migcheck]\ncontext = "app:ctx"\n',
            "repo/migrations/alembic.ini": "[alembic]\n",
            "pyproject.toml": '[tool.migcheck]\ndriver = "pg8000"\n',
        },
    )
    config = settings.apply(
        Config(project_dir=tmp_path / "repo", alembic_ini="migrations/alembic.ini")
    )
    assert config.context == "app:ctx"
    assert config.driver == "psycopg"  # the outer project's file is not read


def test_search_stops_at_a_pyproject_without_the_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "migcheck.toml": 'driver = "pg8000"\n',
            "inner/pyproject.toml": '[project]\nname = "inner"\n',
            "inner/alembic.ini": INI,
        },
    )
    assert settings.find(tmp_path / "inner") is None
    assert settings.apply(Config(project_dir=tmp_path / "inner")).settings_file is None


def test_unknown_key_is_named(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.migcheck]\nurl-env = ["DATABASE_URL"]\n'})
    with pytest.raises(UsageError, match=r"\[tool.migcheck\]: unknown key 'url-env'"):
        settings.apply(Config(project_dir=tmp_path))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("url_env = 3", "url_env: expected a string or a list of strings, found 3"),
        ('driver = "mysqlclient"', "driver: expected one of psycopg, psycopg2, asyncpg, pg8000"),
        ('context = "myapp.testing"', 'context: expected "package.module:function"'),
        ('bootstrap_sql = ""', "bootstrap_sql: expected a non-empty string"),
    ],
)
def test_bad_values_are_usage_errors(tmp_path: Path, line: str, message: str) -> None:
    write(tmp_path, {"migcheck.toml": line + "\n"})
    with pytest.raises(UsageError, match=r"migcheck\.toml: ") as raised:
        settings.apply(Config(project_dir=tmp_path))
    assert message in str(raised.value)


def test_two_settings_files_in_one_folder_are_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pyproject.toml": '[tool.migcheck]\ndriver = "pg8000"\n', "migcheck.toml": ""},
    )
    with pytest.raises(UsageError, match="keep one"):
        settings.apply(Config(project_dir=tmp_path))


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, {"migcheck.toml": "driver = \n"})
    with pytest.raises(UsageError, match=r"migcheck.toml: not valid TOML"):
        settings.apply(Config(project_dir=tmp_path))


def test_fields_set_on_the_command_line_are_kept(tmp_path: Path) -> None:
    write(tmp_path, {"migcheck.toml": 'driver = "pg8000"\nurl_env = "DATABASE_URL"\n'})
    config = settings.apply(Config(project_dir=tmp_path, driver="asyncpg"), keep={"driver"})
    assert (config.driver, config.url_env) == ("asyncpg", ("DATABASE_URL",))


class _Recorder:
    def __init__(self) -> None:
        self.configs: list[Config] = []

    def __call__(self, config: Config, **kwargs: object) -> Report:
        self.configs.append(config)
        return Report()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> _Recorder:
    recorder = _Recorder()
    monkeypatch.setattr(cli, "run_check", recorder)
    return recorder


def test_command_line_overrides_the_file(
    tmp_path: Path, recorded: _Recorder, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "alembic.ini": INI,
            "pyproject.toml": (
                '[tool.migcheck]\ndriver = "pg8000"\nurl_env = ["DATABASE_URL"]\n'
                'x = ["dburl={url}"]\n'
            ),
        },
    )
    args = ["check", "-c", str(tmp_path / "alembic.ini"), "--driver", "asyncpg"]
    code = cli._run(cli.cli, [*args, "--x", "tenant=acme", "-x", "url={url}"])
    assert code == 0, capsys.readouterr().err
    (config,) = recorded.configs
    assert config.driver == "asyncpg"
    assert config.x_args == ("tenant=acme", "url={url}")
    assert config.url_env == ("DATABASE_URL",)  # not given on the command line: the file's


def test_unknown_key_exits_2_naming_it(
    tmp_path: Path, recorded: _Recorder, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"alembic.ini": INI, "migcheck.toml": 'drivers = "pg8000"\n'})
    code = cli._run(cli.cli, ["check", "-c", str(tmp_path / "alembic.ini")])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown key 'drivers'" in err
    assert recorded.configs == []


def test_pg_and_jobs_defaults_come_from_the_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.migcheck]\npg = [16, "13-14"]\njobs = 2\n')
    config = settings.apply(Config(project_dir=tmp_path))
    assert config.pg_versions == (13, 14, 16)
    assert config.jobs == 2
    kept = settings.apply(Config(project_dir=tmp_path, pg_versions=(18,)), keep={"pg_versions"})
    assert kept.pg_versions == (18,)


@pytest.mark.parametrize(
    ("line", "message"),
    [("pg = 'sixteen'", "pg: 'sixteen'"), ("jobs = 0", "jobs: expected a whole number")],
)
def test_bad_pg_and_jobs_are_named(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.migcheck]\n{line}\n")
    with pytest.raises(UsageError, match=message):
        settings.apply(Config(project_dir=tmp_path))
