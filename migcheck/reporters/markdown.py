"""Markdown, for GitHub's job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment."""

from __future__ import annotations

import re

from migcheck.findings import Finding, Report
from migcheck.grouping import versions_text
from migcheck.reporters.text import consequence_lines, counts, diff_lines, missing

# Backslash-escaped, so that SQL and identifiers in messages render as written.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _fence(lines: tuple[str, ...]) -> str:
    """A ```diff block, its fence longer than any run of backticks inside."""
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join((f"{fence}diff", *lines, fence))


def _finding(finding: Finding) -> list[str]:
    label = f"{finding.code} {finding.severity}"
    if finding.suppressed is not None:
        label += " (suppressed)"
    where = []
    if finding.file:
        where.append(f"`{finding.file}{f':{finding.line}' if finding.line else ''}`")
    if finding.revision:
        where.append(f"revision `{finding.revision}`")
    if finding.versions:
        where.append(f"PostgreSQL {versions_text(finding.versions)}")
    lines = [f"### {label}: {escape(finding.title)}", ""]
    if where:
        lines += [" · ".join(where), ""]
    if finding.suppressed is not None:
        lines += [f"Suppressed: {escape(finding.suppressed)}", ""]
    lines += [escape(finding.message), ""]
    diff = diff_lines(finding)
    if diff:
        lines += [_fence(diff), ""]
    lines += [f"- {escape(line)}" for line in consequence_lines(finding)]
    if finding.consequences:
        lines.append("")
    pasted = missing(finding)
    if pasted:
        lines += ["The downgrade is missing (paste at the end of `downgrade()`):", ""]
        lines += [_fence(pasted).replace("diff", "python", 1), ""]
    if finding.suppressed is None:
        fix = f"{escape(finding.rule.fix)} " if finding.rule.fix else ""
        lines += [f"{fix}[{finding.code}]({finding.rule.docs})", ""]
    return lines


def render(report: Report) -> str:
    verdict = "fail" if report.failed else "pass"
    lines = [f"## migcheck: {verdict}", "", escape(counts(report)), ""]
    if report.runs:
        lines += [
            "| PostgreSQL | backend | revisions | seconds |",
            "| --- | --- | ---: | ---: |",
            *(
                f"| {run.server_version} | {run.backend} | {run.revisions} | {run.seconds:.1f} |"
                for run in report.runs
            ),
            "",
        ]
        pythons = dict.fromkeys(run.python for run in report.runs if run.python)
        lines += [f"The project's Python: {escape(python)}" for python in pythons]
        lines += [""] if pythons else []
    for finding in report.findings:
        lines += _finding(finding)
    notes = [escape(note) for note in report.notes]
    notes += [
        f"PostgreSQL {run.pg_version}: {escape(note)}" for run in report.runs for note in run.notes
    ]
    if notes:
        lines += ["### Notes", ""]
        lines += [f"- {note}" for note in notes] + [""]
    return "\n".join(lines)
