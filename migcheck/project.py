"""The Alembic project: its configuration, revision files and their order."""

from __future__ import annotations

import ast
import configparser
import contextlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migcheck.config import Config
from migcheck.errors import ProjectError
from migcheck.handover import Handover, configured_url, missing_module_hint, project_spec

if TYPE_CHECKING:
    # Alembic is imported where used: it takes most of a second to import, and the
    # static checks (a pre-commit hook) find the revision files without it.
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from migcheck.runner_pool import Runners

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli backport has tomllib's API
    import tomli as tomllib


@dataclass(frozen=True, slots=True)
class Revision:
    id: str
    parents: tuple[str, ...]
    dependencies: tuple[str, ...]
    path: str
    doc: str


@dataclass(frozen=True, slots=True)
class Project:
    """A loaded Alembic project: where it lives and its revisions, oldest first.

    ``ini_path`` is the configuration file named on the command line: an ini file, or a
    pyproject.toml with ``[tool.alembic]`` (then ``toml_path`` too). ``handover`` says
    how its env.py expects the database.
    """

    ini_path: Path
    ini_section: str
    script_location: str
    revisions: tuple[Revision, ...]
    version_table: str = "alembic_version"
    toml_path: Path | None = None
    handover: Handover = field(default_factory=Handover)

    @property
    def directory(self) -> Path:
        return self.ini_path.parent

    def get(self, revision_id: str) -> Revision:
        for revision in self.revisions:
            if revision.id == revision_id:
                return revision
        raise KeyError(revision_id)

    def resolve(self, reference: str, *, option: str) -> str:
        """A full revision id from ``head``, ``base``, an id or a unique prefix."""
        if reference == "head" and self.revisions:
            heads = self.heads()
            if len(heads) == 1:
                return heads[0]
            raise ProjectError(f"{option}: 'head' is ambiguous, the project has heads {heads}")
        matches = [r.id for r in self.revisions if r.id.startswith(reference)]
        if reference in matches:
            return reference
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ProjectError(f"{option}: {reference!r} matches several revisions: {matches}")
        raise ProjectError(f"{option}: no revision {reference!r} in {self.script_location}")

    def heads(self) -> list[str]:
        children = {parent for r in self.revisions for parent in r.parents}
        return [r.id for r in self.revisions if r.id not in children]

    def ancestors(self, revision_id: str) -> set[str]:
        """Every revision that must be applied before ``revision_id`` (itself excluded)."""
        by_id = {r.id: r for r in self.revisions}
        seen: set[str] = set()
        stack = list(by_id[revision_id].parents + by_id[revision_id].dependencies)
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(by_id[current].parents + by_id[current].dependencies)
        return seen

    def select(self, first: str | None, last: str | None) -> tuple[list[Revision], list[Revision]]:
        """(revisions to apply unchecked first, revisions to walk), both oldest first."""
        walked = list(self.revisions)
        if last is not None:
            keep = self.ancestors(last) | {last}
            if first is not None and first not in keep:
                raise ProjectError(
                    f"--from {first}: not --to {last} nor one of its ancestors, so nothing "
                    "lies between them (swap them, or name revisions of one branch)"
                )
            walked = [r for r in walked if r.id in keep]
        prefix: list[Revision] = []
        if first is not None:
            before = self.ancestors(first)
            prefix = [r for r in walked if r.id in before]
            walked = [r for r in walked if r.id not in before]
        return prefix, walked

    def spec(self) -> dict[str, Any]:
        """The project as the runner's requests carry it."""
        ini = None if self.ini_path == self.toml_path else self.ini_path
        return project_spec(
            ini, self.toml_path, self.ini_section, self.script_location, self.handover
        )

    @property
    def env_py(self) -> Path:
        """env.py of the script location (as Alembic finds it)."""
        location = Path(self.script_location)
        if ":" in self.script_location and not location.is_absolute():
            return Path(self.script_location)  # a package resource: named as written
        return (self.directory / location / "env.py").resolve()

    def alembic_config(self) -> AlembicConfig:
        ini = None if self.ini_path == self.toml_path else self.ini_path
        config = _alembic_config(ini, self.toml_path, self.ini_section)
        # Set even when the file has it: a Flask-Migrate ini has none (its folder is meant).
        config.set_main_option("script_location", self.script_location.replace("%", "%%"))
        return config

    def script_directory(self) -> ScriptDirectory:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config())


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Alembic resolves script_location and prepend_sys_path against the current directory."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _alembic_config(ini: Path | None, toml: Path | None, section: str) -> AlembicConfig:
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


