"""The table of finding codes, and the records a check produces."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from migcheck.snapshot import Head

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    title: str
    help: str


CODES: dict[str, Code] = {
    code.code: code
    for code in (
        Code(
            "MC101",
            "error",
            "upgrade failed",
            "The upgrade raised an error on a database at its parent revision. "
            "Fix the migration; the database's message says what it refused.",
        ),
        Code(
            "MC102",
            "error",
            "downgrade failed",
            "The downgrade raised an error (NotImplementedError included) right after "
            "the upgrade. Write a downgrade that undoes upgrade() in reverse order.",
        ),
        Code(
            "MC103",
            "error",
            "second upgrade failed",
            "After upgrade and downgrade, upgrading again failed: the downgrade left "
            "something behind that the upgrade creates (an enum type, an index, a sequence).",
        ),
        Code(
            "MC104",
            "error",
            "fails on some PostgreSQL versions only",
            "The same migration fails on the versions named and passes on the others, "
            "usually SQL that only newer releases accept (UNIQUE NULLS NOT DISTINCT needs "
            "15) or that newer releases removed. Support every version you run, or stop "
            "checking the versions your production does not use (--pg).",
        ),
        Code(
            "MC201",
            "error",
            "downgrade did not restore the schema",
            "The schema after the downgrade differs from the schema before the upgrade. "
            "Each line is what the downgrade failed to undo.",
        ),
        Code(
            "MC202",
            "error",
            "second upgrade built a different schema",
            "Upgrading again after a downgrade built a schema different from the first "
            "upgrade's: usually leftovers of the downgrade that the upgrade tolerates.",
        ),
        Code(
            "MC203",
            "error",
            "schema not empty after downgrading to base",
            "Downgrading the whole history in one go did not bring the schema back to "
            "where it started.",
        ),
        Code(
            "MC204",
            "warning",
            "column order changed",
            "The downgrade re-created a column at the end of its table: same column, "
            "different position. Harmless for code that names its columns.",
        ),
        Code(
            "MC301",
            "error",
            "models differ from the migrations",
            "At head, the schema the migrations build differs from the SQLAlchemy models "
            "(the target_metadata env.py passes to context.configure). Write the missing "
            "migration (alembic revision --autogenerate, then review it), or change the "
            "models to match what the migrations build.",
        ),
        Code(
            "MC302",
            "error",
            "schema differs across PostgreSQL versions",
            "At head, the schema built on this version differs from the one built on the "
            "lowest version walked, after evening out what versions only print differently. "
            "Usually a migration that branches on the server version, or an expression "
            "whose type changed between releases (EXTRACT gives numeric since 14): make "
            "the migration build the same schema everywhere, or cast to pin the type.",
        ),
        Code(
            "MC303",
            "error",
            "live database differs from the migrations",
            "A live database's schema differs from the schema its migrations build (at head, "
            "or at the revisions its alembic_version table records). Lines with + are only "
            "in the database, lines with - only in the migrations: a change made by hand, a "
            "migration edited after it ran, or a revision not run.",
        ),
        Code(
            "MC401",
            "error",
            "more than one head",
            "Two or more revisions have no child: alembic upgrade head refuses such a "
            'history. Merge them with alembic merge heads -m "merge".',
        ),
        Code(
            "MC402",
            "error",
            "reference to a missing revision",
            "A down_revision or depends_on names a revision that no file declares: a "
            "deleted or renamed revision file, or a typo. Restore the file or fix the id.",
        ),
        Code(
            "MC403",
            "error",
            "duplicate revision id",
            "Two revision files declare the same revision id, often a copied file. Give "
            "one of them a new id.",
        ),
        Code(
            "MC404",
            "error",
            "cycle in the revision graph",
            "The revisions named reach themselves through down_revision or depends_on. "
            "Point one of them at an older revision.",
        ),
        Code(
            "MC405",
            "warning",
            "empty migration",
            "upgrade() does nothing (only pass, a docstring or ...): an autogenerate run "
            "that found no change. Delete the revision, or write what it was meant to do.",
        ),
        Code(
            "MC406",
            "warning",
            "upgrade changes the schema, downgrade is empty",
            "Read from the file, without running it: upgrade() calls an op.* operation "
            "that changes the schema or executes literal DDL, and downgrade() does "
            "nothing. Undo the upgrade in reverse order, or raise NotImplementedError "
            "if it cannot be undone. The walk proves it (MC201).",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    revision: str | None = None
    file: str | None = None
    line: int | None = None
    pg_version: int | None = None
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

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def title(self) -> str:
        return CODES[self.code].title


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
            and self.pg_version in (None, finding.pg_version)
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
