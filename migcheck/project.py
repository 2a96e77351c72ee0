"""The Alembic project as its runner loaded it: its configuration, revisions and their
order, and what each revision file says read as text (``migcheck.revision_files``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migcheck.config import Config
from migcheck.errors import ProjectError
from migcheck.handover import Handover, configured_url, missing_module_hint, project_spec
from migcheck.locations import (
    Folders,
    alembic_config,
    alembic_folders,
    config_files,
    folders,
    working_directory,
)
from migcheck.revision_files import Parsed

if TYPE_CHECKING:
    # Alembic is imported where used: it takes most of a second to import.
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from migcheck.runner_pool import Runners

# Where the files are is migcheck.locations'; these names are used from here too.
__all__ = [
    "Folders",
    "Project",
    "Revision",
    "alembic_folders",
    "folders",
    "load",
    "python",
    "working_directory",
]


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
    # The revision files as the revision graph's checks read them, once: the def lines
    # findings point at. Empty when loaded without them (snapshot, diff).
    files: tuple[Parsed, ...] = ()

    @property
    def directory(self) -> Path:
        return self.ini_path.parent

    def get(self, revision_id: str) -> Revision:
        for revision in self.revisions:
            if revision.id == revision_id:
                return revision
        raise KeyError(revision_id)

    def relative(self, path: str | None) -> str | None:
        """``path`` as findings name it: relative to the project's folder when inside it."""
        if path is None:
            return None
        try:
            return str(Path(path).resolve().relative_to(self.directory))
        except ValueError:
            return path

    def parsed(self, revision_id: str) -> Parsed | None:
        """The file of ``revision_id`` as read without running it, if it was read."""
        return next((p for p in self.files if p.id == revision_id), None)

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
        config = alembic_config(ini, self.toml_path, self.ini_section)
        # Set even when the file has it: a Flask-Migrate ini has none (its folder is meant).
        config.set_main_option("script_location", self.script_location.replace("%", "%%"))
        return config

    def script_directory(self) -> ScriptDirectory:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config())


def python(config: Config) -> str:
    """The Python that runs the project's code (see migcheck.interpreter)."""
    from migcheck import interpreter

    named, _, _ = config_files(config)
    places = [named.parent] + ([config.settings_file.parent] if config.settings_file else [])
    return interpreter.choose(config.python, places)


def load(config: Config, pool: Runners | None = None, *, files: tuple[Parsed, ...] = ()) -> Project:
    """Read the Alembic configuration, then every revision file in the project's own
    Python (a runner: revision files import the project's modules); raise ProjectError
    naming what is wrong. ``pool``: the runners of the project's Python, if started.
    ``files``: the revision files as already read without running them, kept with the
    project."""
    from migcheck.runner_pool import runners
    from migcheck.runners import Interpreter

    if pool is None:
        with runners(python(config)) as own:
            return load(config, own, files=files)
    named, ini, toml = config_files(config)
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
        files=files,
        handover=Handover.from_config(
            config,
            named.parent,
            interpreter=found,
            project_url=configured_url(ini, config.ini_section),
        ),
    )
