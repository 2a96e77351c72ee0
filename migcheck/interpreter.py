"""Which Python runs the project's code: ``--python``, else the active virtualenv, else a
``.venv`` or ``venv`` folder beside the project's configuration, else migcheck's own."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from migcheck.errors import UsageError

_FOLDERS = (".venv", "venv")


def _in_environment(folder: Path) -> Path:
    if sys.platform == "win32":
        return folder / "Scripts" / "python.exe"
    return folder / "bin" / "python"


def _own_environment(folder: Path) -> bool:
    """Whether ``folder`` is migcheck's own environment (pre-commit and pipx activate it)."""
    try:
        return folder.resolve() == Path(sys.prefix).resolve()
    except OSError:
        return False


def choose(python: str | None, folders: Sequence[Path]) -> str:
    """The project's interpreter. ``folders``: where the project's configuration is
    (the Alembic configuration's folder first)."""
    if python:
        path = Path(python).expanduser()
        if path.is_dir():
            path = _in_environment(path)
        if not path.is_file() or not os.access(path, os.X_OK):
            raise UsageError(f"--python {python}: no Python interpreter there")
        return str(path.absolute())
    active = os.environ.get("VIRTUAL_ENV")
    if active and not _own_environment(Path(active)):
        candidate = _in_environment(Path(active))
        if candidate.is_file():
            return str(candidate)
    for folder in folders:
        for name in _FOLDERS:
            environment = folder / name
            candidate = _in_environment(environment)
            if candidate.is_file() and not _own_environment(environment):
                return str(candidate)
    return sys.executable
