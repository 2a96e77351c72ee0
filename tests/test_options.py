"""The option table is the only place an option is declared: every Click option, settings
key and pytest option comes from one of its rows; and resolve() says where each value
came from."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from migcheck import cli, options, settings
from migcheck.config import resolve
from migcheck.errors import UsageError
from migcheck.reporters import REPORTERS


def _commands() -> dict[str, click.Command]:
    group = cli.cli
    return {"migcheck": group, **group.commands}


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_click_option_is_a_row_of_its_command(name: str) -> None:
    rows = {row.name: row for row in options.for_command(name).values() if row.flags}
    declared = {
        param.name: param
        for param in _commands()[name].params
        if isinstance(param, click.Option) and param.name not in ("help", "version")
    }
    assert set(declared) == set(rows)
    for param_name, param in declared.items():
        row = rows[param_name]
        assert tuple(param.opts) == row.flags
        assert tuple(param.secondary_opts) == ((row.off,) if row.off else ())
        assert param.help == row.help


def test_settings_keys_are_the_rows_of_the_commands_that_read_settings() -> None:
    expected = {
        row.key for row in options.ROWS if set(row.commands) & set(options.SETTINGS_COMMANDS)
    }
    assert set(settings.KEYS) == expected


def test_no_two_rows_of_a_key_share_a_command() -> None:
    seen: set[tuple[str, str]] = set()
    for row in options.ROWS:
        for command in row.commands:
            assert (row.key, command) not in seen
            seen.add((row.key, command))


def test_report_formats_are_the_reporters() -> None:
    assert tuple(sorted(REPORTERS)) == options.REPORT_FORMATS


def test_every_pytest_option_is_a_row(tmp_path: Path) -> None:
    shown = subprocess.run(  # the plugin is loaded through its entry point
        [sys.executable, "-m", "pytest", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    flags = set(re.findall(r"(--migcheck[\w-]*)", shown))
    rows = {row.pytest_flag for row in options.ROWS if row.pytest}
    assert flags == rows | {"--migcheck"}


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("pg", "13-15", (13, 14, 15)),
        ("backend", "url", "url"),
        ("step_timeout", "2.5", 2.5),
        ("from", "ab12", "ab12"),
    ],
)
def test_parse_text(key: str, text: str, value: object) -> None:
    row = options.for_command("check")[key]
    assert options.parse_text(row, text, flag=row.pytest_flag) == value


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("pg", "x", "--migcheck-pg: 'x' is not a major version"),
        ("backend", "cloud", "--migcheck-backend: choose one of auto, local, docker, url"),
        ("step_timeout", "-1", "--migcheck-step-timeout: expected a number of seconds"),
    ],
)
def test_parse_text_names_the_flag(key: str, text: str, message: str) -> None:
    row = options.for_command("check")[key]
    with pytest.raises(UsageError, match=re.escape(message)):
        options.parse_text(row, text, flag=row.pytest_flag)


def test_resolve_layers_and_sources(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migcheck]\npg = 16\nbackend = "local"\n\n[tool.migcheck.check]\njobs = 2\n'
    )
    resolved = resolve(
        "check", {"config": str(tmp_path / "alembic.ini"), "backend": "docker"}, cwd=tmp_path
    )
    top, own = f"{tmp_path / 'pyproject.toml'}: [tool.migcheck]", "[tool.migcheck.check]"
    assert resolved.config.pg_versions == (16,)
    assert resolved.config.backend == "docker"
    assert resolved.config.jobs == 2
    assert resolved.sources["pg"] == top
    assert resolved.sources["backend"] == "command line"
    assert resolved.sources["jobs"].endswith(own)
    assert resolved.sources["image"] == "default"
    assert resolved.config.settings_file == tmp_path / "pyproject.toml"
    assert resolved.where("pg") == f"{top}: pg"
    assert resolved.where("backend") == "--backend"


def test_resolve_without_settings_is_the_table_defaults(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    resolved = resolve("snapshot", {}, cwd=tmp_path)
    assert resolved.config.ini_path == tmp_path / "alembic.ini"
    assert resolved.values["format"] == "text"
    assert set(resolved.sources.values()) == {"default"}
