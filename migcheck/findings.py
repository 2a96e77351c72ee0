"""The records a check and a diff produce: findings, each version's run, the report.

A finding's differences stay records (``diff.Added``, ``Removed``, ``Changed``) until a
reporter renders them (``reporters.text.diff_lines``); what a code means is the table's
(``migcheck.codes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from migcheck.codes import CODES, Code, Rule, Severity, Stage
from migcheck.diff import Difference
from migcheck.snapshot import Head

__all__ = [
    "CODES",
    "Code",
    "Comparison",
    "Finding",
    "Report",
    "Rule",
    "Run",
    "Severity",
    "Stage",
    "Suppression",
    "graded",
    "suppress",
]

# What ``migcheck check`` looks at; JUnit lists a test case per check of these stages.
CHECK_STAGES = (Stage.GRAPH, Stage.WALK, Stage.MODELS, Stage.DEPLOY, Stage.ACROSS)


@dataclass(frozen=True, slots=True)
class Finding:
    # migcheck itself writes Code.MC201. Callers of the library (tests, scripts) may
    # write the plain "MC201": made a Code here, so that an unknown one is a ValueError
    # at once and not a finding nobody matches.
    code: Code
    message: str
    revision: str | None = None
    file: str | None = None
    line: int | None = None
    pg_version: int | None = None
    # Diff lines known only as text: Alembic's autogenerate comparison (MC301), and the
    # walk's own lines until it hands over ``changes``. Reporters show them first.
    diff: tuple[str, ...] = ()
    # Why the finding was accepted on purpose (a suppression's reason); None: it counts.
    suppressed: str | None = None
    # Where that suppression is written: "comment" in the revision file, or "settings".
    suppressed_by: Literal["comment", "settings"] | None = None
    # MC104: the findings of each version it stands for, for a comparison with more
    # versions later (``migcheck merge`` of shards that each walked several).
    replaces: tuple[Finding, ...] = ()
    # The last lines the project printed in the step that failed (MC101-MC103).
    output: tuple[str, ...] = ()
    # What differs, as records: equal findings are equal differences, not equal text.
    changes: tuple[Difference, ...] = ()
    # Found alike on several versions: all of them (``pg_version`` is the lowest); one
    # finding per defect (grouping.across). Empty: ``pg_version`` alone, or none.
    pg_versions: tuple[int, ...] = ()
    # What failed next because of this finding (an MC103 after the MC201 whose leftover
    # the second upgrade tripped over): shown under it, not counted on their own.
    consequences: tuple[Finding, ...] = ()
    # The severity the project gave its code (settings: severity), instead of the table's.
    level: Severity | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, Code):
            object.__setattr__(self, "code", Code(self.code))

    @property
    def rule(self) -> Rule:
        return CODES[self.code]

    @property
    def versions(self) -> tuple[int, ...]:
        """The versions it was found on (none: the revision graph's, or across versions)."""
        if self.pg_versions:
            return self.pg_versions
        return () if self.pg_version is None else (self.pg_version,)

    @property
    def severity(self) -> Severity:
        return self.level or self.rule.severity

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def stage(self) -> Stage:
        return self.rule.stage


@dataclass(frozen=True, slots=True)
class Suppression:
    """A finding accepted on purpose: ``# migcheck: ignore CODE -- reason`` in a revision
    file, or an ``ignore`` entry of the settings."""

    code: str
    reason: str
    revision: str | None = None  # None: findings of every revision, and of none
    pg_version: int | None = None  # None: on every version
    source: str = ""  # where it is written, for messages: "file:line" or the settings key
    comment: bool = False  # written in the revision file (not in the settings)

    def matches(self, finding: Finding) -> bool:
        return (
            finding.code == self.code
            and self.revision in (None, finding.revision)
            and (self.pg_version is None or self.pg_version in finding.versions)
        )


def suppress(
    findings: Iterable[Finding], suppressions: Sequence[Suppression]
) -> tuple[Finding, ...]:
    """``findings``, each one a suppression matches marked with its reason (the first
    matching one's); they stay in the report and no longer fail it."""
    marked = []
    for finding in findings:
        found = next((s for s in suppressions if s.matches(finding)), None)
        if finding.suppressed is None and found is not None:
            by: Literal["comment", "settings"] = "comment" if found.comment else "settings"
            finding = replace(finding, suppressed=found.reason, suppressed_by=by)
        marked.append(finding)
    return tuple(marked)


@dataclass(frozen=True, slots=True)
class Run:
    """One PostgreSQL version's walk."""

    pg_version: int
    server_version: str
    backend: str
    seconds: float
    revisions: int = 0
    # The revisions walked up, down and up again, in walk order.
    walked: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()
    # The Python that ran the project's code, and its Alembic, SQLAlchemy and driver.
    python: str = ""
    # What went into the tables before each revision: "10 generated rows per table (seed
    # 0)"; "" when nothing did (--rows 0, no rows of the project's).
    rows: str = ""
    # The schema at head, for comparisons across versions made after the walk (MC302);
    # not part of reports (JSON, text): a run's head is only known in the process.
    head: Head | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Report:
    runs: tuple[Run, ...] = ()
    findings: tuple[Finding, ...] = field(default=())
    # What the whole check left out and why, beyond any version's walk (a run's notes):
    # "no revision changed since main (...): nothing to walk".
    notes: tuple[str, ...] = ()
    # What the command looked at: check's stages, or migcheck diff's. Not in JSON reports,
    # which only check writes.
    stages: tuple[Stage, ...] = CHECK_STAGES

    @property
    def failed(self) -> bool:
        return any(
            finding.severity == "error" and finding.suppressed is None for finding in self.findings
        )

    @property
    def result(self) -> Literal["pass", "fail"]:
        return "fail" if self.failed else "pass"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True, slots=True)
class Comparison:
    """What ``migcheck diff`` found: the differences that turn the schema named ``old``
    into the one named ``new``."""

    old: str
    new: str
    differences: tuple[Difference, ...] = ()
    live: bool = False  # a side is a live database: its differences are MC303
    # With one side (a live database): the revisions its alembic_version table records.
    recorded: tuple[str, ...] = ()

    @property
    def report(self) -> Report:
        """MC303 when a side is a live database that differs, as every format reports it."""
        if not (self.live and self.differences):
            return Report(stages=(Stage.DIFF,))
        finding = Finding(
            Code.MC303,
            f"{self.new} differs from the schema of {self.old}",
            revision=", ".join(self.recorded) or None,
            changes=self.differences,
        )
        return Report(findings=(finding,), stages=(Stage.DIFF,))


def graded(report: Report, levels: Sequence[tuple[str, Severity]]) -> Report:
    """``report``, its findings of a code ``levels`` names with the severity it gives (the
    settings' ``severity``)."""
    by_code = dict(levels)
    findings = (
        replace(f, level=by_code[f.code]) if f.code in by_code else f for f in report.findings
    )
    return replace(report, findings=tuple(findings))
