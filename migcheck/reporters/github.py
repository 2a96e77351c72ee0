"""GitHub Actions workflow commands: one annotation per finding on its migration file's
line, after the text report for people reading the log (GitHub hides the commands).

https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from migcheck.findings import Finding, Report
from migcheck.grouping import versions_text
from migcheck.reporters import text

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    """A command's message: %, CR and LF would end or garble the command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A property value: also : and , which separate properties."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    # Accepted on purpose: shown, but not as an error or a warning.
    name = "notice" if finding.suppressed is not None else COMMANDS[finding.severity]
    where = [f"revision {finding.revision}"] if finding.revision else []
    if finding.versions:
        where.append(f"PostgreSQL {versions_text(finding.versions)}")
    title = f"{finding.code} {finding.title}" + (f" ({', '.join(where)})" if where else "")
    properties = []
    if finding.file is not None:
        properties.append(f"file={escape_property(finding.file)}")
        if finding.line:
            properties.append(f"line={finding.line}")
    properties.append(f"title={escape_property(title)}")
    lines = [
        finding.message,
        *text.diff_lines(finding),
        *text.consequence_lines(finding),
        *text.fix_lines(finding),
        *text.help_lines(finding),
    ]
    if finding.suppressed is not None:
        lines.insert(0, f"suppressed: {finding.suppressed}")
    message = escape_data("\n".join(lines))
    return f"::{name} {','.join(properties)}::{message}"


def render(report: Report) -> str:
    commands = [command(finding) for finding in report.findings]
    return text.render(report) + "".join(f"{line}\n" for line in commands)