def _config_files(config: Config) -> tuple[Path, Path | None, Path | None]:
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


def _script_location(alembic_config: AlembicConfig, named: Path, ini: Path | None) -> str:
    """As the runner reads it (the same function, run here for the static checks)."""
    from migcheck.runner import history
    from migcheck.runner.session import ProjectError as RunnerError

    try:
        return history.script_location(alembic_config, str(named), str(ini) if ini else None)
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

    alembic_config = _alembic_config(ini, toml, config.ini_section)
    location = _script_location(alembic_config, named, ini)
    alembic_config.set_main_option("script_location", location.replace("%", "%%"))
    with working_directory(named.parent):
        try:
            return location, ScriptDirectory.from_config(alembic_config)
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
    _, ini, toml = _config_files(config)
    plain = _plain_folders(ini, toml, config.ini_section)
    if plain is not None:
        return plain
    return alembic_folders(config)


def alembic_folders(config: Config) -> Folders:
    """``folders`` as Alembic itself reads the configuration."""
    named, ini, toml = _config_files(config)
    _, script = _script_directory(config, named, ini, toml)
    with working_directory(named.parent):
        listed = script.version_locations or [os.path.join(script.dir, "versions")]
        versions = tuple(Path(folder).resolve() for folder in listed)
    return Folders(named.parent, versions, bool(script.recursive_version_locations))


def python(config: Config) -> str:
    """The Python that runs the project's code (see migcheck.interpreter)."""
    from migcheck import interpreter

    named, _, _ = _config_files(config)
    places = [named.parent] + ([config.settings_file.parent] if config.settings_file else [])
    return interpreter.choose(config.python, places)


def load(config: Config, pool: Runners | None = None) -> Project:
    """Read the Alembic configuration, then every revision file in the project's own
    Python (a runner: revision files import the project's modules); raise ProjectError
    naming what is wrong. ``pool``: the runners of the project's Python, if started."""
    from migcheck.runner_pool import runners
    from migcheck.runners import Interpreter

    if pool is None:
        with runners(python(config)) as own:
            return load(config, own)
    named, ini, toml = _config_files(config)
    runner = pool.take()
    try:
        handover = Handover.from_config(config, named.parent)
        spec = project_spec(ini, toml, config.ini_section, None, handover)
        models = config.models if isinstance(config.models, str) else None
        found = Interpreter.from_ready(runner.ready())
        reply = runner.request({"verb": "history", "project": spec, "models": models})
    finally:
        pool.release(runner)
    if not reply.get("ok"):
        message = str(reply.get("project_error") or f"the runner failed: {reply}")
        raise ProjectError(message + missing_module_hint(message, pool.executable))
    location = reply["script_location"]
    revisions = tuple(
        Revision(
            id=r["id"],
            parents=tuple(r["parents"]),
            dependencies=tuple(r["dependencies"]),
            path=r["path"],
            doc=r["doc"],
        )
        for r in reply["revisions"]
    )
    return Project(
        ini_path=named,
        ini_section=config.ini_section,
        script_location=location,
        revisions=revisions,
        toml_path=toml,
        handover=Handover.from_config(
            config,
            named.parent,
            interpreter=found,
            project_url=configured_url(ini, config.ini_section),
        ),
    )
