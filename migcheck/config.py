"""What a run is asked to do: one frozen record built by the CLI or the pytest plugin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from migcheck.errors import UsageError
from migcheck.findings import Suppression

Backend = Literal["auto", "local", "docker", "url"]
BACKENDS: tuple[Backend, ...] = ("auto", "local", "docker", "url")

# The SQLAlchemy driver names a project's URLs carry (postgresql+<driver>://).
Driver = Literal["psycopg", "psycopg2", "asyncpg", "pg8000"]
DRIVERS: tuple[Driver, ...] = ("psycopg", "psycopg2", "asyncpg", "pg8000")

# The major versions the PostgreSQL project supports as of this release (kept in one place).
SUPPORTED_VERSIONS: tuple[int, ...] = (14, 15, 16, 17, 18)
KNOWN_VERSIONS = range(9, 40)
DEFAULT_IMAGE = "postgres:{version}"


def new_run_id() -> str:
    """A fresh identifier for one run; containers started for it carry it as a label."""
    return secrets.token_hex(6)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything ``migcheck.check`` needs; paths are resolved against ``project_dir``."""

    project_dir: Path = Path(".")
    alembic_ini: str = "alembic.ini"
    ini_section: str = "alembic"
    pg_versions: tuple[int, ...] = ()
    backend: Backend = "auto"
    url: str | None = None
    pg_bin: str | None = None
    from_revision: str | None = None
    to_revision: str | None = None
    # Walk only the revisions whose files changed: those in changed_files if any are
    # given (absolute paths), else those that differ from the git commit base (None: the
    # merge base with the default branch).
    changed: bool = False
    base: str | None = None
    changed_files: tuple[Path, ...] = ()
    image: str = DEFAULT_IMAGE
    reuse: bool = False
    # Versions walked at a time, each in a process of its own; None: one per CPU core.
    jobs: int | None = None
    # How the project's env.py gets the scratch database (see "Running on your project").
    url_env: tuple[str, ...] = ()  # environment variables set to its URL
    x_args: tuple[str, ...] = ()  # -x arguments; {url} stands for its URL
    # None: the project's own (see migcheck.drivers).
    driver: Driver | None = None
    context: str | None = None  # "package.module:factory", factory(url) -> context manager
    bootstrap: str | None = None  # "package.module:function", function(connection)
    bootstrap_sql: str | None = None  # a SQL file run on every fresh database first
    # The SQLAlchemy models ("package.module:attribute") compared with the schema at
    # head (MC301); None: the target_metadata env.py passes to context.configure;
    # False: no models comparison.
    models: str | Literal[False] | None = None
    # The Python that runs the project's code (env.py, revisions, hooks, models); None:
    # the active virtualenv, a .venv or venv beside the configuration, or migcheck's own.
    python: str | None = None
    # Seconds one step may run before it is cancelled (a finding); 0: no limit.
    step_timeout: float = 600.0
    # Show everything the project prints, step by step, on standard error.
    verbose: bool = False
    # Findings accepted on purpose (the settings' ignore entries; the revision files'
    # own comments are read when the check runs).
    ignore: tuple[Suppression, ...] = ()
    # The [tool.migcheck] table (or migcheck.toml) these came from, if any; hooks are
    # imported from its folder and the project's, bootstrap_sql is relative to it.
    settings_file: Path | None = None
    # Names this run's containers (backend docker); not part of what the run is asked to do.
    run_id: str = field(default_factory=new_run_id, compare=False)

    @property
    def ini_path(self) -> Path:
        return self.project_dir / self.alembic_ini


def parse_pg_versions(spec: str) -> tuple[int, ...]:
    """``"16"``, ``"14,16,17"``, ``"13-18"``, ``"supported"`` -> sorted major versions."""
    versions: set[int] = set()
    if not spec.strip():
        raise UsageError("--pg: no version given (try 16, 14,16,17, 13-18 or supported)")
    for part in (piece.strip() for piece in spec.split(",")):
        if not part:
            raise UsageError(
                f"--pg: {spec!r} has an empty item (try 16, 14,16,17, 13-18 or supported)"
            )
        if part == "supported":
            versions.update(SUPPORTED_VERSIONS)
            continue
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise UsageError(
                f"--pg: {part!r} is not a major version (try 16, 14,16,17, 13-18 or supported)"
            ) from None
        if first > last or first not in KNOWN_VERSIONS or last not in KNOWN_VERSIONS:
            raise UsageError(f"--pg: {part!r} is not a range of PostgreSQL major versions")
        versions.update(range(first, last + 1))
    return tuple(sorted(versions))
