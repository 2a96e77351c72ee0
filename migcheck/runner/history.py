"""The revision graph, as the project's own Alembic reads it (revision files import the
project's modules: they are read here, never in migcheck's process)."""

import os
import traceback
from typing import Any, Dict, List, Optional, Sequence, Union

from . import failures
from .session import ProjectError, alembic_config, enter_project


def _as_list(value: Union[str, Sequence[str], None]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _failing_file(error: BaseException, folders: Sequence[str]) -> Optional[str]:
    """The file under one of ``folders`` in which ``error`` was raised, if any."""
    resolved = [os.path.realpath(folder) for folder in folders]
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if any(failures.inside(os.path.realpath(frame.filename), f) for f in resolved):
            return f"{frame.filename}:{frame.lineno}"
    if isinstance(error, SyntaxError) and error.filename:
        return f"{error.filename}:{error.lineno}"
    return None


def script_location(config: Any, named: str, ini: Optional[str]) -> str:
    """The script_location of the project's configuration, as ``alembic`` reads it."""
    import configparser

    from alembic.util import CommandError

    section = config.config_ini_section
    try:
        if ini is not None and not config.file_config.has_section(section):
            raise ProjectError(f"{ini}: no section [{section}] (name another with -n/--name)")
        # get_alembic_option (Alembic 1.16+) reads [tool.alembic] too.
        get = getattr(config, "get_alembic_option", config.get_main_option)
        location = get("script_location")
    except (CommandError, configparser.Error) as error:  # they name the line at fault
        raise ProjectError(f"{named}: {error}") from None
    except UnicodeDecodeError as error:  # configparser reads in the locale's encoding
        raise ProjectError(f"{named}: cannot read: not UTF-8 text ({error.reason})") from None
    if isinstance(location, str) and location:
        return location
    if ini is not None and os.path.isfile(os.path.join(os.path.dirname(ini), "env.py")):
        # Flask-Migrate keeps alembic.ini inside the migrations folder, without
        # script_location: it sets it to that folder when it runs a command.
        return os.path.dirname(ini)
    where = f"section [{section}]" if ini is not None else "[tool.alembic]"
    raise ProjectError(f"{named}: {where} has no script_location")


def _no_revisions(script: Any, named: str) -> ProjectError:
    folders = script.version_locations or [os.path.join(script.dir, "versions")]
    return ProjectError(
        f"{named}: no revision files in {', '.join(map(str, folders))}. If env.py sets "
        "version_locations when it runs, migcheck cannot see them (it reads the history "
        "before running env.py): list the folders in version_locations of the Alembic "
        "configuration instead (alembic.ini, or [tool.alembic] in pyproject.toml)"
    )


def revisions(project: Dict[str, Any]) -> Dict[str, Any]:
    """The script location, and every revision, oldest first: id, parents, dependencies
    (branch labels resolved), path, doc."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    enter_project(project)
    config = alembic_config(project)
    named = project["named"]
    location = script_location(config, named, project["ini"])
    config.set_main_option("script_location", location.replace("%", "%%"))
    try:
        script = ScriptDirectory.from_config(config)
    except CommandError as error:
        raise ProjectError(f"{named}: script_location {location!r}: {error}") from None
    folders = [script.dir, *list(script.version_locations or ())]
    # Alembic before 1.10 lists <script_location>/versions even when it does not exist
    # (FileNotFoundError); later releases find no revision there: the same error here.
    listed = script.version_locations or [os.path.join(script.dir, "versions")]
    if not any(os.path.isdir(folder) for folder in listed):
        raise _no_revisions(script, named)
    try:
        scripts = list(script.walk_revisions("base", "heads"))
        found = [
            {
                "id": s.revision,
                "parents": _as_list(s.down_revision),
                # A dependency may name a branch label.
                "dependencies": [script.get_revision(d).revision for d in _as_list(s.dependencies)],
                "path": os.path.realpath(s.path),
                "doc": s.doc or "",
            }
            for s in reversed(scripts)
        ]
    except Exception as error:
        where = _failing_file(error, folders) or script.dir
        raise ProjectError(f"{where}: cannot load revision: {failures.last_line(error)}") from None
    if not found:
        raise _no_revisions(script, named)
    return {"script_location": location, "revisions": found}


def load_models(spec: str, option: str = "--models") -> Any:
    """``package.module:attribute``: a MetaData, a declarative base (``.metadata``), or a
    list of MetaData, as env.py's target_metadata may be."""
    import importlib

    from sqlalchemy import MetaData

    module_name, _, attribute = spec.partition(":")
    try:
        found = importlib.import_module(module_name)  # type: Any
        for part in attribute.split("."):
            found = getattr(found, part)
    except Exception as error:  # the user's module: anything may fail on import
        raise ProjectError(f"{option} {spec}: cannot load it: {error}") from None
    found = getattr(found, "metadata", found)
    if isinstance(found, MetaData) or (
        isinstance(found, (list, tuple)) and all(isinstance(m, MetaData) for m in found)
    ):
        return found
    raise ProjectError(
        f"{option} {spec}: expected a MetaData or a declarative base, found {type(found).__name__}"
    )
