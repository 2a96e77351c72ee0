"""[tool.migcheck] and migcheck.toml: where they are found, what they may hold, and how the
command line overrides them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from servers import Servers

from migcheck import cli, options, settings
from migcheck.cli import check as cli_check
from migcheck.cli import config as cli_config
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Report
from migcheck.provision import Server, local

INI = "[alembic]\nscript_location = %(here)s/migrations\n"

ROOT_PROJECT = Path(__file__).parent / "projects" / "clean_linear_history"


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
    assert config.driver is None  # the outer project's file is not read


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
    monkeypatch.setattr(cli_check, "run_check", recorder)
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
    code = cli.run([*args, "--x", "tenant=acme", "-x", "url={url}"])
    assert code == 0, capsys.readouterr().err
    (config,) = recorded.configs
    assert config.driver == "asyncpg"
    assert config.x_args == ("tenant=acme", "url={url}")
    assert config.url_env == ("DATABASE_URL",)  # not given on the command line: the file's


def test_unknown_key_exits_2_naming_it(
    tmp_path: Path, recorded: _Recorder, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"alembic.ini": INI, "migcheck.toml": 'drivers = "pg8000"\n'})
    code = cli.run(["check", "-c", str(tmp_path / "alembic.ini")])
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


# Every key: (command that has it, TOML value, the value migcheck config shows, the command
# line that overrides it, the value then). "{dir}" stands for the settings file's folder.
KEYS = {
    "config": (
        "check",
        '"migrations/alembic.ini"',
        "{dir}/migrations/alembic.ini",
        ["-c", "x.ini"],
        "x.ini",
    ),
    "name": ("check", '"reporting"', "reporting", ["-n", "sales"], "sales"),
    "pg": ("check", '[14, "16-17"]', [14, 16, 17], ["--pg", "13"], [13]),
    "backend": ("check", '"local"', "local", ["--backend", "docker"], "docker"),
    "url": (
        "check",
        '"postgresql://ci@db/postgres"',
        ["postgresql://ci@db/postgres"],
        ["--url", "postgresql://h/x"],
        ["postgresql://h/x"],
    ),
    "pg_bin": ("check", '"pg/bin"', "{dir}/pg/bin", ["--pg-bin", "/opt/pg"], "/opt/pg"),
    "image": (
        "check",
        '"mirror/pg:{version}"',
        "mirror/pg:{version}",
        ["--image", "pg:{version}"],
        "pg:{version}",
    ),
    "reuse": ("check", "true", True, ["--no-reuse"], False),
    "jobs": ("check", "2", 2, ["-j", "1"], 1),
    "rows": ("check", "20", 20, ["--rows", "0"], 0),
    "seed": ("check", "7", 7, ["--seed", "3"], 3),
    "locks": ("check", "false", False, ["--locks"], True),
    "from": ("check", '"ab12"', "ab12", ["--from", "cd34"], "cd34"),
    "to": ("check", '"head"', "head", ["--to", "ab12"], "ab12"),
    "changed": ("check", "true", True, ["--no-changed"], False),
    "base": ("check", '"origin/main"', "origin/main", ["--base", "dev"], "dev"),
    "deploy_from": ("check", '"v1.4"', "v1.4", ["--deploy-from", "@base"], "@base"),
    "deploy_models": (
        "check",
        '"app.models:Base"',
        "app.models:Base",
        ["--deploy-models", "app.db:Base"],
        "app.db:Base",
    ),
    "deploy_role": ("check", '"app_user"', "app_user", ["--deploy-role", "web"], "web"),
    "url_env": ("check", '"DATABASE_URL"', ["DATABASE_URL"], ["--url-env", "DB"], ["DB"]),
    "x": ("check", '["dburl={url}", "data=1"]', ["dburl={url}", "data=1"], ["-x", "a=b"], ["a=b"]),
    "driver": ("check", '"asyncpg"', "asyncpg", ["--driver", "pg8000"], "pg8000"),
    "format": ("check", '"sarif"', "sarif", ["--format", "json"], "json"),
    "output": (
        "check",
        '"junit:report.xml"',
        ["junit:report.xml"],
        ["-o", "out.json"],
        ["out.json"],
    ),
    "static": ("check", "true", True, ["--no-static"], False),
    "schema": ("diff", '["app", "audit"]', ["app", "audit"], ["--schema", "public"], ["public"]),
    "exclude_table": ("diff", '"tmp_*"', ["tmp_*"], ["--exclude-table", "audit.*"], ["audit.*"]),
    "models": (
        "check",
        '"app.models:Base"',
        "app.models:Base",
        ["--models", "app.db:metadata"],
        "app.db:metadata",
    ),
    "no_models": ("check", "true", True, ["--compare-models"], False),
    "python": (
        "check",
        '"venv/bin/python"',
        "{dir}/venv/bin/python",
        ["--python", "/usr/bin/python3"],
        "/usr/bin/python3",
    ),
    "step_timeout": ("check", "30", 30.0, ["--step-timeout", "5"], 5.0),
    "verbose": ("check", "true", True, ["--no-verbose"], False),
}
# Keys no option sets: (TOML value, the value migcheck config shows).
FILE_ONLY = {
    "context": ('"app.testing:context"', "app.testing:context"),
    "bootstrap": ('"app.legacy:create_all"', "app.legacy:create_all"),
    "bootstrap_sql": ('"db/schema.sql"', "{dir}/db/schema.sql"),
    "rows_hook": ('"app.testing:rows"', "app.testing:rows"),
    "rows_sql": ('"migrations/rows"', "{dir}/migrations/rows"),
    "ignore": (
        '[{code = "MC201", revision = "ab12", pg = 16, reason = "kept for old clients"}]',
        [{"code": "MC201", "revision": "ab12", "pg": 16, "reason": "kept for old clients"}],
    ),
    "severity": ('{ MC506 = "info", MC501 = "error" }', {"MC501": "error", "MC506": "info"}),
}


def _options(command: str) -> set[str]:
    return {row.key for row in options.for_command(command).values() if row.flags}


def _field(key: str) -> str | None:
    (field,) = {row.field for row in settings.KEYS[key]}
    return field


def test_every_option_is_a_key_and_every_key_is_tested() -> None:
    found = set().union(*(_options(command) for command in options.SETTINGS_COMMANDS))
    file_only = {key for key, rows in settings.KEYS.items() if not any(r.flags for r in rows)}
    assert found == set(settings.KEYS) - file_only
    assert file_only == set(FILE_ONLY)
    assert set(KEYS) | set(FILE_ONLY) == set(settings.KEYS)


def _shown(
    folder: Path, command: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> dict[str, dict[str, object]]:
    code = cli.run(["config", "--format", "json", command, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert document["command"] == command
    values: dict[str, dict[str, object]] = document["values"]
    return values


def _expand(value: object, folder: Path) -> object:
    return value.replace("{dir}", str(folder)) if isinstance(value, str) else value


@pytest.mark.parametrize("key", sorted(KEYS))
def test_each_key_sets_its_option_and_the_command_line_wins(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command, toml, shown, args, overridden = KEYS[key]
    if key not in _options(command):
        pytest.fail(f"migcheck {command} has no option for the key {key!r}")
    folder = tmp_path.resolve()
    write(folder, {"pyproject.toml": f"[tool.migcheck]\n{key} = {toml}\n"})
    monkeypatch.chdir(folder)
    found = _shown(folder, command, [], capsys)[key]
    label = f"{folder / 'pyproject.toml'}: [tool.migcheck]"
    assert found == {"value": _expand(shown, folder), "source": label}
    assert _shown(folder, command, args, capsys)[key] == {
        "value": overridden,
        "source": "command line",
    }


@pytest.mark.parametrize("key", sorted(FILE_ONLY))
def test_keys_without_an_option_are_shown_with_their_file(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toml, shown = FILE_ONLY[key]
    folder = tmp_path.resolve()
    monkeypatch.chdir(folder)
    assert _shown(folder, "check", [], capsys)[key]["source"] == "default"
    write(folder, {"migcheck.toml": f"{key} = {toml}\n"})
    found = _shown(folder, "check", [], capsys)[key]
    assert found == {"value": _expand(shown, folder), "source": str(folder / "migcheck.toml")}


def test_check_runs_with_the_files_values(
    tmp_path: Path, recorded: _Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key that sets a Config field reaches the Config check() is called with."""
    folder = tmp_path.resolve()
    lines = [f"{key} = {KEYS[key][1]}" for key in KEYS if _field(key) and key != "reuse"]
    lines += [f"{key} = {toml}" for key, (toml, _) in FILE_ONLY.items()]
    write(folder, {"pyproject.toml": "[tool.migcheck]\n" + "\n".join(lines) + "\n"})
    monkeypatch.chdir(folder)
    assert cli.run(["check"]) == 0
    (config,) = recorded.configs
    assert config.ini_path.resolve() == folder / "alembic.ini"
    assert config.settings_file == folder / "pyproject.toml"
    for key, (_, _, shown, _, _) in KEYS.items():
        field = _field(key)
        if field and key != "reuse":
            assert cli_config._plain(key, getattr(config, field)) == _expand(shown, folder), key
    for key, (_, shown) in FILE_ONLY.items():
        field = str(_field(key))
        assert cli_config._plain(key, getattr(config, field)) == _expand(shown, folder), key
    (entry,) = config.ignore
    assert entry.source == f"{folder / 'pyproject.toml'}: [tool.migcheck]: ignore entry 1"


