"""The whole history upgraded in one run on another core while the walk goes on
(migcheck.ahead): the same findings as at the walk's end, nothing left behind."""

from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest
from cases import PROJECTS, case_config

from migcheck import check, course
from migcheck.config import Config
from migcheck.findings import Report
from migcheck.provision import Server
from migcheck.reporters.text import diff_lines

# Those whose whole-history upgrade fails, builds another schema or is left out, and
# controls.
CASES = [
    "commit_inside_migration",
    "enum_value_used_in_same_transaction",
    "search_path_leaks_into_next_revision",
    "set_local_leaks_into_downgrade_to_base",
    "view_leftover_blocks_downgrade_to_base",
    "upgrade_fails",
    "downgrade_not_implemented",
    "clean_branch_and_merge",
]


def _findings(report: Report) -> list[tuple[str, str | None, str, tuple[str, ...]]]:
    return [(f.code, f.revision, f.message, tuple(diff_lines(f))) for f in report.findings]


def _scratch_databases(server: Server) -> list[str]:
    with psycopg.connect(server.url, autocommit=True) as admin:
        rows = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'migcheck\\_%'")
        return sorted(str(name) for (name,) in rows)


@pytest.mark.server
@pytest.mark.parametrize("case", CASES)
def test_ahead_gives_the_walks_own_findings(
    case: str, url_config: Config, pg_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = case_config(PROJECTS / case, url_config, monkeypatch)
    monkeypatch.setattr(course, "AHEAD_FROM", 10_000)
    serial = check(replace(config, jobs=1))
    monkeypatch.setattr(course, "AHEAD_FROM", 1)
    before = _scratch_databases(pg_server)
    ahead = check(replace(config, jobs=1))
    assert _findings(ahead) == _findings(serial)
    assert ahead.runs[0].notes == serial.runs[0].notes
    # Its database went with the check (other tests' may come and go meanwhile).
    assert not set(_scratch_databases(pg_server)) - set(before)
