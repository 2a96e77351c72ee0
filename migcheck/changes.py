"""Which revisions a change touches, for ``migcheck check --changed``.

The changed files come from git (what differs from a base commit: commits since it,
staged, unstaged and untracked files alike) or from the caller (pre-commit passes them);
mapping them to revisions is pure.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.project import Project


@dataclass(frozen=True, slots=True)
class Changes:
    """Changed files (absolute), and how they were found, for messages: ``against``
    completes "no revision ...": "changed since main (merge base 1a2b3c4d5e)"."""

    files: tuple[Path, ...]
    against: str


def revisions(project: Project, files: Iterable[Path]) -> tuple[str, ...]:
    """The revisions of ``project`` whose files are among ``files``, oldest first.

    Files that are not revision files of the project (env.py, models, other folders)
    are not revisions: they are left out.
    """
    changed = {path.resolve() for path in files}
    return tuple(r.id for r in project.revisions if Path(r.path).resolve() in changed)


def find(config: Config, directory: Path) -> Changes:
    """The files ``config.changed_files`` names, else those git finds changed around
    ``directory`` since ``config.base``."""
    if config.changed_files:
        return given(config.changed_files)
    return from_git(directory, config.base)


def given(files: Iterable[Path]) -> Changes:
    """The files named on the command line (by pre-commit, usually)."""
    return Changes(tuple(path.resolve() for path in files), "among the files given")


def git(directory: Path, *args: str, option: str = "--changed") -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError(f"{option}: git is not installed (or not on PATH)") from None


def _names(output: str) -> list[str]:
    return [name for name in output.split("\0") if name]


def commit(root: Path, ref: str, *, option: str = "--changed") -> str | None:
    """The commit ``ref`` names in the repository at ``root``, None if none."""
    found = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", option=option)
    return found.stdout.strip() if found.returncode == 0 else None


def default_branch(root: Path) -> str | None:
    """origin/HEAD's target if the clone has one, else main, else master."""
    remote = git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    candidates = [remote.stdout.strip()] if remote.returncode == 0 else []
    candidates += ["main", "master"]
    return next((name for name in candidates if name and commit(root, name)), None)


def base(root: Path, ref: str | None) -> tuple[str, str]:
    """(commit to compare with, how to name it)."""
    if ref is not None:
        found = commit(root, ref)
        if found is None:
            raise UsageError(f"--base {ref}: no such commit, branch or tag in {root}")
        return found, ref
    branch = default_branch(root)
    if branch is None:
        raise UsageError(
            f"--changed: {root} has no origin/HEAD, main or master branch to compare with; "
            "name a commit with --base REF"
        )
    merge_base = git(root, "merge-base", "HEAD", branch)
    if merge_base.returncode != 0:
        raise UsageError(
            f"--changed: no common commit of HEAD and {branch} in {root}; "
            "name a commit with --base REF"
        )
    found = merge_base.stdout.strip()
    return found, f"{branch} (merge base {found[:10]})"


def from_git(directory: Path, ref: str | None = None) -> Changes:
    """The files of the repository around ``directory`` that differ from ``ref``.

    ``ref`` None: the merge base of HEAD with the default branch. Committed, staged,
    unstaged and untracked (not ignored) changes all count; deleted files are listed too
    (they are no revision any more, so they select nothing).
    """
    top = git(directory, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(
            f"--changed: {directory.resolve()} is not in a git repository "
            "(pass the changed files as arguments instead)"
        )
    root = Path(top.stdout.strip())
    against, name = base(root, ref)
    # Paths are relative to the top of the work tree for both commands when run there.
    differ = git(root, "diff", "--name-only", "--no-renames", "-z", against, "--")
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z")
    for result in (differ, untracked):
        if result.returncode != 0:
            raise UsageError(f"--changed: git failed in {root}: {result.stderr.strip()}")
    names = _names(differ.stdout) + _names(untracked.stdout)
    return Changes(tuple(root / name for name in names), f"changed since {name}")