BAD = {
    "config": ("3", "config: expected a non-empty string, found 3"),
    "name": ('""', "name: expected a non-empty string, found ''"),
    "pg": ('"sixteen"', "pg: 'sixteen' is not a major version"),
    "backend": ('"podman"', "backend: expected one of auto, local, docker, url, found 'podman'"),
    "url": ("5", "url: expected a string or a list of strings, found 5"),
    "pg_bin": ("[]", "pg_bin: expected a non-empty string, found []"),
    "image": ("true", "image: expected a non-empty string, found True"),
    "reuse": ('"yes"', "reuse: expected true or false, found 'yes'"),
    "jobs": ("0", "jobs: expected a whole number of 1 or more, found 0"),
    "rows": ("-1", "rows: expected a whole number of 0 or more, found -1"),
    "seed": ('"x"', "seed: expected a whole number of 0 or more, found 'x'"),
    "rows_hook": ('"rows"', 'rows_hook: expected "package.module:function"'),
    "rows_sql": ("[]", "rows_sql: expected a non-empty string, found []"),
    "from": ("1", "from: expected a non-empty string, found 1"),
    "to": ("[]", "to: expected a non-empty string, found []"),
    "changed": ("1", "changed: expected true or false, found 1"),
    "base": ('""', "base: expected a non-empty string"),
    "deploy_from": ('""', "deploy_from: expected a non-empty string"),
    "deploy_models": ('"app.models"', 'deploy_models: expected "package.module:function"'),
    "deploy_role": ("[]", "deploy_role: expected a non-empty string, found []"),
    "url_env": ("3", "url_env: expected a string or a list of strings, found 3"),
    "x": ("{a = 1}", "x: expected a string or a list of strings"),
    "driver": ('"mysqlclient"', "driver: expected one of psycopg, psycopg2, asyncpg, pg8000"),
    "models": ('"app.models"', 'models: expected "package.module:function"'),
    "no_models": ('"yes"', "no_models: expected true or false, found 'yes'"),
    "python": ('""', "python: expected a non-empty string, found ''"),
    "step_timeout": (
        '"ten"',
        "step_timeout: expected a number of seconds (0: no limit), found 'ten'",
    ),
    "verbose": ("1", "verbose: expected true or false, found 1"),
    "format": ('"pdf"', "format: expected one of github, json, junit, markdown, sarif, text"),
    "output": ("3", "output: expected a string or a list of strings, found 3"),
    "static": ('"no"', "static: expected true or false, found 'no'"),
    "schema": ("1", "schema: expected a string or a list of strings, found 1"),
    "exclude_table": ("[1]", "exclude_table: expected a string or a list of strings"),
    "context": ('"myapp.testing"', 'context: expected "package.module:function"'),
    "bootstrap": ("1", 'bootstrap: expected "package.module:function", found 1'),
    "bootstrap_sql": ('""', "bootstrap_sql: expected a non-empty string"),
    "ignore": ('{code = "MC201"}', "ignore: expected a list of"),
    "locks": ('"no"', "locks: expected true or false, found 'no'"),
    "severity": ('{ MC999 = "error" }', "severity: 'MC999' is not a migcheck finding code"),
}


