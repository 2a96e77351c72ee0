"""Errors that end a run; each carries the exit code the CLI returns for it."""

from __future__ import annotations


class MigcheckError(Exception):
    """A problem that stops migcheck before it can give a verdict."""

    exit_code = 2


class UsageError(MigcheckError):
    """A bad option or configuration value (exit 2)."""

    exit_code = 2


class ProjectError(MigcheckError):
    """The Alembic project cannot be loaded: no alembic.ini, a broken revision file (exit 2)."""

    exit_code = 2


class ServerError(MigcheckError):
    """No PostgreSQL server could be had, or it failed under us (exit 3)."""

    exit_code = 3
