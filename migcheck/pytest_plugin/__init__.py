"""migcheck's pytest plugin as pytest loads it, in every session: its options and fixture.

The session (``migcheck.pytest_plugin.session``) and items (``migcheck.pytest_plugin.items``) are
imported only for ``pytest --migcheck``, and the walk's modules (Alembic, SQLAlchemy,
psycopg: about a second) only when a walk runs: a test session that does not check
migrations must not pay for them, once per xdist worker too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from migcheck.options import ROWS, Option

if TYPE_CHECKING:
    from migcheck.findings import Report

# The name of the plugin proper in pytest's plugin manager.
SESSION = "migcheck-session"
# check's options a test session may set: --migcheck-pg, --migcheck-backend...
PYTEST_OPTIONS = tuple(row for row in ROWS if row.pytest and "check" in row.commands)


def dest(row: Option) -> str:
    return f"migcheck_{row.key}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("migcheck", "migcheck: Alembic migrations on real PostgreSQL")
    group.addoption(
        "--migcheck",
        action="store_true",
        help="Walk the project's Alembic migrations: an item per PostgreSQL version and "
        "revision, one per version for the whole history, one for the revision graph.",
    )
    for row in PYTEST_OPTIONS:
        # A repeatable option is given as often as needed, as on the command line.
        action = "append" if row.repeatable else "store"
        group.addoption(
            row.pytest_flag, dest=dest(row), action=action, metavar=row.metavar, help=row.help
        )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("migcheck"):
        from migcheck.pytest_plugin.session import Plugin

        config.pluginmanager.register(Plugin(config), SESSION)


@pytest.fixture(scope="session")
def migcheck_report(request: pytest.FixtureRequest) -> Report:
    """migcheck's Report for every version checked (each walked once per process)."""
    plugin = request.config.pluginmanager.get_plugin(SESSION)
    if plugin is None:
        pytest.skip("migcheck_report needs pytest --migcheck")
    report: Report = plugin.report()
    return report