def test_every_key_has_a_bad_value_case() -> None:
    assert set(BAD) == set(settings.KEYS)


@pytest.mark.parametrize("key", sorted(BAD))
def test_a_bad_value_exits_2_naming_the_file_and_key(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toml, message = BAD[key]
    folder = tmp_path.resolve()
    write(folder, {"pyproject.toml": f"[tool.migcheck]\n{key} = {toml}\n"})
    monkeypatch.chdir(folder)
    command = KEYS[key][0] if key in KEYS else "check"
    code = cli.run(["config", command])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"migcheck: {folder / 'pyproject.toml'}: [tool.migcheck]: {message}")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{code = "MC201"}', 'ignore entry 1 (MC201): a reason is required: reason = "'),
        ('{code = "MC201", reason = "  "}', "ignore entry 1 (MC201): a reason is required"),
        ('{code = "MC999", reason = "r"}', "ignore entry 1: code 'MC999' is not a migcheck"),
        ('{code = "MC201", reason = "r", why = "x"}', "ignore entry 1: unknown key 'why'"),
        ('{code = "MC201", reason = "r", pg = "16"}', "ignore entry 1 (MC201): pg: expected"),
        ('{code = "MC201", reason = "r", revision = 12}', "(MC201): revision: expected"),
    ],
)
def test_bad_ignore_entries_are_named(tmp_path: Path, entry: str, message: str) -> None:
    write(tmp_path, {"migcheck.toml": f"ignore = [{entry}]\n"})
    with pytest.raises(UsageError, match=r"migcheck\.toml: ") as raised:
        settings.apply(Config(project_dir=tmp_path))
    assert message in str(raised.value)


