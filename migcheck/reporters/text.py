"""The report for people: one block per finding, diff lines indented below it."""

from __future__ import annotations

from migcheck.diff import render_all
from migcheck.findings import Finding, Report, Run
from migcheck.fixes import suggest
from migcheck.grouping import versions_text


def counts(report: Report) -> str:
    """``1 error(s), 0 warning(s)``, and how many findings were accepted on purpose."""
    counted = [f for f in report.findings if f.suppressed is None]
    errors = sum(1 for f in counted if f.severity == "error")
    warnings = sum(1 for f in counted if f.severity == "warning")
    text = f"{errors} error(s), {warnings} warning(s)"
    suppressed = len(report.findings) - len(counted)
    return text + (f", {suppressed} suppressed" if suppressed else "")


def heading(finding: Finding) -> str:
    """``file:line: CODE severity: title (revision R, PostgreSQL 13-18)``."""
    where = finding.file or "project"
    if finding.line:
        where += f":{finding.line}"
    about = [f"revision {finding.revision}"] if finding.revision else []
    if finding.versions:
        about.append(f"PostgreSQL {versions_text(finding.versions)}")
    context = f" ({', '.join(about)})" if about else ""
    return f"{where}: {finding.code} {finding.severity}: {finding.title}{context}"


def diff_lines(finding: Finding) -> tuple[str, ...]:
    """A finding's diff as every format shows it: its lines known only as text, then its
    records, grouped by table (``diff.render_all``)."""
    return finding.diff + render_all(finding.changes)


def consequence_lines(finding: Finding) -> list[str]:
    """``then MC103 second upgrade failed: ...``: what the finding made fail next."""
    return [f"then {c.code} {c.title}: {c.message}" for c in finding.consequences]


def missing(finding: Finding) -> tuple[str, ...]:
    """What the downgrade is missing, lines to paste at the end of ``downgrade()``
    (``fixes.suggest``), as every format shows them; none for a finding accepted on
    purpose."""
    return () if finding.suppressed is not None else suggest(finding)


def fix_lines(finding: Finding) -> list[str]:
    """``missing(finding)`` under the line that says where it goes."""
    return placed(missing(finding))


def placed(pasted: tuple[str, ...]) -> list[str]:
    """Lines to paste, under the line that says where they go (none: no lines)."""
    if not pasted:
        return []
    return [
        "the downgrade is missing (paste at the end of downgrade()):",
        *(f"    {line}" for line in pasted),
    ]


def help_lines(finding: Finding) -> list[str]:
    """``help: what to do`` and ``see <the code's page>``; none for a finding accepted on
    purpose."""
    if finding.suppressed is not None:
        return []
    rule = finding.rule
    return [*([f"help: {rule.fix}"] if rule.fix else []), f"see {rule.docs}"]


def finding_lines(finding: Finding, *, output: bool = True) -> list[str]:
    """One finding's block: its heading, then indented why it was accepted, its message,
    its diff lines, what it made fail next and (``output``) the project's last lines."""
    lines = [heading(finding)]
    if finding.suppressed is not None:
        lines.append(f"    suppressed: {finding.suppressed}")
    lines.append(f"    {finding.message}")
    lines.extend(f"    {line}" for line in diff_lines(finding))
    lines.extend(f"    {line}" for line in consequence_lines(finding))
    lines.extend(f"    {line}" for line in fix_lines(finding))
    lines.extend(f"    {line}" for line in help_lines(finding))
    if finding.output and output:
        lines.append("    the project's output, last lines:")
        lines.extend(f"    | {line}" for line in finding.output)
    return lines


def run_line(run: Run) -> str:
    """``PostgreSQL 16.4 (docker): 3 revisions walked in 2.1 s``."""
    walked = f"{run.revisions} revision{'' if run.revisions == 1 else 's'} walked"
    rows = f" with {run.rows}" if run.rows else ""
    return f"PostgreSQL {run.server_version} ({run.backend}): {walked}{rows} in {run.seconds:.1f} s"


def python_lines(report: Report) -> list[str]:
    """``project's Python: /p/.venv/bin/python (Python 3.8.18, Alembic 1.7.7, ...)``, once."""
    found = dict.fromkeys(run.python for run in report.runs if run.python)
    return [f"project's Python: {python}" for python in found]


def render(report: Report) -> str:
    lines: list[str] = []
    for finding in report.findings:
        lines.extend(finding_lines(finding))
    for run in report.runs:
        for note in run.notes:
            lines.append(f"note [PostgreSQL {run.pg_version}]: {note}")
    lines.extend(python_lines(report))
    lines.extend(run_line(run) for run in report.runs)
    verdict = "FAIL" if report.failed else "OK"
    lines.append(f"{verdict}: {counts(report)}")
    return "\n".join(lines) + "\n"
