"""pytest --migcheck: the walk's findings as test items, over the library API the CLI uses.

Items, under a node named after the Alembic configuration file: ``graph`` (the static
revision-graph checks, no server), then per PostgreSQL version (``pg16``, or ``pg`` for
the default version) one item per revision and a ``history`` item for what no single
revision owns (downgrading the whole history to base, upgrading it in one run, the models
at head). A version is walked by ``migcheck.check`` once per process, when its first item
runs. The options live in ``migcheck.pytest_plugin``, which pytest loads in every session.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from migcheck import settings
from migcheck.check import check
from migcheck.config import BACKENDS, Backend, Config, parse_pg_versions
from migcheck.errors import MigcheckError, UsageError
from migcheck.findings import CODES, Finding, Report
from migcheck.graph import BLOCKING
from migcheck.graph import check as check_graph
from migcheck.project import load as load_project

if TYPE_CHECKING:
    # The types of repr_failure's signature, which pytest does not export.
    from _pytest._code.code import TerminalRepr, TracebackStyle

_BACKENDS: dict[str, Backend] = {name: name for name in BACKENDS if name != "url"}


# Findings of the comparison of versions, which the "versions" item owns.
_ACROSS = frozenset({"MC104", "MC302"})


class MigcheckWarning(UserWarning):
    """A warning-level finding: its item passes and pytest's warnings summary shows it."""


class FindingsFailed(Exception):
    """The error-level findings of one item; pytest shows their text, not a traceback."""


def render(finding: Finding) -> str:
    """One finding as the text report prints it, with the code's help."""
    where = (finding.file or "project") + (f":{finding.line}" if finding.line else "")
    revision = f" revision {finding.revision}" if finding.revision else ""
    version = f" [PostgreSQL {finding.pg_version}]" if finding.pg_version else ""
    lines = [f"{where}: {finding.code} {finding.severity}: {finding.title}{revision}{version}"]
    lines.append(f"    {finding.message}")
    lines.extend(f"    {line}" for line in finding.diff)
    if finding.suppressed is not None:
        lines.append(f"    suppressed: {finding.suppressed}")
    else:
        lines.append(f"    help: {CODES[finding.code].help}")
    return "\n".join(lines)


def build_config(config: pytest.Config) -> Config:
    """The run's Config from the --migcheck-* options and the project's [tool.migcheck]."""
    named = config.getoption("migcheck_config")
    ini = config.invocation_params.dir / named if named else config.rootpath / "alembic.ini"
    backend = _BACKENDS.get(config.getoption("migcheck_backend") or "auto")
    if backend is None:
        raise UsageError(f"--migcheck-backend: choose one of {', '.join(_BACKENDS)}")
    spec = config.getoption("migcheck_pg")
    try:
        versions = parse_pg_versions(spec) if spec else ()
    except UsageError as error:
        raise UsageError(str(error).replace("--pg:", "--migcheck-pg:", 1)) from None
    given = Config(
        project_dir=ini.parent, alembic_ini=ini.name, pg_versions=versions, backend=backend
    )
    # What the command line gave wins over the project's settings, as for the CLI.
    keep = {"pg_versions"} if versions else set()
    if config.getoption("migcheck_backend"):
        keep.add("backend")
    return settings.apply(given, keep=keep)


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
        self._static: Report | None = None
        self._walks: dict[int | None, Report | Exception] = {}
        self.lines: list[str] = []  # one per walk, for the terminal summary

    def static(self) -> Report:
        if self._static is None:
            self._static = check_graph(self.settings)
        return self._static

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
            self._record(
                f"PostgreSQL {run.server_version} ({run.backend}): "
                f"{run.revisions} revisions walked in {run.seconds:.1f} s"
            )
        return report

    def _record(self, line: str) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        self.lines.append(f"[{worker}] {line}" if worker else line)
        output = getattr(self.config, "workeroutput", None)  # set in xdist workers only
        if output is not None:
            output["migcheck"] = list(self.lines)

    def across(self) -> Report:
        """What only comparing the versions shows (MC104, MC302), from each version's
        report: the versions not walked in this process yet are walked here."""
        from migcheck import shards, suppress
        from migcheck.findings import suppress as suppressed

        walks = {f"PostgreSQL {version}": self.walk(version) for version in self.versions}
        found = [f for f in shards.merge(walks).findings if f.code in _ACROSS]
        project = load_project(self.settings)
        accepted = suppress.collect(
            self.settings, [(r.id, Path(r.path)) for r in project.revisions]
        )
        return Report(findings=suppressed(tuple(found), accepted))

    def report(self) -> Report:
        """Every version's report in one: runs and findings by version, graph findings once."""
        walks = [self.walk(version) for version in self.versions]
        static = self.static().findings
        walked = tuple(f for w in walks for f in w.findings if not _static(f))
        across = self.across().findings if len(self.versions) > 1 else ()
        runs = tuple(r for w in walks for r in w.runs)
        return Report(runs=runs, findings=static + walked + across)

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


