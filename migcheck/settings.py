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
import re
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migcheck import options
from migcheck.errors import UsageError
from migcheck.findings import CODES, Suppression
from migcheck.options import SETTINGS_COMMANDS as COMMANDS
from migcheck.options import Option, parse_pg_versions

if TYPE_CHECKING:
    from migcheck.config import Config
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli backport has tomllib's API
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
OWN_FILE = "migcheck.toml"


@dataclass(frozen=True, slots=True)
class Table:
    """A table of a settings file: tool.migcheck[.check], or migcheck.toml's "" and check."""

    path: Path
    name: str
    command: str = ""  # the command the table is for; "": the top table, for every one

    @property
    def label(self) -> str:
        return f"{self.path}: [{self.name}]" if self.name else str(self.path)


Parser = Callable[[str, object, Table], object]
_HOOK = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _strings(key: str, value: object, table: Table) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(f"{key}: expected a string or a list of strings, found {value!r}")


def _string(key: str, value: object, table: Table) -> str:
    if isinstance(value, str) and value:
        return value
    raise ValueError(f"{key}: expected a non-empty string, found {value!r}")


def _path(key: str, value: object, table: Table) -> str:
    return str(table.path.parent / _string(key, value, table))


def _flag(key: str, value: object, table: Table) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"{key}: expected true or false, found {value!r}")


def _choice(choices: Collection[str]) -> Parser:
    def parse(key: str, value: object, table: Table) -> str:
        if value in choices:
            return str(value)
        raise ValueError(f"{key}: expected one of {', '.join(choices)}, found {value!r}")

    return parse


def _flag_or_false(parse: Parser) -> Parser:
    def models(key: str, value: object, table: Table) -> object:
        return False if value is False else parse(key, value, table)

    return models


def _hook(key: str, value: object, table: Table) -> str:
    if isinstance(value, str) and _HOOK.match(value):
        return value
    raise ValueError(f'{key}: expected "package.module:function", found {value!r}')


def _seconds(key: str, value: object, table: Table) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise ValueError(f"{key}: expected a number of seconds (0: no limit), found {value!r}")


def _version(value: object) -> int | None:  # a TOML integer, not a boolean
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _versions(key: str, value: object, table: Table) -> tuple[int, ...]:
    if _version(value) is not None:
        value = str(value)
    if isinstance(value, list) and all(isinstance(v, int | str) for v in value):
        value = ",".join(str(v) for v in value)
    if isinstance(value, str):
        try:
            return parse_pg_versions(value, flag=key)
        except UsageError as error:
            raise ValueError(f"{key}: {error}".replace(f"{key}: {key}: ", f"{key}: ")) from None
    raise ValueError(f'{key}: expected versions like [14, 16] or "13-18", found {value!r}')


def _whole(least: int) -> Parser:
    def parse(key: str, value: object, table: Table) -> int:
        if (number := _version(value)) is None or number < least:
            raise ValueError(f"{key}: expected a whole number of {least} or more, found {value!r}")
        return number

    return parse


_ENTRY = {"code", "reason", "revision", "pg"}


def _ignores(key: str, value: object, table: Table) -> tuple[Suppression, ...]:
    """``ignore = [{code = "MC201", revision = "ab12", pg = 16, reason = "..."}]``."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ValueError(f'{key}: expected a list of {{code = "MC201", reason = "..."}} tables')
    found = []
    for number, entry in enumerate(value, start=1):
        where = f"{key} entry {number}"
        unknown = sorted(set(entry) - _ENTRY)
        if unknown:
            raise ValueError(
                f"{where}: unknown key {unknown[0]!r} (known: code, reason, revision, pg)"
            )
        code = entry.get("code")
        if code not in CODES:
            raise ValueError(f"{where}: code {code!r} is not a migcheck finding code")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(
                f'{where} ({code}): a reason is required: reason = "why it is accepted"'
            )
        revision = entry.get("revision")
        if revision is not None and (not isinstance(revision, str) or not revision):
            raise ValueError(f"{where} ({code}): revision: expected a revision id or prefix")
        pg = entry.get("pg")
        if pg is not None and _version(pg) is None:
            raise ValueError(f"{where} ({code}): pg: expected a major version like 16")
        found.append(
            Suppression(
                code, reason.strip(), revision, _version(pg), source=f"{table.label}: {where}"
            )
        )
    return tuple(found)


def parser(row: Option) -> Parser:
    """How a settings file's value of ``row`` is read (``models = false`` turns it off)."""
    if row.kind == "choice":
        return _choice(row.choices)
    if row.kind == "models":
        return _flag_or_false(_hook)
    return _PARSERS[row.kind]


_PARSERS: dict[str, Parser] = {
    "text": _string,
    "texts": _strings,
    "path": _path,
    "flag": _flag,
    "versions": _versions,
    "seconds": _seconds,
    "count": _whole(1),
    "number": _whole(0),
    "hook": _hook,
    "ignores": _ignores,
}
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
