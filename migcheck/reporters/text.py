"""The report for people: one block per finding, diff lines indented below it."""

from __future__ import annotations

from migcheck.findings import Report


def render(report: Report) -> str:
    lines: list[str] = []
    for finding in report.findings:
        where = finding.file or "project"
        if finding.line:
            where += f":{finding.line}"
        revision = f" revision {finding.revision}" if finding.revision else ""
        version = f" [PostgreSQL {finding.pg_version}]" if finding.pg_version else ""
        lines.append(
            f"{where}: {finding.code} {finding.severity}: {finding.title}{revision}{version}"
        )
        lines.append(f"    {finding.message}")
        lines.extend(f"    {line}" for line in finding.diff)
    for run in report.runs:
        for note in run.notes:
            lines.append(f"note [PostgreSQL {run.pg_version}]: {note}")
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    for run in report.runs:
        lines.append(
            f"PostgreSQL {run.server_version} ({run.backend}): {run.revisions} revisions "
            f"walked in {run.seconds:.1f} s"
        )
    verdict = "FAIL" if report.failed else "OK"
    lines.append(f"{verdict}: {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + "\n"
