"""Where an Alembic project's files are: its configuration (an ini file, the
``[tool.alembic]`` table of a pyproject.toml, or both) and its version folders, found
without importing any revision file (the revision graph's checks run before any)."""

from __future__ import annotations

import ast
import configparser
import contextlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from migcheck.config import Config
from migcheck.errors import ProjectError

if TYPE_CHECKING:
    # Alembic is imported where used: it takes most of a second to import, and the
    # static checks (a pre-commit hook) find the revision files without it.
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli backport has tomllib's API
    import tomli as tomllib


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Alembic resolves script_location and prepend_sys_path against the current directory."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def alembic_config(ini: Path | None, toml: Path | None, section: str) -> AlembicConfig:
    """Alembic's Config of the files ``config_files`` found."""
    from alembic.config import Config as AlembicConfig

    if toml is None:  # works with Alembic before 1.16 too
        return AlembicConfig(ini, ini_section=section)
    return AlembicConfig(ini, toml_file=toml, ini_section=section)


def _alembic_table(path: Path) -> bool:
    """Whether ``path`` is a pyproject.toml with a ``[tool.alembic]`` table."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except OSError as error:
        raise ProjectError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ProjectError(f"{path}: not valid TOML: not UTF-8 text ({error.reason})") from None
    tool = document.get("tool")
    table = tool.get("alembic") if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        return False
    location = table.get("script_location")
    if location is not None and not isinstance(location, str):
        raise ProjectError(
            f"{path}: [tool.alembic] script_location must be a string, found "
            f'{_toml_kind(location)} (e.g. script_location = "migrations")'
        )
    return True


def _toml_kind(value: object) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", list: "an array"}
    return kinds.get(type(value), "a table" if isinstance(value, dict) else "a date or time")


def _check_ini(ini: Path) -> None:
    """Raise a one-line ProjectError naming the line at fault if ``ini`` is not an ini file
    (configparser's own message spans lines and shows the path's repr)."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(ini, encoding="utf-8")
    except UnicodeDecodeError:
        return  # Alembic reads it in the locale's encoding, and says so if that fails
    except configparser.MissingSectionHeaderError as error:
        raise ProjectError(
            f"{ini}:{error.lineno}: {error.line.strip()!r} comes before any [section] header "
            "(an ini file starts with one, e.g. [alembic])"
        ) from None
    except configparser.ParsingError as error:
        line, text = error.errors[0]
        with contextlib.suppress(ValueError, SyntaxError):
            text = str(ast.literal_eval(text))  # configparser keeps the line's repr
        raise ProjectError(
            f"{ini}:{line}: {text.strip()!r} is not a [section] header nor a key = value line"
        ) from None
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as error:
        what = (
            f"option {error.option!r}"
            if isinstance(error, configparser.DuplicateOptionError)
            else f"section [{error.section}]"
        )
        raise ProjectError(f"{ini}:{error.lineno}: {what} appears twice") from None
    except configparser.Error as error:
        raise ProjectError(f"{ini}: {' '.join(str(error).split())}") from None


def config_files(config: Config) -> tuple[Path, Path | None, Path | None]:
    """(the file named, the ini file, the pyproject.toml with [tool.alembic]).

    As the ``alembic`` command does: an ini file, a ``[tool.alembic]`` table in the
    pyproject.toml next to it (Alembic 1.16+), or both (the table holds the paths and
    the ini file the URL and logging).
    """
    named = config.ini_path.resolve()
    if named.is_file() and named.name != "pyproject.toml":
        _check_ini(named)
    if named.name == "pyproject.toml":
        if not _alembic_table(named):
            raise ProjectError(f"{config.ini_path}: no [tool.alembic] table")
        return named, None, named
    pyproject = named.parent / "pyproject.toml"
    toml = pyproject if _alembic_table(pyproject) else None
    if named.is_file():
        return named, named, toml
    if named.is_dir():
        raise ProjectError(
            f"{config.ini_path}: a folder, not a file (name the Alembic configuration in it, "
            f"e.g. --config {config.ini_path / 'alembic.ini'})"
        )
    if toml is not None:
        return toml, None, toml
    raise ProjectError(
        f"{config.ini_path}: no such file (run migcheck in the folder of your alembic.ini "
        "or of a pyproject.toml with [tool.alembic], or name it with --config)"
    )


def _script_location(settings: AlembicConfig, named: Path, ini: Path | None) -> str:
    """As the runner reads it (the same function, run here for the static checks)."""
    from migcheck.runner import history
    from migcheck.runner.session import ProjectError as RunnerError

    try:
        return history.script_location(settings, str(named), str(ini) if ini else None)
    except RunnerError as error:
        raise ProjectError(str(error)) from None


@dataclass(frozen=True, slots=True)
class Folders:
    """Where the revision files are, found without reading any of them."""

    directory: Path  # the configuration file's folder
    versions: tuple[Path, ...]  # absolute; as Alembic lists them, existing or not
    recursive: bool  # recursive_version_locations


def _script_directory(
    config: Config, named: Path, ini: Path | None, toml: Path | None
) -> tuple[str, ScriptDirectory]:
    """(script_location, the ScriptDirectory); Alembic reads no revision file yet."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    settings = alembic_config(ini, toml, config.ini_section)
    location = _script_location(settings, named, ini)
    settings.set_main_option("script_location", location.replace("%", "%%"))
    with working_directory(named.parent):
        try:
            return location, ScriptDirectory.from_config(settings)
        except CommandError as error:
            raise ProjectError(f"{named}: script_location {location!r}: {error}") from None


def _plain_folders(ini: Path | None, toml: Path | None, section: str) -> Folders | None:
    """The version folders of the commonest layout, read without importing Alembic: an
    ini file (no [tool.alembic]) whose script_location is a folder and which names no
    version_locations. None for anything else: Alembic reads that."""
    if ini is None or toml is not None:
        return None
    parser = configparser.ConfigParser(defaults={"here": str(ini.parent)})
    try:
        parser.read(ini, encoding="utf-8")
        if not parser.has_section(section):
            return None
        options = parser[section]
        location = options.get("script_location")
        if options.get("version_locations") or (location and ":" in location):
            return None  # separators and package resources: Alembic's rules apply
        recursive = options.get("recursive_version_locations", "false")
    except (configparser.Error, UnicodeDecodeError):
        return None  # Alembic names the line at fault, or reads it in the locale's encoding
    if not location:
        if not (ini.parent / "env.py").is_file():
            return None
        location = str(ini.parent)
    folder = (ini.parent / location).resolve()  # as Alembic does from the ini's folder
    if not folder.is_dir():
        return None
    return Folders(ini.parent, ((folder / "versions"),), recursive.strip().lower() == "true")


def folders(config: Config) -> Folders:
    """The version folders of the project, as Alembic would list them, without loading the
    revision map (which refuses a history with a missing parent or a cycle)."""
    _, ini, toml = config_files(config)
    plain = _plain_folders(ini, toml, config.ini_section)
    if plain is not None:
        return plain
    return alembic_folders(config)


def alembic_folders(config: Config) -> Folders:
    """``folders`` as Alembic itself reads the configuration."""
    named, ini, toml = config_files(config)
    _, script = _script_directory(config, named, ini, toml)
    with working_directory(named.parent):
        listed = script.version_locations or [os.path.join(script.dir, "versions")]
        versions = tuple(Path(folder).resolve() for folder in listed)
    return Folders(named.parent, versions, bool(script.recursive_version_locations))
