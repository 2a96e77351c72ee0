"""Where ``migcheck check`` and ``merge`` write their reports: each ``--output
[FORMAT:]FILE``, GitHub's job summary, standard output.

The files are checked before any work (a walk of many minutes must not end in a report
nobody can read), and standard output is written before them.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import click

from migcheck.errors import UsageError
from migcheck.findings import Report
from migcheck.reporters import FOR_REPOSITORY, REPORTERS, located


def _located(report: Report, config_file: Path) -> Report:
    """Files named from the repository's root ($GITHUB_WORKSPACE, else the current folder)."""
    root = Path(os.environ.get("GITHUB_WORKSPACE") or ".").resolve()
    try:
        folder = config_file.parent.resolve().relative_to(root).as_posix()
    except ValueError:  # a project outside the repository: named as the project names them
        folder = ""
    anchor = config_file
    if not anchor.exists() and (anchor.parent / "pyproject.toml").exists():
        anchor = anchor.parent / "pyproject.toml"  # [tool.alembic], as project.load reads it
    return located(report, folder=folder, anchor=anchor.name)


def _write(path: Path, text: str, *, what: str, append: bool = False) -> None:
    """Append, or replace the file whole: a reader never sees half a report (written
    beside it, then renamed over it)."""
    try:
        if append:
            with path.open("a", encoding="utf-8") as file:
                file.write(text)
            return
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, path)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise UsageError(f"{what} {path}: {error.strerror}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _writable(path: Path, what: str) -> None:
    """Raise UsageError naming ``path`` if it cannot be written, without creating it: a
    walk of many minutes must not end in a report nobody can read."""
    if path.is_dir():
        raise UsageError(f"{what} {path}: Is a directory")
    if not path.parent.is_dir():
        raise UsageError(f"{what} {path}: No such file or directory")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise UsageError(f"{what} {path}: Permission denied")


@dataclass(frozen=True, slots=True)
class Outputs:
    """Where the reports go, checked before any work: see ``outputs``."""

    files: tuple[tuple[str, Path], ...]  # (format, file) of each --output
    shown: str  # the format of standard output
    summary: Path | None  # $GITHUB_STEP_SUMMARY, appended a markdown report

    def clear(self) -> None:
        """Remove the reports an earlier run left in the files named: whatever this run
        ends in, no file claims a result it did not give."""
        for _, path in self.files:
            with suppress(FileNotFoundError, IsADirectoryError):
                path.unlink()


def outputs(fmt: str | None, values: tuple[str, ...]) -> Outputs:
    """Each --output [FORMAT:]FILE, GitHub's job summary when $GITHUB_STEP_SUMMARY names
    one, and standard output (--format's, or the text summary when an --output FILE took
    --format's). A word before a colon that is no format (``sarf:r.sarif``) or a format
    without a FILE is an error, and so is a file that cannot be written."""
    on_github = os.environ.get("GITHUB_ACTIONS") == "true"
    shown = fmt or ("github" if on_github else "text")
    known = ", ".join(sorted(REPORTERS))
    files: list[tuple[str, Path]] = []
    for value in values:
        prefix, colon, rest = value.partition(":")
        if not value:
            raise UsageError("--output '': give a FILE or FORMAT:FILE")
        if colon and prefix in REPORTERS:
            if not rest:
                raise UsageError(f"--output {value}: give the FILE to write after {prefix}:")
            files.append((prefix, Path(rest)))
        # One letter is a Windows drive (C:\reports\r.txt), not a format.
        elif colon and len(prefix) > 1 and prefix.isascii() and prefix.isalpha():
            raise UsageError(
                f"--output {value}: {prefix!r} is not a report format ({known}); write "
                f"FORMAT:FILE (a file of that name: ./{value})"
            )
        else:
            files.append((fmt or "text", Path(value)))
            shown = "github" if shown == "github" else "text"
    for _, path in files:
        _writable(path, "--output")
    named = os.environ.get("GITHUB_STEP_SUMMARY")
    summary = Path(named) if named else None
    if summary is not None:
        _writable(summary, "$GITHUB_STEP_SUMMARY")
    return Outputs(tuple(files), shown, summary)


def emit(report: Report, outputs: Outputs, config_file: Path) -> int:
    """Write the reports ``outputs`` names; returns the exit code. Standard output comes
    first: if a file cannot be written after all, the findings are still shown (and the
    exit code is 2, naming the file)."""
    for note in report.notes:  # on standard error: standard output may be JSON
        click.echo(f"migcheck: {note}", err=True)

    def render(name: str) -> str:
        shaped = _located(report, config_file) if name in FOR_REPOSITORY else report
        return REPORTERS[name](shaped)

    click.echo(render(outputs.shown), nl=False)
    failed: list[UsageError] = []
    writes = [(path, name, "--output", False) for name, path in outputs.files]
    if outputs.summary is not None:
        writes.append((outputs.summary, "markdown", "$GITHUB_STEP_SUMMARY", True))
    for path, name, what, append in writes:
        text = render(name) + ("\n" if append else "")
        try:
            _write(path, text, what=what, append=append)
        except UsageError as error:
            failed.append(error)
    if failed:
        raise failed[0]
    return report.exit_code