def test_a_command_table_wins_for_its_command_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path.resolve()
    write(
        folder,
        {
            "pyproject.toml": (
                '[tool.migcheck]\npg = 16\nformat = "json"\n\n'
                '[tool.migcheck.check]\npg = "13-18"\nformat = "sarif"\n'
            )
        },
    )
    monkeypatch.chdir(folder)
    top = f"{folder / 'pyproject.toml'}: [tool.migcheck]"
    check = _shown(folder, "check", [], capsys)
    assert check["pg"] == {"value": [13, 14, 15, 16, 17, 18], "source": f"{top[:-1]}.check]"}
    assert check["format"] == {"value": "sarif", "source": f"{top[:-1]}.check]"}
    diff = _shown(folder, "diff", [], capsys)
    assert diff["pg"] == {"value": [16], "source": top}
    assert diff["format"] == {"value": "json", "source": top}


def test_a_shared_value_one_command_rejects_says_where_it_belongs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"migcheck.toml": 'format = "sarif"\n'})
    monkeypatch.chdir(tmp_path)
    assert cli.run(["config", "check"]) == 0
    capsys.readouterr()
    assert cli.run(["config", "snapshot"]) == 2
    err = capsys.readouterr().err
    assert "migcheck.toml: format: expected one of text, json, found 'sarif'" in err
    assert "a value for one command goes in its table [snapshot]" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.migcheck.chek]\nformat = 'json'\n", "unknown key 'chek' (did you mean 'check'?)"),
        (
            "[tool.migcheck.check]\nurl-env = 'A'\n",
            "[tool.migcheck.check]: unknown key 'url-env' (did you mean 'url_env'?)",
        ),
        (
            "[tool.migcheck.snapshot]\njobs = 2\n",
            "[tool.migcheck.snapshot]: 'jobs' is not an option of migcheck snapshot",
        ),
    ],
)
def test_unknown_keys_of_command_tables_are_named(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    write(tmp_path, {"pyproject.toml": text})
    monkeypatch.chdir(tmp_path)
    assert cli.run(["config", "snapshot"]) == 2
    assert message in capsys.readouterr().err


COLUMNS = re.compile(r"\s{2,}")


def test_config_text_shows_each_value_and_where_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path.resolve()
    write(
        folder,
        {
            "pyproject.toml": (
                '[tool.migcheck]\nconfig = "migrations/alembic.ini"\njobs = 2\n'
                'url = "postgresql://ci:s3cret@db/postgres"\n'
            )
        },
    )
    monkeypatch.chdir(folder)
    code = cli.run(["config", "check", "--pg", "16", "--backend", "url"])
    out = capsys.readouterr().out
    assert code == 0
    rows = {key: rest for key, *rest in map(COLUMNS.split, out.splitlines()[1:])}
    label = f"{folder / 'pyproject.toml'}: [tool.migcheck]"
    assert out.splitlines()[0] == f"migcheck check: settings from {folder / 'pyproject.toml'}"
    assert rows["config"] == [f'"{folder}/migrations/alembic.ini"', label]
    assert rows["jobs"] == ["2", label]
    assert rows["pg"] == ["[16]", "command line"]
    assert rows["backend"] == ['"url"', "command line"]
    assert rows["url"] == ['["postgresql://ci:***@db/postgres"]', label]
    assert rows["driver"] == ["(not set)", "default"]
    assert rows["context"] == ["(not set)", "default"]
    assert "s3cret" not in out


def test_config_without_a_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert cli.run(["config"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "migcheck check: settings from no settings file"
    # Each value is the default; what auto and no version come to is said beside them.
    assert all(re.search(r"default(  \(here: .+\))?$", line) for line in out.splitlines()[1:])


def test_config_names_the_commands_that_read_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["config", "cleanup"]) == 2
    assert (
        "name a command that reads the settings: check, snapshot, diff" in capsys.readouterr().err
    )


@pytest.mark.parametrize("name", ["pyproject.toml", "migcheck.toml"])
def test_settings_that_are_not_utf8_exit_2_naming_the_file(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"alembic.ini": INI})
    (tmp_path / name).write_bytes(b'[tool.migcheck]\n# caf\xe9\ndriver = "pg8000"\n')
    code = cli.run(["check", "--static", "-c", str(tmp_path / "alembic.ini")])
    assert code == 2
    assert f"{tmp_path / name}: not valid TOML: not UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "pyproject.toml",
            "[tool.migcheck]\ncheck = 3\n",
            "[tool.migcheck]: check must be a table: the keys for migcheck check go in "
            "[tool.migcheck.check]",
        ),
        ("migcheck.toml", "diff = true\n", "diff must be a table: the keys for migcheck diff"),
        (
            "migcheck.toml",
            '[tool.migcheck]\ndriver = "pg8000"\n',
            "migcheck.toml holds migcheck's keys at its top level, without [tool.migcheck]",
        ),
    ],
)
def test_misplaced_tables_say_where_keys_go(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    write(tmp_path, {name: text})
    with pytest.raises(UsageError) as raised:
        settings.apply(Config(project_dir=tmp_path))
    assert message in str(raised.value)
    assert "did you mean" not in str(raised.value)


def test_settings_reuse_does_not_apply_to_a_backend_given_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"alembic.ini": INI, "migcheck.toml": "reuse = true\n"})
    write(tmp_path, {"migrations/env.py": "", "migrations/versions/0001_a.py": 'revision = "1"\n'})
    args = ["check", "--static", "-c", str(tmp_path / "alembic.ini"), "--backend", "local"]
    assert cli.run(args) == 0, capsys.readouterr().err
    assert cli.run([*args, "--reuse"]) == 2
    assert "--reuse keeps Docker containers: not with --backend local" in capsys.readouterr().err
    write(tmp_path, {"migcheck.toml": 'backend = "local"\n'})
    assert cli.run([*args[:-2], "--reuse"]) == 2
    err = capsys.readouterr().err
    assert f"not with backend local (set in {tmp_path / 'migcheck.toml'})" in err


