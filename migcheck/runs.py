"""What the Alembic runs of a walk gave: a failed step's error, and the time spent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MigrationError:
    """What the database (or the migration's Python code) said when a step failed."""

    message: str
    sqlstate: str | None = None
    revision: str | None = None
    file: str | None = None
    line: int | None = None
    # The last lines the project printed during the step.
    output: tuple[str, ...] = ()
    # The database's DETAIL, when it gave one (which key, which value).
    detail: str | None = None


@dataclass
class Timings:
    """Seconds spent in each part of the walk, for reports and benchmarks."""

    migrations: float = 0.0
    snapshots: float = 0.0
    databases: float = 0.0