def _static(finding: Finding) -> bool:
    """A finding of the revision-graph checks (MC4xx), which the graph item owns."""
    return finding.code.startswith("MC4")


def _across(finding: Finding) -> bool:
    return finding.code in _ACROSS


def _failure_text(excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
    if isinstance(excinfo.value, FindingsFailed):
        return str(excinfo.value)
    if isinstance(excinfo.value, MigcheckError):
        return f"migcheck: {excinfo.value}"
    return None


class AlembicProject(pytest.File):
    """The Alembic configuration file; its items are known without a server."""

    def __init__(self, *, plugin: Plugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plugin = plugin

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        plugin = self.plugin
        yield Check.from_parent(self, name="graph", version=None, owns=_static, revision=None)
        if any(f.code in BLOCKING for f in plugin.static().findings):
            return  # the history cannot be loaded, let alone walked: the graph item says why
        project = load_project(plugin.settings)
        revisions = [r.id for r in project.select(None, None)[1]]
        for version in plugin.versions:
            yield Version.from_parent(
                self, name=f"pg{version or ''}", version=version, revisions=revisions
            )
        if len(plugin.versions) > 1:
            yield Check.from_parent(
                self, name="versions", version=None, owns=_across, revision=None
            )

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        return _failure_text(excinfo) or super().repr_failure(excinfo)


class Version(pytest.Collector):
    """One PostgreSQL version: an item per revision, then the whole history's item."""

    def __init__(self, *, version: int | None, revisions: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.version = version
        self.revisions = revisions

    def collect(self) -> Iterator[pytest.Item]:
        known = set(self.revisions)
        for revision in self.revisions:
            yield Check.from_parent(
                self,
                name=revision,
                version=self.version,
                owns=lambda f, rev=revision: not _static(f) and f.revision == rev,
                revision=revision,
            )
        yield Check.from_parent(
            self,
            name="history",
            version=self.version,
            owns=lambda f: not _static(f) and f.revision not in known,
            revision=None,
        )


class Check(pytest.Item):
    """Fails with its error-level findings; warnings pass and are shown as warnings."""

    def __init__(
        self,
        *,
        version: int | None,
        owns: Callable[[Finding], bool],
        revision: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.version = version
        self.owns = owns  # which findings of the report are this item's
        self.revision = revision  # the revision this item reports on, if one
        self.add_marker(pytest.mark.migcheck)
        if self.config.pluginmanager.hasplugin("xdist"):
            # For --dist loadgroup: a version's items in one worker.
            group = f"-{self.parent.name}" if isinstance(self.parent, Version) else ""
            self.add_marker(pytest.mark.xdist_group(f"migcheck{group}"))

    @property
    def plugin(self) -> Plugin:
        parent = self.parent
        while not isinstance(parent, AlembicProject):
            assert parent is not None
            parent = parent.parent
        return parent.plugin

    def runtest(self) -> None:
        if isinstance(self.parent, Version):
            report = self.plugin.walk(self.version)
        elif self.name == "versions":
            report = self.plugin.across()
        else:
            report = self.plugin.static()
        findings = [f for f in report.findings if self.owns(f)]
        for finding in findings:
            if finding.suppressed is not None:
                self.add_report_section("call", "migcheck suppressed", render(finding))
            elif finding.severity != "error":
                warnings.warn_explicit(
                    MigcheckWarning(render(finding)),
                    MigcheckWarning,
                    finding.file or self.nodeid,
                    finding.line or 0,
                )
        failed = [f for f in findings if f.severity == "error" and f.suppressed is None]
        if failed:
            raise FindingsFailed("\n".join(render(f) for f in failed))
        walked = {rev for run in report.runs for rev in run.walked}
        if self.revision is not None and self.revision not in walked and not findings:
            notes = [n for r in report.runs for n in r.notes if n.startswith(f"{self.revision} ")]
            pytest.skip(notes[0] if notes else f"{self.revision} was not walked")

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        return _failure_text(excinfo) or super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # pytest shows the path, then this; its "." would be shown as "::".
        return self.path, None, self.nodeid.removeprefix(self.plugin.nodeid + "::")
