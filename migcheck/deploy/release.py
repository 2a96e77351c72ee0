"""The release running in production: the project's files at a git commit, exported
into migcheck's own run folder (``git archive``: nothing is written into the project's
repository, and a killed run's folder is swept like any runner folder)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from migcheck import changes
from migcheck.errors import UsageError
from migcheck.locations import Folders
from migcheck.project import Project
from migcheck.revision_files import revisions

# --deploy-from's value for the commit --changed compares with (--base, else the merge
# base with the default branch): no git ref is spelt so.
BASE = "@base"


@dataclass(frozen=True, slots=True)
class Release:
    """The deployed release: the ref as given, its commit, the project as it was there
    (its folder in the exported copy) and the revisions it had."""

    ref: str
    commit: str
    directory: Path  # the Alembic configuration's folder in the copy
    root: Path  # the copy of the repository's top folder
    top: Path  # the repository's top folder
    revisions: frozenset[str]
    models: str | None = None  # --deploy-models: where the models were
    role: str | None = None  # --deploy-role: the role it connects as

    @property
    def short(self) -> str:
        return self.ref if self.ref != BASE else self.commit[:10]

    def moved(self, path: Path) -> Path:
        """``path`` of the checked-out project, in the copy of the release (outside the
        repository: itself)."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.top):
            return path
        return self.root / resolved.relative_to(self.top)


def _top(directory: Path) -> Path:
    found = changes.git(directory, "rev-parse", "--show-toplevel", option="--deploy-from")
    if found.returncode != 0:
        raise UsageError(f"--deploy-from: {directory} is not in a git repository")
    return Path(found.stdout.strip()).resolve()


def _commit(top: Path, ref: str, base: str | None) -> str:
    if ref == BASE:
        return changes.base(top, base)[0]
    found = changes.commit(top, ref, option="--deploy-from")
    if found is None:
        raise UsageError(f"--deploy-from {ref}: no such commit, branch or tag in {top}")
    return found


def _export(top: Path, commit: str, folder: Path, paths: Sequence[str] = ()) -> None:
    """The files of ``commit`` (only those under ``paths`` when given) into ``folder``:
    git archive piped into tar(1), which writes a thousand files several times faster
    than the tarfile module, the archive never whole in memory."""
    folder.mkdir(parents=True, exist_ok=True)
    with subprocess.Popen(
        ["git", "-C", str(top), "archive", "--format=tar", commit, "--", *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as archive:
        extracted = subprocess.run(
            ["tar", "-x", "-C", str(folder)], stdin=archive.stdout, capture_output=True, check=False
        )
        error = archive.stderr.read() if archive.stderr else b""
    if archive.returncode != 0 or extracted.returncode != 0:
        message = (error or extracted.stderr).decode(errors="replace").strip()
        raise UsageError(f"--deploy-from: exporting {commit[:10]} failed: {message}")


def export(
    project: Project,
    versions: Folders,
    ref: str,
    folder: Path,
    *,
    base: str | None,
    models: str | None,
    role: str | None = None,
) -> Release:
    """The release at ``ref`` of ``project``'s repository, copied into ``folder``: its
    revision files first, the rest only when the checked history has revisions it did
    not (else there is nothing to check)."""
    top = _top(project.directory)
    commit = _commit(top, ref, base)
    root = folder / f"release-{commit[:12]}"
    inside = [p.resolve() for p in versions.versions if p.resolve().is_relative_to(top)]
    present = changes.git(
        top,
        "ls-tree",
        "--name-only",
        commit,
        "--",
        *[str(p.relative_to(top)) for p in inside],
        option="--deploy-from",
    ).stdout.split()
    if not present:
        where = ", ".join(str(p.relative_to(top)) for p in inside) or "its folders"
        raise UsageError(f"--deploy-from {ref}: no revision file at {commit[:10]} in {where}")
    _export(top, commit, root, present)
    directory = root / project.directory.resolve().relative_to(top)
    moved = Folders(directory, tuple(root / p.relative_to(top) for p in inside), versions.recursive)
    found = frozenset(parsed.id for parsed in revisions(moved))
    if not found:
        where = ", ".join(str(p.relative_to(top)) for p in inside) or "its folders"
        raise UsageError(f"--deploy-from {ref}: no revision file at {commit[:10]} in {where}")
    release = Release(ref, commit, directory, root, top, found, models, role)
    if {r.id for r in project.revisions} - found:
        _export(top, commit, root)
    return release
