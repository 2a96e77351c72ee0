"""The ``migcheck`` command: options -> Config -> library -> reporter -> exit code."""

from migcheck.cli.main import cli, main, run

__all__ = ["cli", "main", "run"]


def _run(command: object, args: list[str] | None) -> int:
    """The old test entry point, until every test calls ``run``."""
    return run(args)
