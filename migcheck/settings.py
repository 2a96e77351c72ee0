"""The project's own settings: ``[tool.migcheck]`` in pyproject.toml, or migcheck.toml.

The file is looked for in the folder of the Alembic configuration, then in its parents,
up to the first folder that holds a pyproject.toml or a .git (the project's root). Each
key sets one Config field; options given on the command line win over the file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from migcheck.config import DRIVERS, Config, parse_pg_versions
from migcheck.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli backport has tomllib's API
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
OWN_FILE = "migcheck.toml"

Parser = Callable[[str, object], object]
_HOOK = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _strings(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(f"{key}: expected a string or a list of strings, found {value!r}")


def _string(key: str, value: object) -> str:
    if isinstance(value, str) and value:
        return value
    raise ValueError(f"{key}: expected a non-empty string, found {value!r}")


def _driver(key: str, value: object) -> str:
    if value in DRIVERS:
        return str(value)
    raise ValueError(f"{key}: expected one of {', '.join(DRIVERS)}, found {value!r}")


def _hook(key: str, value: object) -> str:
    if isinstance(value, str) and _HOOK.match(value):
        return value
    raise ValueError(f'{key}: expected "package.module:function", found {value!r}')


def _versions(key: str, value: object) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, list) and all(isinstance(v, int | str) for v in value):
        value = ",".join(str(v) for v in value)
    if isinstance(value, str):
        try:
            return parse_pg_versions(value)
        except UsageError as error:
            raise ValueError(f"{key}: {error}".replace("--pg: ", "")) from None
    raise ValueError(f'{key}: expected versions like [14, 16] or "13-18", found {value!r}')


def _jobs(key: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError(f"{key}: expected a whole number of 1 or more, found {value!r}")


# key -> (Config field, parser). One line per key; the README documents each.
KEYS: dict[str, tuple[str, Parser]] = {
    "pg": ("pg_versions", _versions),
    "jobs": ("jobs", _jobs),
    "url_env": ("url_env", _strings),
    "x": ("x_args", _strings),
    "driver": ("driver", _driver),
    "context": ("context", _hook),
    "bootstrap": ("bootstrap", _hook),
    "bootstrap_sql": ("bootstrap_sql", _string),
}


def _table(path: Path) -> Mapping[str, Any] | None:
    """The migcheck table of ``path`` (None: the file has none)."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    if path.name == OWN_FILE:
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


def parse(table: Mapping[str, Any], *, source: Path) -> dict[str, Any]:
    """Config fields from one settings table; unknown keys and bad values are errors."""
    where = f"{source}: [tool.migcheck]" if source.name == PYPROJECT else str(source)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise UsageError(f"{where}: unknown key {key!r} (known keys: {', '.join(KEYS)})")
        field, parser = KEYS[key]
        try:
            values[field] = parser(key, value)
        except ValueError as error:
            raise UsageError(f"{where}: {error}") from None
    if "bootstrap_sql" in values:
        values["bootstrap_sql"] = str(source.parent / str(values["bootstrap_sql"]))
    return values


def apply(config: Config, *, keep: Collection[str] = ()) -> Config:
    """``config`` with its project's settings, except the fields named in ``keep``
    (those the command line set)."""
    path = find(config.ini_path.parent)
    if path is None:
        return config
    table = _table(path) or {}
    values = {k: v for k, v in parse(table, source=path).items() if k not in keep}
    return replace(config, settings_file=path, **values)
