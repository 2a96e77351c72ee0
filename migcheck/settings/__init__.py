"""The project's own settings: ``[tool.migcheck]`` in pyproject.toml, or migcheck.toml.

The file is looked for in the folder of the Alembic configuration, then in its parents,
up to the first folder that holds a pyproject.toml or a .git (the project's root). A key
is named after a command-line option (``--exclude-table``: ``exclude_table``) or sets
what only a file can (``context``, ``bootstrap``, ``bootstrap_sql``, ``ignore``). A key
of the top table applies to every command that has the option; a command's own table
(``[tool.migcheck.check]``, ``[check]`` in migcheck.toml) wins over it for that command;
options given on the command line win over both. Paths are relative to the file.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migcheck import options
from migcheck.errors import UsageError
from migcheck.options import SETTINGS_COMMANDS as COMMANDS
from migcheck.options import Option
from migcheck.settings.values import Table, parser

if TYPE_CHECKING:
    from migcheck.config import Config
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli backport has tomllib's API
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
OWN_FILE = "migcheck.toml"


KEYS = options.settings_keys()


@dataclass(frozen=True, slots=True)
class Value:
    """A value and the table that set it."""

    value: Any
    table: Table


@dataclass(frozen=True, slots=True)
class Settings:
    """One settings file, checked: its top table and the commands' own, as written."""

    path: Path
    values: Mapping[str, Value]
    commands: Mapping[str, Mapping[str, Value]]

    def for_command(self, command: str) -> dict[str, Value]:
        """What applies to ``command``, parsed as its options read it: its own table over
        the top one; the top table's keys of options it does not have are left out."""
        rows = options.for_command(command)
        found: dict[str, Value] = {}
        for written in (self.values, self.commands.get(command, {})):
            for key, raw in written.items():
                if key in rows:
                    found[key] = Value(_parse(rows[key], key, raw, command), raw.table)
        return found

    def configure(self, config: Config, *, keep: Collection[str] = (), command: str) -> Config:
        """``config`` with the Config fields this file sets for ``command``, except those
        named in ``keep`` (set on the command line)."""
        rows = options.for_command(command)
        values = self.for_command(command)
        fields = {
            field: found.value
            for key, found in values.items()
            if (field := rows[key].field) is not None and field not in keep
        }
        if "models" not in keep and "no_models" in values and values["no_models"].value:
            fields["models"] = False
        return replace(config, settings_file=self.path, **fields)


def _parse(row: Option, key: str, raw: Value, command: str) -> object:
    try:
        return parser(row)(key, raw.value, raw.table)
    except ValueError as error:
        hint = ""
        if not raw.table.command:  # the top table, shared by every command
            name = f"{raw.table.name}.{command}" if raw.table.name else command
            hint = f" (for migcheck {command}; a value for one command goes in its table [{name}])"
        raise UsageError(f"{raw.table.label}: {error}{hint}") from None


def _table(path: Path) -> Mapping[str, Any] | None:
    """The migcheck table of ``path`` (None: the file has none)."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: not UTF-8 text ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    if path.name == OWN_FILE:
        if "tool" in document:
            raise UsageError(
                f"{path}: {OWN_FILE} holds migcheck's keys at its top level, without "
                "[tool.migcheck] (that table is for pyproject.toml)"
            )
        return document
    table = document.get("tool", {}).get("migcheck")
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.migcheck] must be a table")
    return table


def find(start: Path) -> Path | None:
    """The settings file that applies to a project whose Alembic config is in ``start``."""
    folder = start.resolve()
    while True:
        own, pyproject = folder / OWN_FILE, folder / PYPROJECT
        in_pyproject = pyproject.is_file() and _table(pyproject) is not None
        if in_pyproject and own.is_file():
            raise UsageError(
                f"{folder}: both {PYPROJECT} [tool.migcheck] and {OWN_FILE} hold migcheck "
                "settings; keep one"
            )
        if in_pyproject:
            return pyproject
        if own.is_file():
            return own
        if pyproject.is_file() or (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent


def _unknown(key: str, table: Table, known: Collection[str]) -> UsageError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return UsageError(f"{table.label}: unknown key {key!r} ({hint})")


def parse(table: Mapping[str, Any], where: Table) -> dict[str, Value]:
    """The values of one table, checked: unknown keys, keys of options the table's command
    does not have, and values no command could read are errors naming them."""
    values: dict[str, Value] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise _unknown(key, where, [*KEYS, *(() if where.command else COMMANDS)])
        rows = [row for row in KEYS[key] if not where.command or where.command in row.commands]
        if not rows:
            raise UsageError(f"{where.label}: {key!r} is not an option of migcheck {where.command}")
        errors = []
        for row in rows:
            try:
                parser(row)(key, value, where)
            except ValueError as error:
                errors.append(error)
        if len(errors) == len(rows):
            raise UsageError(f"{where.label}: {errors[0]}") from None
        values[key] = Value(value, where)
    return values


def read(path: Path) -> Settings:
    """The settings in ``path``, checked key by key."""
    document = _table(path) or {}
    top = "tool.migcheck" if path.name == PYPROJECT else ""
    commands = {}
    for command in COMMANDS:
        own = document.get(command)
        if own is not None and not isinstance(own, dict):
            name = f"{top}.{command}" if top else command
            raise UsageError(
                f"{Table(path, top).label}: {command} must be a table: the keys for "
                f"migcheck {command} go in [{name}]"
            )
        if isinstance(own, dict):
            name = f"{top}.{command}" if top else command
            commands[command] = parse(own, Table(path, name, command))
    rest = {k: v for k, v in document.items() if k not in commands}
    return Settings(path, parse(rest, Table(path, top)), commands)


def load(start: Path) -> Settings | None:
    """The settings of a project whose Alembic configuration is in ``start``, if any."""
    path = find(start)
    return read(path) if path is not None else None


def apply(config: Config, *, keep: Collection[str] = (), command: str = "check") -> Config:
    """``config`` with its project's settings for ``command``, except the fields named in
    ``keep`` (those the command line set)."""
    found = load(config.ini_path.parent)
    return found.configure(config, keep=keep, command=command) if found else config
