"""SARIF 2.1.0, for code scanning (GitHub's upload-sarif, GitLab, IDE viewers).

One rule per code of the table of codes; one result per finding, located in its
revision file (its ``def upgrade`` or ``def downgrade`` line when no traceback named a
line). Suppressed findings carry a SARIF suppression with their reason: "inSource" for
a comment in the revision file, "external" for the settings. A finding
without a file gets no location: GitHub rejects a SARIF file with such a result, so
``migcheck check`` first points them at the Alembic configuration
(``reporters.located``).
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from migcheck import __version__
from migcheck.codes import RULES, Rule
from migcheck.findings import Finding, Report
from migcheck.reporters.text import consequence_lines, diff_lines, missing, placed

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule(entry: Rule) -> dict[str, Any]:
    return {
        "id": entry.code,
        "name": "".join(word.capitalize() for word in entry.title.replace("-", " ").split()),
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": entry.help},
        "help": {"text": " ".join(filter(None, (entry.help, entry.fix)))},
        "helpUri": entry.docs,
        "defaultConfiguration": {"level": LEVELS[entry.severity]},
        "properties": {"tags": ["migrations", "postgresql", "alembic"]},
    }


def _location(file: str, line: int | None) -> dict[str, Any]:
    path = PurePath(file)
    # A relative URI is resolved against the source root (GitHub: the repository's root);
    # an absolute one must be a file: URI, without a base.
    artifact: dict[str, str] = (
        {"uri": path.as_uri()}
        if path.is_absolute()
        else {"uri": quote(path.as_posix()), "uriBaseId": "%SRCROOT%"}
    )
    return {
        "physicalLocation": {
            "artifactLocation": artifact,
            # Code scanning needs a line; a whole-file finding points at the first.
            "region": {"startLine": line or 1},
        }
    }


def _result(finding: Finding) -> dict[str, Any]:
    diff = diff_lines(finding)
    pasted = missing(finding)
    fix = placed(pasted)
    text = "\n".join(
        (f"{finding.title}: {finding.message}", *diff, *consequence_lines(finding), *fix)
    )
    properties: dict[str, Any] = {"diff": list(diff)}
    if pasted:
        properties["downgradeMissing"] = list(pasted)
    if finding.revision is not None:
        properties["revision"] = finding.revision
    if finding.pg_version is not None:
        properties["pgVersion"] = finding.pg_version
    if len(finding.versions) > 1:  # one result for a defect found alike on each of them
        properties["pgVersions"] = list(finding.versions)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": RULES.index(finding.rule),
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "properties": properties,
    }
    if finding.file is not None:
        result["locations"] = [_location(finding.file, finding.line)]
    if finding.suppressed is not None:
        # Accepted on purpose: by a comment in the migration file (in the source), or in
        # the settings (outside it).
        kind = "inSource" if finding.suppressed_by == "comment" else "external"
        result["suppressions"] = [
            {"kind": kind, "status": "accepted", "justification": finding.suppressed}
        ]
    return result


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "migcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(entry) for entry in RULES],
                    }
                },
                "results": [_result(finding) for finding in report.findings],
                "properties": {
                    "result": report.result,
                    "pgVersions": [run.pg_version for run in report.runs],
                    "serverVersions": [run.server_version for run in report.runs],
                },
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