@pytest.mark.server
def test_a_version_from_the_settings_is_named_by_its_file_and_key(
    tmp_path: Path,
    url_config: Config,
    pg_server: Server,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server at --url runs another version than the settings' pg: the error names
    the settings file's key, not a --pg nobody typed."""
    other = 14 if pg_server.pg_version != 14 else 15
    shutil.copytree(ROOT_PROJECT, tmp_path / "project")
    folder = write(tmp_path / "project", {"migcheck.toml": f'pg = "{other}"\n'})
    monkeypatch.chdir(folder)
    assert cli.run(["check", "--backend", "url", "--url", url_config.urls[0]]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"migcheck: {folder / 'migcheck.toml'}: pg {other}: the server at ")
    assert err.endswith(f" runs PostgreSQL {pg_server.pg_version}\n")


@pytest.mark.server
def test_config_shows_what_auto_and_no_version_come_to(
    pg_servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    newest = max(local.installations())
    assert cli.run(["config", "check", "--backend", "local"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["pg"].endswith(f"default  (here: {newest})")
    assert "(here:" not in rows["backend"]  # local, as given

    urls = [f"--url={url}" for url in pg_servers.urls(14, 16)]
    assert cli.run(["config", "--format", "json", "check", *urls]) == 0
    values = json.loads(capsys.readouterr().out)["values"]
    assert values["backend"] == {"value": "auto", "source": "default", "resolves_to": "url"}
    assert values["pg"] == {"value": None, "source": "default", "resolves_to": "14, 16"}
