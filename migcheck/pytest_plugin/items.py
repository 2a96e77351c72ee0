"""pytest --migcheck: the walk's findings as test items, over the library API the CLI uses.

Items, under a node named after the Alembic configuration file: ``graph`` (the static
revision-graph checks, no server), then per PostgreSQL version (``pg16``, or ``pg`` for
the default version) one item per revision and a ``history`` item for what no single
revision owns (downgrading the whole history to base, upgrading it in one run, the models
at head). A version is walked by ``migcheck.check`` once per process, when its first item
runs (``migcheck.pytest_plugin.session``). The options live in ``migcheck.pytest_plugin``, which
pytest loads in every session.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from migcheck.codes import Stage, of_stage
from migcheck.errors import MigcheckError
from migcheck.findings import Finding
from migcheck.graph import BLOCKING
from migcheck.project import load as load_project
from migcheck.reporters import text

if TYPE_CHECKING:
    # The types of repr_failure's signature, which pytest does not export.
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from migcheck.pytest_plugin.session import Plugin


# Findings of the comparison of versions (MC104, MC302), which the "versions" item owns.
ACROSS = frozenset(of_stage(Stage.ACROSS))


class MigcheckWarning(UserWarning):
    """A warning-level finding: its item passes and pytest's warnings summary shows it."""


class FindingsFailed(Exception):
    """The error-level findings of one item; pytest shows their text, not a traceback."""


def render(finding: Finding) -> str:
    """One finding as the text report prints it (its help and page included)."""
    return "\n".join(text.finding_lines(finding))


def is_static(finding: Finding) -> bool:
    """A finding of the revision-graph checks, which the graph item owns."""
    return finding.stage is Stage.GRAPH


def _across(finding: Finding) -> bool:
    return finding.code in ACROSS


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
        yield Check.from_parent(self, name="graph", version=None, owns=is_static, revision=None)
        if any(f.code in BLOCKING for f in plugin.static().findings):
            return  # the history cannot be loaded, let alone walked: the graph item says why
        project = load_project(plugin.settings)
        first, last = plugin.settings.from_revision, plugin.settings.to_revision
        selected = project.select(
            first and project.resolve(first, option="from"),
            last and project.resolve(last, option="to"),
        )
        revisions = [r.id for r in selected[1]]
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
                owns=lambda f, rev=revision: not is_static(f) and f.revision == rev,
                revision=revision,
            )
        yield Check.from_parent(
            self,
            name="history",
            version=self.version,
            owns=lambda f: not is_static(f) and f.revision not in known,
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
            report = self.plugin.settled(self.version)
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
