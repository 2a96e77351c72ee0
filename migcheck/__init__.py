"""migcheck: prove Alembic migrations are reversible on real PostgreSQL servers."""

from __future__ import annotations

from importlib import metadata

# pyproject.toml's version, as the installed distribution (PyPI's alembic-migcheck) has
# it; set before the imports below, so that a module they import may read it.
__version__ = metadata.version("alembic-migcheck")

from migcheck.check import check
from migcheck.config import Config
from migcheck.diff import diff
from migcheck.errors import MigcheckError, ProjectError, ServerError, UsageError
from migcheck.findings import CODES, Finding, Report, Run
from migcheck.graph import check as check_static
from migcheck.snapshot import Snapshot

__all__ = [
    "CODES",
    "Config",
    "Finding",
    "MigcheckError",
    "ProjectError",
    "Report",
    "Run",
    "ServerError",
    "Snapshot",
    "UsageError",
    "__version__",
    "check",
    "check_static",
    "diff",
]
