"""The Alembic project: its configuration, revision files and their order."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from migcheck.config import Config
from migcheck.errors import ProjectError


@dataclass(frozen=True, slots=True)
class Revision:
    id: str
    parents: tuple[str, ...]
    dependencies: tuple[str, ...]
    path: str
    doc: str


@dataclass(frozen=True, slots=True)
class Project:
    """A loaded Alembic project: where it lives and its revisions, oldest first."""

    ini_path: Path
    ini_section: str
    script_location: str
    revisions: tuple[Revision, ...]
    version_table: str = "alembic_version"

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
            walked = [r for r in walked if r.id in keep]
        prefix: list[Revision] = []
        if first is not None:
            before = self.ancestors(first)
            prefix = [r for r in walked if r.id in before]
            walked = [r for r in walked if r.id not in before]
        return prefix, walked

    def alembic_config(self) -> AlembicConfig:
        return AlembicConfig(str(self.ini_path), ini_section=self.ini_section)

    def script_directory(self) -> ScriptDirectory:
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


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _failing_file(error: BaseException, folder: Path) -> str | None:
    """The file under ``folder`` in which ``error`` was raised, if any."""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if Path(frame.filename).resolve().is_relative_to(folder.resolve()):
            return f"{frame.filename}:{frame.lineno}"
    if isinstance(error, SyntaxError) and error.filename:
        return f"{error.filename}:{error.lineno}"
    return None


def load(config: Config) -> Project:
    """Read alembic.ini and every revision file; raise ProjectError naming what is wrong."""
    ini = config.ini_path.resolve()
    if not ini.is_file():
        raise ProjectError(
            f"{config.ini_path}: no such file (run migcheck in the folder of your "
            "alembic.ini, or name it with --config)"
        )
    alembic_config = AlembicConfig(str(ini), ini_section=config.ini_section)
    try:
        location = alembic_config.get_main_option("script_location")
    except Exception as error:  # configparser's errors name the line at fault
        raise ProjectError(f"{ini}: {error}") from None
    if not location:
        raise ProjectError(f"{ini}: section [{config.ini_section}] has no script_location")
    with working_directory(ini.parent):
        try:
            script = ScriptDirectory.from_config(alembic_config)
        except CommandError as error:
            raise ProjectError(f"{ini}: script_location {location!r}: {error}") from None
        try:
            scripts = list(script.walk_revisions("base", "heads"))
        except Exception as error:
            where = _failing_file(error, Path(script.dir)) or script.dir
            last = traceback.format_exception_only(type(error), error)[-1].strip()
            raise ProjectError(f"{where}: cannot load revision: {last}") from None
        revisions = tuple(
            Revision(
                id=s.revision,
                parents=_as_tuple(s.down_revision),
                dependencies=tuple(
                    script.get_revision(d).revision  # a dependency may name a branch label
                    for d in _as_tuple(s.dependencies)
                ),
                path=str(Path(s.path).resolve()),
                doc=s.doc or "",
            )
            for s in reversed(scripts)
        )
    return Project(
        ini_path=ini,
        ini_section=config.ini_section,
        script_location=location,
        revisions=revisions,
    )
