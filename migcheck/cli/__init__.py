"""The ``migcheck`` command: options -> Config -> library -> reporter -> exit code."""

from migcheck.cli.main import cli, main, run

__all__ = ["cli", "main", "run"]
