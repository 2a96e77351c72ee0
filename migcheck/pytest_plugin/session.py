"""The session side of pytest --migcheck: the Config from the options and settings, each
PostgreSQL version's report (walked once per process), the xdist scheduling and the
terminal summary. The items are ``migcheck.pytest_plugin.items``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest

from migcheck import suppress
from migcheck.check import check
from migcheck.codes import Code
from migcheck.config import Config, resolve
from migcheck.errors import MigcheckError
from migcheck.findings import Report, graded
from migcheck.graph import Static, examine
from migcheck.options import parse_text
from migcheck.pytest_plugin import PYTEST_OPTIONS, dest
from migcheck.pytest_plugin.items import ACROSS, AlembicProject
from migcheck.reporters import text


def build_config(config: pytest.Config) -> Config:
    """The run's Config from the --migcheck-* options over the project's settings."""
    given: dict[str, object] = {}
    for row in PYTEST_OPTIONS:
        value = config.getoption(dest(row))
        if isinstance(value, list):  # a repeatable option's values
            given[row.key] = tuple(str(text) for text in value)
        elif value is not None:
            given[row.key] = parse_text(row, str(value), flag=row.pytest_flag)
    if "config" in given:  # as typed: from where pytest was started
        given["config"] = str(config.invocation_params.dir / str(given["config"]))
    return resolve("check", given, cwd=config.rootpath).config


class Plugin:
    """One pytest process's migcheck: the Config, and each version's report once walked."""

    def __init__(self, config: pytest.Config) -> None:
        try:
            self.settings = build_config(config)
        except MigcheckError as error:
            raise pytest.UsageError(f"migcheck: {error}") from None
        if config.getoption("dist", "no") == "worksteal":
            raise pytest.UsageError(
                "migcheck: --dist worksteal would walk a PostgreSQL version in several "
                "workers; use load (the default of -n), loadscope, loadgroup or loadfile"
            )
        config.addinivalue_line("markers", "migcheck: an item of pytest --migcheck")
        self.config = config
        self.versions: tuple[int | None, ...] = self.settings.pg_versions or (None,)
        ini = self.settings.ini_path
        self.nodeid = os.path.relpath(ini, config.rootpath).replace(os.sep, "/")
        self._static: Static | None = None
        self._walks: dict[int | None, Report | Exception] = {}
        self._merged: Report | None = None
        self.lines: list[str] = []  # one per walk, for the terminal summary

    def examined(self) -> Static:
        """The revision graph's checks, and the revision files and suppressions they read."""
        if self._static is None:
            self._static = examine(self.settings)
        return self._static

    def static(self) -> Report:
        return graded(self.examined().report, self.settings.severity)

    def walk(self, version: int | None) -> Report:
        """``version``'s report: walked on first use, then kept for the session."""
        if version not in self._walks:
            self._walks[version] = self._check(version)
        found = self._walks[version]
        if isinstance(found, Exception):
            raise found
        return found

    def _check(self, version: int | None) -> Report | Exception:
        versions = () if version is None else (version,)
        try:
            report = check(replace(self.settings, pg_versions=versions))
        except Exception as error:  # kept: every item of the version fails with it, once run
            self._record(f"PostgreSQL {version or '(default version)'}: {error}")
            return error
        for run in report.runs:
            self._record(text.run_line(run))
        return report

    def _record(self, line: str) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        self.lines.append(f"[{worker}] {line}" if worker else line)
        output = getattr(self.config, "workeroutput", None)  # set in xdist workers only
        if output is not None:
            output["migcheck"] = list(self.lines)

    def settled(self, version: int | None) -> Report:
        """``version``'s report as its items read it: a failure there that comparing the
        versions makes an MC104 has the MC104's verdict, as ``check`` of every version
        gives it (a suppression of the MC104 accepts it). The other versions are walked
        in this process only when a suppression of MC104 may accept one of its failures."""
        report = self.walk(version)
        suppressions = self.examined().suppressions
        if len(self.versions) < 2 or not suppress.across_versions(suppressions):
            return report
        if all(f.suppressed is not None or f.revision is None for f in report.findings):
            return report
        verdicts = {
            replace(f, suppressed=None, suppressed_by=None): f
            for mc104 in self.merged().findings
            if mc104.code == Code.MC104
            for f in mc104.replaces
        }
        return replace(report, findings=tuple(verdicts.get(f, f) for f in report.findings))

    def merged(self) -> Report:
        """Every version's report in one, as ``check`` of them all gives it: what only
        comparing them shows (MC104, MC302) included, the project's suppressions applied
        as check applies them. The versions not walked in this process yet are walked."""
        if self._merged is None:
            from migcheck import shards
            from migcheck.matrix import needs

            static = self.examined()
            walks = {
                f"PostgreSQL {version or '(default version)'}": self.walk(version)
                for version in self.versions
            }
            merged = shards.merge(walks, static.suppressions, needed=needs(static.files))
            self._merged = graded(merged, self.settings.severity)
        return self._merged

    def across(self) -> Report:
        """What only comparing the versions shows (MC104, MC302), for the versions item."""
        return Report(findings=tuple(f for f in self.merged().findings if f.code in ACROSS))

    def report(self) -> Report:
        """Every version's report in one (``merged``), for the ``migcheck_report`` fixture."""
        return self.merged()

    def pytest_report_header(self) -> str:
        versions = ", ".join(str(v) for v in self.settings.pg_versions) or "the default"
        return f"migcheck: {self.nodeid}, PostgreSQL {versions}, backend {self.settings.backend}"

    @pytest.hookimpl(tryfirst=True)  # before -k, -m and --deselect choose
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[Any]) -> None:
        node = AlembicProject.from_parent(
            session, path=self.settings.ini_path, nodeid=self.nodeid, plugin=self
        )
        items.extend(session.genitems(node))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        """Under --dist load (the default of -n): each version's items to one worker."""
        if config.getoption("dist") != "load":
            return None
        from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

        ours = self.nodeid + "::"

        class ByVersion(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped here
            # xdist chooses work units through this method only (loadgroup overrides it
            # too): a version's items are one unit, any other test is a unit of its own.
            def _split_scope(self, nodeid: str) -> str:
                return nodeid.rsplit("::", 1)[0] if nodeid.startswith(ours) else nodeid

        return ByVersion(config, log)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        self.lines.extend(getattr(node, "workeroutput", {}).get("migcheck", ()))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.lines and not hasattr(self.config, "workeroutput"):
            terminalreporter.write_sep("-", "migcheck")
            for line in self.lines:
                terminalreporter.write_line(line)
